import { isDashboard } from './approvals.js';
import { canCarryOut } from './policy.js';
import { type Acc, announceCarriedOver, cycleError, emit, endGrace, executeReady, forgetIssue, graceOver, inGrace, move, nowIso, record, replan, report, setProposals, snap } from './engine-acc.js';
import type { Effect, Event, StepContext } from './engine-events.js';
import { applyFact, refOf } from './engine-facts.js';
import type { JournalEntry } from './journal.js';
import { type EngineState, emptyTally, withBacklog, withRepoBacklog } from './engine-state.js';
import { legacyDispatch, observeDue, observed, operate } from './engine-watch.js';
import { stepWork } from './engine-work.js';
import { orderOf, withRescored } from './backlog-order.js';
import { type Issue, issueKey, sameIssue } from './issue.js';
import { makeLesson } from './lessons.js';
import { withProposal } from './plan-lineage.js';
import { type TrackedProposal, transition } from './proposal-queue.js';
import { sanitize } from './sanitize.js';
import { ageInDays, type ScoredIssue, scoreIssue } from './scoring.js';
import { isLive } from './supervision-types.js';
import { dailySummary, summaryTitle } from './texts.js';
import { withTrust } from './triage.js';

export interface StepResult {
  readonly state: EngineState;
  readonly effects: readonly Effect[];
  /** an operator intent that cannot be carried out: the sentence for the operator */
  readonly refused: { readonly message: string; readonly hint?: string } | null;
}

/**
 * The engine: one pure transition from a state and an event to the next state and the effects
 * the runner must perform (writes, reads, journal lines, events for listeners). Time is in `ctx`.
 * Adding an event kind = a case here (the switch is exhaustive); an effect kind = a case in the
 * runner's `perform`.
 */
export function step(state: EngineState, event: Event, ctx: StepContext): StepResult {
  const acc: Acc = { s: state, effects: [], ctx, refused: null };
  const { config } = ctx;
  const { snapshot } = acc.s;
  switch (event.type) {
    case 'approve':
    case 'reject':
    case 'reroute':
    case 'withdraw':
      intent(acc, event);
      break;
    case 'arm':
      if (config.repos.length === 0) {
        acc.refused = { message: 'cannot arm: no repositories are enrolled', hint: 'add at least one owner/name to "repos" in the config' };
      } else if (!snapshot.armed) {
        snap(acc, { armed: true });
        emit(acc, { type: 'armed', at: nowIso(acc) });
        replan(acc);
        executeReady(acc);
      }
      break;
    case 'disarm':
      if (!snapshot.armed) break;
      snap(acc, { armed: false });
      emit(acc, { type: 'disarmed', at: nowIso(acc) });
      replan(acc);
      break;
    case 'pause':
      if (snapshot.paused) break;
      snap(acc, { paused: true, nextCycleAt: null });
      emit(acc, { type: 'paused', at: nowIso(acc) });
      break;
    case 'resume':
      if (!snapshot.paused) break;
      snap(acc, { paused: false });
      emit(acc, { type: 'resumed', at: nowIso(acc) });
      break;
    case 'set-task-type':
      setTaskType(acc, event);
      break;
    case 'set-dry-run': {
      if (snapshot.dryRun === event.on) break;
      snap(acc, { dryRun: event.on });
      emit(acc, { type: 'dry-run', on: event.on, at: nowIso(acc) });
      // Turning dry-run off forgets what it previewed: those proposals are decided afresh, for real.
      if (event.on || acc.s.previewed.size === 0) break;
      const kept = new Map([...snapshot.proposals].filter(([id]) => !acc.s.previewed.has(id)));
      acc.s = { ...acc.s, previewed: new Set() };
      replan(acc, kept);
      break;
    }
    case 'started':
      if (!snapshot.started) snap(acc, { started: true });
      break;
    case 'restored':
      announceCarriedOver(acc);
      break;
    case 'stopped':
      if (snapshot.started || snapshot.nextCycleAt !== null) snap(acc, { started: false, nextCycleAt: null });
      break;
    case 'scheduled':
      if (snapshot.nextCycleAt !== event.at) snap(acc, { nextCycleAt: event.at });
      break;
    case 'self-known':
      acc.s = { ...acc.s, self: event.login };
      break;
    case 'cycle-started': {
      const cycle = snapshot.cycle + 1;
      acc.s = { ...acc.s, tally: emptyTally(nowIso(acc)) };
      snap(acc, { cycle, cycleRunning: true });
      emit(acc, { type: 'cycle-started', cycle, at: nowIso(acc) });
      break;
    }
    case 'observe-due':
      observeDue(acc);
      break;
    case 'fetch-due': {
      const full = (snapshot.cycle - 1) % config.fullResyncEvery === 0;
      if (full) acc.s = { ...acc.s, trust: new Map() };
      if (config.repos.length > 0) acc.effects.push({ type: 'fetch', repos: config.repos, full, trust: acc.s.trust });
      if (full) acc.effects.push({ type: 'readiness' });
      break;
    }
    case 'readiness-checked':
      // Within the fetch phase: the plan that follows uses it (planning here could run on a backlog not yet fetched).
      acc.s = { ...acc.s, readiness: event.facts };
      break;
    case 'backlog-fetched': {
      const trust = event.learned.size === 0 ? acc.s.trust : new Map([...acc.s.trust, ...event.learned]);
      acc.s = { ...acc.s, trust, tally: { ...acc.s.tally, fetched: acc.s.tally.fetched + 1 } };
      // Nothing changed in the repo and nothing learned of its authors: only ages can have moved.
      if (event.unchanged === true && acc.s.scoredWith.get(event.repo) === trust && agedInPlace(acc, event.repo)) break;
      acc.s = { ...acc.s, scoredWith: new Map(acc.s.scoredWith).set(event.repo, trust) };
      // The dashboard issue is ours and no work: kept aside for the approvals runner.
      const dashboard = event.issues.find((i) => isDashboard(i, acc.s.self));
      const issues = dashboard ? event.issues.filter((i) => i !== dashboard) : event.issues;
      if (dashboard !== acc.s.dashboards.get(event.repo)) {
        const dashboards = new Map(acc.s.dashboards);
        acc.s = { ...acc.s, dashboards: dashboard ? dashboards.set(event.repo, dashboard) : (dashboards.delete(event.repo), dashboards) };
      }
      const scored = withTrust(issues, trust).map((i) => score(acc, i));
      snap(acc, withRepoBacklog(acc.s.snapshot, event.repo, scored));
      break;
    }
    case 'trust-learned':
      acc.s = { ...acc.s, trust: new Map([...acc.s.trust, ...event.learned]) };
      break;
    case 'fetch-failed': {
      const message = `could not fetch ${event.repo}: ${event.message}`;
      acc.s = { ...acc.s, tally: { ...acc.s.tally, fetchFailed: acc.s.tally.fetchFailed + 1 } };
      snap(acc, { fetchErrors: new Map(acc.s.snapshot.fetchErrors).set(event.repo, { at: nowIso(acc), level: 'error', message, outage: event.transient }) });
      cycleError(acc, 'error', message);
      break;
    }
    case 'plan-due':
      replan(acc);
      executeReady(acc);
      break;
    case 'summary-due':
      summary(acc);
      break;
    case 'cycle-failed':
      acc.s = { ...acc.s, tally: { ...acc.s.tally, failed: true, errors: [...acc.s.tally.errors, event.message] } };
      report(acc, 'error', `cycle ${snapshot.cycle} failed: ${event.message}`);
      break;
    case 'cycle-finished':
      finishCycle(acc, event.rateLimit);
      break;
    case 'grace-over':
      graceOver(acc, event.id);
      break;
    case 'execute': {
      replan(acc);
      const ready = acc.s.snapshot.proposals.get(event.id);
      if (!ready || ready.status !== 'approved' || !ready.executable || inGrace(acc, event.id)) break;
      const p = move(acc, event.id, { type: 'start' });
      if (p) acc.effects.push({ type: 'work', work: { kind: 'execute', proposal: p } });
      break;
    }
    case 'observed':
      observed(acc, event);
      break;
    case 'observe-failed': {
      const d = snapshot.dispatches.get(event.id);
      if (d && event.gone === true) forgetIssue(acc, d.repo, d.number);
      cycleError(acc, 'warning', `could not observe ${d ? issueKey(d.repo, d.number) : event.id}: ${event.message}`);
      break;
    }
    case 'write-starting':
    case 'written':
    case 'work-ended':
    case 'work-failed':
    case 'work-interrupted':
      stepWork(acc, event);
      break;
    case 'problem':
      report(acc, event.level, event.message);
      break;
    case 'approved':
    case 'rejected':
    case 'rerouted':
    case 'withdrawn':
    case 'writing':
    case 'write':
    case 'executed':
    case 'failed':
    case 'dropped':
    case 'summary':
    case 'command':
    case 'command-failed':
    case 'task-typed':
    case 'checkpoint':
    case 'continues':
      // A journal line replayed: the fact as it was recorded, nothing to do again.
      acc.s = applyFact(acc.s, event);
      break;
    case 'dispatch':
      acc.s = applyFact(acc.s, legacyDispatch(acc, event));
      break;
    case 'operate':
      operate(acc, event);
      break;
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
  return { state: acc.s, effects: acc.effects, refused: acc.refused };
}

/** Start-up: the journal folded through `step`, its effects dropped (they were performed before). */
export function replay(state: EngineState, entries: readonly JournalEntry[], ctx: Omit<StepContext, 'now'>): EngineState {
  return entries.reduce((s, e) => step(s, e, { ...ctx, now: new Date(Date.parse(e.at) || 0) }).state, state);
}

const ISSUE_KEY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#[1-9][0-9]{0,9}$/;

/** The operator's task type for an issue: journaled, then the backlog is planned again with it. */
function setTaskType(acc: Acc, e: Extract<Event, { type: 'set-task-type' }>): void {
  if (!ISSUE_KEY.test(e.issue)) {
    acc.refused = { message: `"${sanitize(e.issue)}" is not an issue: give owner/name#number` };
    if (e.commandId !== undefined) record(acc, { type: 'command-failed', commandId: e.commandId, message: acc.refused.message });
    return;
  }
  if ((acc.s.taskTypes.get(e.issue) ?? null) === e.taskType && e.commandId === undefined) return;
  record(acc, { type: 'task-typed', issue: e.issue, taskType: e.taskType, ...(e.commandId !== undefined ? { commandId: e.commandId } : {}) });
  replan(acc);
}

type Intent = Extract<Event, { type: 'approve' | 'reject' | 'reroute' | 'withdraw' }>;

/** An operator's approve, reject or re-route: one change, re-planned around, journaled. */
function intent(acc: Acc, e: Intent): void {
  const before = acc.s.snapshot.proposals.get(e.id);
  if (!before) return refuse(acc, e, `no proposal "${e.id}" (it may have been superseded by a newer one)`);
  const { agents } = acc.ctx.config;
  let agentName = '';
  if (e.type === 'reroute') {
    const agent = agents.find((a) => a.id === e.agentId);
    if (before.action !== 'skip' && !canCarryOut(agent, before.action)) {
      const fits = agents.filter((a) => canCarryOut(a, before.action)).map((a) => a.id);
      return refuse(acc, e, `agent "${e.agentId}" cannot carry out a ${before.action}; choose one of: ${fits.join(', ')}`);
    }
    agentName = agent?.displayName ?? e.agentId;
  }
  const t = transition(
    before,
    e.type === 'approve'
      ? { type: 'approve', by: e.by }
      : e.type === 'reject'
        ? { type: 'reject', note: e.note }
        : e.type === 'withdraw'
          ? { type: 'withdraw' }
          : { type: 'reroute', agentId: e.agentId, agentName },
  );
  if (!t.ok) return refuse(acc, e, t.error);
  if (t.proposal === before) return;
  // A grace period begins with an approval and ends with anything else decided about it.
  if (e.type === 'approve' && e.graceMs !== undefined && e.graceMs > 0) {
    snap(acc, { graceUntil: new Map(acc.s.snapshot.graceUntil).set(e.id, new Date(acc.ctx.now.getTime() + e.graceMs).toISOString()) });
  } else if (e.type !== 'reroute') endGrace(acc, e.id);
  replan(acc, withProposal(acc.s.snapshot.proposals, t.proposal));
  const p: TrackedProposal = acc.s.snapshot.proposals.get(e.id) ?? t.proposal;
  const command = e.commandId !== undefined ? { commandId: e.commandId } : {};
  if (e.type === 'approve') record(acc, { type: 'approved', proposal: refOf(p), approvedBy: e.by, ...command });
  else if (e.type === 'reject') {
    record(acc, { type: 'rejected', proposal: refOf(p), ...(e.note !== null ? { note: e.note } : {}), ...(e.by !== undefined ? { by: e.by } : {}), ...command });
    rejectionLesson(acc, p, e.note);
  } else if (e.type === 'withdraw') record(acc, { type: 'withdrawn', proposalId: p.id, by: e.by });
  else record(acc, { type: 'rerouted', proposal: refOf(p), from: before.agentId ?? '', ...command });
  if ((e.type === 'approve' || e.type === 'reroute') && p.status === 'approved' && !inGrace(acc, p.id)) acc.effects.push({ type: 'lane', lane: p.issueKey, event: { type: 'execute', id: p.id } });
}

/** A rejection with a note teaches something about the repo: kept as a lesson for later prompts. */
function rejectionLesson(acc: Acc, p: TrackedProposal, note: string | null): void {
  if (note === null || note.trim() === '') return;
  const taskType = acc.s.taskTypes.get(p.issueKey) ?? acc.s.snapshot.backlog.get(p.issueKey)?.taskType ?? null;
  const lesson = makeLesson({ repo: p.repo, at: acc.ctx.now, source: 'rejected', issue: p.issueKey, taskType, note });
  if (lesson) acc.effects.push({ type: 'lesson', lesson });
}

/** A command from another process that cannot be applied is reported and journaled, never retried. */
function refuse(acc: Acc, e: Intent, message: string): void {
  acc.refused = { message };
  if (e.commandId === undefined) return;
  report(acc, 'error', `command ${e.type} ${e.id}: ${message}`);
  record(acc, { type: 'command-failed', commandId: e.commandId, message });
}

/**
 * The repo's issues whose age ticked over a day scored again, in place (O(the repo), no
 * allocation for the rest); false when that cannot be done in place.
 */
function agedInPlace(acc: Acc, repo: string): boolean {
  const { backlog } = acc.s.snapshot;
  const { ordered, byRepo } = orderOf(backlog);
  const aged: ScoredIssue[] = [];
  for (const i of byRepo.get(repo) ?? []) {
    const x = ordered[i]!;
    if (x.ageDays !== ageInDays(x.issue.createdAt, acc.ctx.now)) aged.push(scoreIssue(x.issue, acc.ctx.profile, acc.ctx.now));
  }
  const next = withRescored(backlog, aged);
  if (next) snap(acc, withBacklog(acc.s.snapshot, repo, next));
  return next !== null;
}

/**
 * The previous score object when the issue and its age are unchanged: only issues that changed
 * are scored again (and, the decision being cached by score object, decided again). `updatedAt`
 * settles most; the rest is compared too, as a forge stamps changes to the second.
 */
function score(acc: Acc, issue: Issue): ScoredIssue {
  const prev = acc.s.snapshot.backlog.get(issueKey(issue.repo, issue.number));
  if (prev && prev.ageDays === ageInDays(issue.createdAt, acc.ctx.now) && sameIssue(prev.issue, issue)) return prev;
  return scoreIssue(issue, acc.ctx.profile, acc.ctx.now);
}

function summary(acc: Acc): void {
  const { enabled, repo } = acc.ctx.config.dailySummary;
  const now = acc.ctx.now;
  const day = now.toISOString().slice(0, 10);
  const { snapshot } = acc.s;
  if (!enabled || repo === undefined || !snapshot.armed || acc.s.summaryDays.has(day)) return;
  const proposals = [...snapshot.proposals.values()];
  const body = dailySummary({
    now,
    totalOpen: snapshot.backlog.size,
    scored: [...snapshot.backlog.values()],
    actions: acc.s.summaryActions,
    skipped: proposals.filter((p) => p.action === 'skip' && p.status === 'proposed'),
    consoleId: snapshot.consoleId,
  });
  acc.effects.push({ type: 'work', lane: `summary ${repo}`, work: { kind: 'summary', repo, title: summaryTitle(now), body, day } });
}

function finishCycle(acc: Acc, rateLimit: EngineState['snapshot']['rateLimit']): void {
  const { tally, snapshot } = acc.s;
  const failed = tally.failed || (tally.fetchFailed > 0 && tally.fetched === 0);
  acc.s = { ...acc.s, failures: failed ? acc.s.failures + 1 : 0 };
  if (snapshot.rateLimit.remaining !== rateLimit.remaining || snapshot.rateLimit.resetAt !== rateLimit.resetAt) snap(acc, { rateLimit });
  const durationMs = acc.ctx.now.getTime() - Date.parse(tally.startedAt);
  snap(acc, { cycleRunning: false, lastCycle: { cycle: snapshot.cycle, startedAt: tally.startedAt, durationMs, errors: tally.errors } });
  const proposals = [...acc.s.snapshot.proposals.values()];
  emit(acc, {
    type: 'cycle-finished',
    cycle: snapshot.cycle,
    at: nowIso(acc),
    durationMs,
    errors: tally.errors,
    counts: {
      backlog: acc.s.snapshot.backlog.size,
      proposals: proposals.filter((p) => p.status === 'proposed' && p.action !== 'skip').length,
      approved: proposals.filter((p) => p.status === 'approved').length,
      executed: tally.executed,
      dispatches: [...acc.s.snapshot.dispatches.values()].filter((d) => isLive(d.phase)).length,
      writes: tally.writes,
    },
  });
}
