import { shortHash } from './hash.js';
import type {
  AgentSight,
  Check,
  CiVerdict,
  Progress,
  PullSight,
  Supervised,
  TrackerSight,
  WatchEvent,
  WatchPolicy,
  WatchStep,
} from './supervision-types.js';
import { Turn } from './supervision-turn.js';
import { isLive } from './supervision-types.js';

export * from './supervision-types.js';

const MINUTE = 60_000;
/** A retry never waits longer than this, however many came before. */
const MAX_BACKOFF_MS = 30 * MINUTE;
const MARKER = '<!-- switchboard:v1 ';
/** Enough to recognise a commit already sent back; more would only grow the journal. */
const FIXED_SHAS_KEPT = 20;

const NO_PROGRESS: Progress = { dispatched: false, pr: null, ci: 'none', headSha: null, fixForwards: 0, merged: false, closed: false, deployed: false, ended: null };

/** A dispatch about to be attempted for the first time. The engine reports `accepted` or `refused` next. */
export function startSupervision(d: Pick<Supervised, 'proposalId' | 'repo' | 'number' | 'agent'>, now: Date): Supervised {
  const at = now.toISOString();
  return {
    ...d,
    phase: 'dispatching',
    attempt: 1,
    hops: 0,
    retries: 0,
    fixForwards: 0,
    fixedShas: [],
    attemptStartedAt: at,
    lastProgressAt: at,
    retryAt: null,
    accepted: false,
    lockSeen: false,
    assignmentSeen: false,
    pr: null,
    patterns: {},
    progress: NO_PROGRESS,
    escalation: null,
    history: [{ at, phase: 'dispatching', note: `dispatching to ${d.agent.id}` }],
  };
}

/** The verdict of a commit's checks, by Gitea's combined-status rule: any failure is red, then any pending. */
export function ciVerdict(checks: readonly Check[]): CiVerdict {
  if (checks.length === 0) return 'none';
  if (checks.some((c) => c.state === 'failure' || c.state === 'error' || c.state === 'warning')) return 'red';
  if (checks.some((c) => c.state === 'pending')) return 'pending';
  return 'green';
}

/** The pull request that speaks for the issue: a merged one, else the newest open one, else the newest. */
export function leadingPull(pulls: readonly PullSight[]): PullSight | null {
  const newest = [...pulls].sort((a, b) => b.number - a.number);
  return newest.find((p) => p.merged) ?? newest.find((p) => p.state === 'open') ?? newest[0] ?? null;
}

/** Repeat detection ignores digits, hashes and white space. */
const pattern = (body: string): string =>
  shortHash(body.toLowerCase().replace(/[0-9a-f]{7,40}/g, '#').replace(/\d+/g, '#').replace(/\s+/g, ' ').trim(), 10);


/** Advance a supervised dispatch by one event. Ended dispatches only answer the operator. */
export function next(d: Supervised, event: WatchEvent, now: Date, policy: WatchPolicy): WatchStep {
  const t = new Turn(d, now, policy);
  const before = d.progress;
  switch (event.kind) {
    case 'accepted':
      if (d.phase === 'dispatching') {
        t.set({ accepted: true });
        t.setProgress({ dispatched: true });
        t.move('assigned', event.detail || 'the agent took it', true);
      }
      break;
    case 'refused':
      if (d.phase === 'dispatching') refused(t, event.detail);
      break;
    case 'cycle':
      if (isLive(d.phase)) cycle(t, event.tracker, event.agent);
      break;
    case 'operator':
      operator(t, event);
      break;
    default: {
      const never: never = event;
      return never;
    }
  }
  if (progressChanged(before, t.d.progress) && t.d.accepted) t.act({ kind: 'update-progress', progress: t.d.progress });
  return { dispatch: t.d, actions: t.actions };
}

/** A finished dispatch whose row has been shown long enough (config console.finishedRowMinutes). */
export function agedOut(d: Supervised, now: Date, finishedRowMinutes: number): boolean {
  if (isLive(d.phase)) return false;
  const endedAt = d.history.at(-1)?.at ?? d.lastProgressAt;
  return now.getTime() - Date.parse(endedAt) >= finishedRowMinutes * MINUTE;
}

/** Did a checklist phase pass (or end) since `a`? Only then is the progress comment edited. */
export const progressChanged = (a: Progress, b: Progress): boolean =>
  (Object.keys(b) as (keyof Progress)[]).some((k) => a[k] !== b[k]);

function refused(t: Turn, detail: string): void {
  const { maxRetries, maxHops, retryBackoffSeconds } = t.policy;
  const why = `the agent refused the dispatch (${detail || 'no reason given'})`;
  if (t.d.retries >= maxRetries) return t.escalate('refused', `${why}; ${maxRetries} retr${maxRetries === 1 ? 'y' : 'ies'} used`);
  if (t.d.hops >= maxHops) return t.escalate('max-hops', `${why}; ${maxHops} re-dispatches already`);
  const wait = Math.min(retryBackoffSeconds * 1000 * 2 ** t.d.retries, MAX_BACKOFF_MS);
  t.set({ retryAt: new Date(t.now.getTime() + wait).toISOString() });
  t.move('retry_wait', `${why}; retrying in ${Math.round(wait / 1000)} s`);
}

function cycle(t: Turn, tracker: TrackerSight | null, agent: AgentSight | null): void {
  if (tracker) watchTracker(t, tracker);
  if (!isLive(t.d.phase)) return;
  if (t.d.phase === 'retry_wait') {
    if (t.d.retryAt !== null && t.now.getTime() >= Date.parse(t.d.retryAt)) t.redispatch(t.d.agent, 'retry after a refusal', true);
    return;
  }
  if (agent) watchAgent(t, agent);
  if (isLive(t.d.phase)) watchTime(t);
}

/** Forge logins ignore case (Gitea and GitHub look users up by lower name): config may spell them otherwise. */
const sameLogin = (a: string | null | undefined, b: string | null | undefined): boolean => a != null && b != null && a.toLowerCase() === b.toLowerCase();
const isTrusted = (t: Turn, login: string): boolean => t.policy.trusted.has(login) || [...t.policy.trusted].some((x) => sameLogin(x, login));

/** Who counts for loops and stalls: the agent, switchboard's own account, trusted maintainers. */
function counted(t: Turn, author: string, body: string): boolean {
  if (sameLogin(author, t.policy.selfLogin)) return !body.includes(MARKER);
  return sameLogin(author, t.d.agent.login) || isTrusted(t, author);
}

/**
 * Whose pull request speaks for the dispatch: one pushed to the repo itself (only writers can
 * push there), a merged one (a writer merged it), or a fork's opened by the agent, switchboard's
 * account or a trusted maintainer. Anyone can open a fork PR that says "fixes #N"; a stranger's
 * open one must not move the dispatch, hold off its stall or have the agent sent to fix its CI.
 */
function speaksFor(t: Turn, p: PullSight): boolean {
  if (p.fromFork !== true || p.merged) return true;
  const by = p.author;
  return by !== undefined && (sameLogin(by, t.policy.selfLogin) || sameLogin(by, t.d.agent.login) || isTrusted(t, by));
}

/** Issue, pull requests, CI and comments. */
function watchTracker(t: Turn, s: TrackerSight): void {
  const { issue } = s;
  const hasLock = issue.labels.includes(t.policy.inProgressLabel);
  const assignment = t.d.agent.label ?? (t.d.agent.kind === 'tracker' ? t.d.agent.login : null);
  const assigned = assignment === null ? null : t.d.agent.label ? issue.labels.includes(assignment) : issue.assignees.some((a) => sameLogin(a, assignment));
  const pull = leadingPull(s.pulls.filter((p) => speaksFor(t, p)));

  if (pull?.merged) return merged(t, pull, issue.state === 'open');
  if (t.d.phase === 'deploying') return;
  if (issue.state === 'closed') {
    const by = issue.closedBy;
    t.setProgress({ closed: true });
    if (by === null || sameLogin(by, t.d.agent.login) || sameLogin(by, t.policy.selfLogin)) {
      t.release();
      t.move('completed', by ? `issue closed by @${by}` : 'issue closed');
      t.act({ kind: 'notify', event: 'completed', text: `${t.d.repo}#${t.d.number} closed` });
    } else {
      cancelled(t, `@${by} closed the issue`);
    }
    return;
  }
  if (t.d.phase === 'dispatching' || t.d.phase === 'retry_wait') return;
  if ((t.d.lockSeen && !hasLock) || (t.d.assignmentSeen && assigned === false)) {
    return cancelled(t, t.d.lockSeen && !hasLock ? `the ${t.policy.inProgressLabel} label was removed` : `the assignment to ${assignment} was removed`);
  }
  t.set({ lockSeen: t.d.lockSeen || hasLock, assignmentSeen: t.d.assignmentSeen || assigned === true });

  // The work first: a new commit or a changed CI state resets repetition before comments count.
  if (pull && pull.state === 'open') openPull(t, pull);
  if (!isLive(t.d.phase)) return;
  for (const c of s.comments) {
    if (!counted(t, c.author, c.body)) continue;
    const key = `comment:${pattern(c.body)}`;
    t.set({ lastProgressAt: t.at, patterns: { ...t.d.patterns, [key]: (t.d.patterns[key] ?? 0) + 1 } });
    if (t.d.phase === 'assigned') t.move('working', `@${c.author} commented`);
  }
  const loop = Object.entries(t.d.patterns).find(([, n]) => n >= t.policy.repeatThreshold);
  if (loop) t.escalate('loop', `the same comment ${loop[1]} times with no new commit or CI change`);
}

function cancelled(t: Turn, why: string): void {
  // An escalated dispatch already stopped its agent and released its lock.
  if (isLive(t.d.phase)) {
    if (t.d.agent.kind === 'command') t.act({ kind: 'stop-agent' });
    t.release();
  }
  t.setProgress({ ended: 'cancelled' });
  t.act({ kind: 'notify', event: 'cancelled', text: `${t.d.repo}#${t.d.number} cancelled: ${why}` });
  t.move('cancelled', why);
}

function openPull(t: Turn, pull: PullSight): void {
  const ci = ciVerdict(pull.checks);
  const prev = t.d.pr;
  const newCommit = prev === null || prev.number !== pull.number || prev.headSha !== pull.headSha;
  if (newCommit || prev.ci !== ci) {
    t.progressed();
    t.set({ pr: { number: pull.number, headSha: pull.headSha, ci } });
    t.seen(pull.number, pull.headSha, ci);
  }
  t.setProgress({ pr: pull.number, ci, headSha: pull.headSha });
  const short = pull.headSha.slice(0, 7);
  switch (ci) {
    case 'none':
      if (t.d.phase !== 'pr_open') t.move('pr_open', `PR #${pull.number} opened`);
      return;
    case 'pending':
      if (t.d.phase !== 'ci_running' || newCommit) t.move('ci_running', `CI running on ${short}`);
      return;
    case 'green':
      if (t.d.phase !== 'ci_passed' || newCommit) t.move('ci_passed', `CI green on ${short}`);
      return;
    case 'red':
      if (t.d.fixedShas.includes(pull.headSha)) return;
      return fixForward(t, pull);
    default: {
      const never: never = ci;
      return never;
    }
  }
}

/** Red CI on a commit not yet sent back: a corrective turn within this cycle, or escalation. */
function fixForward(t: Turn, pull: PullSight): void {
  const { maxFixForward, maxHops } = t.policy;
  const failing = pull.checks.filter((c) => c.state === 'failure' || c.state === 'error' || c.state === 'warning');
  const names = failing.map((c) => c.context).join(', ');
  t.set({ fixedShas: [...t.d.fixedShas, pull.headSha].slice(-FIXED_SHAS_KEPT) });
  if (t.d.fixForwards >= maxFixForward) return t.escalate('ci-red', `CI still red (${names}) on ${pull.headSha.slice(0, 7)} after ${maxFixForward} fix-forward(s)`);
  if (t.d.hops >= maxHops) return t.escalate('max-hops', `CI red (${names}); ${maxHops} re-dispatches already`);
  const round = t.d.fixForwards + 1;
  t.set({ fixForwards: round, hops: t.d.hops + 1 });
  t.setProgress({ fixForwards: round });
  t.act({ kind: 'fix-forward', request: { agent: t.d.agent, pr: pull.number, headSha: pull.headSha, failing, round, maxRounds: maxFixForward } });
  t.move('ci_failed', `CI red on ${pull.headSha.slice(0, 7)} (${names}): fix-forward ${round}/${maxFixForward}`);
}

/** A merged PR: complete once its head is green, close the issue when the merge did not. */
function merged(t: Turn, pull: PullSight, issueOpen: boolean): void {
  if (t.d.phase === 'deploying') return deploying(t, pull);
  const ci = ciVerdict(pull.checks);
  const prev = t.d.pr;
  if (prev?.number !== pull.number || prev.headSha !== pull.headSha || prev.ci !== ci) {
    t.set({ pr: { number: pull.number, headSha: pull.headSha, ci } });
    t.seen(pull.number, pull.headSha, ci);
  }
  t.setProgress({ pr: pull.number, ci, headSha: pull.headSha, merged: true });
  if (ci === 'pending') {
    if (t.d.phase !== 'merged') t.move('merged', `PR #${pull.number} merged; CI still running`, true);
    return;
  }
  if (ci === 'red') return t.escalate('merged-red', `PR #${pull.number} was merged with red CI`);
  t.release();
  if (issueOpen && t.policy.closeOnMerge) t.act({ kind: 'close-issue', pr: pull.number, mergeSha: pull.mergeSha });
  t.setProgress({ closed: !issueOpen || t.policy.closeOnMerge });
  t.act({ kind: 'notify', event: 'completed', text: `${t.d.repo}#${t.d.number} done: PR #${pull.number} merged` });
  if (t.policy.deployContext !== null) {
    t.move('deploying', `PR #${pull.number} merged; waiting for ${t.policy.deployContext}`, true);
    return deploying(t, pull);
  }
  t.move('completed', `PR #${pull.number} merged`, true);
}

function deploying(t: Turn, pull: PullSight): void {
  const context = t.policy.deployContext;
  const status = pull.mergeChecks.find((c) => c.context === context);
  if (status?.state === 'success') {
    t.setProgress({ deployed: true });
    t.act({ kind: 'notify', event: 'deployed', text: `${t.d.repo}#${t.d.number} deployed (${context})` });
    return t.move('deployed', `${context} succeeded on ${(pull.mergeSha ?? pull.headSha).slice(0, 7)}`, true);
  }
  if (status && (status.state === 'failure' || status.state === 'error')) {
    t.escalate('deploy-failed', `${context} failed on ${(pull.mergeSha ?? pull.headSha).slice(0, 7)}`);
  }
}

/** The agent's own account (http, command). */
function watchAgent(t: Turn, a: AgentSight): void {
  switch (a.status) {
    case 'running':
      if (t.d.phase === 'assigned') t.move('working', a.detail || 'the agent is running', true);
      return;
    case 'succeeded':
      if (t.d.pr !== null) return;
      // Done, awaiting review (seed 003): the work is the owner's to look at now.
      t.release();
      t.act({ kind: 'flag-owner', why: a.detail || 'the agent finished without opening a pull request' });
      t.act({ kind: 'notify', event: 'awaiting-review', text: `${t.d.repo}#${t.d.number} done, awaiting review` });
      t.setProgress({ ended: 'awaiting_review' });
      return t.move('awaiting_review', a.detail || 'the agent finished without a pull request');
    case 'failed':
      return t.trouble('agent-failed', `the agent failed (${a.detail || 'no detail'})`);
    default: {
      const never: never = a.status;
      return never;
    }
  }
}

/** "31 minutes"; under a minute (short demo watch times) "30 seconds". */
const span = (ms: number): string => (ms < MINUTE ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / MINUTE)} minutes`);

function watchTime(t: Turn): void {
  const { phase } = t.d;
  const now = t.now.getTime();
  if (phase === 'deploying') {
    // The work is done and the lock released; a deploy that never reports does not keep it live.
    const waited = now - Date.parse(t.d.lastProgressAt);
    if (waited >= t.policy.timeoutMinutes * MINUTE) t.move('completed', `no ${t.policy.deployContext} status after ${span(waited)}`);
    return;
  }
  if (phase === 'merged') {
    // CI that never reports on a merged head (a runner gone) must not keep the repo locked for ever.
    const waited = now - Date.parse(t.d.lastProgressAt);
    if (waited >= t.policy.timeoutMinutes * MINUTE) t.escalate('timeout', `PR #${t.d.pr?.number ?? '?'} merged; its CI still running after ${span(waited)}`);
    return;
  }
  if (phase === 'dispatching') return;
  const elapsed = now - Date.parse(t.d.attemptStartedAt);
  if (elapsed >= t.policy.timeoutMinutes * MINUTE) return t.trouble('timeout', `no result after ${span(elapsed)}`);
  const idle = now - Date.parse(t.d.lastProgressAt);
  // CI running is the forge's work, not the agent's: it does not stall.
  if (phase !== 'ci_running' && idle >= t.policy.stallMinutes * MINUTE) t.trouble('stall', `no activity for ${span(idle)}`);
}

/** How much of an operator's note a history line and the cancellation comment keep. */
const NOTE_LIMIT = 300;

function operator(t: Turn, e: Extract<WatchEvent, { kind: 'operator' }>): void {
  const live = isLive(t.d.phase);
  // The operator's note (`dispatch cancel ID --note …`) stays with the step in the history.
  const said = (what: string): string => (e.note ? `${what}: ${e.note.slice(0, NOTE_LIMIT)}` : what);
  switch (e.command) {
    case 'retry':
      if (live || t.d.phase === 'escalated') t.redispatch(t.d.agent, said(`retried by ${e.by}`), false);
      return;
    case 'reroute': {
      const agent = t.policy.agents.find((a) => a.id === e.agentId);
      if (agent && (live || t.d.phase === 'escalated')) t.redispatch(agent, said(`re-routed to ${agent.id} by ${e.by}`), false);
      return;
    }
    case 'cancel':
      // An escalation can be cancelled too: the operator takes it from here, and it leaves the escalations.
      if (!live && t.d.phase !== 'escalated') return;
      t.act({ kind: 'say-cancelled', by: e.by, ...(e.note ? { note: e.note.slice(0, NOTE_LIMIT) } : {}) });
      return cancelled(t, said(`cancelled by ${e.by}`));
    case 'done':
      if (!live) return;
      // Done is the operator's word: a command run still going would work on beside what comes next.
      if (t.d.agent.kind === 'command') t.act({ kind: 'stop-agent' });
      t.release();
      t.act({ kind: 'notify', event: 'completed', text: `${t.d.repo}#${t.d.number} marked done by ${e.by}` });
      return t.move('completed', said(`marked done by ${e.by}`));
    case 'ack':
      if (t.d.escalation && t.d.escalation.acknowledgedBy === null) {
        t.set({ escalation: { ...t.d.escalation, acknowledgedBy: e.by } });
        t.move('escalated', said(`acknowledged by ${e.by}`));
      }
      return;
    default: {
      const never: never = e.command;
      return never;
    }
  }
}
