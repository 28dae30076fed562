import { matchAutoApprove } from './approval-rules.js';
import type { Config } from './config.js';
import type { ReadinessFacts } from './readiness.js';
import { isLive, type Supervised } from './supervision-types.js';
import { issueKey } from './issue.js';
import { type Gate, gatesFor, type PolicyContext, type Proposal, propose, proposalFor, routeAround } from './policy.js';
import type { ScoringProfile } from './profile.js';
import type { TaskType } from './routing.js';
import { type ScoredIssue, tierRank } from './scoring.js';
import { lockedRepos, policyContext } from './triage.js';

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
const heldBack = (p: Pick<TrackedProposal, 'outcome' | 'failures'>): string | null =>
  p.outcome === null ? null : p.failures > 0 ? `retrying at the next cycle after: ${p.outcome}` : p.outcome;

/** A fresh tracked proposal around a policy decision. */
export const tracked = (p: Proposal): TrackedProposal => ({
  ...p,
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
function inFlightSkip(scored: ScoredIssue, reason: string): Proposal {
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
  /** proposals an auto-approve rule approved in this plan (to journal) */
  readonly autoApproved: readonly TrackedProposal[];
}

/** Field by field; the array fields (gates, hints) are small and compared by content. */
function sameTracked(a: TrackedProposal, b: TrackedProposal): boolean {
  const keys = Object.keys(b) as (keyof TrackedProposal)[];
  if (keys.length !== Object.keys(a).length) return false;
  return keys.every((k) => a[k] === b[k] || (Array.isArray(a[k]) && Array.isArray(b[k]) && JSON.stringify(a[k]) === JSON.stringify(b[k])));
}

/** "waiting for arming; waiting: acme/api#3 is in progress in acme/api" */
export const waitingFor = (gates: readonly Gate[]): string | null =>
  gates.length === 0
    ? null
    : gates.some((g) => g.kind === 'disarmed')
      ? 'waiting for arming'
      : `waiting: ${gates.map((g) => g.detail).join('; ')}`;

/**
 * One pass over the backlog: decide every issue, keep what the operator (or a rule) said about
 * each decision, and work out the gates in order — approved proposals first, then the most urgent
 * — so capacity, repo locks and the cycle cap go to them. An unchanged proposal keeps its object.
 */
export function planProposals(input: PlanInput): Plan {
  const { config, profile, backlog, previous, dispatches } = input;
  const labels = config.labels;
  const base = policyContext(config, profile, { armed: input.armed, ...(input.taskTypes ? { taskTypes: input.taskTypes } : {}), ...(input.readiness ? { readiness: input.readiness } : {}) });
  const agentsById = base.agents;

  const liveDispatchByIssue = new Map<string, Supervised>();
  const load = new Map<string, number>();
  const locked = lockedRepos(
    [...backlog.values()].map((s) => s.issue),
    labels.inProgress,
  );
  for (const d of dispatches.values()) {
    if (d.phase === 'escalated') continue;
    const key = issueKey(d.repo, d.number);
    liveDispatchByIssue.set(key, d);
    if (!isLive(d.phase)) continue;
    load.set(d.agent.id, (load.get(d.agent.id) ?? 0) + 1);
    if (!locked.has(d.repo)) locked.set(d.repo, key);
  }

  // Proposals whose writes have begun own their issue until they settle.
  const owners = new Map<string, TrackedProposal>();
  for (const p of previous.values()) {
    if (p.status === 'executing' || (p.status === 'approved' && p.started)) owners.set(p.issueKey, p);
  }

  const decide = (scored: ScoredIssue): Proposal => {
    // An operator's task type is not part of the score object: such decisions are not cached.
    const overridden = input.taskTypes?.has(issueKey(scored.issue.repo, scored.issue.number)) === true;
    const known = overridden ? undefined : input.decisions?.get(scored);
    if (known) return known;
    const p = propose(scored, base);
    if (!overridden) input.decisions?.set(scored, p);
    return p;
  };

  const autoApproved: TrackedProposal[] = [];
  const candidates: { scored: ScoredIssue; p: TrackedProposal }[] = [];
  const fixed: TrackedProposal[] = [];
  const ordered = [...backlog.values()].sort(byPriority);
  for (const scored of ordered) {
    const key = issueKey(scored.issue.repo, scored.issue.number);
    const owner = owners.get(key);
    if (owner) {
      candidates.push({ scored, p: owner });
      continue;
    }
    const busy = inFlightReason(scored, liveDispatchByIssue.get(key), labels);
    const fresh = busy !== null ? inFlightSkip(scored, busy) : decide(scored);
    const prev = previous.get(fresh.id);
    let p: TrackedProposal;
    if (prev) {
      // Keep what was said about it; the operator's agent wins over the policy's.
      const agentId = prev.reroutedFrom !== null ? prev.agentId : fresh.agentId;
      p = { ...prev, ...fresh, agentId, reason: prev.reroutedFrom !== null ? prev.reason : fresh.reason };
    } else {
      p = tracked(fresh);
      const rule = matchAutoApprove(config.autoApprove, scored, p);
      if (rule) {
        p = { ...p, status: 'approved', approvedBy: rule.approvedBy };
        autoApproved.push(p);
      }
    }
    if (p.action === 'skip') fixed.push(reuse(prev, p));
    else candidates.push({ scored, p });
  }

  // Gates in order: approved first (their capacity is spoken for), then pending by priority.
  const rank = (p: TrackedProposal): number => (p.status === 'executing' ? 0 : p.status === 'approved' ? 1 : 2);
  candidates.sort((a, b) => rank(a.p) - rank(b.p));
  let cap = config.limits.dispatchesPerCycle - input.executedThisCycle;
  const gated = new Map<string, TrackedProposal>();
  for (const candidate of candidates) {
    const { scored } = candidate;
    let { p } = candidate;
    const ctx: PolicyContext = { ...base, agentLoad: load, cycleCapRemaining: cap, lockedRepos: config.limits.repoLock ? locked : new Map() };
    const counts = p.status === 'proposed' || p.status === 'approved' || p.status === 'executing';
    let gates = counts ? gatesFor(scored, p, ctx) : p.blockedBy;
    // roles.coding "auto": a pending proposal whose agent is full or not ready goes to the next suggested one
    const around = p.status === 'proposed' && p.reroutedFrom === null ? routeAround(scored, { ...p, blockedBy: gates }, ctx) : null;
    if (around) {
      const moved = proposalFor(scored.issue, around, [], p.whatWouldChange);
      p = { ...(previous.get(moved.id) ?? p), ...moved };
      gates = gatesFor(scored, p, ctx);
    }
    const executable = gates.length === 0;
    const next: TrackedProposal = {
      ...p,
      blockedBy: gates,
      executable,
      waiting: p.status === 'approved' ? (waitingFor(gates) ?? heldBack(p)) : p.waiting,
    };
    gated.set(next.id, reuse(previous.get(next.id), next));
    // Only approved work takes capacity: a pending proposal is gated by what runs or is approved,
    // never by other pending ones the operator may still reject.
    const reserves = p.status === 'approved' || p.status === 'executing';
    if (reserves && executable && p.action === 'dispatch' && p.agentId !== null && agentsById.has(p.agentId)) {
      load.set(p.agentId, (load.get(p.agentId) ?? 0) + 1);
      cap -= 1;
      if (config.limits.repoLock) locked.set(p.repo, p.issueKey);
    }
  }

  const byIssue = new Map<string, TrackedProposal>([...gated.values(), ...fixed].map((p) => [p.issueKey, p]));
  const out = new Map<string, TrackedProposal>();
  for (const scored of ordered) {
    const p = byIssue.get(issueKey(scored.issue.repo, scored.issue.number));
    if (p) out.set(p.id, p);
  }
  settle(previous, out, backlog);
  return { proposals: sameEntries(previous, out) ? previous : out, autoApproved };
}

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  const bs = [...b];
  return [...a].every(([k, v], i) => bs[i]?.[0] === k && bs[i]?.[1] === v);
}

/** The previous object when nothing a user could see changed. */
function reuse(prev: TrackedProposal | undefined, next: TrackedProposal): TrackedProposal {
  return prev && sameTracked(prev, next) ? prev : next;
}

/** What happens to proposals this pass did not decide again: supersede, keep as history, or drop. */
function settle(previous: ReadonlyMap<string, TrackedProposal>, out: Map<string, TrackedProposal>, backlog: ReadonlyMap<string, ScoredIssue>): void {
  const history: TrackedProposal[] = [];
  for (const p of previous.values()) {
    if (out.has(p.id)) continue;
    const gone = !backlog.has(p.issueKey);
    switch (p.status) {
      case 'proposed':
      case 'approved':
        if (p.started && !gone) {
          out.set(p.id, p);
        } else if (p.action !== 'skip') {
          const t = transition({ ...p, started: false }, { type: 'supersede', why: gone ? 'the issue was closed or left the backlog' : 'the issue changed' });
          if (t.ok) history.push(t.proposal);
        }
        break;
      case 'executing':
        out.set(p.id, p);
        break;
      case 'executed':
      case 'failed':
      case 'superseded':
        history.push(p);
        break;
      case 'rejected':
        // Remembered only while the issue is unchanged.
        break;
      default: {
        const never: never = p.status;
        throw new Error(`unknown status ${String(never)}`);
      }
    }
  }
  for (const p of history.slice(-SETTLED_LIMIT)) out.set(p.id, p);
}
