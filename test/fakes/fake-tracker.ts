import { type Issue, issueKey } from '../../src/core/issue.js';
import type {
  BacklogFetch,
  CombinedStatus,
  CommitCheck,
  LinkedPullRequest,
  Permission,
  RateLimit,
  Tracker,
  TrackerComment,
  TrackerLabel,
} from '../../src/core/ports.js';

export interface TrackerCall {
  readonly method: string;
  readonly repo: string;
  readonly number?: number;
}

export interface TrackerWrite extends TrackerCall {
  /** comment body, label names, logins… */
  readonly detail: string;
}

const WRITES = new Set(['postComment', 'editComment', 'addLabels', 'removeLabel', 'setAssignees', 'createIssue', 'closeIssue']);

/**
 * A forge in memory: issues with comments, labels and assignees, linked PRs and commit statuses.
 * Every call goes to `calls`, every write to `writes`. Failures can be injected per method, per
 * repo fetch, or after the n-th write (the write lands, then the call throws — a crash between
 * the server applying it and us hearing back). Like Gitea, every write bumps the issue's
 * updatedAt.
 */
export class FakeTracker implements Tracker {
  readonly displayName = 'fake.example';
  readonly calls: TrackerCall[] = [];
  readonly writes: TrackerWrite[] = [];
  readonly issues = new Map<string, Issue>();
  readonly comments = new Map<string, TrackerComment[]>();
  readonly pulls = new Map<string, LinkedPullRequest[]>();
  readonly statuses = new Map<string, CombinedStatus>();
  /** latest status per context, by commit */
  readonly checks = new Map<string, CommitCheck[]>();
  /** who closed an issue, by issue key */
  readonly closers = new Map<string, string>();
  readonly permissions = new Map<string, Permission>();
  readonly fetchFailures = new Map<string, Error>();
  limit: RateLimit = { remaining: undefined, resetAt: undefined };
  /** called after each write lands: another actor's move at a precise point */
  afterWrite: ((write: TrackerWrite) => void) | null = null;

  private failures = new Map<string, Error[]>();
  private writesUntilFailure: number | null = null;
  private held: { reached: () => void; released: Promise<void> } | null = null;
  private seq = 1000;
  private bump = 0;

  constructor(
    private readonly now: () => Date,
    readonly selfLogin = 'switchboard-bot',
  ) {}

  seed(...issues: Issue[]): this {
    for (const i of issues) this.issues.set(issueKey(i.repo, i.number), i);
    return this;
  }

  seedComment(repo: string, number: number, c: { author: string; body: string; createdAt?: string }): TrackerComment {
    const at = c.createdAt ?? this.now().toISOString();
    const comment = { id: ++this.seq, body: c.body, author: c.author, createdAt: at, updatedAt: at };
    this.commentsOf(repo, number).push(comment);
    return comment;
  }

  /** change an issue as a person would (bumps updatedAt) */
  edit(repo: string, number: number, change: Partial<Issue>): void {
    const key = issueKey(repo, number);
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    this.issues.set(key, { ...issue, ...change, updatedAt: change.updatedAt ?? this.stamp() });
  }

  failNext(method: keyof Tracker, error: Error = new Error(`${method} failed`)): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** the n-th write from now lands and then throws */
  failAfterWrites(n: number): void {
    this.writesUntilFailure = n;
  }

  /** the next write waits until released; `reached` resolves when it is waiting */
  holdNextWrite(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.held = { reached, released };
    return { reached: reachedP, release };
  }

  commentsOf(repo: string, number: number): TrackerComment[] {
    const key = issueKey(repo, number);
    let list = this.comments.get(key);
    if (!list) this.comments.set(key, (list = []));
    return list;
  }

  writesOf(method: string): TrackerWrite[] {
    return this.writes.filter((w) => w.method === method);
  }

  async currentUser(): Promise<string> {
    this.enter('currentUser', '');
    return this.selfLogin;
  }

  async fetchBacklog(repo: string, options?: { full?: boolean }): Promise<BacklogFetch> {
    this.enter('fetchBacklog', repo);
    const failure = this.fetchFailures.get(repo);
    if (failure) throw failure;
    const issues = [...this.issues.values()].filter((i) => i.repo === repo && i.state === 'open').map((i) => ({ ...i }));
    return { issues, mode: options?.full ? 'full' : 'incremental', requests: 1 };
  }

  async getIssue(repo: string, number: number): Promise<Issue> {
    this.enter('getIssue', repo, number);
    return { ...this.issue(repo, number) };
  }

  async listComments(repo: string, number: number): Promise<TrackerComment[]> {
    this.enter('listComments', repo, number);
    return this.commentsOf(repo, number).map((c) => ({ ...c }));
  }

  async listLabels(repo: string): Promise<TrackerLabel[]> {
    this.enter('listLabels', repo);
    return [];
  }

  async permission(repo: string, login: string): Promise<Permission> {
    this.enter('permission', repo);
    return this.permissions.get(login) ?? 'read';
  }

  async linkedPullRequests(repo: string, number: number): Promise<LinkedPullRequest[]> {
    this.enter('linkedPullRequests', repo, number);
    return this.pulls.get(issueKey(repo, number)) ?? [];
  }

  async combinedStatus(repo: string, ref: string): Promise<CombinedStatus> {
    this.enter('combinedStatus', repo);
    return this.statuses.get(ref) ?? { state: 'pending', sha: ref, total: 0 };
  }
  async commitChecks(repo: string, ref: string): Promise<CommitCheck[]> {
    this.enter('commitChecks', repo);
    return this.checks.get(ref) ?? [];
  }

  async closedBy(repo: string, number: number): Promise<string | null> {
    this.enter('closedBy', repo, number);
    return this.closers.get(issueKey(repo, number)) ?? null;
  }


  async postComment(repo: string, number: number, body: string): Promise<TrackerComment> {
    return this.write('postComment', repo, number, body, () => {
      this.issue(repo, number);
      const at = this.now().toISOString();
      const comment = { id: ++this.seq, body, author: this.selfLogin, createdAt: at, updatedAt: at };
      this.commentsOf(repo, number).push(comment);
      this.touch(repo, number);
      return { ...comment };
    });
  }

  async editComment(repo: string, commentId: number, body: string): Promise<TrackerComment> {
    const found = [...this.comments.entries()].find(([, list]) => list.some((c) => c.id === commentId));
    if (!found) throw new Error(`no comment ${commentId} in ${repo}`);
    const number = Number(found[0].split('#')[1]);
    return this.write('editComment', repo, number, body, () => {
      const list = found[1];
      const i = list.findIndex((c) => c.id === commentId);
      const edited = { ...list[i]!, body, updatedAt: this.now().toISOString() };
      list[i] = edited;
      return { ...edited };
    });
  }

  async addLabels(repo: string, number: number, names: readonly string[]): Promise<void> {
    return this.write('addLabels', repo, number, names.join(','), () => {
      const issue = this.issue(repo, number);
      this.edit(repo, number, { labels: [...issue.labels, ...names.filter((n) => !issue.labels.includes(n))] });
    });
  }

  async removeLabel(repo: string, number: number, name: string): Promise<void> {
    return this.write('removeLabel', repo, number, name, () => {
      this.edit(repo, number, { labels: this.issue(repo, number).labels.filter((l) => l !== name) });
    });
  }

  async setAssignees(repo: string, number: number, logins: readonly string[]): Promise<void> {
    return this.write('setAssignees', repo, number, logins.join(','), () => {
      this.edit(repo, number, { assignees: [...logins] });
    });
  }

  async closeIssue(repo: string, number: number): Promise<void> {
    return this.write('closeIssue', repo, number, 'closed', () => {
      this.edit(repo, number, { state: 'closed' });
      this.closers.set(issueKey(repo, number), this.selfLogin);
    });
  }

  async createIssue(repo: string, title: string, body: string): Promise<Issue> {
    return this.write('createIssue', repo, undefined, title, () => {
      const number = Math.max(0, ...[...this.issues.values()].filter((i) => i.repo === repo).map((i) => i.number)) + 1;
      const at = this.now().toISOString();
      const issue: Issue = {
        repo, number, title, body, labels: [], assignees: [], author: this.selfLogin, authorTrusted: undefined,
        createdAt: at, updatedAt: at, state: 'open', url: `https://fake.example/${repo}/issues/${number}`,
      };
      this.seed(issue);
      return { ...issue };
    });
  }

  rateLimit(): RateLimit {
    return this.limit;
  }

  private issue(repo: string, number: number): Issue {
    const issue = this.issues.get(issueKey(repo, number));
    if (!issue) throw new Error(`no issue ${issueKey(repo, number)}`);
    return issue;
  }

  private stamp(): string {
    return new Date(this.now().getTime() + ++this.bump).toISOString();
  }

  private touch(repo: string, number: number): void {
    this.edit(repo, number, {});
  }

  private enter(method: string, repo: string, number?: number): void {
    this.calls.push(number === undefined ? { method, repo } : { method, repo, number });
    const queued = this.failures.get(method);
    const failure = queued?.shift();
    if (failure) throw failure;
  }

  private async write<T>(method: string, repo: string, number: number | undefined, detail: string, apply: () => T): Promise<T> {
    if (!WRITES.has(method)) throw new Error(`${method} is not a write`);
    this.enter(method, repo, number);
    const held = this.held;
    if (held) {
      this.held = null;
      held.reached();
      await held.released;
    }
    const result = apply();
    const write = number === undefined ? { method, repo, detail } : { method, repo, number, detail };
    this.writes.push(write);
    this.afterWrite?.(write);
    if (this.writesUntilFailure !== null && --this.writesUntilFailure === 0) {
      this.writesUntilFailure = null;
      throw new Error(`connection reset after ${method}`);
    }
    return result;
  }
}
