import type { Config } from './config.js';
import type { NotifyEvent, RateLimit } from './ports.js';
import type { JournalCommand, JournalEntry } from './journal.js';
import type { EngineError, Watch, WriteRecord } from './engine-state.js';
import type { Issue } from './issue.js';
import type { Lesson } from './lessons.js';
import type { NextWrite, Work, Write, WriteAnswer } from './next-write.js';
import type { ScoringProfile } from './profile.js';
import type { TaskType } from './routing.js';
import type { ReadinessFacts } from './readiness.js';
import type { AgentSight, OperatorCommand, Supervised, TrackerSight, WatchPhase } from './supervision-types.js';
import type { ProposalStatus, TrackedProposal } from './proposal-queue.js';

/**
 * Everything that can happen to the engine, as one union `step` switches over. Four families:
 * operator intents (imperative names), observations, effect results, timer ticks — and the
 * journal's own entries (past tense: `approved`, `write`, `dispatch` …), which are the persisted
 * subset: `step` turns intents and results into them, and replaying a journal feeds them back.
 */
export type Event =
  // operator intents; `commandId` when it came from another process through the journal
  /** `graceMs`: it executes only after that long, and can be withdrawn meanwhile (the console's undo) */
  | { readonly type: 'approve'; readonly id: string; readonly by: string; readonly commandId?: string; readonly graceMs?: number }
  | { readonly type: 'reject'; readonly id: string; readonly note: string | null; readonly by?: string; readonly commandId?: string }
  /** an approval taken back before it started (a dashboard box unticked) */
  | { readonly type: 'withdraw'; readonly id: string; readonly by: string; readonly commandId?: string }
  | { readonly type: 'reroute'; readonly id: string; readonly agentId: string; readonly commandId?: string }
  /** the operator's hand on a dispatch (by proposal id): retry now, re-route (agentId), cancel, mark done, acknowledge */
  | { readonly type: 'operate'; readonly id: string; readonly op: OperatorCommand; readonly agentId?: string; readonly by: string; readonly note?: string; readonly commandId?: string }
  | { readonly type: 'arm' | 'disarm' | 'pause' | 'resume' }
  | { readonly type: 'set-dry-run'; readonly on: boolean }
  /** the operator's task type for an issue ("owner/name#N"); null: back to the inferred one */
  | { readonly type: 'set-task-type'; readonly issue: string; readonly taskType: TaskType | null; readonly commandId?: string }
  // the runner's life and timers; `restored`: the journal has been replayed
  | { readonly type: 'started' | 'stopped' | 'restored' }
  | { readonly type: 'scheduled'; readonly at: string | null }
  | { readonly type: 'self-known'; readonly login: string }
  /** a cycle's phases, in order; each phase's effects have settled before the next is sent */
  | { readonly type: 'cycle-started' }
  | { readonly type: 'observe-due' }
  | { readonly type: 'fetch-due' }
  | { readonly type: 'plan-due' }
  | { readonly type: 'summary-due' }
  | { readonly type: 'cycle-failed'; readonly message: string }
  | { readonly type: 'cycle-finished'; readonly rateLimit: RateLimit }
  /** an approval's grace period is over: it executes now if its gates are clear */
  | { readonly type: 'grace-over'; readonly id: string }
  /** inside an issue's write lane: execute a proposal, gates checked now */
  | { readonly type: 'execute'; readonly id: string }
  // observations
  /** one cycle's sight of a supervised dispatch (either part null when it could not be read) */
  | { readonly type: 'observed'; readonly id: string; readonly tracker: TrackerSight | null; readonly agent: AgentSight | null; readonly lastCommentId: number }
  /** what the readiness check found, per agent id (seed 004) */
  | { readonly type: 'readiness-checked'; readonly facts: ReadonlyMap<string, ReadinessFacts> }
  /** `gone`: the tracker confirmed the issue was deleted */
  | { readonly type: 'observe-failed'; readonly id: string; readonly message: string; readonly gone?: boolean }
  /** `learned`: trust asked of the tracker for this fetch, `${repo}\0${author}` → may write */
  | {
      readonly type: 'backlog-fetched';
      readonly repo: string;
      readonly issues: readonly Issue[];
      readonly learned: ReadonlyMap<string, boolean>;
      /** the tracker found nothing changed since its last fetch of the repo */
      readonly unchanged?: boolean;
    }
  /** `transient`: the tracker was unreachable or busy (an outage), not a refusal or a moved repo */
  | { readonly type: 'fetch-failed'; readonly repo: string; readonly message: string; readonly transient: boolean }
  /** whether the authors of other accounts' claims may write, asked of the tracker by a write sequence */
  | { readonly type: 'trust-learned'; readonly learned: ReadonlyMap<string, boolean> }
  // effect results
  | { readonly type: 'write-starting'; readonly work: Work; readonly write: Write }
  | { readonly type: 'written'; readonly work: Work; readonly write: Write; readonly answer: WriteAnswer; readonly dryRun: boolean }
  | { readonly type: 'work-ended'; readonly work: Work; readonly end: Exclude<NextWrite, { kind: 'write' | 'refused' | 'ask-trust' }>; readonly readUpTo: number }
  /** `final`: refused, not worth retrying; `transient`: an outage, never fails work for good */
  | {
      readonly type: 'work-failed';
      readonly work: Work;
      readonly message: string;
      readonly final: boolean;
      readonly transient: boolean;
      /** the tracker confirmed the issue was deleted */
      readonly gone?: boolean;
      /** the agent did not take the task (HTTP 5xx, a command that cannot start): its words */
      readonly agentRefused?: string;
    }
  /** stopped or disarmed between two writes */
  | { readonly type: 'work-interrupted'; readonly work: Work; readonly stopping: boolean }
  /** something the runner could not do that is nobody's event (journal, notifier, command poll) */
  | { readonly type: 'problem'; readonly level: EngineError['level']; readonly message: string }
  | JournalEntry;

export type Effect =
  /** append to the journal, in order; the event's promise settles once it is on disk */
  | { readonly type: 'journal'; readonly entry: JournalEntry }
  /** tell onEvent listeners, synchronously and in order */
  | { readonly type: 'emit'; readonly event: EngineEvent }
  | { readonly type: 'notify'; readonly event: NotifyEvent }
  /** send `event` inside the write lane `lane` (one issue's writes never interleave) */
  | { readonly type: 'lane'; readonly lane: string; readonly event: Event }
  /** a write sequence: read, nextWrite, write, … until it ends; in `lane` unless already inside one */
  | { readonly type: 'work'; readonly work: Work; readonly lane?: string }
  /** observe these dispatches one after another */
  | { readonly type: 'observe'; readonly items: readonly { readonly dispatch: Supervised; readonly watch: Watch }[] }
  /** keep a lesson for the repo (a rejection with a note) */
  | { readonly type: 'lesson'; readonly lesson: Lesson }
  /** check every agent's readiness (seed 004), for the planner's gate */
  | { readonly type: 'readiness' }
  /** fetch every repo; ask the tracker whether authors not in `trust` may write */
  | { readonly type: 'fetch'; readonly repos: readonly string[]; readonly full: boolean; readonly trust: ReadonlyMap<string, boolean> };

export interface StepContext {
  readonly config: Config;
  readonly profile: ScoringProfile;
  /** the time of the event (a replayed journal entry: its own `at`) */
  readonly now: Date;
}

export interface CycleCounts {
  readonly backlog: number;
  readonly proposals: number;
  readonly approved: number;
  readonly executed: number;
  readonly dispatches: number;
  readonly writes: number;
}

/** What onEvent listeners hear (the console's log, headless output). */
export type EngineEvent =
  | { readonly type: 'cycle-started'; readonly cycle: number; readonly at: string }
  | {
      readonly type: 'cycle-finished';
      readonly cycle: number;
      readonly at: string;
      readonly durationMs: number;
      readonly counts: CycleCounts;
      readonly errors: readonly string[];
    }
  | { readonly type: 'proposal-added'; readonly proposal: TrackedProposal }
  | { readonly type: 'proposal-changed'; readonly proposal: TrackedProposal; readonly previousStatus: ProposalStatus }
  | { readonly type: 'write-made'; readonly write: WriteRecord }
  | { readonly type: 'dispatch-changed'; readonly dispatch: Supervised; readonly previousState: WatchPhase | null }
  | ({ readonly type: 'error' } & EngineError)
  | { readonly type: 'armed' | 'disarmed' | 'paused' | 'resumed'; readonly at: string }
  | { readonly type: 'dry-run'; readonly on: boolean; readonly at: string }
  /** approvals an earlier run left (the journal held them): they execute once their gates are clear */
  | { readonly type: 'carried-over'; readonly at: string; readonly proposals: readonly TrackedProposal[] };

/** The event a command from another process (`switchboard approve …`) stands for. */
export function commandEvent(c: JournalCommand): Event {
  const base = { id: c.proposalId, commandId: c.commandId };
  switch (c.command) {
    case 'tasktype':
      return { type: 'set-task-type', issue: c.issue ?? '', taskType: c.taskType ?? null, commandId: c.commandId };
    case 'approve':
      return { type: 'approve', by: 'operator', ...base };
    case 'reject':
      return { type: 'reject', note: c.note ?? null, ...base };
    case 'reroute':
      return { type: 'reroute', agentId: c.agentId ?? '', ...base };
    case 'dispatch':
      return { type: 'operate', op: c.op ?? 'ack', by: 'operator', ...(c.agentId !== undefined ? { agentId: c.agentId } : {}), ...(c.note !== undefined ? { note: c.note } : {}), ...base };
  }
}
