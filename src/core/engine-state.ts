import type { JournalCommand, WriteStep } from './journal.js';
import type { Issue } from './issue.js';
import type { RateLimit } from './ports.js';
import { withRepoIssues } from './backlog-order.js';
import type { TrackedProposal } from './proposal-queue.js';
import type { AgentCall, WriteKind } from './next-write.js';
import type { TaskType } from './routing.js';
import type { ReadinessFacts } from './readiness.js';
import type { ScoredIssue } from './scoring.js';
import { isLive, type Supervised, type WatchAction } from './supervision-types.js';

/** One write made, or in dry-run one that would have been made. */
export interface WriteRecord {
  readonly at: string;
  readonly step: WriteStep;
  /** what kind of write, in the tracker's terms; adapters and the UI render it */
  readonly kind: WriteKind;
  /** "audit comment", "label kimi-ready", "assign @claude" */
  readonly what: string;
  /** what the write names beside the issue: the label, the edited comment's id, the agent */
  readonly target?: string;
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
  /** a fetch that failed because the tracker was unreachable or busy (an outage) */
  readonly outage?: boolean;
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
  /** supervised dispatches by proposal id: live ones and the last finished ones */
  readonly dispatches: ReadonlyMap<string, Supervised>;
  /** repos whose last fetch failed (they keep their previous backlog) */
  readonly fetchErrors: ReadonlyMap<string, EngineError>;
  readonly lastError: EngineError | null;
  readonly lastCycle: CycleSummary | null;
  readonly rateLimit: RateLimit;
  /** newest last, bounded */
  readonly recentWrites: readonly WriteRecord[];
  /**
   * Approvals in their grace period, proposal id → when it ends (ISO): they execute then, unless
   * taken back first (the console's undo). Not journaled: after a restart they are carried over.
   */
  readonly graceUntil: ReadonlyMap<string, string>;
  /** approvals the journal held at start (an earlier run's), by proposal id: the console announces them */
  readonly carriedOver: readonly string[];
}

export const RECENT_WRITES_LIMIT = 50;
/** finished dispatches (completed, escalated, cancelled …) kept for the console */
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
    graceUntil: new Map(),
    carriedOver: [],
  };
}

/** What the engine watches of a dispatch beside its lifecycle. */
export interface Watch {
  /** the http/command run to ask for its status (the latest attempt or fix-forward) */
  readonly runId?: string;
  /** comments up to this id were seen by earlier observations */
  readonly lastCommentId: number;
  /** watch actions asked for and not yet performed (journaled first: a restart performs them) */
  readonly pending: readonly WatchAction[];
  /** the agent before a pending redispatch: its label or assignment comes off */
  readonly from?: string;
}

export const NO_WATCH: Watch = { lastCommentId: 0, pending: [] };

/** What the current cycle has done so far (reset when a cycle starts). */
export interface CycleTally {
  readonly startedAt: string;
  readonly executed: number;
  readonly writes: number;
  readonly errors: readonly string[];
  readonly fetched: number;
  readonly fetchFailed: number;
  /** the cycle itself failed */
  readonly failed: boolean;
}

/** An action the next daily summary lists. */
export type SummaryAction = Pick<TrackedProposal, 'repo' | 'number' | 'action' | 'agentId' | 'reason'>;

/**
 * Everything the engine knows, as one immutable value: what the console shows (`snapshot`) and
 * what only the engine needs. Changed only by `step`; a journal replays into it with the same
 * `step`. Maps keyed by proposal id are pruned together with the dispatches they belong to.
 */
export interface EngineState {
  readonly snapshot: EngineSnapshot;
  /** by dispatch (proposal) id; pruned with the dispatch */
  readonly watches: ReadonlyMap<string, Watch>;
  /** by proposal id, then attempt: http/command agent calls made (a restart never repeats one) */
  readonly agentCalls: ReadonlyMap<string, ReadonlyMap<number, AgentCall>>;
  /** `${repo}\0${author}` → may write (asked of the tracker once per full resync) */
  readonly trust: ReadonlyMap<string, boolean>;
  /** repo → the `trust` its backlog was last scored with: a quiet fetch of the repo skips it while that holds */
  readonly scoredWith: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
  /** UTC days a daily summary was opened */
  readonly summaryDays: ReadonlySet<string>;
  /** console ids this state directory wrote under: their markers are ours */
  readonly ownConsoles: ReadonlySet<string>;
  /** the tracker login switchboard writes as; null until known */
  readonly self: string | null;
  /** failed cycles in a row (the back-off) */
  readonly failures: number;
  readonly tally: CycleTally;
  /** kept for the next daily summary only when it is enabled, newest last, bounded */
  readonly summaryActions: readonly SummaryAction[];
  /** proposals executed as a dry-run preview: forgotten when dry-run is turned off */
  readonly previewed: ReadonlySet<string>;
  /** commands from other processes not applied yet, by command id */
  readonly pendingCommands: ReadonlyMap<string, JournalCommand>;
  /** issue key → the task type the operator set (routing by task type, the dispatch's task type) */
  readonly taskTypes: ReadonlyMap<string, TaskType>;
  /** repo → its dashboard issue (ours, found in the backlog and kept out of it) */
  readonly dashboards: ReadonlyMap<string, Issue>;
  /** agent id → what the last readiness check found (seed 004); fed to the planner's gate */
  readonly readiness: ReadonlyMap<string, ReadinessFacts>;
}

export const emptyTally = (at: string): CycleTally => ({ startedAt: at, executed: 0, writes: 0, errors: [], fetched: 0, fetchFailed: 0, failed: false });

export function initialState(i: { consoleId: string; armed: boolean; dryRun: boolean; selfLogin?: string }): EngineState {
  return {
    snapshot: initialSnapshot(i),
    watches: new Map(),
    agentCalls: new Map(),
    trust: new Map(),
    scoredWith: new Map(),
    summaryDays: new Set(),
    ownConsoles: new Set([i.consoleId]),
    self: i.selfLogin ?? null,
    failures: 0,
    tally: emptyTally(new Date(0).toISOString()),
    summaryActions: [],
    previewed: new Set(),
    pendingCommands: new Map(),
    taskTypes: new Map(),
    dashboards: new Map(),
    readiness: new Map(),
  };
}

/** Replace one repo's part of the backlog; a successful fetch also clears its error. */
export function withRepoBacklog(s: EngineSnapshot, repo: string, scored: readonly ScoredIssue[]): EngineSnapshot {
  return withBacklog(s, repo, withRepoIssues(s.backlog, repo, scored));
}

/** The backlog after a successful fetch of `repo`, which also clears its error. */
export function withBacklog(s: EngineSnapshot, repo: string, backlog: EngineSnapshot['backlog']): EngineSnapshot {
  const fetchErrors = s.fetchErrors.has(repo) ? new Map([...s.fetchErrors].filter(([r]) => r !== repo)) : s.fetchErrors;
  if (backlog === s.backlog) return fetchErrors === s.fetchErrors ? s : { ...s, fetchErrors };
  return { ...s, backlog, fetchErrors };
}

/**
 * A dispatch and its watch, put in together; the oldest finished dispatches beyond the limit go,
 * and their watches and agent calls with them (they would otherwise grow forever).
 */
export function withDispatch(s: EngineState, d: Supervised, watch: Watch | undefined): EngineState {
  const dispatches = new Map(s.snapshot.dispatches).set(d.proposalId, d);
  const watches = watch ? new Map(s.watches).set(d.proposalId, watch) : new Map(s.watches);
  let agentCalls = s.agentCalls;
  const finished = [...dispatches.values()].filter((x) => !isLive(x.phase));
  for (const x of finished.slice(0, Math.max(0, finished.length - FINISHED_DISPATCHES_LIMIT))) {
    dispatches.delete(x.proposalId);
    watches.delete(x.proposalId);
    agentCalls = withoutCalls(agentCalls, x.proposalId);
  }
  return { ...s, watches, agentCalls, snapshot: { ...s.snapshot, dispatches } };
}

export function withoutCalls(calls: EngineState['agentCalls'], proposalId: string): EngineState['agentCalls'] {
  if (!calls.has(proposalId)) return calls;
  const out = new Map(calls);
  out.delete(proposalId);
  return out;
}
