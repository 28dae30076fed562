import type { Config } from './config.js';
import type { DispatchRequest, TrackerComment } from './ports.js';
import type { WriteStep } from './journal.js';
import { type Issue, issueKey } from './issue.js';
import type { ScoringProfile } from './profile.js';
import type { TrackedProposal } from './proposal-queue.js';
import type { Agent, TaskType } from './routing.js';
import { sanitize } from './sanitize.js';
import { scoreIssue } from './scoring.js';
import { auditComment, dispatchComment, escalationComment, flagComment, type Marker, type MarkerKind, parseMarker, standDownComment, trustedMarkers } from './texts.js';
import type { Supervised, WatchAction } from './supervision-types.js';
import { trustKey } from './triage.js';
import { nextWatchWrite } from './watch-writes.js';

/**
 * The safety model's write order as a pure function: given a piece of work and what is on the
 * issue now, the one write to make next, or that the work is done. The runner reads the issue,
 * asks `nextWrite`, makes the write, folds its answer in with `afterWrite`, and asks again; a
 * restart after a crash therefore finishes the work exactly once, whatever was already written.
 */

/** An http or command agent call already made for one attempt (journaled before the next write). */
export interface AgentCall {
  readonly runId?: string;
  readonly detail?: string;
}

/** One write sequence on one issue (or, for the summary, one repo). */
export type Work =
  | { readonly kind: 'execute'; readonly proposal: TrackedProposal }
  /** what the lifecycle asked of a supervised dispatch, in order (supervision.ts `WatchAction`) */
  | WatchWork
  | { readonly kind: 'summary'; readonly repo: string; readonly title: string; readonly body: string; readonly day: string };

export interface WatchWork {
  readonly kind: 'watch';
  /** the dispatch as it stands after the transition that asked for `actions` */
  readonly dispatch: Supervised;
  readonly actions: readonly WatchAction[];
  /** the agent before a redispatch among `actions` */
  readonly from?: string;
  /** the run a stop-agent stops */
  readonly runId?: string;
}

/** What is on the issue now, as far as the work is concerned. */
export interface Seen {
  /** null for work that opens an issue */
  readonly issue: Issue | null;
  readonly comments: readonly TrackerComment[];
  /** the agent call made for this work's attempt, journaled or made in this run */
  readonly agentCall: AgentCall | undefined;
  /** the summary issue was opened */
  readonly opened: boolean;
  /** newest comment id read before the agent got the issue: the watcher counts what comes after */
  readonly readUpTo: number;
  /** watch work: every agent call of the dispatch by call key (`callKey`), and how far through its actions it is */
  readonly calls?: ReadonlyMap<number, AgentCall>;
  readonly actionsDone?: number;
  readonly stopped?: boolean;
}

/** A domain-level write. Adapters and the UI decide how it looks on the wire or on screen. */
export type WriteKind = 'comment' | 'edit-comment' | 'label' | 'unlabel' | 'assign' | 'agent' | 'open-issue' | 'close-issue' | 'stop-agent';
interface WriteBase<K extends WriteKind> {
  readonly kind: K;
  readonly step: WriteStep;
  /** watch work: the index of the action this write belongs to (earlier actions are not looked at again) */
  readonly action?: number;
  /** "audit comment", "label kimi-ready", "assign @claude" */
  readonly what: string;
  /** first line of a body, label names, logins */
  readonly summary: string;
}
export type Write =
  | (WriteBase<'comment'> & { readonly body: string })
  | (WriteBase<'edit-comment'> & { readonly commentId: number; readonly body: string })
  | (WriteBase<'label' | 'unlabel'> & { readonly label: string })
  | (WriteBase<'assign'> & { readonly logins: readonly string[] })
  | (WriteBase<'agent'> & { readonly request: DispatchRequest })
  | (WriteBase<'open-issue'> & { readonly title: string; readonly body: string })
  | WriteBase<'close-issue'>
  | (WriteBase<'stop-agent'> & { readonly runId: string; readonly agentKind: 'http' | 'command' });

/** What the world answered to a write (or, in dry-run, what the runner answered itself). */
export type WriteAnswer =
  | { readonly kind: 'comment'; readonly comment: TrackerComment }
  | { readonly kind: 'agent'; readonly ok: boolean; readonly runId?: string; readonly detail: string }
  | { readonly kind: 'done' };

export type NextWrite =
  | { readonly kind: 'write'; readonly write: Write }
  | { readonly kind: 'done'; readonly outcome: 'dispatched' | 'flagged' | 'watched' | 'opened'; readonly runId?: string }
  | { readonly kind: 'stand-down'; readonly winner: string }
  /** the claim check needs to know whether these logins may write on `repo`: ask the tracker, then ask again */
  | { readonly kind: 'ask-trust'; readonly repo: string; readonly logins: readonly string[] }
  /** the work cannot be done at all (unknown agent, no target): a definite failure */
  | { readonly kind: 'refused'; readonly why: string };

export interface WriteContext {
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly consoleId: string;
  /** the tracker login switchboard writes as: its markers are ours, or another console's under the same account */
  readonly selfLogin: string;
  /**
   * The trust cache, `${repo}\0${login}` → may write on the repo (asked of the tracker): another
   * account's claim counts only when its author may write; a reader can comment any marker.
   */
  readonly trust: ReadonlyMap<string, boolean>;
  /** this console and earlier runs of it (journal): their markers are ours */
  readonly ownConsoles: ReadonlySet<string>;
  /** how long another console's audit comment holds its claim */
  readonly claimTtlMs: number;
  /** agent kinds with a dispatch target configured */
  readonly targets: ReadonlySet<'http' | 'command'>;
  readonly now: Date;
  /** issue key → the task type the operator set (wins over the inferred one) */
  readonly taskTypes?: ReadonlyMap<string, TaskType>;
}

const summaryOf = (text: string): string => {
  const line = sanitize(text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};
export const write = (w: Write): NextWrite => ({ kind: 'write', write: w });
export const comment = (step: WriteStep, what: string, body: string, summary = summaryOf(body)): NextWrite => write({ kind: 'comment', step, what, summary, body });
const label = (step: WriteStep, name: string): NextWrite => write({ kind: 'label', step, what: `label ${name}`, summary: name, label: name });
export const unlabel = (name: string): NextWrite => write({ kind: 'unlabel', step: 'remove-label', what: `remove label ${name}`, summary: name, label: name });
export const ensureLabel = (issue: Issue, step: WriteStep, name: string): NextWrite | null => (issue.labels.includes(name) ? null : label(step, name));

/** The next write of `work`, or how it ended. */
export function nextWrite(work: Work, seen: Seen, ctx: WriteContext): NextWrite {
  switch (work.kind) {
    case 'execute':
      return nextExecuteWrite(work.proposal, seen, ctx);
    case 'watch':
      return nextWatchWrite(work, seen, ctx);
    case 'summary':
      return seen.opened
        ? { kind: 'done', outcome: 'opened' }
        : write({ kind: 'open-issue', step: 'summary', what: 'daily summary issue', summary: summaryOf(work.title), title: work.title, body: work.body });
    default: {
      const never: never = work;
      return never;
    }
  }
}

/** audit (the claim) → claim check → agent action → in-progress label, last */
function nextExecuteWrite(p: TrackedProposal, seen: Seen, ctx: WriteContext): NextWrite {
  const own = ownMarkers(seen.comments, p.id, ctx);
  const agent = findAgent(ctx, p.agentId);
  const stoodDown = own.find((m) => m.marker.kind === 'stand-down');
  if (stoodDown) {
    const claim = earlierClaim(stoodDown.comment.id, p, seen.comments, ctx);
    return { kind: 'stand-down', winner: claim?.kind === 'winner' ? claim.winner : 'another console' };
  }
  if (!agent) return { kind: 'refused', why: `agent "${p.agentId ?? '-'}" is not in the registry` };
  const auditInput = { proposal: p, agent, ownerLogin: ctx.config.ownerLogin, consoleId: ctx.consoleId, now: ctx.now };
  const audit = own.find((m) => m.marker.kind === 'audit');
  if (!audit) {
    const body = auditComment({ ...auditInput, approvedBy: p.approvedBy ?? 'operator', inProgressLabel: ctx.config.labels.inProgress });
    return comment('audit', 'audit comment', body);
  }
  const claim = earlierClaim(audit.comment.id, p, seen.comments, ctx);
  if (claim?.kind === 'ask') return { kind: 'ask-trust', repo: p.repo, logins: claim.logins };
  if (claim !== null) {
    const body = standDownComment({ ...auditInput, winner: claim.winner });
    return write({ kind: 'edit-comment', step: 'stand-down', what: 'audit comment → stand-down', summary: summaryOf(body.split('\n')[2] ?? ''), commentId: audit.comment.id, body });
  }
  const issue = required(seen);
  switch (p.action) {
    case 'flag': {
      const owner = ctx.config.ownerLogin;
      if (!hasMarker(seen.comments, p.id, 'dispatch', 1, ctx)) {
        return comment('flag-comment', `flag comment for @${owner}`, flagComment({ proposal: p, ownerLogin: owner, agentId: agent.id, consoleId: ctx.consoleId }));
      }
      return ensureLabel(issue, 'needs-human', ctx.config.labels.needsHuman) ?? { kind: 'done', outcome: 'flagged' };
    }
    case 'dispatch':
      return (
        agentAction(p.id, agent, issue, 1, seen, null, ctx) ??
        // A closed issue locks nothing: work finished after it closed takes no lock label.
        (issue.state === 'open' ? ensureLabel(issue, 'in-progress', ctx.config.labels.inProgress) : null) ?? { kind: 'done', outcome: 'dispatched', ...runIdOf(seen) }
      );
    case 'skip':
      return { kind: 'refused', why: `proposal ${p.id} is a skip: nothing to execute` };
    default: {
      const never: never = p.action;
      return never;
    }
  }
}

/** The agent's part: its label, assignee or call, then the dispatch comment; null when all is done. */
export function agentAction(proposalId: string, agent: Agent, issue: Issue, attempt: number, seen: Seen, previous: Agent | null, ctx: WriteContext): NextWrite | null {
  const commented = hasMarker(seen.comments, proposalId, 'dispatch', attempt, ctx);
  const inferred = scoreIssue(issue, ctx.profile, ctx.now);
  const taskType = ctx.taskTypes?.get(issueKey(issue.repo, issue.number)) ?? inferred.taskType;
  const scored = { taskType, displayTitle: inferred.displayTitle, issue };
  const post = (detail?: string): NextWrite =>
    comment(
      'dispatch-comment',
      `dispatch comment${agent.kind === 'tracker' && agent.mention ? ` mentioning ${agent.mention}` : ''} (${agent.id}, attempt ${attempt})`,
      dispatchComment({ proposalId, agent, scored, consoleId: ctx.consoleId, attempt, ...(detail ? { detail } : {}) }),
    );
  switch (agent.kind) {
    case 'tracker': {
      if (previous?.label && previous.label !== agent.label && issue.labels.includes(previous.label)) return unlabel(previous.label);
      if (agent.label && !issue.labels.includes(agent.label)) return label('labels', agent.label);
      // A retry handed to another agent takes the issue off the previous one.
      const others = issue.assignees.filter((a) => a !== previous?.assignee || a === agent.assignee);
      const logins = agent.assignee && !others.includes(agent.assignee) ? [...others, agent.assignee] : others;
      if (logins.length !== issue.assignees.length || logins.some((l) => !issue.assignees.includes(l))) {
        const what = agent.assignee && !issue.assignees.includes(agent.assignee) ? `assign @${agent.assignee}` : `unassign @${previous?.assignee ?? '?'}`;
        return write({ kind: 'assign', step: 'assignees', what, summary: logins.join(', ') || '(nobody)', logins });
      }
      return commented ? null : post();
    }
    case 'http':
    case 'command': {
      if (!ctx.targets.has(agent.kind)) return { kind: 'refused', why: `no ${agent.kind} dispatch target is configured for agent "${agent.id}"` };
      if (commented) return null;
      const call = seen.agentCall;
      if (!call) {
        const request = requestFor(proposalId, agent, issue, attempt, ctx);
        return write({ kind: 'agent', step: 'agent', what: `${agent.kind} dispatch to ${agent.id}`, summary: `attempt ${attempt}`, request });
      }
      return post(call.detail ? sanitize(call.detail) : undefined);
    }
    case 'owner':
      return { kind: 'refused', why: `agent "${agent.id}" is the owner: it can be flagged, not dispatched to` };
    default: {
      const never: never = agent.kind;
      return never;
    }
  }
}

/** What an http or command agent is sent for an issue. */
export function requestFor(proposalId: string, agent: Agent, issue: Issue, attempt: number, ctx: WriteContext): DispatchRequest {
  const taskType = ctx.taskTypes?.get(issueKey(issue.repo, issue.number)) ?? scoreIssue(issue, ctx.profile, ctx.now).taskType;
  return { proposalId, agent, attempt, repo: issue.repo, number: issue.number, title: issue.title, body: issue.body, url: issue.url, taskType, preamble: ctx.config.implementerPreamble };
}

/** Agent calls are kept per dispatch by attempt; a fix-forward's call by minus its round. */
export const callKey = (r: DispatchRequest): number => (r.fixForward ? -r.fixForward.round : r.attempt);

/** What is on the issue after a write, from the write and its answer (no read needed). */
export function afterWrite(before: Seen, w: Write, answer: WriteAnswer): Seen {
  const seen = w.action === undefined ? before : { ...before, actionsDone: w.action };
  const issue = seen.issue;
  switch (w.kind) {
    case 'comment':
      return answer.kind === 'comment' ? { ...seen, comments: [...seen.comments, answer.comment] } : seen;
    case 'edit-comment':
      return { ...seen, comments: seen.comments.map((c) => (c.id === w.commentId ? { ...c, body: w.body } : c)) };
    case 'label':
      return issue ? { ...seen, issue: { ...issue, labels: [...issue.labels, w.label] } } : seen;
    case 'unlabel':
      return issue ? { ...seen, issue: { ...issue, labels: issue.labels.filter((l) => l !== w.label) } } : seen;
    case 'assign':
      return issue ? { ...seen, issue: { ...issue, assignees: [...w.logins] } } : seen;
    case 'agent': {
      if (answer.kind !== 'agent') return seen;
      const call = { ...(answer.runId !== undefined ? { runId: answer.runId } : {}), detail: answer.detail };
      return { ...seen, agentCall: call, calls: new Map(seen.calls ?? []).set(callKey(w.request), call) };
    }
    case 'open-issue':
      return { ...seen, opened: true };
    case 'close-issue':
      return issue ? { ...seen, issue: { ...issue, state: 'closed' } } : seen;
    case 'stop-agent':
      return { ...seen, stopped: true };
    default: {
      const never: never = w;
      return never;
    }
  }
}

/**
 * The claim check needs the comments as the forge holds them after our audit comment: another
 * console's claim may have landed between our read and our write.
 */
export const rereadAfter = (w: Write): boolean => w.step === 'audit';

/**
 * Who holds an earlier, unexpired claim on this issue, or null: another console's claim, or this
 * console's own claim for another proposal of the same action — an issue switchboard already
 * dispatched is not dispatched again by a newer proposal (only retried by its own dispatch).
 * Another console counts whatever its account, when that account may write on the repo; whether
 * it may is asked first (`ask`) for every author of a claim before the first one that counts, so
 * the earliest claim by comment id wins on every console alike.
 */
function earlierClaim(auditId: number, p: TrackedProposal, comments: readonly TrackerComment[], ctx: WriteContext): { kind: 'winner'; winner: string } | { kind: 'ask'; logins: string[] } | null {
  const now = ctx.now.getTime();
  const unknown = new Set<string>();
  const claims = comments.filter((c) => c.id < auditId).map((c) => ({ c, marker: parseMarker(c.body) }));
  for (const { c, marker } of claims.sort((a, b) => a.c.id - b.c.id)) {
    if (marker?.kind !== 'audit' || c.author === '') continue;
    const ours = c.author === ctx.selfLogin;
    const own = ours && ctx.ownConsoles.has(marker.console);
    if (own && (marker.proposal === p.id || marker.action !== p.action)) continue;
    const claimedAt = Date.parse(marker.at ?? c.createdAt);
    if (Number.isNaN(claimedAt) || now - claimedAt > ctx.claimTtlMs) continue;
    if (!ours) {
      const mayWrite = ctx.trust.get(trustKey(p.repo, c.author));
      if (mayWrite === false) continue;
      if (mayWrite === undefined) {
        unknown.add(c.author);
        continue;
      }
    }
    if (unknown.size > 0) break;
    return { kind: 'winner', winner: own ? `this console, proposal ${marker.proposal}` : ours ? marker.console : `${marker.console} (account ${c.author})` };
  }
  return unknown.size > 0 ? { kind: 'ask', logins: [...unknown] } : null;
}

export function ownMarkers(comments: readonly TrackerComment[], proposalId: string, ctx: WriteContext): { comment: TrackerComment; marker: Marker }[] {
  return trustedMarkers(comments, ctx.selfLogin).filter((m) => m.marker.proposal === proposalId && ctx.ownConsoles.has(m.marker.console));
}

export function hasMarker(comments: readonly TrackerComment[], proposalId: string, kind: MarkerKind, attempt: number, ctx: WriteContext): boolean {
  return ownMarkers(comments, proposalId, ctx).some((m) => m.marker.kind === kind && (m.marker.attempt ?? 1) === attempt);
}

export const findAgent = (ctx: WriteContext, id: string | null): Agent | undefined => ctx.config.agents.find((a) => a.id === id);
const runIdOf = (seen: Seen): { runId?: string } => (seen.agentCall?.runId !== undefined ? { runId: seen.agentCall.runId } : {});

export function required(seen: Seen): Issue {
  if (!seen.issue) throw new Error('work on an issue was read without its issue');
  return seen.issue;
}
