import { setTimeout as sleep } from 'node:timers/promises';
import type { Notifier, NotifyEvent } from '../core/ports.js';
import { sendJson, whereTo } from './http-json.js';

/** One line for a human, per event. */
export function describeEvent(event: NotifyEvent): string {
  return event.dashboardUrl === undefined ? describe(event) : `${describe(event)} — dashboard: ${event.dashboardUrl}`;
}

function describe(event: NotifyEvent): string {
  switch (event.kind) {
    case 'escalated':
      return `switchboard escalated ${event.repo}#${event.number}: ${event.agentId} after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'} — ${event.why}`;
    case 'flagged':
      return `switchboard flagged ${event.repo}#${event.number} for the owner — ${event.reason}`;
    case 'dispatch-ended':
      return `switchboard: ${event.text}`;
    default: {
      const never: never = event;
      return `switchboard event ${JSON.stringify(never)}`;
    }
  }
}

/** Slack reads `<…>` as links and mentions (`<!channel>`); tracker text must not page anyone. */
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface WebhookNotifierOptions {
  /** the incoming-webhook URL; a secret in itself, so never repeated in messages */
  readonly url: string;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  /** first pause between attempts; doubled each time */
  readonly backoffMs?: number;
  /** told when an event could not be delivered; the engine is not */
  readonly onFailure?: (text: string) => void;
}

/**
 * Posts `{text}` to a Slack-compatible incoming webhook. Retries network failures, 429 and 5xx;
 * never rejects: a notification is not worth breaking a cycle for.
 */
export class WebhookNotifier implements Notifier {
  readonly failures: string[] = [];
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;

  constructor(private readonly options: WebhookNotifierOptions) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.backoffMs = options.backoffMs ?? 500;
  }

  async notify(event: NotifyEvent): Promise<void> {
    await this.send(describeEvent(event));
  }

  /** Post any text (the daily summary); true when the webhook took it. */
  async send(text: string): Promise<boolean> {
    const body = JSON.stringify({ text: slackEscape(text) });
    let last = '';
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
      try {
        const { status } = await sendJson('POST', this.options.url, { body, timeoutMs: this.timeoutMs });
        if (status >= 200 && status < 300) return true;
        last = `HTTP ${status}`;
        if (status !== 429 && status < 500) break;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    const failure = `could not notify the webhook at ${whereTo(this.options.url)}: ${last}`;
    this.failures.push(failure);
    this.options.onFailure?.(failure);
    return false;
  }
}

/** Rings the terminal bell, so an operator in another tmux pane looks up. */
export class BellNotifier implements Notifier {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  async notify(): Promise<void> {
    this.stream.write('\u0007');
  }
}

/** Tells every notifier; one failing does not stop the others, nor reaches the engine. */
export class CompositeNotifier implements Notifier {
  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly onFailure?: (text: string) => void,
  ) {}

  async notify(event: NotifyEvent): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.notify(event)));
    for (const r of results) {
      if (r.status === 'rejected') this.onFailure?.(`could not notify: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    }
  }
}
