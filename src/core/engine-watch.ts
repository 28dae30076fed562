import { type Acc, cycleError, putDispatch, record, report } from './engine-acc.js';
import type { Event } from './engine-events.js';
import type { NotifyEvent } from './ports.js';
import type { JournalEntry } from './journal.js';
import { NO_WATCH, type Watch } from './engine-state.js';
import { issueKey } from './issue.js';
import { resolutionLesson } from './lessons.js';
import type { WatchWork } from './next-write.js';
import { agentRef, watchPolicy } from './supervision-config.js';
import { fromLegacyDispatch } from './supervision-schema.js';
import { isLive, next, type Supervised, type WatchAction, type WatchEvent, type WatchPolicy } from './supervision.js';

/**
 * The supervision lifecycle (supervision.ts `next`) on the engine: every event a dispatch gets —
 * its attempt accepted or refused, one cycle's sight, the operator's command — goes through
 * `next`; the transition is journaled with the watch actions it asked for (`Watch.pending`),
 * which are then performed as one write sequence in the issue's lane (watch-writes.ts). A crash
 * between the two leaves them pending: the next cycle performs them, markers keep it exactly once.
 */

export function policyFor(acc: Acc, d: Supervised): WatchPolicy {
  const { config } = acc.ctx;
  const agent = config.agents.find((a) => a.id === d.agent.id);
  const policy = watchPolicy(config, agent ?? { ...config.agents[0]!, timeoutMinutes: 120 }, acc.s.self ?? '');
  return agent ? policy : { ...policy, timeoutMinutes: 120 };
}

interface SuperviseOptions {
  /** what else changed in the watch (the comments read, a new run) */
  readonly watch?: Partial<Watch>;
  /** already inside the issue's write lane (a write sequence's result): the work runs at once */
  readonly inLane?: boolean;
  /** the operator's command from another process this answers */
  readonly commandId?: string;
}

/** Move `d` by one lifecycle event and act on what it asks; returns the dispatch after. */
export function supervise(acc: Acc, d: Supervised, event: WatchEvent, o: SuperviseOptions = {}): Supervised {
  const r = next(d, event, acc.ctx.now, policyFor(acc, d));
  commit(acc, d, r.dispatch, r.actions, o);
  return r.dispatch;
}

function commit(acc: Acc, before: Supervised, after: Supervised, actions: readonly WatchAction[], o: SuperviseOptions): void {
  const base: Watch = { ...(acc.s.watches.get(after.proposalId) ?? NO_WATCH), ...o.watch };
  // The checklist starts at "PR opened": before that the dispatch and escalation comments say it all.
  const writes = actions.filter((a) => a.kind !== 'notify' && !(a.kind === 'update-progress' && a.progress.pr === null));
  const redispatch = writes.some((a) => a.kind === 'redispatch');
  const watch: Watch = { ...base, pending: [...base.pending, ...writes], ...(redispatch ? { from: before.agent.id } : {}) };
  putDispatch(acc, after, watch, o.commandId);
  const dryRun = acc.s.snapshot.dryRun;
  for (const a of actions) if (a.kind === 'notify' && !dryRun) acc.effects.push({ type: 'notify', event: notifyEvent(after, a) });
  const taskType = acc.s.taskTypes.get(issueKey(after.repo, after.number)) ?? acc.s.snapshot.backlog.get(issueKey(after.repo, after.number))?.taskType ?? null;
  const lesson = resolutionLesson(before, after, acc.ctx.now, taskType);
  if (lesson && !dryRun) acc.effects.push({ type: 'lesson', lesson });
  // A sequence already pending goes on to the actions added after it (`watchEnded`).
  if (writes.length > 0 && base.pending.length === 0) performPending(acc, after.proposalId, o.inLane === true);
}

/** Queue the pending actions of a dispatch as one write sequence. */
export function performPending(acc: Acc, id: string, inLane: boolean): void {
  const d = acc.s.snapshot.dispatches.get(id);
  const w = acc.s.watches.get(id);
  // A dry run previews proposals only: a dispatch's real actions wait until it is off.
  if (!d || !w || w.pending.length === 0 || acc.s.snapshot.dryRun) return;
  const work: WatchWork = { kind: 'watch', dispatch: d, actions: w.pending, ...(w.from !== undefined ? { from: w.from } : {}), ...(w.runId !== undefined ? { runId: w.runId } : {}) };
  acc.effects.push(inLane ? { type: 'work', work } : { type: 'work', work, lane: issueKey(d.repo, d.number) });
}

function notifyEvent(d: Supervised, a: Extract<WatchAction, { kind: 'notify' }>): NotifyEvent {
  if (a.event === 'escalated') return { kind: 'escalated', repo: d.repo, number: d.number, agentId: d.agent.id, attempts: d.attempt, why: d.escalation?.why ?? a.text };
  return { kind: 'dispatch-ended', repo: d.repo, number: d.number, event: a.event, text: a.text };
}

/** An executed proposal's dispatch begins: supervised from here, its first attempt accepted or refused. */
export function startWatching(acc: Acc, d: Supervised, event: WatchEvent, watch: Partial<Watch>): void {
  supervise(acc, d, event, { watch: { ...NO_WATCH, ...watch }, inLane: true });
}

/** A watch write sequence finished: its actions are done; an attempt among them was accepted. */
export function watchEnded(acc: Acc, work: WatchWork, runId: string | undefined): void {
  const id = work.dispatch.proposalId;
  const d = acc.s.snapshot.dispatches.get(id);
  const w = acc.s.watches.get(id);
  if (!d || !w) return;
  const rest = w.pending.slice(work.actions.length);
  const watch: Watch = { ...w, pending: rest, from: undefined, ...(runId !== undefined ? { runId } : {}) };
  const redispatch = work.actions.some((a) => a.kind === 'redispatch');
  if (redispatch && d.phase === 'dispatching') supervise(acc, d, { kind: 'accepted', detail: 'the agent took it again' }, { watch, inLane: true });
  else putDispatch(acc, d, watch);
  if (rest.length > 0) performPending(acc, id, true);
}

/** A watch write sequence failed: an agent that refused its new attempt is the lifecycle's business; anything else is tried again next cycle. */
export function watchFailed(acc: Acc, work: WatchWork, e: Extract<Event, { type: 'work-failed' }>): void {
  const d = acc.s.snapshot.dispatches.get(work.dispatch.proposalId);
  const key = issueKey(work.dispatch.repo, work.dispatch.number);
  if (d && e.agentRefused !== undefined && d.phase === 'dispatching') {
    const w = acc.s.watches.get(d.proposalId) ?? NO_WATCH;
    putDispatch(acc, d, { ...w, pending: [] });
    supervise(acc, d, { kind: 'refused', detail: e.agentRefused }, { inLane: true });
    return;
  }
  cycleError(acc, 'error', `could not act on ${key}: ${e.message}${e.final ? '' : ' (tried again next cycle)'}`);
}

type OperateEvent = Extract<Event, { type: 'operate' }>;

/** The operator's hand on a dispatch; one sentence when it does not apply. */
export function operate(acc: Acc, e: OperateEvent): void {
  const d = acc.s.snapshot.dispatches.get(e.id);
  const { config } = acc.ctx;
  const refuse = (message: string): void => {
    acc.refused = { message, hint: 'the In flight pane lists the dispatches and their phases' };
    if (e.commandId === undefined) return;
    report(acc, 'error', `command dispatch ${e.op} ${e.id}: ${message}`);
    record(acc, { type: 'command-failed', commandId: e.commandId, message });
  };
  if (!d) return refuse(`no dispatch "${e.id}" (it may have finished long ago)`);
  const what = `the dispatch of ${issueKey(d.repo, d.number)}`;
  if (e.op === 'reroute') {
    const agent = config.agents.find((a) => a.id === e.agentId);
    if (!agent || agentRef(agent) === null) {
      const fits = config.agents.filter((a) => agentRef(a) !== null).map((a) => a.id);
      return refuse(`agent "${e.agentId ?? ''}" cannot take a dispatch; choose one of: ${fits.join(', ')}`);
    }
  }
  const r = next(d, { kind: 'operator', command: e.op, by: e.by, ...(e.agentId !== undefined ? { agentId: e.agentId } : {}), ...(e.note !== undefined ? { note: e.note } : {}) }, acc.ctx.now, policyFor(acc, d));
  if (r.dispatch === d && r.actions.length === 0) return refuse(notApplicable(e.op, what, d));
  commit(acc, d, r.dispatch, r.actions, e.commandId !== undefined ? { commandId: e.commandId } : {});
}

function notApplicable(op: OperateEvent['op'], what: string, d: Supervised): string {
  const phase = d.phase.replace('_', ' ');
  switch (op) {
    case 'retry':
    case 'reroute':
      return `${what} is ${phase}: only a running or escalated dispatch can be ${op === 'retry' ? 'retried' : 're-routed'}`;
    case 'cancel':
    case 'done':
      return `${what} has already ended (${phase}): there is nothing to ${op === 'cancel' ? 'cancel' : 'mark done'}`;
    case 'ack':
      return d.escalation ? `${what}'s escalation was already acknowledged by ${d.escalation.acknowledgedBy ?? 'someone'}` : `${what} has no escalation to acknowledge (${phase})`;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Live dispatches to observe this cycle; those with actions still pending perform them first. */
export function observeDue(acc: Acc): void {
  const items: { dispatch: Supervised; watch: Watch }[] = [];
  for (const d of acc.s.snapshot.dispatches.values()) {
    const watch = acc.s.watches.get(d.proposalId) ?? NO_WATCH;
    if (watch.pending.length > 0) {
      // Writes wait while disarmed; observing waits with them, or the lifecycle would run ahead of the issue.
      if (acc.s.snapshot.armed) performPending(acc, d.proposalId, false);
    } else if (isLive(d.phase)) items.push({ dispatch: d, watch });
  }
  if (items.length > 0) acc.effects.push({ type: 'observe', items });
}

/** One cycle's sight of a dispatch. */
export function observed(acc: Acc, e: Extract<Event, { type: 'observed' }>): void {
  const d = acc.s.snapshot.dispatches.get(e.id);
  if (!d || !isLive(d.phase)) return;
  supervise(acc, d, { kind: 'cycle', tracker: e.tracker, agent: e.agent }, { watch: { lastCommentId: e.lastCommentId } });
}

/** A journal line of the old watcher (before issue 12), mapped with the agent registry. */
export function legacyDispatch(acc: Acc, e: Extract<JournalEntry, { type: 'dispatch' }>): JournalEntry {
  if ('phase' in e.dispatch) return e;
  const agent = acc.ctx.config.agents.find((a) => a.id === (e.dispatch as { agentId: string }).agentId);
  const dispatch = fromLegacyDispatch(e.dispatch, agent ? agentRef(agent) : null);
  return { ...e, dispatch };
}
