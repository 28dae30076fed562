import { type Acc, cycleError, emit, forgetIssue, move, nowIso, record, replan, report, snap } from './engine-acc.js';
import type { Event } from './engine-events.js';
import type { WriteRecord } from './engine-state.js';
import { RECENT_WRITES_LIMIT } from './engine-state.js';
import { issueKey } from './issue.js';
import { callKey, type Work } from './next-write.js';
import { agentRef } from './supervision-config.js';
import { startSupervision } from './supervision.js';
import { startWatching, watchEnded, watchFailed } from './engine-watch.js';
import type { TrackedProposal } from './proposal-queue.js';

/** How the results of a write sequence change the state: the effect results of `step`. */

/** actions a daily summary can list; older ones are dropped first */
const SUMMARY_ACTIONS_LIMIT = 500;

/** The proposal a piece of work belongs to (its journal lines are filed under it). */
export const proposalIdOf = (w: Work): string | null =>
  w.kind === 'execute' ? w.proposal.id : w.kind === 'summary' ? null : w.dispatch.proposalId;
export const attemptOf = (w: Work): number => (w.kind === 'execute' ? 1 : w.kind === 'watch' ? w.dispatch.attempt : 0);
const issueOf = (w: Work): string =>
  w.kind === 'execute' ? w.proposal.issueKey : w.kind === 'summary' ? w.repo : issueKey(w.dispatch.repo, w.dispatch.number);

type WorkEvent = Extract<Event, { type: 'write-starting' | 'written' | 'work-ended' | 'work-failed' | 'work-interrupted' }>;

export function stepWork(acc: Acc, e: WorkEvent): void {
  const { work } = e;
  const id = proposalIdOf(work);
  switch (e.type) {
    case 'write-starting':
      // From here on a crash may have left the write done: the proposal is resumed, never redone.
      if (id === null) return;
      if (acc.s.snapshot.proposals.get(id)?.status === 'executing') move(acc, id, { type: 'writing' });
      record(acc, { type: 'writing', proposalId: id, step: e.write.step, attempt: e.write.kind === 'agent' ? callKey(e.write.request) : attemptOf(work) });
      return;
    case 'written': {
      const w = e.write;
      const target = w.kind === 'label' || w.kind === 'unlabel' ? w.label : w.kind === 'edit-comment' ? String(w.commentId) : w.kind === 'agent' ? w.request.agent.id : undefined;
      const write: WriteRecord = { at: nowIso(acc), step: w.step, kind: w.kind, what: w.what, ...(target !== undefined ? { target } : {}), issue: issueOf(work), summary: w.summary, proposalId: id, dryRun: e.dryRun };
      acc.s = { ...acc.s, tally: { ...acc.s.tally, writes: acc.s.tally.writes + 1 } };
      snap(acc, { recentWrites: [...acc.s.snapshot.recentWrites, write].slice(-RECENT_WRITES_LIMIT) });
      emit(acc, { type: 'write-made', write });
      if (id === null || e.dryRun) return;
      const a = e.answer;
      const call = a.kind === 'agent' ? { ...(a.runId !== undefined ? { runId: a.runId } : {}), detail: a.detail } : {};
      // Journaled before the next write: an agent call on record is never made again after a restart.
      record(acc, { type: 'write', proposalId: id, step: e.write.step, attempt: w.kind === 'agent' ? callKey(w.request) : attemptOf(work), ...call });
      return;
    }
    case 'work-ended':
      ended(acc, e);
      return;
    case 'work-failed':
      failed(acc, e);
      return;
    case 'work-interrupted':
      if (work.kind !== 'execute') return;
      move(acc, work.proposal.id, { type: 'interrupt', why: e.stopping ? 'stopped before its writes finished; resumes at the next start' : 'waiting for arming' });
      replan(acc);
      return;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function ended(acc: Acc, e: Extract<Event, { type: 'work-ended' }>): void {
  const { work, end } = e;
  const { config } = acc.ctx;
  const now = acc.ctx.now;
  const dryRun = acc.s.snapshot.dryRun;
  switch (work.kind) {
    case 'execute': {
      const p = work.proposal;
      let text: string;
      if (end.kind === 'stand-down') {
        text = `${dryRun ? 'dry run: would have ' : ''}stood down: ${end.winner} claimed the issue first`;
      } else if (end.outcome === 'flagged') {
        text = dryRun ? `dry run: would flag for @${config.ownerLogin}` : `flagged for @${config.ownerLogin}`;
        if (!dryRun) acc.effects.push({ type: 'notify', event: { kind: 'flagged', repo: p.repo, number: p.number, reason: p.reason } });
      } else {
        const agentId = p.agentId ?? '';
        acc.s = { ...acc.s, tally: { ...acc.s.tally, executed: acc.s.tally.executed + 1 } };
        text = dryRun ? `dry run: would dispatch to ${agentId}` : `dispatched to ${agentId}`;
        if (!dryRun) watchDispatch(acc, p, { kind: 'accepted', detail: `dispatched to ${agentId}` }, { ...(end.runId !== undefined ? { runId: end.runId } : {}), lastCommentId: e.readUpTo });
      }
      move(acc, p.id, { type: 'succeed', outcome: text });
      if (dryRun) acc.s = { ...acc.s, previewed: new Set(acc.s.previewed).add(p.id) };
      if (end.kind !== 'stand-down' && config.dailySummary.enabled) {
        // Only kept for the next daily summary, and bounded: a long-running engine keeps no history it never posts.
        const action = { repo: p.repo, number: p.number, action: p.action, agentId: p.agentId, reason: p.reason };
        acc.s = { ...acc.s, summaryActions: [...acc.s.summaryActions, action].slice(-SUMMARY_ACTIONS_LIMIT) };
      }
      record(acc, { type: 'executed', proposalId: p.id, outcome: text });
      replan(acc);
      return;
    }
    case 'watch':
      watchEnded(acc, work, end.kind === 'done' ? end.runId : undefined);
      return;
    case 'summary':
      record(acc, { type: 'summary', day: work.day });
      acc.s = { ...acc.s, summaryActions: [] };
      return;
    default: {
      const never: never = work;
      return never;
    }
  }
}

function failed(acc: Acc, e: Extract<Event, { type: 'work-failed' }>): void {
  const { work } = e;
  switch (work.kind) {
    case 'execute': {
      const p = work.proposal;
      if (e.gone === true) {
        forgetIssue(acc, p.repo, p.number);
        move(acc, p.id, { type: 'supersede', why: 'issue deleted', gone: true });
        report(acc, 'warning', `${p.issueKey} was deleted: its proposal is superseded`);
        replan(acc);
        return;
      }
      if (e.agentRefused !== undefined) return refusedAtOnce(acc, p, e.agentRefused);
      // An outage never fails approved work for good: it is retried each cycle until the tracker answers.
      const after = move(acc, p.id, { type: 'fail', message: e.message, final: e.final, transient: e.transient });
      report(acc, 'error', `could not execute ${p.issueKey}: ${e.message}`);
      if (after?.status === 'failed') record(acc, { type: 'failed', proposalId: p.id, message: e.message });
      replan(acc);
      return;
    }
    case 'watch':
      watchFailed(acc, work, e);
      return;
    case 'summary':
      cycleError(acc, 'warning', `could not open the daily summary: ${e.message}`);
      return;
    default: {
      const never: never = work;
      return never;
    }
  }
}

/** Supervision of an executed proposal's dispatch begins with its first attempt's answer. */
function watchDispatch(acc: Acc, p: TrackedProposal, event: { kind: 'accepted' | 'refused'; detail: string }, watch: { runId?: string; lastCommentId: number }): void {
  const agent = acc.ctx.config.agents.find((a) => a.id === p.agentId);
  const ref = agent ? agentRef(agent) : null;
  if (!ref) return report(acc, 'error', `${p.issueKey} cannot be watched: agent "${p.agentId ?? '-'}" is not in the registry`);
  const d = startSupervision({ proposalId: p.id, repo: p.repo, number: p.number, agent: ref }, acc.ctx.now);
  startWatching(acc, d, event, watch);
}

/**
 * The agent refused the first attempt (HTTP 5xx, a command that cannot start): the proposal was
 * carried out as far as it could be, and the refusal is the lifecycle's to retry with backoff or
 * escalate, never a silent failure.
 */
function refusedAtOnce(acc: Acc, p: TrackedProposal, detail: string): void {
  const text = `dispatch refused by ${p.agentId ?? '-'}: ${detail}`;
  move(acc, p.id, { type: 'succeed', outcome: text });
  report(acc, 'warning', `${p.issueKey}: ${text}`);
  record(acc, { type: 'executed', proposalId: p.id, outcome: text });
  watchDispatch(acc, p, { kind: 'refused', detail }, { lastCommentId: 0 });
  replan(acc);
}
