import { isLive, type Supervised } from './supervision-types.js';
import { matchAutoApprove } from './approval-rules.js';
import { orderOf } from './backlog-order.js';
import { issueKey } from './issue.js';
import { gatesFor, type PolicyContext, type Proposal, propose, proposalFor, routeAround } from './policy.js';
import { type BacklogOrder, remember } from './plan-lineage.js';
import {
  heldBack,
  inFlightReason,
  inFlightSkip,
  type Plan,
  type PlanInput,
  reuse,
  SETTLED_LIMIT,
  type TrackedProposal,
  tracked,
  transition,
  waitingFor,
} from './proposal-queue.js';
import type { ScoredIssue } from './scoring.js';
import { lockedRepos, policyContext } from './triage.js';

/** The planner: proposals for a backlog, their gates in order, and what settles. */

/** What a plan works with besides the backlog: shared by the full plan and the incremental one. */
export interface PlanContext {
  readonly input: PlanInput;
  readonly base: PolicyContext;
  readonly liveDispatchByIssue: ReadonlyMap<string, Supervised>;
}

/** Live dispatches by issue, agents' load and the repo locks they hold (on top of `locked`). */
/** The policy context of a plan: armed, the operator's task types, the agents' readiness. */
export const planContext = (input: PlanInput): PolicyContext =>
  policyContext(input.config, input.profile, {
    armed: input.armed,
    ...(input.taskTypes ? { taskTypes: input.taskTypes } : {}),
    ...(input.readiness ? { readiness: input.readiness } : {}),
  });

export function dispatchLoad(dispatches: ReadonlyMap<string, Supervised>, locked: Map<string, string>): { byIssue: Map<string, Supervised>; load: Map<string, number> } {
  const byIssue = new Map<string, Supervised>();
  const load = new Map<string, number>();
  for (const d of dispatches.values()) {
    if (d.phase === 'escalated') continue;
    const key = issueKey(d.repo, d.number);
    byIssue.set(key, d);
    if (!isLive(d.phase)) continue;
    load.set(d.agent.id, (load.get(d.agent.id) ?? 0) + 1);
    if (!locked.has(d.repo)) locked.set(d.repo, key);
  }
  return { byIssue, load };
}

/**
 * What was said about a decision; a superseded one comes back pending. With roles.coding "auto"
 * a decision routed around a full agent comes back when the agent frees up (or fills up again):
 * live, not as the superseded entry it left in the history, and not approved again by a rule
 * the operator may have taken back.
 */
function unsettled(previous: ReadonlyMap<string, TrackedProposal>, id: string): TrackedProposal | undefined {
  const p = previous.get(id);
  return p?.status === 'superseded' ? { ...p, status: 'proposed', approvedBy: null, outcome: null, waiting: null } : p;
}

/** One issue's proposal before its gates: the owner's, or the decision merged with what was said about it. */
export function decideIssue(c: PlanContext, scored: ScoredIssue, key: string, owner: TrackedProposal | undefined): { p: TrackedProposal; candidate: boolean; auto: boolean } {
  if (owner) return { p: owner, candidate: true, auto: false };
  const { input } = c;
  const busy = inFlightReason(scored, c.liveDispatchByIssue.get(key), input.config.labels);
  let fresh: Proposal;
  if (busy !== null) {
    fresh = inFlightSkip(scored, busy);
  } else {
    // An operator's task type is not part of the score object: such decisions are not cached.
    const overridden = input.taskTypes?.has(key) === true;
    const known = overridden ? undefined : input.decisions?.get(scored);
    fresh = known ?? propose(scored, c.base);
    if (!known && !overridden) input.decisions?.set(scored, fresh);
  }
  const prev = unsettled(input.previous, fresh.id);
  let p: TrackedProposal;
  let auto = false;
  if (prev) {
    // Keep what was said about it; the operator's agent wins over the policy's.
    const agentId = prev.reroutedFrom !== null ? prev.agentId : fresh.agentId;
    p = { ...prev, ...fresh, agentId, reason: prev.reroutedFrom !== null ? prev.reason : fresh.reason };
  } else {
    p = tracked(fresh);
    const rule = matchAutoApprove(input.config.autoApprove, scored, p);
    if (rule) {
      p = { ...p, status: 'approved', approvedBy: rule.approvedBy };
      auto = true;
    }
  }
  return p.action === 'skip' ? { p: reuse(prev, p), candidate: false, auto } : { p, candidate: true, auto };
}

/** Gates in order: executing, then approved (their capacity is spoken for), then pending. */
export const gateRank = (p: TrackedProposal): number => (p.status === 'executing' ? 0 : p.status === 'approved' ? 1 : 2);

export interface Resources {
  readonly load: Map<string, number>;
  cap: number;
  readonly locked: Map<string, string>;
  /** a pending proposal took capacity (see PlanInfo.lateReserve) */
  lateReserve?: boolean;
}

/** A candidate with its gates as they stand; approved work that can go takes its share. */
export function gateOne(c: PlanContext, scored: ScoredIssue, decided: TrackedProposal, r: Resources): TrackedProposal {
  const { config, previous } = c.input;
  let p = decided;
  const ctx: PolicyContext = { ...c.base, agentLoad: r.load, cycleCapRemaining: r.cap, lockedRepos: config.limits.repoLock ? r.locked : NO_LOCKS };
  const counts = p.status === 'proposed' || p.status === 'approved' || p.status === 'executing';
  let gates = counts ? gatesFor(scored, p, ctx) : p.blockedBy;
  // roles.coding "auto": a pending proposal whose agent is full or not ready goes to the next suggested one
  const around = p.status === 'proposed' && p.reroutedFrom === null ? routeAround(scored, { ...p, blockedBy: gates }, ctx) : null;
  if (around) {
    const moved = proposalFor(scored.issue, around, [], p.whatWouldChange);
    p = { ...(unsettled(previous, moved.id) ?? p), ...moved };
    gates = gatesFor(scored, p, ctx);
  }
  const executable = gates.length === 0;
  const next: TrackedProposal = {
    ...p,
    blockedBy: gates,
    executable,
    waiting: p.status === 'approved' ? (waitingFor(gates) ?? heldBack(p)) : p.waiting,
  };
  // Only approved work takes capacity: a pending proposal is gated by what runs or is approved,
  // never by other pending ones the operator may still reject.
  const reserves = p.status === 'approved' || p.status === 'executing';
  if (reserves && executable && p.action === 'dispatch' && p.agentId !== null && c.base.agents.has(p.agentId)) {
    r.load.set(p.agentId, (r.load.get(p.agentId) ?? 0) + 1);
    r.cap -= 1;
    if (config.limits.repoLock) r.locked.set(p.repo, p.issueKey);
    if (gateRank(decided) === 2) r.lateReserve = true;
  }
  return reuse(previous.get(next.id), next);
}
const NO_LOCKS: ReadonlyMap<string, string> = new Map();

/**
 * One pass over the backlog: decide every issue, keep what the operator (or a rule) said about
 * each decision, and work out the gates in order — approved proposals first, then the most urgent
 * — so capacity, repo locks and the cycle cap go to them. An unchanged proposal keeps its object.
 * `replanAround` (plan-incremental.ts) gives the same plan looking only at what changed.
 */
export function planProposals(input: PlanInput): Plan {
  const { config, profile, backlog, previous, dispatches } = input;
  const base = planContext(input);
  const order = orderOf(backlog);
  const { ordered } = order;
  const labelLocks = lockedRepos(
    ordered.map((s) => s.issue),
    config.labels.inProgress,
  );
  const locked = new Map(labelLocks);
  const { byIssue: liveDispatchByIssue, load } = dispatchLoad(dispatches, locked);
  const c: PlanContext = { input, base, liveDispatchByIssue };

  // Proposals whose writes have begun own their issue until they settle.
  const owners = new Map<string, TrackedProposal>();
  for (const p of previous.values()) {
    if (p.status === 'executing' || (p.status === 'approved' && p.started)) owners.set(p.issueKey, p);
  }

  const autoApproved: TrackedProposal[] = [];
  const decided: TrackedProposal[] = [];
  const candidates: number[] = [];
  ordered.forEach((scored, i) => {
    const key = issueKey(scored.issue.repo, scored.issue.number);
    const { p, candidate, auto } = decideIssue(c, scored, key, owners.get(key));
    if (auto) autoApproved.push(p);
    decided.push(p);
    if (candidate) candidates.push(i);
  });

  // Stable: within a rank, most urgent first.
  candidates.sort((a, b) => gateRank(decided[a]!) - gateRank(decided[b]!) || a - b);
  const r: Resources = { load, cap: config.limits.dispatchesPerCycle - input.executedThisCycle, locked };
  const reserving: number[] = [];
  for (const i of candidates) {
    const p = decided[i]!;
    if (gateRank(p) < 2) reserving.push(i);
    decided[i] = gateOne(c, ordered[i]!, p, r);
  }

  const out = new Map<string, TrackedProposal>();
  for (const p of decided) out.set(p.id, p);
  const rest = settle(previous.values(), (p) => out.get(p.id) !== undefined, backlog);
  for (const p of rest) out.set(p.id, p);
  const proposals = sameEntries(previous, out) ? previous : out;
  remember(proposals, {
    config, profile, backlog, dispatches, armed: input.armed, taskTypes: input.taskTypes, readiness: input.readiness, order,
    mainIds: decided.map((p) => p.id), restIds: rest.map((p) => p.id), reserving,
    load: r.load, cap: r.cap, locked: r.locked, labelLocks, lateReserve: r.lateReserve === true,
  });
  return { proposals, autoApproved };
}

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  const bs = [...b];
  return [...a].every(([k, v], i) => bs[i]?.[0] === k && bs[i]?.[1] === v);
}

/**
 * What happens to proposals this pass did not decide again (`decided` tells): supersede, keep
 * as history, or drop. Returns the entries that follow the decided ones, in order.
 */
export function settle(previous: Iterable<TrackedProposal>, decided: (p: TrackedProposal) => boolean, backlog: ReadonlyMap<string, ScoredIssue>): TrackedProposal[] {
  const kept: TrackedProposal[] = [];
  const history: TrackedProposal[] = [];
  for (const p of previous) {
    if (decided(p)) continue;
    const gone = !backlog.has(p.issueKey);
    switch (p.status) {
      case 'proposed':
      case 'approved':
        // Begun work is finished even on an issue that closed meanwhile: its claim and the
        // agent's assignment may be out, and only finishing records and watches the dispatch.
        if (p.started) {
          kept.push(p);
        } else if (p.action !== 'skip') {
          const t = transition({ ...p, started: false }, { type: 'supersede', why: gone ? 'the issue was closed or left the backlog' : 'the issue changed' });
          if (t.ok) history.push(t.proposal);
        }
        break;
      case 'executing':
        kept.push(p);
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
  return [...kept, ...history.slice(-SETTLED_LIMIT)];
}
