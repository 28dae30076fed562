import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AgentStatus, DispatchRequest, DispatchResult, DispatchTarget } from '../../core/ports.js';
import { OperationError, UsageError } from '../../core/errors.js';
import type { Agent } from '../../core/routing.js';
import { DEFAULT_PROMPT, implementerPrompt } from '../../core/prompts.js';
import { MAX_REPLY_BYTES, sendJson, whereTo } from '../http-json.js';
import { fillTemplate } from './command-target.js';

export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const DISPATCH_HEADER = 'x-switchboard-dispatch';

/**
 * `t=<unix seconds>,v1=<hex>`: HMAC-SHA256 of `<t>.<dispatch id>.<body bytes>`, the form Stripe
 * and Slack sign their webhooks with. The timestamp lets a receiver refuse old requests and the
 * dispatch id lets it refuse one it has seen: a captured request cannot be replayed, and the
 * dispatch header cannot be swapped without breaking the signature.
 */
export function signDispatch(body: string | Buffer, dispatchId: string, secret: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  const mac = createHmac('sha256', secret).update(`${t}.${dispatchId}.`).update(body).digest('hex');
  return `t=${t},v1=${mac}`;
}

/**
 * The criteria listed under an "Acceptance criteria" heading, else every task-list item: what the
 * reference dispatcher sends as `acceptance_criteria`.
 */
export function acceptanceCriteria(body: string): string[] {
  const lines = body.split(/\r?\n/);
  const item = /^\s*[-*+]\s+(?:\[[ xX]\]\s+)?(.+?)\s*$/;
  const start = lines.findIndex((l) => /^\s*(?:#+\s*|\*\*)?acceptance criteria\b/i.test(l));
  if (start >= 0) {
    const out: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (/^\s*#/.test(line)) break;
      const m = item.exec(line);
      if (m?.[1]) out.push(m[1]);
      else if (line.trim() !== '' && out.length > 0) break;
    }
    if (out.length > 0) return out;
  }
  return lines.flatMap((l) => /^\s*[-*+]\s+\[[ xX]\]\s+(.+?)\s*$/.exec(l)?.[1] ?? []);
}

/** The JSON body of a dispatch: the reference `_dispatch_via_api` payload plus repo and url. */
export function dispatchPayload(r: DispatchRequest): Record<string, unknown> {
  return {
    title: r.title,
    description: r.body,
    acceptance_criteria: acceptanceCriteria(r.body),
    issue_number: r.number,
    agent: r.agent.id,
    task_type: r.taskType,
    repo: r.repo,
    url: r.url,
    ...(r.lessons !== undefined ? { lessons: r.lessons } : {}),
    // The issue-implementer rules first (seed 003), then what to do: the agent may use it as its task text.
    prompt: implementerPrompt(
      r.agent,
      r.preamble ?? '',
      r.fixForward ? r.fixForward.prompt : fillTemplate(r.agent.promptTemplate ?? DEFAULT_PROMPT, { repo: r.repo, number: String(r.number), title: r.title, url: r.url }),
    ),
    // A corrective turn on red CI (issue 12): the same run's issue, a new request saying what failed.
    ...(r.fixForward ? { fix_forward: { round: r.fixForward.round } } : {}),
  };
}

/** Longer than any run id an agent service hands out (UUIDs, ULIDs, numbers, paths). */
const MAX_RUN_ID = 200;
const AcceptedSchema = z.looseObject({ run_id: z.union([z.string(), z.number()]).optional(), id: z.union([z.string(), z.number()]).optional() });
const StatusSchema = z.looseObject({ status: z.enum(['running', 'done', 'failed']), detail: z.string().max(500).optional() });

export interface HttpTargetOptions {
  /** the registry: `observe` gets only a run id, which names its agent */
  readonly agents: readonly Agent[];
  /** where `secretEnv` is looked up */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
  /** the time a request is signed at; the system clock by default */
  readonly now?: () => Date;
}

/**
 * Dispatches to an agent service by POSTing the task as signed JSON. Run ids are
 * `<agent id>:<id the service returned>`, so a restarted engine can still poll them.
 */
export class HttpTarget implements DispatchTarget {
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpTargetOptions) {
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async dispatch(request: DispatchRequest): Promise<DispatchResult> {
    const { agent } = request;
    if (!agent.endpoint) throw new UsageError(`agent "${agent.id}" has no endpoint`);
    const body = JSON.stringify(dispatchPayload(request));
    const dispatchId = `${request.proposalId}#${request.attempt}${request.fixForward ? `-ff${request.fixForward.round}` : ''}`;
    const headers: Record<string, string> = { [DISPATCH_HEADER]: dispatchId };
    if (agent.secretEnv !== undefined) {
      headers[SIGNATURE_HEADER] = signDispatch(body, dispatchId, this.secret(agent, agent.secretEnv), (this.options.now ?? (() => new Date()))());
    }
    let reply;
    try {
      reply = await sendJson('POST', agent.endpoint, { body, headers, timeoutMs: this.timeoutMs });
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
    const where = whereTo(agent.endpoint);
    if (reply.status < 200 || reply.status >= 300) return { ok: false, detail: `${where} answered HTTP ${reply.status}` };
    // A 2xx is an acceptance whatever its body says: failing it would send the task a second time.
    if (reply.tooLarge) return { ok: true, detail: `accepted by ${where}; its reply was larger than ${MAX_REPLY_BYTES / (1024 * 1024)} MB and was not read` };
    const accepted = AcceptedSchema.safeParse(reply.json);
    const claimed = accepted.success ? String(accepted.data.run_id ?? accepted.data.id ?? '') : '';
    // The run id is journaled with every dispatch line and shown: an absurd one is not kept.
    const remote = claimed.length > MAX_RUN_ID ? '' : claimed;
    const dropped = remote === claimed ? '' : `; its run id of ${claimed.length} characters was not kept (at most ${MAX_RUN_ID})`;
    // without an id the run can still be polled if the status URL does not need one
    const pollable = remote !== '' || (agent.statusUrl !== undefined && !hasRunIdSlot(agent.statusUrl));
    if (!pollable) return { ok: true, detail: `accepted by ${where}${dropped}` };
    return { ok: true, runId: `${agent.id}:${remote}`, detail: remote ? `run ${remote} accepted by ${where}` : `accepted by ${where}${dropped}` };
  }

  async observe(runId: string): Promise<AgentStatus> {
    const colon = runId.indexOf(':');
    const agentId = colon < 0 ? runId : runId.slice(0, colon);
    const remote = colon < 0 ? '' : runId.slice(colon + 1);
    const agent = this.options.agents.find((a) => a.id === agentId && a.kind === 'http');
    if (!agent) return { status: 'failed', detail: `run ${runId} belongs to no http agent in the registry` };
    if (!agent.statusUrl) return { status: 'running', detail: `${agent.id} has no status URL; waiting for its result` };
    const url = agent.statusUrl.replace(/\{runId\}|%7BrunId%7D/g, encodeURIComponent(remote));
    const reply = await sendJson('GET', url, { timeoutMs: this.timeoutMs });
    if (reply.status < 200 || reply.status >= 300) throw new OperationError(`status of run ${remote || runId} at ${whereTo(url)}: HTTP ${reply.status}`);
    if (reply.tooLarge) throw new OperationError(`status of run ${remote || runId} at ${whereTo(url)}: a reply larger than ${MAX_REPLY_BYTES / (1024 * 1024)} MB`);
    const status = StatusSchema.safeParse(reply.json);
    if (!status.success) {
      throw new OperationError(`status of run ${remote || runId} at ${whereTo(url)}: field "status" is not running, done or failed`);
    }
    const { status: s, detail } = status.data;
    return { status: s, detail: detail ?? `run ${remote || agent.id} ${s}` };
  }

  private secret(agent: Agent, name: string): string {
    const secret = this.env[name];
    if (!secret) {
      throw new UsageError(`agent "${agent.id}" signs with the secret in environment variable ${name}, which is not set`);
    }
    return secret;
  }
}

const hasRunIdSlot = (url: string): boolean => /\{runId\}|%7BrunId%7D/.test(url);
