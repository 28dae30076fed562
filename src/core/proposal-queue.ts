import type { Config } from './config.js';
import type { ReadinessFacts } from './readiness.js';
import { isLive, type Supervised } from './supervision-types.js';
import { issueKey } from './issue.js';
import { type Gate, type Proposal, proposalFor } from './policy.js';
import type { ScoringProfile } from './profile.js';
import type { TaskType } from './routing.js';
import { type ScoredIssue, tierRank } from './scoring.js';

export const PROPOSAL_STATUSES = ['proposed', 'approved', 'rejected', 'executing', 'executed', 'failed', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** A proposal as the engine keeps it: the policy's decision plus where it stands. */
export interface TrackedProposal extends Proposal {
  readonly status: ProposalStatus;
  /** "operator" or "rule #1 (tier P0, type bug)"; null until approved */
  readonly approvedBy: string | null;
  /** approved but not executed yet: why ("waiting for arming", a gate's detail) */
  readonly waiting: string | null;
  /** how it ended or the last error: "dispatched to claude", "stood down", "HTTP 503" */
  readonly outcome: string | null;
  /** the operator's note when rejecting */
  readonly note: string | null;
  /** the agent policy chose, when the operator re-routed it */
  readonly reroutedFrom: string | null;
  /** some of its writes are done: it is finished, never superseded, even if the issue changed */
  readonly started: boolean;
  /** execution errors so far; after MAX_EXECUTION_FAILURES it fails for good (unless they were all transient) */
  readonly failures: number;
}

export const MAX_EXECUTION_FAILURES = 3;
/** settled proposals (executed, failed, superseded) kept for the console */
export const SETTLED_LIMIT = 100;

export type ProposalEvent =
  | { readonly type: 'approve'; readonly by: string }
  | { readonly type: 'reject'; readonly note: string | null }
  /** an approval taken back before it started (a dashboard box unticked) */
  | { readonly type: 'withdraw' }
  | { readonly type: 'reroute'; readonly agentId: string; readonly agentName: string }
  | { readonly type: 'start' }
  /** a write is about to be made */
  | { readonly type: 'writing' }
  | { readonly type: 'succeed'; readonly outcome: string }
  /** `transient`: the tracker was unreachable or answered garbage; it never fails a proposal for good */
  | { readonly type: 'fail'; readonly message: string; readonly final: boolean; readonly transient?: boolean }
  /** stopped or disarmed between two writes: back to approved, resumed later */
  | { readonly type: 'interrupt'; readonly why: string }
  /** `gone`: the issue was deleted, so even a proposal executing or begun is over */
  | { readonly type: 'supersede'; readonly why: string; readonly gone?: boolean };

export type Transition = { readonly ok: true; readonly proposal: TrackedProposal } | { readonly ok: false; readonly error: string };

const ok = (proposal: TrackedProposal): Transition => ({ ok: true, proposal });
const refuse = (error: string): Transition => ({ ok: false, error });

/** The proposal state machine. Refusals are sentences for the operator. */
export function transition(p: TrackedProposal, e: ProposalEvent): Transition {
  const isSkip = p.action === 'skip';
  const settledWords = `proposal ${p.id} (${p.issueKey}) is ${p.status}`;
  switch (e.type) {
    case 'approve':
      if (isSkip) return refuse(`proposal ${p.id} (${p.issueKey}) is a skip: there is nothing to approve`);
      if (p.status === 'approved') return refuse(`proposal ${p.id} (${p.issueKey}) is already approved`);
      if (p.status !== 'proposed' && p.status !== 'rejected' && p.status !== 'failed') return refuse(`${settledWords}; it cannot be approved`);
      return ok({ ...p, status: 'approved', approvedBy: e.by, note: null, outcome: null, failures: 0 });
    case 'reject':
      if (isSkip) return refuse(`proposal ${p.id} (${p.issueKey}) is a skip: there is nothing to reject`);
      if (p.started) return refuse(`proposal ${p.id} (${p.issueKey}) has begun writing; it can no longer be rejected`);
      if (p.status !== 'proposed' && p.status !== 'approved' && p.status !== 'failed') return refuse(`${settledWords}; it cannot be rejected`);
      return ok({ ...p, status: 'rejected', approvedBy: null, waiting: null, note: e.note });
    case 'withdraw':
      if (p.status !== 'approved' || p.started) return refuse(`${settledWords}${p.started ? ' and has begun writing' : ''}; there is no approval to take back`);
      return ok({ ...p, status: 'proposed', approvedBy: null, waiting: null });
    case 'reroute':
      if (isSkip) return refuse(`proposal ${p.id} (${p.issueKey}) is a skip: there is no agent to re-route`);
      if (p.started) return refuse(`proposal ${p.id} (${p.issueKey}) has begun writing; it can no longer be re-routed`);
      if (p.status !== 'proposed' && p.status !== 'approved' && p.status !== 'rejected' && p.status !== 'failed') {
        return refuse(`${settledWords}; it cannot be re-routed`);
      }
      if (e.agentId === p.agentId) return ok(p);
      return ok({
        ...p,
        agentId: e.agentId,
        reroutedFrom: p.reroutedFrom ?? p.agentId,
        reason: `${p.reason} Re-routed to ${e.agentName} by the operator.`,
      });
    case 'start':
      if (p.status !== 'approved') return refuse(`${settledWords}; only an approved proposal can be executed`);
      return ok({ ...p, status: 'executing', waiting: null });
    case 'writing':
      return p.started ? ok(p) : ok({ ...p, started: true });
    case 'succeed':
      if (p.status !== 'executing') return refuse(`${settledWords}; it was not executing`);
      return ok({ ...p, status: 'executed', outcome: e.outcome, waiting: null });
    case 'fail': {
      if (p.status !== 'executing') return refuse(`${settledWords}; it was not executing`);
      const failures = p.failures + 1;
      return e.final || (failures >= MAX_EXECUTION_FAILURES && e.transient !== true)
        ? ok({ ...p, status: 'failed', outcome: e.message, failures, waiting: null })
        : ok({ ...p, status: 'approved', outcome: e.message, failures, waiting: heldBack({ outcome: e.message, failures }) });
    }
    case 'interrupt':
      if (p.status !== 'executing') return refuse(`${settledWords}; it was not executing`);
      return ok({ ...p, status: 'approved', outcome: e.why, waiting: e.why });
    case 'supersede':
      if (e.gone === true ? p.status !== 'executing' && p.status !== 'proposed' && p.status !== 'approved' : p.started || (p.status !== 'proposed' && p.status !== 'approved')) {
        return refuse(`${settledWords}; it cannot be superseded`);
      }
      return ok({ ...p, status: 'superseded', outcome: e.why, waiting: null });
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Why an approved proposal with clear gates has not run: its last error, or an interruption. */
export const heldBack = (p: Pick<TrackedProposal, 'outcome' | 'failures'>): string | null =>
  p.outcome === null ? null : p.failures > 0 ? `retrying at the next cycle after: ${p.outcome}` : p.outcome;

/**
 * A fresh tracked proposal around a policy decision. Fields written out, not `{ ...p, status, … }`:
 * Node 20's V8 leaves its fast clone path for a spread followed by new properties (≈ 15 µs each,
 * 0.3 s of a 20,000-issue triage), and one literal gives every proposal the same shape.
 */
export const tracked = (p: Proposal): TrackedProposal => ({
  action: p.action,
  agentId: p.agentId,
  reason: p.reason,
  id: p.id,
  repo: p.repo,
  number: p.number,
  issueKey: p.issueKey,
  updatedAt: p.updatedAt,
  blockedBy: p.blockedBy,
  whatWouldChange: p.whatWouldChange,
  executable: p.executable,
  status: 'proposed',
  approvedBy: null,
  waiting: null,
  outcome: null,
  note: null,
  reroutedFrom: null,
  started: false,
  failures: 0,
});

/** Most urgent first: tier, then score, then repo and number (stable across cycles). */
export const byPriority = (a: ScoredIssue, b: ScoredIssue): number =>
  tierRank(a.tier) - tierRank(b.tier) ||
  b.score - a.score ||
  (a.issue.repo < b.issue.repo ? -1 : a.issue.repo > b.issue.repo ? 1 : 0) ||
  a.issue.number - b.issue.number;

/** Why an issue gets no new decision: it is being worked on already. */
export function inFlightReason(
  scored: ScoredIssue,
  dispatch: Supervised | undefined,
  labels: { readonly inProgress: string; readonly needsHuman: string },
): string | null {
  if (dispatch && isLive(dispatch.phase)) {
    return `In flight: dispatched to ${dispatch.agent.id} (${dispatch.phase.replace('_', ' ')}, attempt ${dispatch.attempt}).`;
  }
  // Completed means the work is merged or closed; a backlog that still shows it open is stale (a
  // fetch failed), and a fresh decision on stale data would dispatch it a second time. Done
  // awaiting review and cancelled are the owner's to decide on: not proposed again meanwhile.
  if (dispatch?.phase === 'completed' || dispatch?.phase === 'deployed') return `Completed by ${dispatch.agent.id}; waiting for the tracker to show it closed.`;
  if (dispatch?.phase === 'awaiting_review') return `Done by ${dispatch.agent.id}, awaiting the owner's review.`;
  if (dispatch?.phase === 'cancelled') return `Dispatch to ${dispatch.agent.id} was cancelled; not proposed again while it is on record.`;
  if (scored.issue.labels.includes(labels.needsHuman)) return `Waiting for a human (\`${labels.needsHuman}\` label).`;
  if (scored.issue.labels.includes(labels.inProgress)) return `In progress (\`${labels.inProgress}\` label).`;
  return null;
}

/** A skip for an issue that is already being worked on. */
export function inFlightSkip(scored: ScoredIssue, reason: string): Proposal {
  return proposalFor(scored.issue, { action: 'skip', agentId: null, reason });
}

export interface PlanInput {
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly backlog: ReadonlyMap<string, ScoredIssue>;
  readonly previous: ReadonlyMap<string, TrackedProposal>;
  /** by proposal id */
  readonly dispatches: ReadonlyMap<string, Supervised>;
  readonly armed: boolean;
  /** dispatches already made this cycle (the per-cycle cap) */
  readonly executedThisCycle: number;
  /**
   * Decisions by score object, kept between plans by the caller: a decision depends only on the
   * scored issue and the config, and deciding is the costly part of a plan.
   */
  readonly decisions?: WeakMap<ScoredIssue, Proposal>;
  /** issue key → the task type the operator set (wins over the inferred one) */
  readonly taskTypes?: ReadonlyMap<string, TaskType>;
  /** agent id → the last readiness check's findings (the readiness gate) */
  readonly readiness?: ReadonlyMap<string, ReadinessFacts>;
}

export interface Plan {
  readonly proposals: ReadonlyMap<string, TrackedProposal>;
  /** when known: the only ids whose entries differ from `previous`: added, changed or gone */
  readonly changedIds?: ReadonlySet<string>;
  /** proposals an auto-approve rule approved in this plan (to journal) */
  readonly autoApproved: readonly TrackedProposal[];
}

const sameGates = (a: readonly Gate[], b: readonly Gate[]): boolean =>
  a === b || (a.length === b.length && a.every((g, i) => g.kind === b[i]?.kind && g.detail === b[i]?.detail));
const sameStrings = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

/** Field by field (a plan compares every proposal with its previous object). */
function sameTracked(a: TrackedProposal, b: TrackedProposal): boolean {
  return (
    a.id === b.id &&
    a.status === b.status &&
    a.action === b.action &&
    a.agentId === b.agentId &&
    a.reason === b.reason &&
    a.executable === b.executable &&
    a.waiting === b.waiting &&
    a.outcome === b.outcome &&
    a.approvedBy === b.approvedBy &&
    a.note === b.note &&
    a.reroutedFrom === b.reroutedFrom &&
    a.started === b.started &&
    a.failures === b.failures &&
    a.updatedAt === b.updatedAt &&
    a.repo === b.repo &&
    a.number === b.number &&
    a.issueKey === b.issueKey &&
    sameGates(a.blockedBy, b.blockedBy) &&
    sameStrings(a.whatWouldChange, b.whatWouldChange)
  );
}

/** "waiting for arming; waiting: acme/api#3 is in progress in acme/api" */
export const waitingFor = (gates: readonly Gate[]): string | null =>
  gates.length === 0
    ? null
    : gates.some((g) => g.kind === 'disarmed')
      ? 'waiting for arming'
      : `waiting: ${gates.map((g) => g.detail).join('; ')}`;

/** The previous object when nothing a user could see changed. */
export function reuse(prev: TrackedProposal | undefined, next: TrackedProposal): TrackedProposal {
  return prev && sameTracked(prev, next) ? prev : next;
}

