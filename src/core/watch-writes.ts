import type { Issue } from './issue.js';
import { agentAction, comment, ensureLabel, findAgent, type NextWrite, ownMarkers, required, requestFor, type Seen, unlabel, type WatchWork, write, type WriteContext } from './next-write.js';
import { fixForwardPrompt } from './prompts.js';
import { isLive, type Supervised, type WatchAction } from './supervision-types.js';
import {
  awaitingReviewComment,
  cancelledComment,
  completionComment,
  escalationGuidance,
  fixForwardComment,
  progressComment,
  progressNeedsWrite,
  retractedAuditComment,
  watchEscalationComment,
} from './texts-watch.js';

/**
 * The writes of the watch actions (issue 12), in the order the lifecycle asked for them. Each
 * action is judged by what is on the issue now — its marker comment, a label, the issue's state —
 * so a sequence cut short by a crash and performed again after the restart writes nothing twice.
 * A sequence never looks back at an action it has passed (`Seen.actionsDone`): a lock released
 * and then taken again by a redispatch is not released a second time.
 */
export function nextWatchWrite(work: WatchWork, seen: Seen, ctx: WriteContext): NextWrite {
  const issue = required(seen);
  for (let i = seen.actionsDone ?? 0; i < work.actions.length; i++) {
    const next = actionWrite(work.actions[i]!, work, issue, seen, ctx);
    if (next === null) continue;
    return next.kind === 'write' ? { kind: 'write', write: { ...next.write, action: i } } : next;
  }
  return { kind: 'done', outcome: 'watched', ...latestRun(work, seen) };
}

/** The run of the newest agent call among the actions: the one watched from now on. */
function latestRun(work: WatchWork, seen: Seen): { runId?: string } {
  for (const a of [...work.actions].reverse()) {
    const key = a.kind === 'redispatch' ? a.attempt : a.kind === 'fix-forward' && a.request.agent.kind !== 'tracker' ? -a.request.round : null;
    const runId = key === null ? undefined : seen.calls?.get(key)?.runId;
    if (runId !== undefined) return { runId };
  }
  return {};
}

function actionWrite(a: WatchAction, work: WatchWork, issue: Issue, seen: Seen, ctx: WriteContext): NextWrite | null {
  const d = work.dispatch;
  const { config } = ctx;
  const ids = { proposalId: d.proposalId, consoleId: ctx.consoleId, agentId: d.agent.id };
  const agentName = findAgent(ctx, d.agent.id)?.displayName ?? d.agent.id;
  const mine = ownMarkers(seen.comments, d.proposalId, ctx);
  const has = (kind: string, test: (m: (typeof mine)[number]) => boolean = () => true): boolean => mine.some((m) => m.marker.kind === kind && test(m));
  // A new attempt or corrective turn still pending when the dispatch ended (the operator cancelled or
  // marked it done before it could be sent) is not sent: nothing would watch it or stop its run.
  if ((a.kind === 'redispatch' || a.kind === 'fix-forward') && !isLive(d.phase)) return null;
  // Likewise an escalation the operator already answered with a retry or re-route: the agent is
  // sent out again, so no second escalation comment and no retracted audit.
  if ((a.kind === 'escalate' || a.kind === 'retract-audit') && isLive(d.phase)) return null;
  switch (a.kind) {
    case 'redispatch': {
      const agent = findAgent(ctx, a.agent.id);
      if (!agent) return { kind: 'refused', why: `agent "${a.agent.id}" is no longer in the registry` };
      const previous = work.from !== undefined && work.from !== agent.id ? (findAgent(ctx, work.from) ?? null) : null;
      // A dispatch sent out again is no longer waiting for a human.
      if (issue.labels.includes(config.labels.needsHuman)) return unlabel(config.labels.needsHuman);
      const withCall = { ...seen, agentCall: seen.calls?.get(a.attempt) };
      return agentAction(d.proposalId, agent, issue, a.attempt, withCall, previous, ctx) ?? ensureLabel(issue, 'in-progress', config.labels.inProgress);
    }
    case 'fix-forward': {
      const r = a.request;
      const agent = findAgent(ctx, r.agent.id);
      if (agent && (agent.kind === 'http' || agent.kind === 'command') && !seen.calls?.has(-r.round)) {
        if (!ctx.targets.has(agent.kind)) return { kind: 'refused', why: `no ${agent.kind} dispatch target is configured for agent "${agent.id}"` };
        const request = { ...requestFor(d.proposalId, agent, issue, d.attempt, ctx), fixForward: { round: r.round, prompt: fixForwardPrompt(r, d) } };
        return write({ kind: 'agent', step: 'agent', what: `fix-forward ${r.round} to ${agent.id}`, summary: `fix-forward ${r.round}/${r.maxRounds} on ${r.headSha.slice(0, 7)}`, request });
      }
      if (has('fix-forward', (m) => m.marker.attempt === r.round)) return null;
      return comment('fix-forward', `fix-forward ${r.round} comment`, fixForwardComment({ ...ids, request: r, agentName }));
    }
    case 'release-lock':
      return issue.labels.includes(config.labels.inProgress) ? unlabel(config.labels.inProgress) : null;
    case 'close-issue':
      if (!has('completion')) return comment('completion', 'completion comment', completionComment({ ...ids, pr: a.pr, mergeSha: a.mergeSha, now: ctx.now }));
      return issue.state === 'open' ? write({ kind: 'close-issue', step: 'close', what: 'close the issue', summary: `PR #${a.pr} merged` }) : null;
    case 'escalate':
      if (!has('escalation', (m) => (m.marker.attempt ?? 1) === d.attempt)) {
        const body = watchEscalationComment({ ...ids, cause: a.cause, why: a.why, agentName, attempts: d.attempt, ownerLogin: config.ownerLogin, needsHumanLabel: config.labels.needsHuman, guidance: escalationGuidance(d) });
        return comment('escalation', 'escalation comment', body, a.why.slice(0, 100));
      }
      return ensureLabel(issue, 'needs-human', config.labels.needsHuman);
    case 'retract-audit': {
      const audit = mine.find((m) => m.marker.kind === 'audit');
      if (!audit) return null;
      const body = retractedAuditComment({ ...ids, why: a.why, now: ctx.now });
      return write({ kind: 'edit-comment', step: 'retract', what: 'audit comment → dispatch did not happen', summary: 'the dispatch did not happen', commentId: audit.comment.id, body });
    }
    case 'stop-agent':
      if (seen.stopped || work.runId === undefined || (d.agent.kind !== 'command' && d.agent.kind !== 'http')) return null;
      return write({ kind: 'stop-agent', step: 'stop', what: `stop ${d.agent.id}`, summary: work.runId, runId: work.runId, agentKind: d.agent.kind });
    case 'flag-owner':
      if (has('dispatch', (m) => m.marker.action === 'review')) return null;
      return comment('review', `done, awaiting review by @${config.ownerLogin}`, awaitingReviewComment({ ...ids, ownerLogin: config.ownerLogin, agentName, why: a.why }));
    case 'say-cancelled':
      return has('cancel') ? null : comment('cancel', 'cancellation comment', cancelledComment({ ...ids, by: a.by, agentName, ...(a.note !== undefined ? { note: a.note } : {}) }));
    case 'notify':
      // Told by `step` when the transition happens; nothing to write.
      return null;
    case 'update-progress':
      return progressWrite(d, a.progress, mine, ids, ctx);
    default: {
      const never: never = a;
      return never;
    }
  }
}

function progressWrite(
  d: Supervised,
  progress: Extract<WatchAction, { kind: 'update-progress' }>['progress'],
  mine: ReturnType<typeof ownMarkers>,
  ids: { proposalId: string; consoleId: string; agentId: string },
  ctx: WriteContext,
): NextWrite | null {
  // The checklist is one comment for the whole dispatch, whatever agent holds it now.
  const wanted = progressComment({ ...ids, progress, deployContext: ctx.config.watch.deployContext ?? null });
  const current = mine.find((m) => m.marker.kind === 'progress');
  if (!current) return comment('progress', 'progress checklist', wanted, `progress of ${d.repo}#${d.number}`);
  if (!progressNeedsWrite(current.comment.body, wanted)) return null;
  return write({ kind: 'edit-comment', step: 'progress', what: 'progress checklist', summary: `progress of ${d.repo}#${d.number}`, commentId: current.comment.id, body: wanted });
}
