import type { Dispatch } from './dispatch.js';
import type { WriteStep } from './engine-ports.js';
import { issueKey } from './issue.js';
import type { RateLimit } from './ports.js';
import { byPriority, type TrackedProposal } from './proposal-queue.js';
import type { ScoredIssue } from './scoring.js';

/** One write made, or in dry-run one that would have been made. */
export interface WriteRecord {
  readonly at: string;
  readonly step: WriteStep;
  readonly method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** "audit comment", "label kimi-ready", "assign @claude" */
  readonly what: string;
  /** endpoint-ish: "/repos/acme/api/issues/7/comments" */
  readonly path: string;
  /** issue key, or the repo for a new issue */
  readonly issue: string;
  /** first line of a body, label names, logins */
  readonly summary: string;
  readonly proposalId: string | null;
  readonly dryRun: boolean;
}

export interface EngineError {
  readonly at: string;
  readonly level: 'warning' | 'error';
  readonly message: string;
}

export interface CycleSummary {
  readonly cycle: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly errors: readonly string[];
}

/** Everything the console shows. Immutable: a new object only when something changed. */
export interface EngineSnapshot {
  readonly consoleId: string;
  readonly started: boolean;
  readonly cycle: number;
  readonly cycleRunning: boolean;
  /** ISO; null when no cycle is scheduled (stopped, paused) */
  readonly nextCycleAt: string | null;
  readonly armed: boolean;
  readonly dryRun: boolean;
  readonly paused: boolean;
  /** scored open issues of every enrolled repo, by issue key, most urgent first (byPriority) */
  readonly backlog: ReadonlyMap<string, ScoredIssue>;
  /** by proposal id: current decisions (most urgent first), then settled history */
  readonly proposals: ReadonlyMap<string, TrackedProposal>;
  /** by proposal id */
  readonly dispatches: ReadonlyMap<string, Dispatch>;
  /** repos whose last fetch failed (they keep their previous backlog) */
  readonly fetchErrors: ReadonlyMap<string, EngineError>;
  readonly lastError: EngineError | null;
  readonly lastCycle: CycleSummary | null;
  readonly rateLimit: RateLimit;
  /** newest last, bounded */
  readonly recentWrites: readonly WriteRecord[];
}

export const RECENT_WRITES_LIMIT = 50;
/** finished dispatches (completed, escalated) kept for the console */
export const FINISHED_DISPATCHES_LIMIT = 50;

export function initialSnapshot(i: { consoleId: string; armed: boolean; dryRun: boolean }): EngineSnapshot {
  return {
    consoleId: i.consoleId,
    started: false,
    cycle: 0,
    cycleRunning: false,
    nextCycleAt: null,
    armed: i.armed,
    dryRun: i.dryRun,
    paused: false,
    backlog: new Map(),
    proposals: new Map(),
    dispatches: new Map(),
    fetchErrors: new Map(),
    lastError: null,
    lastCycle: null,
    rateLimit: { remaining: undefined, resetAt: undefined },
    recentWrites: [],
  };
}

export type SnapshotAction =
  | { readonly type: 'started' | 'stopped' | 'armed' | 'disarmed' | 'paused' | 'resumed' }
  | { readonly type: 'dry-run'; readonly on: boolean }
  | { readonly type: 'cycle-started'; readonly cycle: number }
  | { readonly type: 'cycle-finished'; readonly summary: CycleSummary }
  | { readonly type: 'scheduled'; readonly at: string | null }
  | { readonly type: 'backlog'; readonly repo: string; readonly scored: readonly ScoredIssue[] }
  | { readonly type: 'fetch-failed'; readonly repo: string; readonly error: EngineError }
  | { readonly type: 'proposals'; readonly proposals: ReadonlyMap<string, TrackedProposal> }
  | { readonly type: 'dispatch'; readonly dispatch: Dispatch }
  | { readonly type: 'write'; readonly write: WriteRecord }
  | { readonly type: 'error'; readonly error: EngineError }
  | { readonly type: 'rate-limit'; readonly rateLimit: RateLimit };

const flag = <K extends 'started' | 'armed' | 'paused' | 'dryRun'>(s: EngineSnapshot, key: K, on: boolean): EngineSnapshot =>
  s[key] === on ? s : { ...s, [key]: on };

/** The snapshot reducer: returns the same object when the action changes nothing. */
export function reduceSnapshot(s: EngineSnapshot, a: SnapshotAction): EngineSnapshot {
  switch (a.type) {
    case 'started':
      return flag(s, 'started', true);
    case 'stopped':
      return s.started || s.nextCycleAt !== null ? { ...s, started: false, nextCycleAt: null } : s;
    case 'armed':
      return flag(s, 'armed', true);
    case 'disarmed':
      return flag(s, 'armed', false);
    case 'paused':
      return s.paused ? s : { ...s, paused: true, nextCycleAt: null };
    case 'resumed':
      return flag(s, 'paused', false);
    case 'dry-run':
      return flag(s, 'dryRun', a.on);
    case 'cycle-started':
      return { ...s, cycle: a.cycle, cycleRunning: true };
    case 'cycle-finished':
      return { ...s, cycleRunning: false, lastCycle: a.summary };
    case 'scheduled':
      return s.nextCycleAt === a.at ? s : { ...s, nextCycleAt: a.at };
    case 'backlog':
      return withRepoBacklog(s, a.repo, a.scored);
    case 'fetch-failed': {
      const fetchErrors = new Map(s.fetchErrors).set(a.repo, a.error);
      return { ...s, fetchErrors, lastError: a.error };
    }
    case 'proposals':
      return s.proposals === a.proposals ? s : { ...s, proposals: a.proposals };
    case 'dispatch':
      return s.dispatches.get(a.dispatch.proposalId) === a.dispatch ? s : { ...s, dispatches: withDispatch(s.dispatches, a.dispatch) };
    case 'write':
      return { ...s, recentWrites: [...s.recentWrites, a.write].slice(-RECENT_WRITES_LIMIT) };
    case 'error':
      return { ...s, lastError: a.error };
    case 'rate-limit':
      return s.rateLimit.remaining === a.rateLimit.remaining && s.rateLimit.resetAt === a.rateLimit.resetAt ? s : { ...s, rateLimit: a.rateLimit };
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Replace one repo's part of the backlog; a successful fetch also clears its error. */
function withRepoBacklog(s: EngineSnapshot, repo: string, scored: readonly ScoredIssue[]): EngineSnapshot {
  const old = [...s.backlog.values()].filter((x) => x.issue.repo === repo);
  const unchanged = old.length === scored.length && old.every((x, i) => x === scored[i]);
  const fetchErrors = s.fetchErrors.has(repo) ? new Map([...s.fetchErrors].filter(([r]) => r !== repo)) : s.fetchErrors;
  if (unchanged) return fetchErrors === s.fetchErrors ? s : { ...s, fetchErrors };
  const others = [...s.backlog.values()].filter((x) => x.issue.repo !== repo);
  const backlog = new Map([...others, ...scored].sort(byPriority).map((x) => [issueKey(x.issue.repo, x.issue.number), x]));
  return { ...s, backlog, fetchErrors };
}

function withDispatch(all: ReadonlyMap<string, Dispatch>, d: Dispatch): ReadonlyMap<string, Dispatch> {
  const out = new Map(all).set(d.proposalId, d);
  const finished = [...out.values()].filter((x) => x.state === 'completed' || x.state === 'escalated');
  for (const x of finished.slice(0, Math.max(0, finished.length - FINISHED_DISPATCHES_LIMIT))) out.delete(x.proposalId);
  return out;
}
