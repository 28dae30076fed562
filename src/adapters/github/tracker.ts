import { IssueGoneError, UsageError } from '../../core/errors.js';
import type { Issue } from '../../core/issue.js';
import { issueFromGitea } from '../gitea/issue.js';
import type {
  BacklogFetch,
  CombinedStatus,
  CommitState,
  CommitCheck,
  LinkedPullRequest,
  Permission,
  RateLimit,
  RepoComment,
  RepoComments,
  Tracker,
  TrackerComment,
  TrackerLabel,
} from '../../core/ports.js';
import { NotFoundError, RejectedError } from '../errors.js';
import { backlogFromFull, backlogIssues, DEFAULT_SINCE_OVERLAP_MS, mergeChanges, type RepoBacklog } from '../gitea/backlog.js';
import { mapBounded } from '../http/index.js';
import { GithubApi, type GithubApiOptions } from './api.js';
import {
  CheckRunsSchema,
  CombinedStatusSchema,
  CommentSchema,
  type GithubIssue,
  IssueListSchema,
  IssueSchema,
  LabelSchema,
  NoContentSchema,
  PermissionSchema,
  PullRequestSchema,
  RateLimitSchema,
  RepoCommentSchema,
  RepositorySchema,
  TimelineSchema,
  UserSchema,
} from './schemas.js';

export interface GithubTrackerOptions extends Omit<GithubApiOptions, 'baseUrl' | 'tokenSource'> {
  /** the API base (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server) */
  readonly url: string;
  readonly tokenSource?: string;
  /** pages of one list fetched at once (GitHub asks for serial requests; `link` pages are serial anyway) */
  readonly concurrency?: number;
  readonly sinceOverlapMs?: number;
  readonly labelColors?: Readonly<Record<string, string>>;
  readonly defaultLabelColor?: string;
}

export const GITHUB_API_URL = 'https://api.github.com';

/** `author_association` values that mean the author has a say in the repo (GitHub's issue schema). */
const TRUSTED_ASSOCIATIONS: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

const DEFAULT_LABEL_COLOR = '64748b';

type LabelIndex = Map<string, TrackerLabel>;

/**
 * How far back a repo-comment listing may reach past the `since` asked for, to keep asking the
 * same URL (and be answered 304) while nothing changes.
 */
const COMMENTS_PIN_MS = 10 * 60_000;

interface RepoSync {
  readonly backlog: RepoBacklog;
  /** the `since` of the next incremental fetch: kept the same while nothing changes, so the URL and its ETag stay the same */
  readonly since: string;
}

function splitRepo(repo: string): { owner: string; repo: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repo);
  if (!match) throw new UsageError(`"${repo}" is not a repository; expected owner/name`);
  return { owner: match[1] as string, repo: match[2] as string };
}

const toComment = (raw: { id: number; body?: string | null; user?: { login: string } | null; created_at?: string | null; updated_at?: string | null }): TrackerComment => ({
  id: raw.id,
  body: raw.body ?? '',
  author: raw.user?.login ?? '',
  createdAt: raw.created_at ?? '',
  updatedAt: raw.updated_at ?? raw.created_at ?? '',
});

const noHash = (color: string): string => color.replace(/^#/, '').toLowerCase();

function toIssue(raw: GithubIssue, repo: string): Issue {
  const issue = issueFromGitea(raw, repo);
  const association = raw.author_association ?? undefined;
  // Trust comes with the issue: no permission request per author (GitHub's author_association).
  return association === undefined ? issue : { ...issue, authorTrusted: TRUSTED_ASSOCIATIONS.has(association) };
}

/** `since` is ISO 8601 to the second (GitHub: "YYYY-MM-DDTHH:MM:SSZ"). */
const isoSecond = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function sameBacklog(a: RepoBacklog, b: RepoBacklog): boolean {
  if (a.issues.size !== b.issues.size) return false;
  for (const [n, issue] of b.issues) if (a.issues.get(n) !== issue && JSON.stringify(a.issues.get(n)) !== JSON.stringify(issue)) return false;
  return true;
}

const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure', 'stale']);

/**
 * GitHub's combined status counts commit statuses only; GitHub Actions reports check runs
 * (docs: "About status checks"). CI is both: failed if either failed, pending while either runs.
 */
export function ciState(status: { state: string; total: number }, checks: readonly { status: string; conclusion?: string | null }[]): CommitState {
  if (status.total > 0 && (status.state === 'failure' || status.state === 'error')) return 'failure';
  if (checks.some((c) => c.status === 'completed' && FAILED_CONCLUSIONS.has(c.conclusion ?? ''))) return 'failure';
  if (status.total > 0 && status.state !== 'success') return 'pending';
  if (checks.some((c) => c.status !== 'completed')) return 'pending';
  return status.total + checks.length > 0 ? 'success' : 'pending';
}

/** A commit status state as the port's: GitHub's are error, failure, pending, success. */
function statusState(state: string): CommitState {
  return state === 'success' || state === 'failure' || state === 'error' ? state : 'pending';
}

/** A check run as a commit state: running until completed, then by its conclusion. */
function checkRunState(run: { status: string; conclusion?: string | null | undefined }): CommitState {
  if (run.status !== 'completed') return 'pending';
  if (FAILED_CONCLUSIONS.has(run.conclusion ?? '')) return 'failure';
  return run.conclusion === 'skipped' ? 'skipped' : 'success';
}

/**
 * The Tracker port over GitHub REST (github.com and GitHub Enterprise Server). Every read is
 * conditional, so a poll of an unchanged repo costs one 304 that GitHub does not count.
 */
export class GithubTracker implements Tracker {
  readonly displayName: string;
  readonly kind = 'github';
  readonly api: GithubApi;
  readonly #overlapMs: number;
  readonly #concurrency: number;
  readonly #labelColors: Readonly<Record<string, string>>;
  readonly #defaultLabelColor: string;
  readonly #syncs = new Map<string, RepoSync>();
  readonly #fetching = new Map<string, Promise<void>>();
  readonly #labels = new Map<string, Promise<LabelIndex>>();
  readonly #creatingLabels = new Map<string, Promise<TrackerLabel>>();
  /** per repo: the `since` of the last repo-comment listing, kept while nothing changes */
  readonly #commentsSince = new Map<string, string>();
  /** `${repo}\n${login}` → assignable, asked once before the first assignment */
  readonly #assignable = new Map<string, Promise<boolean>>();

  constructor(options: GithubTrackerOptions) {
    this.api = new GithubApi({ ...options, baseUrl: options.url, tokenSource: options.tokenSource ?? 'GITHUB_TOKEN' });
    this.displayName = this.api.host;
    this.#overlapMs = options.sinceOverlapMs ?? DEFAULT_SINCE_OVERLAP_MS;
    this.#concurrency = options.concurrency ?? 4;
    this.#labelColors = options.labelColors ?? {};
    this.#defaultLabelColor = options.defaultLabelColor ?? DEFAULT_LABEL_COLOR;
  }

  rateLimit(): RateLimit {
    const { remaining, resetAt } = this.api.rateLimit();
    return { remaining, resetAt };
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  async currentUser(): Promise<string> {
    return (await this.api.get('GET /user', {}, UserSchema, 'the token user')).data.login;
  }

  fetchBacklog(repo: string, options?: { full?: boolean }): Promise<BacklogFetch> {
    const previous = this.#fetching.get(repo) ?? Promise.resolve();
    const run = previous.then(() => this.#fetchBacklog(repo, options?.full ?? false));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#fetching.set(repo, settled);
    void settled.then(() => {
      if (this.#fetching.get(repo) === settled) this.#fetching.delete(repo);
    });
    return run;
  }

  async #fetchBacklog(repo: string, full: boolean): Promise<BacklogFetch> {
    const before = this.api.requests;
    const previous = this.#syncs.get(repo);
    const incremental = previous !== undefined && !full;
    const query = incremental ? { state: 'all', since: previous.since } : { state: 'open' };
    const listed = await this.api.list('GET /repos/{owner}/{repo}/issues', { ...splitRepo(repo), ...query }, IssueListSchema, `repo ${repo}`);
    // The issues list includes pull requests, marked by a `pull_request` key (GitHub: "List repository issues").
    const raws = listed.items.filter((raw) => raw.pull_request == null);
    const issues = raws.map((raw) => toIssue(raw, repo));
    const syncedAt = listed.serverTime ?? Date.now();
    const backlog = incremental ? mergeChanges(previous.backlog, issues, syncedAt) : backlogFromFull(issues, syncedAt);
    // `since` stays put while the backlog does (closed issues and PRs the last URL already
    // returned change nothing), so the next poll asks the same URL and can be answered 304; it
    // moves on a real change, or when the answer grew past a page.
    const keep = incremental && listed.items.length < 100 && sameBacklog(previous.backlog, backlog);
    this.#syncs.set(repo, { backlog, since: keep ? previous.since : this.#nextSince(listed.items, previous, syncedAt) });
    return { issues: backlogIssues(backlog), mode: incremental ? 'incremental' : 'full', requests: this.api.requests - before };
  }

  /**
   * From the newest `updated_at` seen (pull requests included), less the overlap that covers
   * writes in flight during a read. It moves only when something changed, so an unchanged repo
   * is asked the same URL again, and GitHub can answer 304.
   */
  #nextSince(items: readonly GithubIssue[], previous: RepoSync | undefined, syncedAt: number): string {
    let newest = Number.NEGATIVE_INFINITY;
    for (const raw of items) {
      const t = Date.parse(raw.updated_at ?? '');
      if (Number.isFinite(t) && t > newest) newest = t;
    }
    if (Number.isFinite(newest)) {
      const since = isoSecond(newest - this.#overlapMs);
      return previous && previous.since > since ? previous.since : since;
    }
    return previous?.since ?? isoSecond(syncedAt - this.#overlapMs);
  }

  async getIssue(repo: string, number: number): Promise<Issue> {
    const { data } = await this.api.get('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...splitRepo(repo), issue_number: number }, IssueSchema, `issue ${repo}#${number}`);
    return toIssue(data, repo);
  }

  async listComments(repo: string, number: number): Promise<TrackerComment[]> {
    const { items } = await this.#onIssue(repo, number, () =>
      this.api.list('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...splitRepo(repo), issue_number: number }, CommentSchema.array(), `issue ${repo}#${number}`),
    );
    return items.map(toComment);
  }

  /**
   * A call about one issue whose 404/410 may mean the issue was deleted: GitHub answers 410 Gone
   * for a deleted issue (REST "Get an issue": 410 "Gone"). Confirmed by reading the issue before
   * the engine is told it is gone (`IssueGoneError`); otherwise the error stands as it was.
   */
  async #onIssue<T>(repo: string, number: number, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const exists = await this.api.exists('GET /repos/{owner}/{repo}/issues/{issue_number}', { ...splitRepo(repo), issue_number: number }, `issue ${repo}#${number}`);
      if (!exists) {
        // Forgotten here too: an incremental fetch never reports a deletion.
        const sync = this.#syncs.get(repo);
        if (sync?.backlog.issues.has(number)) {
          const issues = new Map(sync.backlog.issues);
          issues.delete(number);
          this.#syncs.set(repo, { ...sync, backlog: { ...sync.backlog, issues } });
        }
        throw new IssueGoneError(repo, number);
      }
      throw err;
    }
  }

  async listLabels(repo: string): Promise<TrackerLabel[]> {
    this.#labels.delete(repo);
    return [...(await this.#labelIndex(repo)).values()];
  }

  async permission(repo: string, login: string): Promise<Permission> {
    const { data } = await this.api.get(
      'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
      { ...splitRepo(repo), username: login },
      PermissionSchema,
      `collaborator ${login} of ${repo}`,
    );
    const p = data.permission;
    // GitHub reports maintain as write and triage as read; anything else is treated as none.
    return p === 'admin' || p === 'write' || p === 'read' ? p : 'none';
  }

  /** May `login` be assigned issues in `repo` (204) or not (404)? GitHub drops unassignable logins silently. */
  assignable(repo: string, login: string): Promise<boolean> {
    const key = `${repo.toLowerCase()}\n${login.toLowerCase()}`;
    let known = this.#assignable.get(key);
    if (!known) {
      known = this.api.exists('GET /repos/{owner}/{repo}/assignees/{assignee}', { ...splitRepo(repo), assignee: login }, `repo ${repo}`);
      this.#assignable.set(key, known);
      known.catch(() => this.#assignable.delete(key));
    }
    return known;
  }

  /** What the token user may do in a repo (doctor). */
  async repoPermissions(repo: string): Promise<{ admin: boolean; push: boolean; pull: boolean; triage: boolean; hasIssues: boolean }> {
    const { data } = await this.api.get('GET /repos/{owner}/{repo}', splitRepo(repo), RepositorySchema, `repository ${repo}`);
    const p = data.permissions ?? {};
    return { admin: p.admin === true, push: p.push === true || p.maintain === true, pull: p.pull === true, triage: p.triage === true, hasIssues: data.has_issues !== false };
  }

  /** The core quota from GET /rate_limit, which does not count against it (doctor). */
  async quota(): Promise<{ limit: number; remaining: number; resetAt: string }> {
    const { data } = await this.api.get('GET /rate_limit', {}, RateLimitSchema, 'the rate limit');
    const core = data.resources.core;
    return { limit: core.limit, remaining: core.remaining, resetAt: new Date(core.reset * 1000).toISOString() };
  }

  async linkedPullRequests(repo: string, number: number): Promise<LinkedPullRequest[]> {
    const { items } = await this.api.list(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/timeline',
      { ...splitRepo(repo), issue_number: number },
      TimelineSchema,
      `issue ${repo}#${number}`,
    );
    const numbers = new Set<number>();
    for (const event of items) {
      // `cross-referenced` names the referencing issue or PR in `source.issue` (timeline-cross-referenced-event).
      const ref = event.event === 'cross-referenced' ? event.source?.issue : undefined;
      if (!ref || ref.pull_request == null) continue;
      // A PR in another repo cannot be followed with this repo's statuses; leave it out.
      const home = ref.repository?.full_name;
      if (home && home.toLowerCase() !== repo.toLowerCase()) continue;
      numbers.add(ref.number);
    }
    const pulls = await mapBounded([...numbers].sort((a, b) => a - b), this.#concurrency, async (pull) =>
      (await this.api.get('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...splitRepo(repo), pull_number: pull }, PullRequestSchema, `pull request ${repo}#${pull}`)).data,
    );
    return pulls.map((pr) => ({
      number: pr.number,
      state: pr.state,
      merged: pr.merged ?? pr.merged_at != null,
      headSha: pr.head?.sha ?? '',
      mergeSha: pr.merged || pr.merged_at != null ? (pr.merge_commit_sha ?? null) : null,
      url: pr.html_url ?? '',
      updatedAt: pr.updated_at ?? '',
      ...(pr.user ? { author: pr.user.login } : {}),
      // `pull-request` head.repo is null once the fork is deleted: still a fork.
      ...(pr.base?.repo ? { fromFork: pr.head?.repo?.id !== pr.base.repo.id } : {}),
    }));
  }

  async combinedStatus(repo: string, ref: string): Promise<CombinedStatus> {
    const params = { ...splitRepo(repo), ref };
    const subject = `ref ${ref} in ${repo}`;
    const [status, checks] = await Promise.all([
      this.api.get('GET /repos/{owner}/{repo}/commits/{ref}/status', { ...params, per_page: 100 }, CombinedStatusSchema, subject),
      this.api.get('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...params, per_page: 100 }, CheckRunsSchema, subject),
    ]);
    const total = status.data.total_count ?? 0;
    return {
      state: ciState({ state: status.data.state, total }, checks.data.check_runs),
      sha: status.data.sha ?? ref,
      total: total + checks.data.total_count,
    };
  }

  /**
   * The latest status per context and every check run of a commit, as checks: GitHub Actions
   * reports check runs, other CI commit statuses (combined-commit-status, check-run schemas).
   */
  async commitChecks(repo: string, ref: string): Promise<CommitCheck[]> {
    const params = { ...splitRepo(repo), ref };
    const subject = `ref ${ref} in ${repo}`;
    const [status, checks] = await Promise.all([
      this.api.get('GET /repos/{owner}/{repo}/commits/{ref}/status', { ...params, per_page: 100 }, CombinedStatusSchema, subject),
      this.api.get('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...params, per_page: 100 }, CheckRunsSchema, subject),
    ]);
    const out: CommitCheck[] = (status.data.statuses ?? []).map((s) => ({ context: s.context ?? '', state: statusState(s.state), targetUrl: s.target_url ?? '' }));
    for (const run of checks.data.check_runs) {
      out.push({ context: run.name ?? '', state: checkRunState(run), targetUrl: run.details_url ?? run.html_url ?? '' });
    }
    return out;
  }

  /** Who closed the issue: the actor of the newest `closed` event, unless a `reopened` came after. */
  async closedBy(repo: string, number: number): Promise<string | null> {
    const { items } = await this.api.list(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/timeline',
      { ...splitRepo(repo), issue_number: number },
      TimelineSchema,
      `issue ${repo}#${number}`,
    );
    const last = items.filter((e) => e.event === 'closed' || e.event === 'reopened').at(-1);
    return last?.event === 'closed' ? (last.actor?.login ?? null) : null;
  }

  async postComment(repo: string, number: number, body: string): Promise<TrackerComment> {
    return toComment(
      await this.#onIssue(repo, number, () =>
        this.api.write('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...splitRepo(repo), issue_number: number, body }, CommentSchema, `issue ${repo}#${number}`),
      ),
    );
  }

  async editComment(repo: string, commentId: number, body: string): Promise<TrackerComment> {
    return toComment(
      await this.api.write('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...splitRepo(repo), comment_id: commentId, body }, CommentSchema, `comment ${commentId} in ${repo}`),
    );
  }

  async addLabels(repo: string, number: number, names: readonly string[]): Promise<void> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    // GitHub would create a missing label itself, grey; we create it first with its colour.
    for (const name of unique) await this.#ensureLabel(repo, name);
    await this.api.write(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      { ...splitRepo(repo), issue_number: number, labels: unique },
      LabelSchema.array(),
      `issue ${repo}#${number}`,
    );
  }

  async removeLabel(repo: string, number: number, name: string): Promise<void> {
    try {
      await this.api.write('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { ...splitRepo(repo), issue_number: number, name }, NoContentSchema, `label ${name} on issue ${repo}#${number}`);
    } catch (err) {
      // 404 "Label does not exist": it is not on the issue, which is what we wanted.
      if ((err as { kind?: unknown }).kind !== 'not-found') throw err;
    }
  }

  async setAssignees(repo: string, number: number, logins: readonly string[]): Promise<void> {
    // GitHub ignores a login that cannot be assigned and answers 200; ask first, once per login.
    for (const login of logins) {
      if (!(await this.assignable(repo, login))) {
        throw new RejectedError(this.displayName, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', 422, `${login} cannot be assigned issues in ${repo} (not a collaborator with access)`);
      }
    }
    await this.api.write('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...splitRepo(repo), issue_number: number, assignees: [...logins] }, IssueSchema, `issue ${repo}#${number}`);
  }

  async closeIssue(repo: string, number: number): Promise<void> {
    await this.api.write('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...splitRepo(repo), issue_number: number, state: 'closed' }, IssueSchema, `issue ${repo}#${number}`);
  }

  /**
   * Comments on the repo's issues updated at or after `since`, oldest first, for tracker commands
   * (issues/list-comments-for-repo, sorted by update). Asked conditionally like every read, and
   * with the same `since` as last time while nothing changed and it is less than ten minutes
   * older than the one asked for: the same URL, so a quiet repo costs a 304 that GitHub does not
   * count. What the wider window brings back is cut to `since` here.
   */
  async listRepoComments(repo: string, since: string | null): Promise<RepoComments> {
    const key = repo.toLowerCase();
    const pinned = this.#commentsSince.get(key);
    const asked = since === null ? Number.NaN : Date.parse(since);
    const reuse = pinned !== undefined && Number.isFinite(asked) && Date.parse(pinned) <= asked && asked - Date.parse(pinned) < COMMENTS_PIN_MS;
    const window = reuse ? pinned : since;
    const listed = await this.api.list(
      'GET /repos/{owner}/{repo}/issues/comments',
      { ...splitRepo(repo), sort: 'updated', direction: 'asc', ...(window !== null ? { since: window } : {}) },
      RepoCommentSchema.array(),
      `the comments of repo ${repo}`,
    );
    // The window moves up to what was asked only when it is new, too old or past a page long.
    if (window !== null && (!reuse || listed.items.length >= 100)) this.#commentsSince.set(key, since ?? window);
    const comments: RepoComment[] = [];
    for (const raw of listed.items) {
      const updated = Date.parse(raw.updated_at ?? raw.created_at ?? '');
      if (Number.isFinite(asked) && !(updated >= asked)) continue;
      // Every pull request is an issue here too: its comments come along, its page is /pull/N.
      if (/\/pull\/\d+(#|$)/.test(raw.html_url ?? '')) continue;
      const number = Number(/\/issues\/(\d+)$/.exec(raw.issue_url ?? '')?.[1] ?? Number.NaN);
      if (Number.isSafeInteger(number)) comments.push({ ...toComment(raw), number });
    }
    return { comments, serverTime: listed.serverTime === undefined ? undefined : new Date(listed.serverTime).toISOString() };
  }

  /** issues/update with the body only: the author (switchboard made the dashboard) or push access may. */
  async editIssueBody(repo: string, number: number, body: string): Promise<Issue> {
    const data = await this.#onIssue(repo, number, () =>
      this.api.write('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...splitRepo(repo), issue_number: number, body }, IssueSchema, `issue ${repo}#${number}`),
    );
    return toIssue(data, repo);
  }

  async createIssue(repo: string, title: string, body: string): Promise<Issue> {
    return toIssue(await this.api.write('POST /repos/{owner}/{repo}/issues', { ...splitRepo(repo), title, body }, IssueSchema, `repo ${repo}`), repo);
  }

  #labelIndex(repo: string): Promise<LabelIndex> {
    let index = this.#labels.get(repo);
    if (!index) {
      index = this.api.list('GET /repos/{owner}/{repo}/labels', splitRepo(repo), LabelSchema.array(), `repo ${repo}`).then(({ items }) => {
        const map: LabelIndex = new Map();
        for (const l of items) map.set(l.name, { id: l.id, name: l.name, color: l.color ? `#${l.color}` : '' });
        return map;
      });
      this.#labels.set(repo, index);
      const listed = index;
      listed.catch(() => {
        if (this.#labels.get(repo) === listed) this.#labels.delete(repo);
      });
    }
    return index;
  }

  async #ensureLabel(repo: string, name: string): Promise<TrackerLabel> {
    const known = (await this.#labelIndex(repo)).get(name);
    if (known) return known;
    const key = `${repo}\n${name}`;
    let creating = this.#creatingLabels.get(key);
    if (!creating) {
      creating = this.#createLabel(repo, name);
      this.#creatingLabels.set(key, creating);
      void creating.catch(() => undefined).finally(() => this.#creatingLabels.delete(key));
    }
    return creating;
  }

  async #createLabel(repo: string, name: string): Promise<TrackerLabel> {
    const index = await this.#labelIndex(repo);
    try {
      const data = await this.api.write(
        'POST /repos/{owner}/{repo}/labels',
        { ...splitRepo(repo), name, color: noHash(this.#labelColors[name] ?? this.#defaultLabelColor) },
        LabelSchema,
        `repo ${repo}`,
      );
      const label = { id: data.id, name: data.name, color: data.color ? `#${data.color}` : '' };
      index.set(name, label);
      return label;
    } catch (err) {
      // 422 already_exists: someone made it since we listed (GitHub names are unique). List again.
      this.#labels.delete(repo);
      if (err instanceof RejectedError && err.status === 422) {
        const found = (await this.#labelIndex(repo)).get(name);
        if (found) return found;
      }
      throw err;
    }
  }
}

export function createGithubTracker(options: GithubTrackerOptions): GithubTracker {
  return new GithubTracker(options);
}
