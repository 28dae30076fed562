import type { Config } from './config.js';
import type { Effect, EngineEvent, StepContext } from './engine-events.js';
import { applyFact, refOf } from './engine-facts.js';
import type { JournalEntry } from './journal.js';
import { type EngineError, type EngineSnapshot, type EngineState, type Watch, withRepoBacklog } from './engine-state.js';
import { issueKey } from './issue.js';
import type { Proposal } from './policy.js';
import { replanAround } from './plan-incremental.js';
import { lineageOf, withProposal } from './plan-lineage.js';
import { planProposals } from './planner.js';
import { type PlanInput, type ProposalEvent, type TrackedProposal, transition } from './proposal-queue.js';
import type { ScoredIssue } from './scoring.js';
import type { Supervised } from './supervision-types.js';

/**
 * The accumulator one `step` works on: the state so far and the effects asked for, in order.
 * The helpers below are the moves every kind of event shares; they mutate the accumulator, which
 * lives only for one call of `step` (the state values themselves are never mutated).
 */
export interface Acc {
  s: EngineState;
  readonly effects: Effect[];
  readonly ctx: StepContext;
  refused: { readonly message: string; readonly hint?: string } | null;
}

/** A journal entry without the fields `record` fills in. */
export type Fact = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, 'at' | 'console'> : never) : never;

export const nowIso = (acc: Acc): string => acc.ctx.now.toISOString();

export function snap(acc: Acc, patch: Partial<EngineSnapshot>): void {
  acc.s = { ...acc.s, snapshot: { ...acc.s.snapshot, ...patch } };
}

export function emit(acc: Acc, event: EngineEvent): void {
  acc.effects.push({ type: 'emit', event });
}

export function report(acc: Acc, level: EngineError['level'], message: string): void {
  const error: EngineError = { at: nowIso(acc), level, message };
  snap(acc, { lastError: error });
  emit(acc, { type: 'error', ...error });
}

/** A problem that also goes into the cycle's list of errors. */
export function cycleError(acc: Acc, level: EngineError['level'], message: string): void {
  acc.s = { ...acc.s, tally: { ...acc.s.tally, errors: [...acc.s.tally.errors, message] } };
  report(acc, level, message);
}

/** Apply a fact and journal it; a dry-run leaves no trace in the journal. */
export function record(acc: Acc, fact: Fact): void {
  const entry = { ...fact, at: nowIso(acc), console: acc.s.snapshot.consoleId } as JournalEntry;
  acc.s = applyFact(acc.s, entry);
  if (!acc.s.snapshot.dryRun) acc.effects.push({ type: 'journal', entry });
}

/** `only`: the ids that can differ from the current map, when known (else every entry is compared). */
export function setProposals(acc: Acc, proposals: ReadonlyMap<string, TrackedProposal>, only?: ReadonlySet<string>): void {
  const before = acc.s.snapshot.proposals;
  if (before === proposals) return;
  snap(acc, { proposals });
  const changed = only ? [...only].map((id) => proposals.get(id)).filter((p) => p !== undefined) : proposals.values();
  for (const p of changed) {
    const prev = before.get(p.id);
    if (!prev) emit(acc, { type: 'proposal-added', proposal: p });
    else if (prev !== p) emit(acc, { type: 'proposal-changed', proposal: p, previousStatus: prev.status });
  }
}

function putProposal(acc: Acc, p: TrackedProposal): void {
  const prev = acc.s.snapshot.proposals.get(p.id);
  if (prev === p) return;
  snap(acc, { proposals: withProposal(acc.s.snapshot.proposals, p) });
  emit(acc, prev ? { type: 'proposal-changed', proposal: p, previousStatus: prev.status } : { type: 'proposal-added', proposal: p });
}

/** Move a proposal the engine is working on; a refusal means it moved on meanwhile and is ignored. */
export function move(acc: Acc, id: string, event: ProposalEvent): TrackedProposal | null {
  const p = acc.s.snapshot.proposals.get(id);
  if (!p) return null;
  const t = transition(p, event);
  if (!t.ok) return null;
  putProposal(acc, t.proposal);
  return t.proposal;
}

/** Decisions by score object: a decision depends only on the scored issue and the config, and deciding is the costly part of a plan. */
const decisionCache = new WeakMap<Config, WeakMap<ScoredIssue, Proposal>>();
function decisions(config: Config): WeakMap<ScoredIssue, Proposal> {
  let known = decisionCache.get(config);
  if (!known) decisionCache.set(config, (known = new WeakMap()));
  return known;
}

/**
 * Plan the backlog again around `previous`. What an auto-approve rule approved is journaled; so
 * is an operator's decision the plan dropped (its issue changed), so a replay drops it too.
 */
export function replan(acc: Acc, previous: ReadonlyMap<string, TrackedProposal> = acc.s.snapshot.proposals): void {
  const { config, profile } = acc.ctx;
  const { snapshot } = acc.s;
  const input: PlanInput = {
    config,
    profile,
    backlog: snapshot.backlog,
    previous,
    dispatches: snapshot.dispatches,
    armed: snapshot.armed,
    executedThisCycle: acc.s.tally.executed,
    decisions: decisions(config),
    taskTypes: acc.s.taskTypes,
    readiness: acc.s.readiness,
  };
  // What can differ between the shown map and `previous`, read before planning renews lineages.
  const before = snapshot.proposals;
  const carried = previous === before ? new Set<string>() : carriedChanges(before, previous);
  // Around what changed since the last plan when that is known; the whole backlog otherwise.
  const plan = replanAround(input) ?? planProposals(input);
  setProposals(acc, plan.proposals, plan.changedIds && carried ? new Set([...carried, ...plan.changedIds]) : undefined);
  // Only the ids it changed can have dropped a decision, when the plan knows them.
  if (plan.proposals !== previous) {
    const ids = plan.changedIds ?? previous.keys();
    for (const id of ids) {
      const p = previous.get(id);
      if (!p) continue;
      const decided = p.status === 'approved' || p.status === 'rejected' || (p.status === 'proposed' && p.reroutedFrom !== null);
      if (!decided) continue;
      const now = plan.proposals.get(p.id);
      if (!now || now.status === 'superseded') record(acc, { type: 'dropped', proposalId: p.id });
    }
  }
  for (const p of plan.autoApproved) record(acc, { type: 'approved', proposal: refOf(p), approvedBy: p.approvedBy ?? 'rule' });
}

/** Ids that can differ between two maps put together from one plan, or null when unknown. */
function carriedChanges(a: ReadonlyMap<string, TrackedProposal>, b: ReadonlyMap<string, TrackedProposal>): ReadonlySet<string> | null {
  const la = lineageOf(a);
  const lb = lineageOf(b);
  return la && lb && la.plan === lb.plan ? new Set([...la.changed, ...lb.changed]) : null;
}

/** Whether an approval is still in its grace period (then it must not start yet). */
export const inGrace = (acc: Acc, id: string): boolean => {
  const until = acc.s.snapshot.graceUntil.get(id);
  return until !== undefined && Date.parse(until) > acc.ctx.now.getTime();
};

/** Take an approval out of its grace period (it ended, or the approval was taken back). */
export function endGrace(acc: Acc, id: string): void {
  if (!acc.s.snapshot.graceUntil.has(id)) return;
  const graceUntil = new Map(acc.s.snapshot.graceUntil);
  graceUntil.delete(id);
  snap(acc, { graceUntil });
}

/** An approval's grace is over: it executes now (in its lane, gates checked there). */
export function graceOver(acc: Acc, id: string): void {
  if (!acc.s.snapshot.graceUntil.has(id)) return;
  endGrace(acc, id);
  const p = acc.s.snapshot.proposals.get(id);
  if (p?.status === 'approved') acc.effects.push({ type: 'lane', lane: p.issueKey, event: { type: 'execute', id: p.id } });
}

/** Queue every approved proposal whose gates are clear and whose grace is over, each in its issue's lane. */
export function executeReady(acc: Acc): void {
  for (const p of acc.s.snapshot.proposals.values()) {
    if (p.status === 'approved' && p.executable && !inGrace(acc, p.id)) acc.effects.push({ type: 'lane', lane: p.issueKey, event: { type: 'execute', id: p.id } });
  }
}

const sameWatch = (a: Watch | undefined, b: Watch | undefined): boolean =>
  a === b ||
  (a !== undefined && b !== undefined && a.runId === b.runId && a.lastCommentId === b.lastCommentId && a.from === b.from && a.pending.length === b.pending.length && a.pending.every((x, i) => x === b.pending[i]));

/** A dispatch (and what is watched of it) changed: show it and journal it. */
export function putDispatch(acc: Acc, d: Supervised, watch: Watch | undefined, commandId?: string): void {
  const prev = acc.s.snapshot.dispatches.get(d.proposalId);
  const prevWatch = acc.s.watches.get(d.proposalId);
  if (prev === d && (watch === undefined || sameWatch(watch, prevWatch)) && commandId === undefined) return;
  const w = watch ?? prevWatch ?? { lastCommentId: 0, pending: [] };
  record(acc, {
    type: 'dispatch',
    dispatch: d,
    ...(w.runId !== undefined ? { runId: w.runId } : {}),
    lastCommentId: w.lastCommentId,
    ...(w.pending.length > 0 ? { pending: [...w.pending] } : {}),
    ...(w.from !== undefined ? { from: w.from } : {}),
    ...(commandId !== undefined ? { commandId } : {}),
  });
  if (prev !== d) emit(acc, { type: 'dispatch-changed', dispatch: d, previousState: prev?.phase ?? null });
}

/** A deleted issue leaves the backlog now: incremental fetches would never say so. */
export function forgetIssue(acc: Acc, repo: string, number: number): void {
  const key = issueKey(repo, number);
  if (!acc.s.snapshot.backlog.has(key)) return;
  const rest = [...acc.s.snapshot.backlog.values()].filter((x) => x.issue.repo === repo && issueKey(x.issue.repo, x.issue.number) !== key);
  snap(acc, withRepoBacklog(acc.s.snapshot, repo, rest));
}

/** After the journal is replayed: the approvals an earlier run left are named, never carried over silently. */
export function announceCarriedOver(acc: Acc): void {
  const carried = [...acc.s.snapshot.proposals.values()].filter((p) => p.status === 'approved' || p.status === 'executing');
  if (carried.length === 0) return;
  snap(acc, { carriedOver: carried.map((p) => p.id) });
  emit(acc, { type: 'carried-over', at: nowIso(acc), proposals: carried });
}
