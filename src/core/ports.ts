import type { Issue } from './issue.js';
import type { Lesson } from './lessons.js';
import type { Agent, TaskType } from './routing.js';

/**
 * The ports the core talks to the world through (the journal's is in journal.ts, beside its
 * schema). Adapters implement them; tests pass fakes from test/fakes/. Nothing here does I/O.
 */

export interface TrackerComment {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A comment with the issue it is on (a repo-wide listing). */
export interface RepoComment extends TrackerComment {
  readonly number: number;
}

/** What a repo-wide comment listing returned, and the server's clock for the next `since`. */
export interface RepoComments {
  readonly comments: readonly RepoComment[];
  /** ISO, the server's Date header; undefined when it sent none */
  readonly serverTime: string | undefined;
}

export interface TrackerLabel {
  readonly id: number;
  readonly name: string;
  readonly color: string;
}

export interface LinkedPullRequest {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly headSha: string;
  /** the merge commit of a merged PR (where a deploy status lands), else null */
  readonly mergeSha: string | null;
  readonly url: string;
  readonly updatedAt: string;
  /** who opened it, when the forge says */
  readonly author?: string;
  /** opened from a branch of another repository (a fork): anyone can open one that says "fixes #N" */
  readonly fromFork?: boolean;
}

export type CommitState = 'pending' | 'success' | 'failure' | 'error' | 'warning' | 'skipped';

export interface CombinedStatus {
  readonly state: CommitState;
  readonly sha: string;
  readonly total: number;
}

/** The latest status of one context on a commit. */
export interface CommitCheck {
  readonly context: string;
  readonly state: CommitState;
  /** as the forge reported it: untrusted */
  readonly targetUrl: string;
}

export type Permission = 'none' | 'read' | 'write' | 'admin' | 'owner';

/** What one fetch of a repo's backlog returned. */
export interface BacklogFetch {
  /** open issues (not pull requests) now in the repo's backlog, after merging */
  readonly issues: readonly Issue[];
  /** 'full' = every page was read; 'incremental' = only what changed since the last fetch */
  readonly mode: 'full' | 'incremental';
  readonly requests: number;
  /**
   * true when an incremental fetch found nothing that differs from the last one (an issue that
   * came back as it was counts as unchanged): the engine then skips the repo's backlog
   */
  readonly unchanged?: boolean;
}

export interface RateLimit {
  readonly remaining: number | undefined;
  readonly resetAt: string | undefined;
}

/**
 * A forge holding the enrolled repositories. Reads may be retried by the adapter; writes are sent
 * at most once per call (the engine decides retries of writes using the comment markers).
 */
export interface Tracker {
  /** the forge's host for messages, e.g. "gitea.example.com" (never with credentials) */
  readonly displayName: string;
  /** the token's own login (GET /user); also a token check */
  currentUser(): Promise<string>;
  /** open issues of a repo: a full fetch first, incremental afterwards, full again when asked */
  fetchBacklog(repo: string, options?: { full?: boolean }): Promise<BacklogFetch>;
  getIssue(repo: string, number: number): Promise<Issue>;
  listComments(repo: string, number: number): Promise<TrackerComment[]>;
  listLabels(repo: string): Promise<TrackerLabel[]>;
  permission(repo: string, login: string): Promise<Permission>;
  /** pull requests whose title or body still references the issue (`#N`, closing keywords) */
  linkedPullRequests(repo: string, number: number): Promise<LinkedPullRequest[]>;
  combinedStatus(repo: string, ref: string): Promise<CombinedStatus>;
  /** the latest status of every context on a commit, with its target URL */
  commitChecks(repo: string, ref: string): Promise<CommitCheck[]>;
  /** who closed the issue last (its timeline's newest `close`), or null when open or not recorded */
  closedBy(repo: string, number: number): Promise<string | null>;

  postComment(repo: string, number: number, body: string): Promise<TrackerComment>;
  editComment(repo: string, commentId: number, body: string): Promise<TrackerComment>;
  /** add labels by name; missing labels are created once per repo (with a colour) */
  addLabels(repo: string, number: number, names: readonly string[]): Promise<void>;
  removeLabel(repo: string, number: number, name: string): Promise<void>;
  setAssignees(repo: string, number: number, logins: readonly string[]): Promise<void>;
  createIssue(repo: string, title: string, body: string): Promise<Issue>;
  /** close an issue (a merged PR that did not close it: watch.closeOnMerge) */
  closeIssue(repo: string, number: number): Promise<void>;
  /** comments on issues (not pull requests) of a repo updated at or after `since`, oldest first (approvals) */
  listRepoComments?(repo: string, since: string | null): Promise<RepoComments>;
  /** replace an issue's body (the dashboard); only the author and writers may */
  editIssueBody?(repo: string, number: number, body: string): Promise<Issue>;

  rateLimit(): RateLimit;
}

/** An opaque timer handle; only the clock that made it understands it. */
export type TimerHandle = unknown;

/** All time and all timers of the core. One-shot timers only: the engine re-arms its own. */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** What an http or command agent is asked to do. Issue text is data, never a shell string. */
export interface DispatchRequest {
  readonly proposalId: string;
  readonly agent: Agent;
  readonly attempt: number;
  readonly repo: string;
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly taskType: TaskType;
  /** config implementerPreamble (absent: none); http and command targets put it before their prompt (`implementerPrompt`) */
  readonly preamble?: string;
  /** the repo's most relevant lessons as a prompt section (seed 004 LessonsProvider); absent: none */
  readonly lessons?: string;
  /** a corrective turn on red CI (`fixForwardPrompt`): the agent is told this instead of the task */
  readonly fixForward?: { readonly round: number; readonly prompt: string };
}

/** Where lessons live (the state dir's lessons.json); read at each http/command dispatch. */
export interface LessonsStore {
  list(): Promise<Lesson[]>;
  record(lesson: Lesson): Promise<void>;
}

export interface DispatchResult {
  readonly ok: boolean;
  /** handle for `observe`; absent when the agent cannot be observed */
  readonly runId?: string;
  /** one line for the dispatch comment and the console ("run 12, log /tmp/x.log", "HTTP 503") */
  readonly detail: string;
}

export interface AgentStatus {
  readonly status: 'running' | 'done' | 'failed';
  readonly detail: string;
}

/** One per non-tracker agent kind (`http`, `command`); tracker agents are driven through Tracker. */
export interface DispatchTarget {
  dispatch(request: DispatchRequest): Promise<DispatchResult>;
  observe(runId: string): Promise<AgentStatus>;
  /** stop a run still going (a cancelled or escalated dispatch); absent: the agent stops itself */
  stop?(runId: string): Promise<void>;
}

export type NotifyEvent = (
  | {
      readonly kind: 'escalated';
      readonly repo: string;
      readonly number: number;
      readonly agentId: string;
      readonly attempts: number;
      readonly why: string;
    }
  | { readonly kind: 'flagged'; readonly repo: string; readonly number: number; readonly reason: string }
  /** a supervised dispatch ended (merged, deployed, done awaiting review, cancelled) */
  | { readonly kind: 'dispatch-ended'; readonly repo: string; readonly number: number; readonly event: 'completed' | 'deployed' | 'awaiting-review' | 'cancelled'; readonly text: string }
) & {
  /** the dashboard issue where it can be acted on (approvals.dashboard) */
  readonly dashboardUrl?: string;
};

/** Slack webhook, terminal bell… A failing notifier never breaks a cycle. */
export interface Notifier {
  notify(event: NotifyEvent): Promise<void>;
}

/** What became of a request to open a URL: opened, or why not (then the console shows the URL). */
export type OpenResult = { readonly opened: true } | { readonly opened: false; readonly why: string };

/** Opens a URL in the operator's browser (the console's `o`). */
export type OpenUrl = (url: string) => Promise<OpenResult>;
