import type { EngineEvent } from '../core/engine.js';
import { sanitize } from '../core/sanitize.js';
import { writeRoute } from '../adapters/gitea/write-route.js';

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
        level: p.status === 'failed' ? 'warn' : 'info',
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
      const trouble = ['stalled', 'timed_out', 'looping', 'failed', 'escalated'].includes(d.state);
      return {
        ...base,
        level: trouble ? 'warn' : 'info',
        proposal: d.proposalId,
        issue: `${d.repo}#${d.number}`,
        agent: d.agentId,
        state: d.state,
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
        `cycle ${f.cycle} finished in ${f.durationMs} ms: ${f.backlog} open, ${f.proposals} proposals, ` +
        `${f.executed} executed, ${f.dispatches} in flight, ${f.writes} writes` +
        (errors.length ? `; ${errors.length} error(s): ${errors.join('; ')}` : '')
      );
    }
    case 'proposal-added':
    case 'proposal-changed': {
      if (f.action === 'skip') return `proposal ${f.proposal} ${f.issue} skip: ${f.reason}`;
      const extra = f.waiting ? ` (${f.waiting})` : f.outcome ? ` (${f.outcome})` : f.approvedBy ? ` (by ${f.approvedBy})` : '';
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
