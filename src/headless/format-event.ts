import type { EngineEvent } from '../core/engine.js';
import { sanitize } from '../core/sanitize.js';
import { writeRoute } from '../adapters/gitea/write-route.js';
import { Styled } from '../adapters/terminal-output.js';

/**
 * Headless output: one line per engine event. Human lines are `time level event details`,
 * readable in a tmux pane; `--json` lines are NDJSON with a stable schema (docs/headless-events.md):
 * every line has `v` (schema version), `ts`, `level` and `event`, plus the fields of that event.
 */

export const EVENT_SCHEMA_VERSION = 1;

export type Level = 'info' | 'warn' | 'error';

export interface EventRecord {
  readonly v: number;
  readonly ts: string;
  readonly level: Level;
  readonly event: EngineEvent['type'];
  readonly [field: string]: unknown;
}

/** Dispatch phases the operator must hear about: red CI, a refusal waiting to retry, a cancellation warn; an escalation is an error. */
const DISPATCH_LEVEL: Readonly<Partial<Record<string, Level>>> = {
  ci_failed: 'warn',
  retry_wait: 'warn',
  cancelled: 'warn',
  escalated: 'error',
};

/** The NDJSON record of an event: flat, with tracker text sanitized. */
export function eventRecord(e: EngineEvent, now: Date): EventRecord {
  const ts = now.toISOString();
  const base = { v: EVENT_SCHEMA_VERSION, ts, event: e.type };
  switch (e.type) {
    case 'cycle-started':
      return { ...base, level: 'info', cycle: e.cycle };
    case 'cycle-finished':
      return { ...base, level: e.errors.length ? 'warn' : 'info', cycle: e.cycle, durationMs: e.durationMs, ...e.counts, errors: e.errors.map((m) => sanitize(m)) };
    case 'proposal-added':
    case 'proposal-changed': {
      const p = e.proposal;
      return {
        ...base,
        level: p.status === 'failed' ? 'error' : 'info',
        proposal: p.id,
        issue: p.issueKey,
        action: p.action,
        agent: p.agentId,
        status: p.status,
        ...(e.type === 'proposal-changed' ? { previousStatus: e.previousStatus } : {}),
        reason: sanitize(p.reason),
        gates: p.blockedBy.map((g) => g.kind),
        approvedBy: p.approvedBy,
        waiting: p.waiting,
        outcome: p.outcome === null ? null : sanitize(p.outcome),
        note: p.note === null || p.note === undefined ? null : sanitize(p.note),
      };
    }
    case 'write-made': {
      const w = e.write;
      const { method, path } = writeRoute(w);
      return { ...base, level: 'info', method, what: sanitize(w.what), path: sanitize(path), issue: w.issue, proposal: w.proposalId, dryRun: w.dryRun };
    }
    case 'dispatch-changed': {
      const d = e.dispatch;
      const last = d.history.at(-1);
      return {
        ...base,
        level: DISPATCH_LEVEL[d.phase] ?? 'info',
        proposal: d.proposalId,
        issue: `${d.repo}#${d.number}`,
        agent: d.agent.id,
        state: d.phase,
        previousState: e.previousState,
        attempt: d.attempt,
        note: last ? sanitize(last.note) : '',
      };
    }
    case 'error':
      return { ...base, level: e.level === 'warning' ? 'warn' : 'error', message: sanitize(e.message) };
    case 'armed':
    case 'disarmed':
    case 'paused':
    case 'resumed':
      return { ...base, level: 'info' };
    case 'dry-run':
      return { ...base, level: 'info', on: e.on };
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** One human line: `2026-05-01 10:00:00 INFO  proposal  acme/api#7 dispatch → claude: approved (operator)`. */
export function humanLine(r: EventRecord): string {
  const time = r.ts.slice(0, 19).replace('T', ' ');
  const level = r.level.toUpperCase().padEnd(5);
  return `${time} ${level} ${describe(r)}`;
}

function describe(r: EventRecord): string {
  const f = r as Record<string, unknown>;
  switch (r.event) {
    case 'cycle-started':
      return `cycle ${f.cycle} started`;
    case 'cycle-finished': {
      const errors = f.errors as string[];
      return (
        `cycle ${f.cycle}: ${f.proposals} pending, ${f.approved} approved-waiting, ${f.executed} executed, ${f.dispatches} in flight ` +
        `(${f.backlog} open, ${f.writes} writes, ${f.durationMs} ms)` +
        (errors.length ? `; ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.join('; ')}` : '')
      );
    }
    case 'proposal-added':
    case 'proposal-changed': {
      if (f.action === 'skip') return `proposal ${f.proposal} ${f.issue} skip: ${f.reason}`;
      const extra =
        f.status === 'rejected' && f.note ? ` — note: ${f.note}` : f.waiting ? ` (${f.waiting})` : f.outcome ? ` (${f.outcome})` : f.approvedBy ? ` (by ${f.approvedBy})` : '';
      return `proposal ${f.proposal} ${f.issue} ${f.action} → ${f.agent}: ${f.status}${extra}`;
    }
    case 'write-made':
      return `${f.dryRun ? 'would write' : 'wrote'} ${f.issue}: ${f.what}`;
    case 'dispatch-changed':
      return `dispatch ${f.issue} ${f.agent} attempt ${f.attempt}: ${f.previousState ?? 'new'} → ${f.state}${f.note ? ` (${f.note})` : ''}`;
    case 'error':
      return String(f.message);
    case 'dry-run':
      return `dry-run ${f.on ? 'on' : 'off'}`;
    default:
      return r.event;
  }
}

export const formatEvent = (e: EngineEvent, now: Date, json: boolean): string => {
  const r = eventRecord(e, now);
  return json ? JSON.stringify(r) : humanLine(r);
};


/**
 * What a headless run prints, one line per change: an engine may re-announce a proposal or a
 * dispatch it already had (every cycle re-plans the backlog), and the log only says what is new.
 * An idle cycle is its one summary line, however long the pending list.
 */
export class HeadlessLog {
  /** the last line's content per issue (proposals) and per proposal (dispatches) */
  private readonly said = new Map<string, string>();

  constructor(private readonly o: { readonly json: boolean; readonly colour: boolean }) {}

  /** The line for an event, or null when it tells nothing new. */
  line(e: EngineEvent, now: Date): string | Styled | null {
    const r = eventRecord(e, now);
    const key = this.changeKey(r);
    if (key !== null) {
      if (this.said.get(key[0]) === key[1]) return null;
      this.said.set(key[0], key[1]);
    }
    if (this.o.json) return JSON.stringify(r);
    // the finished line says everything the started one would, with the counts
    if (r.event === 'cycle-started') return null;
    const line = humanLine(r);
    return this.o.colour ? Styled.levelWord(line, r.level) : line;
  }

  private changeKey(r: EventRecord): [string, string] | null {
    const f = r as Record<string, unknown>;
    switch (r.event) {
      case 'proposal-added':
      case 'proposal-changed':
        // per issue: a re-planned proposal with a new id but the same decision is no news
        return [`p:${f.issue}`, JSON.stringify([f.action, f.agent, f.status, f.waiting, f.outcome, f.note, f.gates, f.reason])];
      case 'dispatch-changed':
        return [`d:${f.proposal}`, JSON.stringify([f.state, f.attempt, f.agent])];
      default:
        return null;
    }
  }
}
