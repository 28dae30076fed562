import type { JournalEntry, ProposalRef, WriteStep } from './journal.js';
import { type EngineState, withDispatch, withoutCalls } from './engine-state.js';
import { issueKey } from './issue.js';
import { withProposal } from './plan-lineage.js';
import { SETTLED_LIMIT, type TrackedProposal, tracked, transition } from './proposal-queue.js';

/**
 * The journal's entries are facts: what was decided and done. `applyFact` folds one into the
 * state; the live engine applies each fact it journals through it, and a restart replays the
 * journal through `step`, which calls it — one fold for both, so they cannot disagree. Applying a
 * fact the live engine already acted on changes nothing.
 */

/** Writes that mean a proposal's execution has begun (not its later retries or escalation). */
const EXECUTION_STEPS: ReadonlySet<WriteStep> = new Set(['audit', 'stand-down', 'labels', 'assignees', 'agent', 'dispatch-comment', 'flag-comment', 'needs-human', 'in-progress']);

/** Enough of a proposal for the journal to restore it before the backlog is fetched again. */
export const refOf = (p: TrackedProposal): ProposalRef => ({
  id: p.id,
  repo: p.repo,
  number: p.number,
  action: p.action === 'flag' ? 'flag' : 'dispatch',
  agentId: p.agentId ?? '',
  reason: p.reason,
  updatedAt: p.updatedAt,
});

/** A proposal rebuilt from a journal line, until the backlog is fetched and it is decided again. */
const fromRef = (ref: ProposalRef): TrackedProposal =>
  tracked({
    id: ref.id,
    repo: ref.repo,
    number: ref.number,
    issueKey: issueKey(ref.repo, ref.number),
    action: ref.action,
    agentId: ref.agentId,
    reason: ref.reason,
    updatedAt: ref.updatedAt,
    blockedBy: [],
    whatWouldChange: [],
    executable: true,
  });

const put = (s: EngineState, p: TrackedProposal): EngineState => ({ ...s, snapshot: { ...s.snapshot, proposals: withProposal(s.snapshot.proposals, p) } });
const live = (p: TrackedProposal): boolean => p.status === 'proposed' || p.status === 'approved' || p.status === 'rejected' || p.status === 'executing';

function consumed(s: EngineState, commandId: string | undefined): EngineState {
  if (commandId === undefined || !s.pendingCommands.has(commandId)) return s;
  const pendingCommands = new Map(s.pendingCommands);
  pendingCommands.delete(commandId);
  return { ...s, pendingCommands };
}

export function applyFact(state: EngineState, e: JournalEntry): EngineState {
  let s = state;
  if (e.type !== 'command' && !s.ownConsoles.has(e.console)) s = { ...s, ownConsoles: new Set(s.ownConsoles).add(e.console) };
  const proposals = s.snapshot.proposals;
  switch (e.type) {
    case 'approved': {
      const p = proposals.get(e.proposal.id) ?? fromRef(e.proposal);
      if (p.status === 'approved' && p.approvedBy === e.approvedBy) return consumed(s, e.commandId);
      const t = transition(p, { type: 'approve', by: e.approvedBy });
      return consumed(put(s, t.ok ? t.proposal : { ...p, status: 'approved', approvedBy: e.approvedBy, note: null, outcome: null, failures: 0 }), e.commandId);
    }
    case 'rejected': {
      const p = proposals.get(e.proposal.id) ?? fromRef(e.proposal);
      const note = e.note ?? null;
      if (p.status === 'rejected' && p.note === note) return consumed(s, e.commandId);
      const t = transition(p, { type: 'reject', note });
      return consumed(put(s, t.ok ? t.proposal : { ...p, status: 'rejected', approvedBy: null, waiting: null, note }), e.commandId);
    }
    case 'withdrawn': {
      const p = proposals.get(e.proposalId);
      const t = p ? transition(p, { type: 'withdraw' }) : null;
      return t?.ok === true ? put(s, t.proposal) : s;
    }
    case 'rerouted': {
      const known = proposals.get(e.proposal.id);
      if (!known) return consumed(put(s, { ...fromRef(e.proposal), reroutedFrom: e.from }), e.commandId);
      const p = known;
      if (p.agentId === e.proposal.agentId) return consumed(s, e.commandId);
      return consumed(put(s, { ...p, agentId: e.proposal.agentId, reason: e.proposal.reason, reroutedFrom: p.reroutedFrom ?? e.from }), e.commandId);
    }
    case 'writing':
    case 'write': {
      const p = proposals.get(e.proposalId);
      if (p && live(p) && !p.started && EXECUTION_STEPS.has(e.step)) s = put(s, { ...p, started: true });
      if (e.type === 'write' && e.step === 'agent') {
        const calls = new Map(s.agentCalls.get(e.proposalId) ?? []).set(e.attempt, {
          ...(e.runId !== undefined ? { runId: e.runId } : {}),
          ...(e.detail !== undefined ? { detail: e.detail } : {}),
        });
        s = { ...s, agentCalls: new Map(s.agentCalls).set(e.proposalId, calls) };
      }
      return s;
    }
    case 'executed':
    case 'failed': {
      const p = proposals.get(e.proposalId);
      const status = e.type;
      if (!p || p.status === status) return s;
      return put(s, { ...p, status, outcome: e.type === 'executed' ? e.outcome : e.message, waiting: null });
    }
    case 'dropped': {
      const p = proposals.get(e.proposalId);
      const agentCalls = withoutCalls(s.agentCalls, e.proposalId);
      if (!p || !live(p) || p.status === 'executing') return { ...s, agentCalls };
      const next = new Map(proposals);
      next.delete(e.proposalId);
      return { ...s, agentCalls, snapshot: { ...s.snapshot, proposals: next } };
    }
    case 'dispatch': {
      // An old watcher's line is mapped by `step` (it needs the agent registry) before it gets here.
      if (!('phase' in e.dispatch)) return s;
      const watch = { ...(e.runId !== undefined ? { runId: e.runId } : {}), lastCommentId: e.lastCommentId, pending: e.pending ?? [], ...(e.from !== undefined ? { from: e.from } : {}) };
      return consumed(withDispatch(s, e.dispatch, watch), e.commandId);
    }
    case 'summary':
      return s.summaryDays.has(e.day) ? s : { ...s, summaryDays: new Set(s.summaryDays).add(e.day) };
    case 'task-typed': {
      const taskTypes = new Map(s.taskTypes);
      if (e.taskType === null) taskTypes.delete(e.issue);
      else taskTypes.set(e.issue, e.taskType);
      return consumed({ ...s, taskTypes }, e.commandId);
    }
    case 'command':
      return { ...s, pendingCommands: new Map(s.pendingCommands).set(e.commandId, e) };
    case 'command-failed':
      return consumed(s, e.commandId);
    case 'checkpoint': {
      const more = e.consoles.filter((c) => !s.ownConsoles.has(c));
      return more.length === 0 ? s : { ...s, ownConsoles: new Set([...s.ownConsoles, ...more]) };
    }
    case 'continues':
      return s;
    default: {
      const never: never = e;
      throw new Error(`unknown journal entry ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The part of the state a journal carries: what a restart must know. The live engine's state and
 * the journal's replay agree on it at every point (test/core/engine-replay.property.test.ts).
 */
export function persistedView(s: EngineState) {
  const proposals = [...s.snapshot.proposals.values()]
    .filter((p) => (p.status === 'approved' || p.status === 'executing' || p.status === 'rejected' || p.reroutedFrom !== null) && live(p))
    .map((p) => ({ id: p.id, status: p.status === 'executing' ? 'approved' : p.status, approvedBy: p.approvedBy, note: p.note, agentId: p.agentId, reroutedFrom: p.reroutedFrom, started: p.started }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    proposals,
    dispatches: [...s.snapshot.dispatches.values()].map((d) => ({ dispatch: d, watch: s.watches.get(d.proposalId) })).sort((a, b) => a.dispatch.proposalId.localeCompare(b.dispatch.proposalId)),
    agentCalls: [...s.agentCalls].map(([id, calls]) => [id, [...calls]] as const).sort((a, b) => a[0].localeCompare(b[0])),
    summaryDays: [...s.summaryDays].sort(),
    pendingCommands: [...s.pendingCommands.keys()].sort(),
    taskTypes: [...s.taskTypes].sort((a, b) => a[0].localeCompare(b[0])),
  };
}

type Fact<T extends JournalEntry['type']> = Extract<JournalEntry, { type: T }>;
type Unstamped<T> = T extends unknown ? Omit<T, 'at' | 'console'> : never;

/**
 * A compaction's checkpoint: the fewest facts that rebuild `s` through `applyFact` (its persisted
 * view, the console ids that are ours, the last settled proposals the console shows), headed by a
 * `checkpoint` line whose generation, count and offset the journal fills in. Agent calls come
 * before the proposals, so they do not mark a proposal started that was not.
 */
export function checkpointEntries(s: EngineState, stamp: { at: string; console: string }): JournalEntry[] {
  const facts: Unstamped<JournalEntry>[] = [];
  for (const [proposalId, calls] of s.agentCalls) {
    for (const [attempt, call] of calls) facts.push({ type: 'write', proposalId, step: 'agent', attempt, ...call });
  }
  for (const d of s.snapshot.dispatches.values()) {
    const w = s.watches.get(d.proposalId);
    const pending = w && w.pending.length > 0 ? { pending: [...w.pending] } : {};
    facts.push({ type: 'dispatch', dispatch: d, ...(w?.runId !== undefined ? { runId: w.runId } : {}), lastCommentId: w?.lastCommentId ?? 0, ...pending, ...(w?.from !== undefined ? { from: w.from } : {}) });
  }
  const all = [...s.snapshot.proposals.values()];
  const settled = all.filter((p) => p.status === 'executed' || p.status === 'failed').slice(-SETTLED_LIMIT);
  for (const p of all) {
    if (!live(p) && !settled.includes(p)) continue;
    if (p.status === 'proposed' && p.reroutedFrom === null) continue;
    const proposal = refOf(p);
    if (p.reroutedFrom !== null) facts.push({ type: 'rerouted', proposal, from: p.reroutedFrom });
    if (p.status === 'rejected') facts.push({ type: 'rejected', proposal, ...(p.note !== null ? { note: p.note } : {}) });
    else if (p.status !== 'proposed') facts.push({ type: 'approved', proposal, approvedBy: p.approvedBy ?? 'operator' });
    if (p.started) facts.push({ type: 'writing', proposalId: p.id, step: 'audit', attempt: 1 });
    if (p.status === 'executed') facts.push({ type: 'executed', proposalId: p.id, outcome: p.outcome ?? '' });
    if (p.status === 'failed') facts.push({ type: 'failed', proposalId: p.id, message: p.outcome ?? '' });
  }
  for (const day of s.summaryDays) facts.push({ type: 'summary', day });
  const header: Fact<'checkpoint'> = { type: 'checkpoint', ...stamp, generation: 0, entries: 0, after: 0, consoles: [...s.ownConsoles] };
  const stamped = facts.map((f) => ({ ...f, ...stamp }) as JournalEntry);
  return [header, ...stamped, ...s.pendingCommands.values()];
}
