import type { CommitCheck } from './ports.js';
import type { AgentKind } from './routing.js';

/**
 * The supervised lifecycle of one dispatch (seeds 003 and 004), as data. `next` in
 * supervision.ts moves a `Supervised` by one event and says what the engine must do as a list of
 * `WatchAction`s; nothing here performs anything.
 *
 *   dispatching → assigned → working → pr_open → ci_running → ci_failed (fix-forward) | ci_passed
 *     → merged (CI still running on the merged head) → completed | deploying → deployed
 *   refused → retry_wait → dispatching …          command exit 0 without a PR → awaiting_review
 *   stall / timeout / agent failure → dispatching again (retry or re-route) or escalated
 *   a human closing the issue, removing the assignment or the lock → cancelled
 */

export const WATCH_PHASES = [
  'dispatching',
  'retry_wait',
  'assigned',
  'working',
  'pr_open',
  'ci_running',
  'ci_failed',
  'ci_passed',
  'merged',
  'deploying',
  'completed',
  'deployed',
  'awaiting_review',
  'cancelled',
  'escalated',
] as const;
export type WatchPhase = (typeof WATCH_PHASES)[number];

/** Phases that end a dispatch: no more observation, the lock is released. */
export const ENDED_PHASES: ReadonlySet<WatchPhase> = new Set(['completed', 'deployed', 'awaiting_review', 'cancelled', 'escalated']);
export const isLive = (phase: WatchPhase): boolean => !ENDED_PHASES.has(phase);

export const ESCALATION_CAUSES = ['refused', 'stall', 'timeout', 'agent-failed', 'loop', 'ci-red', 'max-hops', 'merged-red', 'deploy-failed'] as const;
export type EscalationCause = (typeof ESCALATION_CAUSES)[number];

/** The agent a dispatch is with, as far as watching it needs. */
export interface AgentRef {
  readonly id: string;
  readonly kind: Exclude<AgentKind, 'owner'>;
  /** the tracker login the agent acts as (tracker agents: assignee or label login), if known */
  readonly login: string | null;
  /** tracker agents dispatched by label: the label that is their assignment */
  readonly label: string | null;
}

/** Green, red, running or no CI at all, from the latest status of every context. */
export type CiVerdict = 'none' | 'pending' | 'green' | 'red';

/** The latest status of one context (the Tracker port's read). */
export type Check = CommitCheck;

/** A pull request that still references the issue (neutered references excluded by the engine). */
export interface PullSight {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly headSha: string;
  readonly mergeSha: string | null;
  /** latest status per context on the head commit */
  readonly checks: readonly Check[];
  /** latest status per context on the merge commit (read only when watch.deployContext is set) */
  readonly mergeChecks: readonly Check[];
  /** who opened it and whether from a fork, when the forge says (a stranger's fork PR does not count) */
  readonly author?: string;
  readonly fromFork?: boolean;
}

export interface CommentSight {
  readonly author: string;
  readonly body: string;
}

export interface TrackerSight {
  readonly issue: {
    readonly state: 'open' | 'closed';
    /** who closed it, when the timeline says */
    readonly closedBy: string | null;
    readonly assignees: readonly string[];
    readonly labels: readonly string[];
  };
  readonly pulls: readonly PullSight[];
  /** comments new since the last cycle, by anyone (the lifecycle decides whom to count) */
  readonly comments: readonly CommentSight[];
}

/** An http or command agent's own account of its run. */
export interface AgentSight {
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly detail: string;
}

export const OPERATOR_COMMANDS = ['retry', 'reroute', 'cancel', 'done', 'ack'] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

/** One event the lifecycle reacts to. */
export type WatchEvent =
  /** the agent took the dispatch (a comment posted and assignment made, a 2xx, a process started) */
  | { readonly kind: 'accepted'; readonly detail: string }
  /** the agent refused it (HTTP 5xx, a command that cannot start, an unassignable login) */
  | { readonly kind: 'refused'; readonly detail: string }
  /** one cycle's observation; either part is null when it could not be read this cycle */
  | { readonly kind: 'cycle'; readonly tracker: TrackerSight | null; readonly agent: AgentSight | null }
  | { readonly kind: 'operator'; readonly command: OperatorCommand; readonly agentId?: string; readonly by: string; readonly note?: string };

export interface WatchPolicy {
  /** switchboard's own tracker login */
  readonly selfLogin: string;
  /** maintainers whose comments count (config trustedAuthors) */
  readonly trusted: ReadonlySet<string>;
  readonly inProgressLabel: string;
  readonly stallMinutes: number;
  /** the current agent's timeout */
  readonly timeoutMinutes: number;
  readonly repeatThreshold: number;
  readonly maxRetries: number;
  readonly retryBackoffSeconds: number;
  readonly maxFixForward: number;
  readonly maxHops: number;
  readonly closeOnMerge: boolean;
  readonly deployContext: string | null;
  readonly retryNextAgent: boolean;
  /** coding agents in preference order, for re-routing and retries on the next agent */
  readonly agents: readonly AgentRef[];
}

/** The phases of seed 003's checklist as they stand, for the progress comment. */
export interface Progress {
  readonly dispatched: boolean;
  readonly pr: number | null;
  readonly ci: CiVerdict;
  readonly headSha: string | null;
  readonly fixForwards: number;
  readonly merged: boolean;
  readonly closed: boolean;
  readonly deployed: boolean;
  readonly ended: null | 'cancelled' | 'escalated' | 'awaiting_review';
}

export interface FixForwardRequest {
  readonly agent: AgentRef;
  readonly pr: number;
  readonly headSha: string;
  /** the failing contexts with their target URLs (untrusted: defuse before writing) */
  readonly failing: readonly Check[];
  /** 1-based */
  readonly round: number;
  readonly maxRounds: number;
}

/** What the engine must do, in order. Each maps to one or two effects of its step. */
export type WatchAction =
  /** a new attempt: the tracker comment + assignment, the POST or the run again */
  | { readonly kind: 'redispatch'; readonly agent: AgentRef; readonly attempt: number; readonly why: string }
  /** a corrective turn: a comment to a tracker agent, a POST to an http agent, a new run of a command agent */
  | { readonly kind: 'fix-forward'; readonly request: FixForwardRequest }
  /** remove the in-progress label (the repo lock) */
  | { readonly kind: 'release-lock' }
  /** post the completion comment and close the issue */
  | { readonly kind: 'close-issue'; readonly pr: number; readonly mergeSha: string | null }
  /** escalation comment with its marker, and the needs-human label */
  | { readonly kind: 'escalate'; readonly cause: EscalationCause; readonly why: string }
  /** edit the audit comment: the dispatch did not happen */
  | { readonly kind: 'retract-audit'; readonly why: string }
  /** a command agent still running is stopped */
  | { readonly kind: 'stop-agent' }
  /** tell the owner on the issue (done, awaiting review) */
  | { readonly kind: 'flag-owner'; readonly why: string }
  /** say on the issue that the operator cancelled the dispatch */
  | { readonly kind: 'say-cancelled'; readonly by: string; readonly note?: string }
  | { readonly kind: 'notify'; readonly event: 'completed' | 'deployed' | 'escalated' | 'awaiting-review' | 'cancelled'; readonly text: string }
  /** create or edit the marker-keyed progress checklist comment */
  | { readonly kind: 'update-progress'; readonly progress: Progress };

export interface WatchNote {
  readonly at: string;
  readonly phase: WatchPhase;
  readonly note: string;
}

export interface Supervised {
  readonly proposalId: string;
  readonly repo: string;
  readonly number: number;
  readonly agent: AgentRef;
  readonly phase: WatchPhase;
  /** 1-based attempt of the current dispatch */
  readonly attempt: number;
  /** re-dispatches so far across retries, re-routes and fix-forwards (watch.maxHops) */
  readonly hops: number;
  /** retries used (watch.maxRetries) */
  readonly retries: number;
  readonly fixForwards: number;
  /** head commits already sent back for a fix-forward: one corrective turn per commit */
  readonly fixedShas: readonly string[];
  readonly attemptStartedAt: string;
  readonly lastProgressAt: string;
  readonly retryAt: string | null;
  /** some attempt was accepted: the audit comment announces something real */
  readonly accepted: boolean;
  /** the lock label / the agent's assignment was seen on the issue since this attempt began */
  readonly lockSeen: boolean;
  readonly assignmentSeen: boolean;
  readonly pr: { readonly number: number; readonly headSha: string; readonly ci: CiVerdict } | null;
  /** repetitions of counted activity since the last progress of the work itself */
  readonly patterns: Readonly<Record<string, number>>;
  readonly progress: Progress;
  readonly escalation: { readonly cause: EscalationCause; readonly why: string; readonly acknowledgedBy: string | null } | null;
  /** newest last, bounded */
  readonly history: readonly WatchNote[];
  /** head commits and their CI verdicts as they changed, oldest first, bounded (escalation guidance) */
  readonly trail?: readonly CommitSeen[];
}

export interface CommitSeen {
  readonly pr: number;
  readonly sha: string;
  readonly ci: CiVerdict;
}

export interface WatchStep {
  readonly dispatch: Supervised;
  readonly actions: readonly WatchAction[];
}

/** "ci failed", "awaiting review": a phase as the operator reads it. */
export const phaseWords = (phase: WatchPhase): string => phase.replace(/_/g, ' ');
