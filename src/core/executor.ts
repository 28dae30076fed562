import type { Config } from './config.js';
import type { Dispatch } from './dispatch.js';
import type { DispatchResult, DispatchTarget, NotifyEvent, WriteStep } from './engine-ports.js';
import type { WriteRecord } from './engine-state.js';
import type { Issue } from './issue.js';
import { issueKey } from './issue.js';
import type { Tracker, TrackerComment } from './ports.js';
import type { ScoringProfile } from './profile.js';
import type { TrackedProposal } from './proposal-queue.js';
import type { Agent } from './routing.js';
import { sanitize } from './sanitize.js';
import { scoreIssue } from './scoring.js';
import { auditComment, dispatchComment, escalationComment, flagComment, type Marker, type MarkerKind, standDownComment, trustedMarkers } from './texts.js';

/** The agent refused or could not take the task: a definite failure, not worth retrying. */
export class DispatchRefusedError extends Error {}
/** `stop()` was asked for: no further write starts. */
export class StopRequestedError extends Error {
  constructor() {
    super('stopped before the next write');
  }
}

export interface ExecutorHost {
  readonly tracker: Tracker;
  readonly targets: Partial<Record<'http' | 'command', DispatchTarget>>;
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly consoleId: string;
  /** how long another console's audit comment holds its claim */
  readonly claimTtlMs: number;
  now(): Date;
  selfLogin(): string;
  /** this console, or an earlier run of it (journal) */
  isOwnConsole(consoleId: string): boolean;
  dryRun(): boolean;
  stopping(): boolean;
  /** a real write is about to be made: from now on its proposal must be resumed, never redone */
  beforeWrite(proposalId: string | null, step: WriteStep, attempt: number): Promise<void>;
  /** journal it, show it, emit it; in dry-run only show and emit */
  recordWrite(write: WriteRecord, extra: { readonly attempt: number; readonly runId?: string; readonly detail?: string }): Promise<void>;
  /** the agent call journaled for this attempt, if it was made before a restart */
  agentCallDone(proposalId: string, attempt: number): { readonly runId?: string; readonly detail?: string } | undefined;
  /** never throws */
  notify(event: NotifyEvent): Promise<void>;
}

export type ExecutionOutcome =
  | { readonly kind: 'dispatched'; readonly agentId: string; readonly runId: string | undefined; readonly lastCommentId: number }
  | { readonly kind: 'flagged' }
  | { readonly kind: 'stood-down'; readonly winner: string };

type WriteIntent = Omit<WriteRecord, 'at' | 'dryRun'>;

const DRY_ID = Number.MAX_SAFE_INTEGER;
const summaryOf = (text: string): string => {
  const line = sanitize(text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};
const issuePath = (repo: string, number: number) => `/repos/${repo}/issues/${number}`;

/**
 * The writes of one proposal, a retry and an escalation, in the order the safety model asks for.
 * Every step first looks at what is already on the issue (markers, labels, assignees) and skips
 * what is done, which makes a restart after a crash finish the job exactly once.
 */
export class Executor {
  constructor(private readonly host: ExecutorHost) {}

  /** audit (the claim) → claim check → agent action → in-progress label, last */
  async execute(p: TrackedProposal): Promise<ExecutionOutcome> {
    const { tracker } = this.host;
    const agent = this.agent(p.agentId);
    const comments = await tracker.listComments(p.repo, p.number);
    const own = this.ownMarkers(comments, p.id);
    const earlier = own.find((m) => m.marker.kind === 'stand-down');
    if (earlier) return { kind: 'stood-down', winner: 'another console' };

    const approvedBy = p.approvedBy ?? 'operator';
    const now = this.host.now();
    const auditInput = { proposal: p, agent, ownerLogin: this.host.config.ownerLogin, consoleId: this.host.consoleId, now };
    const audit =
      own.find((m) => m.marker.kind === 'audit')?.comment ??
      (await this.comment(p, 'audit', 'audit comment', 1, auditComment({ ...auditInput, approvedBy, inProgressLabel: this.host.config.labels.inProgress })));

    // Read after the claim; anything newer by others is the agent's activity from here on.
    const seen = this.host.dryRun() ? comments : await tracker.listComments(p.repo, p.number);
    const winner = this.claimWinner(audit.id, p, seen);
    if (winner !== null) {
      const body = standDownComment({ ...auditInput, winner });
      await this.write(
        { step: 'stand-down', method: 'PATCH', what: 'audit comment → stand-down', path: `/repos/${p.repo}/issues/comments/${audit.id}`, issue: p.issueKey, summary: summaryOf(body.split('\n')[2] ?? ''), proposalId: p.id },
        1,
        () => tracker.editComment(p.repo, audit.id, body),
        audit,
      );
      return { kind: 'stood-down', winner };
    }

    const issue = await tracker.getIssue(p.repo, p.number);
    switch (p.action) {
      case 'flag': {
        if (!this.hasMarker(comments, p.id, 'dispatch', 1)) {
          await this.comment(p, 'flag-comment', `flag comment for @${this.host.config.ownerLogin}`, 1, flagComment({ proposal: p, ownerLogin: this.host.config.ownerLogin, agentId: agent.id, consoleId: this.host.consoleId }));
        }
        await this.ensureLabel(issue, this.host.config.labels.needsHuman, 'needs-human', p.id, 1);
        if (!this.host.dryRun()) await this.host.notify({ kind: 'flagged', repo: p.repo, number: p.number, reason: p.reason });
        return { kind: 'flagged' };
      }
      case 'dispatch': {
        const { runId } = await this.agentAction(p.id, agent, issue, 1, comments, null);
        await this.ensureLabel(issue, this.host.config.labels.inProgress, 'in-progress', p.id, 1);
        return { kind: 'dispatched', agentId: agent.id, runId, lastCommentId: this.watermark(seen) };
      }
      case 'skip':
        throw new Error(`proposal ${p.id} is a skip: nothing to execute`);
      default: {
        const never: never = p.action;
        return never;
      }
    }
  }

  /** Dispatch attempt `attempt` of a dispatch in trouble, to `agent` (the same or the next one). */
  async retry(d: Dispatch, agent: Agent, attempt: number): Promise<{ runId: string | undefined; lastCommentId: number }> {
    const { tracker } = this.host;
    const comments = await tracker.listComments(d.repo, d.number);
    const issue = await tracker.getIssue(d.repo, d.number);
    const previous = d.agentId === agent.id ? null : (this.host.config.agents.find((a) => a.id === d.agentId) ?? null);
    const { runId } = await this.agentAction(d.proposalId, agent, issue, attempt, comments, previous);
    await this.ensureLabel(issue, this.host.config.labels.inProgress, 'in-progress', d.proposalId, attempt);
    return { runId, lastCommentId: this.watermark(comments) };
  }

  /** Escalation comment with marker → needs-human label → in-progress label removed → notifier. */
  async escalate(d: Dispatch, why: string): Promise<void> {
    const { tracker, config } = this.host;
    const agent = this.agent(d.agentId);
    const comments = await tracker.listComments(d.repo, d.number);
    const key = issueKey(d.repo, d.number);
    if (!this.ownMarkers(comments, d.proposalId).some((m) => m.marker.kind === 'escalation')) {
      const body = escalationComment({ proposalId: d.proposalId, agent, attempts: d.attempt, why, ownerLogin: config.ownerLogin, consoleId: this.host.consoleId });
      await this.write(
        { step: 'escalation', method: 'POST', what: 'escalation comment', path: `${issuePath(d.repo, d.number)}/comments`, issue: key, summary: summaryOf(why), proposalId: d.proposalId },
        d.attempt,
        () => tracker.postComment(d.repo, d.number, body),
        undefined,
      );
    }
    const issue = await tracker.getIssue(d.repo, d.number);
    await this.ensureLabel(issue, config.labels.needsHuman, 'needs-human', d.proposalId, d.attempt);
    if (issue.labels.includes(config.labels.inProgress)) {
      await this.write(
        { step: 'remove-label', method: 'DELETE', what: `remove label ${config.labels.inProgress}`, path: `${issuePath(d.repo, d.number)}/labels/${config.labels.inProgress}`, issue: key, summary: config.labels.inProgress, proposalId: d.proposalId },
        d.attempt,
        () => tracker.removeLabel(d.repo, d.number, config.labels.inProgress),
        undefined,
      );
    }
    if (!this.host.dryRun()) {
      await this.host.notify({ kind: 'escalated', repo: d.repo, number: d.number, agentId: d.agentId, attempts: d.attempt, why });
    }
  }

  /** Open an issue (the daily summary). */
  async createIssue(repo: string, title: string, body: string): Promise<void> {
    await this.write(
      { step: 'summary', method: 'POST', what: 'daily summary issue', path: `/repos/${repo}/issues`, issue: repo, summary: summaryOf(title), proposalId: null },
      0,
      () => this.host.tracker.createIssue(repo, title, body),
      undefined,
    );
  }

  private async agentAction(
    proposalId: string,
    agent: Agent,
    issue: Issue,
    attempt: number,
    comments: readonly TrackerComment[],
    previous: Agent | null,
  ): Promise<{ runId: string | undefined }> {
    const { tracker } = this.host;
    const { repo, number } = issue;
    const key = issueKey(repo, number);
    const commented = this.hasMarker(comments, proposalId, 'dispatch', attempt);
    const scored = scoreIssue(issue, this.host.profile, this.host.now());
    const post = (detail?: string) =>
      this.comment(
        { id: proposalId, repo, number, issueKey: key },
        'dispatch-comment',
        `dispatch comment (${agent.id}, attempt ${attempt})`,
        attempt,
        dispatchComment({ proposalId, agent, scored, consoleId: this.host.consoleId, attempt, ...(detail ? { detail } : {}) }),
      );

    switch (agent.kind) {
      case 'tracker': {
        if (previous?.label && previous.label !== agent.label && issue.labels.includes(previous.label)) {
          await this.write(
            { step: 'remove-label', method: 'DELETE', what: `remove label ${previous.label}`, path: `${issuePath(repo, number)}/labels/${previous.label}`, issue: key, summary: previous.label, proposalId },
            attempt,
            () => tracker.removeLabel(repo, number, previous.label!),
            undefined,
          );
        }
        if (agent.label) await this.ensureLabel(issue, agent.label, 'labels', proposalId, attempt);
        // A retry handed to another agent takes the issue off the previous one.
        const others = issue.assignees.filter((a) => a !== previous?.assignee || a === agent.assignee);
        const logins = agent.assignee && !others.includes(agent.assignee) ? [...others, agent.assignee] : others;
        if (logins.length !== issue.assignees.length || logins.some((l) => !issue.assignees.includes(l))) {
          const what = agent.assignee && !issue.assignees.includes(agent.assignee) ? `assign @${agent.assignee}` : `unassign @${previous?.assignee ?? '?'}`;
          await this.write(
            { step: 'assignees', method: 'PATCH', what, path: issuePath(repo, number), issue: key, summary: logins.join(', ') || '(nobody)', proposalId },
            attempt,
            () => tracker.setAssignees(repo, number, logins),
            undefined,
          );
        }
        if (!commented) await post();
        return { runId: undefined };
      }
      case 'http':
      case 'command': {
        const target = this.host.targets[agent.kind];
        if (!target) throw new DispatchRefusedError(`no ${agent.kind} dispatch target is configured for agent "${agent.id}"`);
        let call: { runId?: string; detail?: string } | undefined = this.host.agentCallDone(proposalId, attempt);
        if (!call && !commented) {
          const result: DispatchResult = await this.write(
            { step: 'agent', method: 'POST', what: `${agent.kind} dispatch to ${agent.id}`, path: `agent:${agent.id}`, issue: key, summary: `attempt ${attempt}`, proposalId },
            attempt,
            () =>
              target.dispatch({
                proposalId, agent, attempt, repo, number, title: issue.title, body: issue.body, url: issue.url, taskType: scored.taskType,
              }),
            { ok: true, detail: 'dry run' },
            (r) => (r.ok ? { ...(r.runId !== undefined ? { runId: r.runId } : {}), detail: r.detail } : null),
          );
          if (!result.ok) throw new DispatchRefusedError(`${agent.displayName} did not take the task: ${result.detail}`);
          call = result;
        }
        if (!commented) await post(call?.detail ? sanitize(call.detail) : undefined);
        return { runId: call?.runId };
      }
      case 'owner':
        throw new DispatchRefusedError(`agent "${agent.id}" is the owner: it can be flagged, not dispatched to`);
      default: {
        const never: never = agent.kind;
        return never;
      }
    }
  }

  /**
   * Who holds an earlier, unexpired claim on this issue, or null: another console's claim, or this
   * console's own claim for another proposal of the same action — an issue switchboard already
   * dispatched is not dispatched again by a newer proposal (only retried by its own dispatch).
   */
  private claimWinner(auditId: number, p: TrackedProposal, comments: readonly TrackerComment[]): string | null {
    const now = this.host.now().getTime();
    for (const { comment, marker } of trustedMarkers(comments, this.host.selfLogin()).sort((a, b) => a.comment.id - b.comment.id)) {
      if (marker.kind !== 'audit' || comment.id >= auditId) continue;
      const own = this.host.isOwnConsole(marker.console);
      if (own && (marker.proposal === p.id || marker.action !== p.action)) continue;
      const claimedAt = Date.parse(marker.at ?? comment.createdAt);
      if (Number.isNaN(claimedAt) || now - claimedAt > this.host.claimTtlMs) continue;
      return own ? `this console, proposal ${marker.proposal}` : marker.console;
    }
    return null;
  }

  private ownMarkers(comments: readonly TrackerComment[], proposalId: string): { comment: TrackerComment; marker: Marker }[] {
    return trustedMarkers(comments, this.host.selfLogin()).filter((m) => m.marker.proposal === proposalId && this.host.isOwnConsole(m.marker.console));
  }

  private hasMarker(comments: readonly TrackerComment[], proposalId: string, kind: MarkerKind, attempt: number): boolean {
    return this.ownMarkers(comments, proposalId).some((m) => m.marker.kind === kind && (m.marker.attempt ?? 1) === attempt);
  }

  /**
   * The newest comment read before the agent was handed the issue: the watcher counts what comes
   * after it, so an agent that answers while the last writes are still going out is not missed.
   */
  private watermark(comments: readonly TrackerComment[]): number {
    return this.host.dryRun() ? 0 : Math.max(0, ...comments.map((c) => c.id));
  }

  private comment(
    p: Pick<TrackedProposal, 'id' | 'repo' | 'number' | 'issueKey'>,
    step: WriteStep,
    what: string,
    attempt: number,
    body: string,
  ): Promise<TrackerComment> {
    const now = this.host.now().toISOString();
    return this.write(
      { step, method: 'POST', what, path: `${issuePath(p.repo, p.number)}/comments`, issue: p.issueKey, summary: summaryOf(body), proposalId: p.id },
      attempt,
      () => this.host.tracker.postComment(p.repo, p.number, body),
      { id: DRY_ID, body, author: this.host.selfLogin(), createdAt: now, updatedAt: now },
    );
  }

  private async ensureLabel(issue: Issue, label: string, step: WriteStep, proposalId: string, attempt: number): Promise<void> {
    if (issue.labels.includes(label)) return;
    await this.write(
      { step, method: 'POST', what: `label ${label}`, path: `${issuePath(issue.repo, issue.number)}/labels`, issue: issueKey(issue.repo, issue.number), summary: label, proposalId },
      attempt,
      () => this.host.tracker.addLabels(issue.repo, issue.number, [label]),
      undefined,
    );
  }

  private async write<T>(
    intent: WriteIntent,
    attempt: number,
    run: () => Promise<T>,
    dry: T,
    extra?: (result: T) => { runId?: string; detail?: string } | null,
  ): Promise<T> {
    if (this.host.stopping()) throw new StopRequestedError();
    const dryRun = this.host.dryRun();
    if (!dryRun) await this.host.beforeWrite(intent.proposalId, intent.step, attempt);
    const result = dryRun ? dry : await run();
    const more = extra?.(result);
    if (extra && more === null) return result;
    await this.host.recordWrite({ ...intent, at: this.host.now().toISOString(), dryRun }, { attempt, ...more });
    return result;
  }

  private agent(id: string | null): Agent {
    const agent = this.host.config.agents.find((a) => a.id === id);
    if (!agent) throw new DispatchRefusedError(`agent "${id ?? '-'}" is not in the registry`);
    return agent;
  }
}
