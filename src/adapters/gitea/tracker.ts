import type { z } from 'zod';
import { IssueGoneError, UsageError } from '../../core/errors.js';
import { MovedError, NotFoundError, RejectedError, UnassignableError, UnavailableError } from '../errors.js';
import type { Issue } from '../../core/issue.js';
import { issueFromGitea } from './issue.js';
import type {
  BacklogFetch,
  CombinedStatus,
  CommitCheck,
  LinkedPullRequest,
  Permission,
  RateLimit,
  RepoComments,
  Tracker,
  TrackerComment,
  TrackerLabel,
} from '../../core/ports.js';
import {
  fetchAllPages,
  HttpClient,
  locateForge,
  mapBounded,
  type Paged,
  type RetryOptions,
  Semaphore,
  type Timeouts,
} from '../http/index.js';
import {
  backlogFromFull,
  backlogIssues,
  DEFAULT_SINCE_OVERLAP_MS,
  mergeChanges,
  type RepoBacklog,
  sinceParam,
} from './backlog.js';
import { ENDPOINTS } from './endpoints.js';
import type { CommentSchema, LabelSchema, RawGiteaIssue, TimelineSchema } from './schemas.js';

export interface GiteaTrackerOptions {
  /** the forge root, e.g. https://gitea.example.com (an /api/v1 suffix is accepted too) */
  readonly url: string;
  readonly token: string;
  /** Forgejo speaks the same API for everything used here */
  readonly kind?: 'gitea' | 'forgejo';
  /** where the operator sets the token, named when it is rejected */
  readonly tokenSource?: string;
  /** pages of one list fetched at once */
  readonly concurrency?: number;
  /** repositories whose backlogs are fetched at once (each with up to `concurrency` pages) */
  readonly repoConcurrency?: number;
  /** writes in flight at once */
  readonly writeConcurrency?: number;
  /** keep-alive sockets to the forge */
  readonly connections?: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryOptions>;
  readonly maxRateLimitWaitMs?: number;
  /** the most items one list (issues of a repo, labels, a timeline) may hold (`tracker.maxIssuesPerRepo`) */
  readonly maxListItems?: number;
  /** the largest response body read (`tracker.maxResponseMegabytes`) */
  readonly maxResponseBytes?: number;
  /** abandons reads in flight (SIGINT/SIGTERM); writes already sent finish */
  readonly signal?: AbortSignal;
  /** how far an incremental fetch reaches back before the last one (see DEFAULT_SINCE_OVERLAP_MS) */
  readonly sinceOverlapMs?: number;
  /** colours for labels the adapter has to create, by name */
  readonly labelColors?: Readonly<Record<string, string>>;
  readonly defaultLabelColor?: string;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Repos fetched at once: with 4 pages each, 32 reads in flight, twice the engine's 16 sockets. */
export const DEFAULT_REPO_CONCURRENCY = 8;

/** Used when /settings/api cannot be read: Gitea's and Forgejo's default MaxResponseItems. */
const FALLBACK_PAGE_LIMIT = 50;

export const DEFAULT_LABEL_COLORS: Readonly<Record<string, string>> = { 'needs-human': '#e11d48' };
export const DEFAULT_LABEL_COLOR = '#64748b';

/** A label listing younger than this is trusted when deciding to create a label. */
const LABELS_FRESH_MS = 10_000;
/** The assignee list is kept this long; a login missing from an older one is looked up again. */
const ASSIGNEES_KEEP_MS = 5 * 60_000;
/** Full-fetch passes at most, when the open list changed while its pages were read. */
const MAX_FULL_PASSES = 2;
/**
 * How far before the first pass the closing `since` query reaches: it only has to catch issues
 * that changed while the passes ran (the Date header is whole seconds, hence a little slack).
 */
const SETTLE_OVERLAP_MS = 5_000;

/** One key per repo whatever the letter case: Gitea's owner and repo names are case-insensitive. */
const repoKey = (repo: string): string => repo.toLowerCase();

type Counter = { requests: number };
type LabelIndex = Map<string, TrackerLabel>;

function splitRepo(repo: string): { owner: string; repo: string } {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repo);
  if (!match) throw new UsageError(`"${repo}" is not a repository; expected owner/name`);
  return { owner: match[1] as string, repo: match[2] as string };
}

function toComment(raw: z.output<typeof CommentSchema>): TrackerComment {
  return {
    id: raw.id,
    body: raw.body ?? '',
    author: raw.user?.login ?? '',
    createdAt: raw.created_at ?? '',
    updatedAt: raw.updated_at ?? raw.created_at ?? '',
  };
}

const withHash = (color: string | null | undefined): string =>
  !color ? '' : color.startsWith('#') ? color : `#${color}`;

/**
 * The Tracker port over Gitea/Forgejo REST v1, for any number of repos. It keeps, per repo, the
 * backlog of the last fetch (for incremental refresh) and the repo's labels (name → id).
 */
export class GiteaTracker implements Tracker {
  readonly displayName: string;
  readonly kind: 'gitea' | 'forgejo';
  readonly #http: HttpClient;
  readonly #concurrency: number;
  /** bounds the repos fetched at once, so 50 repos do not put 200 page reads in the socket queue together */
  readonly #repoSlots: Semaphore;
  readonly #maxListItems: number | undefined;
  readonly #overlapMs: number;
  readonly #labelColors: Readonly<Record<string, string>>;
  readonly #defaultLabelColor: string;
  readonly #now: () => number;
  #pageLimit: Promise<number> | undefined;
  readonly #backlogs = new Map<string, RepoBacklog>();
  /** the fetch in progress per repo, so two fetches of one repo never interleave their merges */
  readonly #fetching = new Map<string, Promise<void>>();
  readonly #labels = new Map<string, Promise<LabelIndex>>();
  readonly #creatingLabels = new Map<string, Promise<TrackerLabel>>();
  readonly #labelsListedAt = new WeakMap<LabelIndex, number>();
  readonly #assignees = new Map<string, { at: number; logins: Promise<Set<string>> }>();
  /** owner → is it an organisation (has org labels) */
  readonly #orgOwners = new Map<string, Promise<boolean>>();

  constructor(options: GiteaTrackerOptions) {
    const forge = locateForge(options.url, '/api/v1');
    this.displayName = forge.host;
    this.kind = options.kind ?? 'gitea';
    this.#http = new HttpClient({
      ...forge,
      token: options.token,
      tokenSource: options.tokenSource ?? 'GITEA_TOKEN',
      timeouts: options.timeouts,
      connections: options.connections,
      writeConcurrency: options.writeConcurrency,
      retry: options.retry,
      maxRateLimitWaitMs: options.maxRateLimitWaitMs,
      maxResponseBytes: options.maxResponseBytes,
      signal: options.signal,
      sleep: options.sleep,
      now: options.now,
      random: options.random,
    });
    this.#concurrency = options.concurrency ?? 4;
    this.#repoSlots = new Semaphore(options.repoConcurrency ?? DEFAULT_REPO_CONCURRENCY);
    this.#maxListItems = options.maxListItems;
    this.#overlapMs = options.sinceOverlapMs ?? DEFAULT_SINCE_OVERLAP_MS;
    this.#labelColors = { ...DEFAULT_LABEL_COLORS, ...options.labelColors };
    this.#defaultLabelColor = options.defaultLabelColor ?? DEFAULT_LABEL_COLOR;
    this.#now = options.now ?? Date.now;
  }

  rateLimit(): RateLimit {
    return this.#http.rateLimit();
  }

  /** Close the keep-alive pool; the tracker cannot be used afterwards. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  async currentUser(): Promise<string> {
    const { data } = await this.#http.call(ENDPOINTS.currentUser, { subject: 'the token user' });
    return data.login;
  }

  fetchBacklog(repo: string, options?: { full?: boolean }): Promise<BacklogFetch> {
    const key = repoKey(repo);
    const previous = this.#fetching.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.#repoSlots.run(() => this.#fetchBacklog(repo, options?.full ?? false)));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#fetching.set(key, settled);
    void settled.then(() => {
      if (this.#fetching.get(key) === settled) this.#fetching.delete(key);
    });
    return run;
  }

  async #fetchBacklog(repo: string, full: boolean): Promise<BacklogFetch> {
    const counter: Counter = { requests: 0 };
    const previous = this.#backlogs.get(repoKey(repo));
    const incremental = previous !== undefined && !full;
    const startedAt = this.#now();
    const toIssues = (items: readonly RawGiteaIssue[]): Issue[] =>
      items.filter((raw) => raw.pull_request == null).map((raw) => issueFromGitea(raw, repo));
    let next: RepoBacklog;
    if (incremental) {
      const query = { state: 'all', type: 'issues', since: sinceParam(previous.syncedAt, this.#overlapMs) };
      const fetched = await this.#listIssues(repo, query, counter);
      // The server's clock, not ours: `since` is compared with times the server wrote.
      next = mergeChanges(previous, toIssues(fetched.items), fetched.serverTime ?? startedAt);
    } else {
      const fetched = await this.#fetchOpen(repo, counter);
      const syncedAt = fetched.serverTime ?? startedAt;
      next = backlogFromFull(toIssues(fetched.items), syncedAt);
      if (fetched.passes > 1) {
        // Union of passes may still hold an issue closed during a later pass: what changed since
        // the first one started settles it (a closed issue leaves, an unchanged one stays).
        const since = { state: 'all', type: 'issues', since: sinceParam(syncedAt, SETTLE_OVERLAP_MS) };
        next = mergeChanges(next, toIssues((await this.#listIssues(repo, since, counter)).items), syncedAt);
      }
    }
    this.#backlogs.set(repoKey(repo), next);
    const unchanged = incremental && next.issues === previous.issues;
    return { issues: backlogIssues(next), mode: incremental ? 'incremental' : 'full', requests: counter.requests, ...(unchanged ? { unchanged } : {}) };
  }

  /**
   * Every open issue. Pages are LIMIT/OFFSET over newest-created first (Gitea
   * models/issues/issue_search.go:127-141), so an issue closed while later pages are read shifts
   * them by one and one open issue falls between two pages. Each page carries the list's
   * X-Total-Count at that moment: when they differ, the list changed under us and the pages are
   * read once more, keeping every issue either pass saw (the caller then settles closures with `since`).
   */
  async #fetchOpen(repo: string, counter: Counter): Promise<{ items: RawGiteaIssue[]; serverTime: number | undefined; passes: number }> {
    const seen = new Map<number, RawGiteaIssue>();
    let serverTime: number | undefined;
    let passes = 0;
    while (passes < MAX_FULL_PASSES) {
      passes++;
      const totals = new Set<number | undefined>();
      const fetched = await this.#listIssues(repo, { state: 'open', type: 'issues' }, counter, totals);
      serverTime ??= fetched.serverTime;
      for (const raw of fetched.items) seen.set(raw.number, raw);
      if (totals.size <= 1) break;
    }
    return { items: [...seen.values()], serverTime, passes };
  }

  async #listIssues(
    repo: string,
    query: { state: string; type: string; since?: string },
    counter: Counter,
    totals?: Set<number | undefined>,
  ): Promise<Paged<RawGiteaIssue>> {
    const limit = await this.#limit(counter);
    return fetchAllPages(
      async (page) => {
        const res = await this.#http.call(ENDPOINTS.listIssues, {
          params: splitRepo(repo),
          query: { ...query, page, limit },
          subject: `repo ${repo}`,
          action: `list the issues of ${repo}`,
          repo,
          counter,
        });
        totals?.add(res.totalCount);
        return { items: res.data, total: res.totalCount, serverTime: res.serverTime };
      },
      { limit, concurrency: this.#concurrency, maxItems: this.#maxListItems, subject: `the issues of repo ${repo}` },
    );
  }

  /** The server's page cap, read once; a failure falls back to the default and is asked again later. */
  #limit(counter: Counter): Promise<number> {
    if (!this.#pageLimit) {
      const asked: Promise<number> = this.#http
        .call(ENDPOINTS.apiSettings, { subject: 'API settings', counter })
        .then(({ data }) => {
          const n = data.max_response_items ?? 0;
          return n > 0 ? n : FALLBACK_PAGE_LIMIT;
        })
        .catch(() => {
          if (this.#pageLimit === asked) this.#pageLimit = undefined;
          return FALLBACK_PAGE_LIMIT;
        });
      this.#pageLimit = asked;
    }
    return this.#pageLimit;
  }

  async getIssue(repo: string, number: number): Promise<Issue> {
    return issueFromGitea(await this.#rawIssue(repo, number), repo);
  }

  /** The issue as the server has it; a 404 while the repo answers means it was deleted. */
  async #rawIssue(repo: string, number: number): Promise<RawGiteaIssue> {
    try {
      const { data } = await this.#http.call(ENDPOINTS.getIssue, {
        params: { ...splitRepo(repo), index: number },
        subject: `issue ${repo}#${number}`,
        repo,
      });
      return data;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      // Gone only if the repo still answers; a moved repo says so, anything else keeps this 404.
      try {
        await this.#http.call(ENDPOINTS.getRepo, { params: splitRepo(repo), subject: `repository ${repo}`, repo });
      } catch (repoErr) {
        throw repoErr instanceof MovedError ? repoErr : err;
      }
      throw this.#gone(repo, number);
    }
  }

  /** Forget a deleted issue: incremental fetches never report deletions (Gitea api.go:1597). */
  #gone(repo: string, number: number): IssueGoneError {
    const backlog = this.#backlogs.get(repoKey(repo));
    if (backlog?.issues.has(number)) {
      const issues = new Map(backlog.issues);
      issues.delete(number);
      this.#backlogs.set(repoKey(repo), { ...backlog, issues });
    }
    return new IssueGoneError(repo, number);
  }

  /**
   * Run a request on one issue. Gitea answers the comment endpoints of a deleted issue with 500
   * (routers/api/v1/repo/issue_comment.go:71-74, :383-386; Forgejo ≥ 11: 404), so a 404 or 5xx is
   * confirmed with a read of the issue: gone → IssueGoneError; there → the original error, or for
   * a read that the server answers now, its result.
   */
  async #onIssue<T>(repo: string, number: number, run: () => Promise<T>, rerun: boolean): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof UnavailableError && /HTTP 5\d\d/.test(err.message))) throw err;
      try {
        await this.#rawIssue(repo, number);
      } catch (confirm) {
        // Only a confirmed deletion or move replaces the first answer.
        throw confirm instanceof IssueGoneError || confirm instanceof MovedError ? confirm : err;
      }
      if (rerun && err instanceof UnavailableError) return run();
      throw err;
    }
  }

  async listComments(repo: string, number: number): Promise<TrackerComment[]> {
    // Not paginated in Gitea 1.26 nor Forgejo: one request returns every comment.
    const { data } = await this.#onIssue(
      repo,
      number,
      () =>
        this.#http.call(ENDPOINTS.listComments, {
          params: { ...splitRepo(repo), index: number },
          subject: `issue ${repo}#${number}`,
          action: `read the comments of issue ${repo}#${number}`,
          repo,
        }),
      true,
    );
    return data.map(toComment);
  }

  /** The server's version string (doctor: is the tracker there at all). */
  async serverVersion(): Promise<string> {
    const { data } = await this.#http.call(ENDPOINTS.serverVersion, { subject: 'the server version' });
    return data.version;
  }

  /** What the token user may do in a repo (doctor: can it write issues there). */
  async repoPermissions(repo: string): Promise<{ admin: boolean; push: boolean; pull: boolean }> {
    const { data } = await this.#http.call(ENDPOINTS.getRepo, { params: splitRepo(repo), subject: `repository ${repo}` });
    const p = data.permissions ?? {};
    return { admin: p.admin === true, push: p.push === true, pull: p.pull === true };
  }

  async listLabels(repo: string): Promise<TrackerLabel[]> {
    this.#labels.delete(repoKey(repo));
    return [...(await this.#labelIndex(repo)).values()];
  }

  /**
   * Which of these logins Gitea lists as assignable in the repo (write access: models/repo/user_repo.go:121-160).
   * The list is kept a while; a login missing from an older one is looked up again.
   */
  async unassignable(repo: string, logins: readonly string[]): Promise<string[]> {
    const list = async (fresh: boolean): Promise<Set<string>> => {
      const key = repoKey(repo);
      const kept = this.#assignees.get(key);
      if (kept && !fresh && this.#now() - kept.at < ASSIGNEES_KEEP_MS) return kept.logins;
      const logins = this.#http
        .call(ENDPOINTS.assignees, { params: splitRepo(repo), subject: `repository ${repo}`, repo })
        .then(({ data }) => new Set(data.map((u) => u.login.toLowerCase())));
      this.#assignees.set(key, { at: this.#now(), logins });
      logins.catch(() => this.#assignees.delete(key));
      return logins;
    };
    const missing = (set: Set<string>) => logins.filter((l) => !set.has(l.toLowerCase()));
    const first = missing(await list(false));
    const kept = this.#assignees.get(repoKey(repo));
    if (first.length === 0 || (kept && this.#now() - kept.at < LABELS_FRESH_MS)) return first;
    return missing(await list(true));
  }

  async permission(repo: string, login: string): Promise<Permission> {
    const { data } = await this.#http.call(ENDPOINTS.permission, {
      params: { ...splitRepo(repo), collaborator: login },
      subject: `collaborator ${login} of ${repo}`,
    });
    return data.permission;
  }

  /** Every entry of an issue's timeline (comments, references, closes…), oldest first. */
  async #timeline(repo: string, number: number): Promise<z.infer<typeof TimelineSchema>> {
    const limit = await this.#limit({ requests: 0 });
    // The timeline's X-Total-Count counts only the page returned, so pages are followed instead.
    const timeline = await fetchAllPages(
      async (page) => {
        const res = await this.#onIssue(
          repo,
          number,
          () =>
            this.#http.call(ENDPOINTS.timeline, {
              params: { ...splitRepo(repo), index: number },
              query: { page, limit },
              subject: `issue ${repo}#${number}`,
              repo,
            }),
          true,
        );
        return { items: res.data, total: undefined, serverTime: res.serverTime };
      },
      { limit, concurrency: 1, maxItems: this.#maxListItems, subject: `the timeline of issue ${repo}#${number}` },
    );
    return timeline.items;
  }

  async linkedPullRequests(repo: string, number: number): Promise<LinkedPullRequest[]> {
    const numbers = new Set<number>();
    for (const event of await this.#timeline(repo, number)) {
      // null entries are cross-references whose issue is gone.
      const ref = event?.ref_issue;
      if (event?.type !== 'pull_ref' || !ref) continue;
      // A PR in another repo cannot be followed with this repo's commit statuses; leave it out.
      const home = ref.repository?.full_name;
      if (home && home.toLowerCase() !== repo.toLowerCase()) continue;
      // Gitea keeps the entry of a PR that stopped mentioning the issue, marked neutered
      // (models/issues/issue_xref.go:84-103; gitea-behaviour.md #11): it no longer speaks for it.
      if (event.ref_action === 'neutered') numbers.delete(ref.number);
      else numbers.add(ref.number);
    }
    const pulls = await mapBounded([...numbers].sort((a, b) => a - b), this.#concurrency, async (index) => {
      const { data } = await this.#http.call(ENDPOINTS.getPullRequest, {
        params: { ...splitRepo(repo), index },
        subject: `pull request ${repo}#${index}`,
      });
      return data;
    });
    return pulls.map((pr) => ({
      number: pr.number,
      state: pr.state,
      merged: pr.merged ?? false,
      headSha: pr.head?.sha ?? '',
      mergeSha: pr.merged && pr.merge_commit_sha ? pr.merge_commit_sha : null,
      url: pr.html_url ?? '',
      updatedAt: pr.updated_at ?? '',
      ...(pr.user ? { author: pr.user.login } : {}),
      // PRBranchInfo.repo_id (gitea-openapi.json "PRBranchInfo"): the head's repository; a deleted fork's is 0.
      ...(pr.base?.repo_id != null ? { fromFork: pr.head?.repo_id !== pr.base.repo_id } : {}),
    }));
  }

  async closedBy(repo: string, number: number): Promise<string | null> {
    const closes = (await this.#timeline(repo, number)).filter((e) => e?.type === 'close' || e?.type === 'reopen');
    const last = closes.at(-1);
    return last?.type === 'close' ? (last?.user?.login ?? null) : null;
  }

  async combinedStatus(repo: string, ref: string): Promise<CombinedStatus> {
    const limit = await this.#limit({ requests: 0 });
    const res = await this.#http.call(ENDPOINTS.combinedStatus, {
      params: { ...splitRepo(repo), ref },
      query: { limit },
      subject: `ref ${ref} in ${repo}`,
    });
    // The body's total_count counts one page; the header counts all statuses.
    return { state: res.data.state, sha: res.data.sha ?? ref, total: res.totalCount ?? res.data.total_count ?? 0 };
  }

  async commitChecks(repo: string, ref: string): Promise<CommitCheck[]> {
    const limit = await this.#limit({ requests: 0 });
    // The combined status lists the latest status of each context (Gitea
    // services/git/commitstatus.go GetLatestCommitStatus), paged; X-Total-Count counts them all.
    const statuses = await fetchAllPages(
      async (page) => {
        const res = await this.#http.call(ENDPOINTS.combinedStatus, {
          params: { ...splitRepo(repo), ref },
          query: { page, limit },
          subject: `ref ${ref} in ${repo}`,
        });
        return { items: res.data.statuses ?? [], total: res.totalCount, serverTime: res.serverTime };
      },
      { limit, concurrency: this.#concurrency, maxItems: this.#maxListItems, subject: `the statuses of ${ref} in ${repo}` },
    );
    const latest = new Map<string, CommitCheck>();
    for (const st of statuses.items) {
      const context = st.context ?? '';
      if (!latest.has(context)) latest.set(context, { context, state: st.status, targetUrl: st.target_url ?? '' });
    }
    return [...latest.values()];
  }

  async postComment(repo: string, number: number, body: string): Promise<TrackerComment> {
    const { data } = await this.#onIssue(
      repo,
      number,
      () =>
        this.#http.call(ENDPOINTS.createComment, {
          params: { ...splitRepo(repo), index: number },
          body: { body },
          subject: `issue ${repo}#${number}`,
          action: `comment on issue ${repo}#${number}`,
          repo,
        }),
      false,
    );
    return toComment(data);
  }

  async editComment(repo: string, commentId: number, body: string): Promise<TrackerComment> {
    const params = { ...splitRepo(repo), id: commentId };
    const subject = `comment ${commentId} in ${repo}`;
    const { data } = await this.#http.call(ENDPOINTS.editComment, { params, body: { body }, subject, action: `edit ${subject}`, repo });
    if (data) return toComment(data);
    // 204: the edit was applied but the server did not echo the comment.
    return toComment((await this.#http.call(ENDPOINTS.getComment, { params, subject })).data);
  }

  /**
   * Add labels by name and check the server's answer: an id that no longer exists (someone deleted
   * and recreated the label) is skipped with 200 (routers/api/v1/repo/issue_label.go:363), so a
   * label missing from the answer means a stale index: list again and retry once. Siblings of an
   * exclusive label leave on their own (models/issues/issue_label.go:63-83); that is not a miss.
   */
  async addLabels(repo: string, number: number, names: readonly string[]): Promise<void> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    const post = async (): Promise<string[]> => {
      const labels = await Promise.all(unique.map((name) => this.#ensureLabel(repo, name)));
      const { data } = await this.#onIssue(
        repo,
        number,
        () =>
          this.#http.call(ENDPOINTS.addIssueLabels, {
            params: { ...splitRepo(repo), index: number },
            body: { labels: labels.map((l) => l.id) },
            subject: `issue ${repo}#${number}`,
            action: `label issue ${repo}#${number}`,
            repo,
          }),
        false,
      );
      const now = new Set(data.map((l) => l.name));
      return unique.filter((n) => !now.has(n));
    };
    if ((await post()).length === 0) return;
    this.#labels.delete(repoKey(repo));
    const missing = await post();
    if (missing.length > 0) {
      throw new RejectedError(this.displayName, `POST labels of issue ${repo}#${number}`, 200, `${missing.join(', ')} did not stick`);
    }
  }

  /**
   * Remove a label by name, with the ids the issue itself carries (org labels included), and
   * confirm it is gone. A stale id answers 422 (Gitea ≤ 1.26.3 issue_label.go:181-184) or 404
   * (main :184-186): the issue's labels are read again and the removal tried once more.
   */
  async removeLabel(repo: string, number: number, name: string): Promise<void> {
    const params = { ...splitRepo(repo), index: number };
    const subject = `issue ${repo}#${number}`;
    const onIssue = async () =>
      (await this.#onIssue(repo, number, () => this.#http.call(ENDPOINTS.issueLabels, { params, subject, repo }), true)).data.filter(
        (l) => l.name === name,
      );
    for (let attempt = 1; ; attempt++) {
      const present = await onIssue();
      if (present.length === 0) return;
      try {
        for (const label of present) {
          await this.#http.call(ENDPOINTS.removeIssueLabel, { params: { ...params, id: label.id }, subject, action: `remove label ${name} from ${subject}`, repo });
        }
      } catch (err) {
        const stale = err instanceof NotFoundError || (err instanceof RejectedError && err.status === 422);
        if (!stale || attempt >= 2) throw err;
        continue;
      }
      if ((await onIssue()).length === 0) return;
      if (attempt >= 2) throw new RejectedError(this.displayName, `DELETE label ${name} of ${subject}`, 204, 'the label is still on the issue');
    }
  }

  /**
   * Set the issue's assignees. Gitea answers an unknown or unassignable login with 500, and ≤ 1.26
   * and Forgejo strip the assignees not passed before checking (services/issue/issue.go:140-178
   * at v1.26.3): so new logins are checked against the assignee list first, the 500 is not resent,
   * and the issue is read back; assignees it lost are put back.
   */
  async setAssignees(repo: string, number: number, logins: readonly string[]): Promise<void> {
    const has = (list: readonly string[], login: string) => list.some((l) => l.toLowerCase() === login.toLowerCase());
    const assigneesOf = async () => (await this.#rawIssue(repo, number)).assignees?.map((a) => a.login) ?? [];
    // Usually every login is on the (kept) assignee list; one that is not may already be assigned.
    const unlisted = await this.unassignable(repo, logins);
    if (unlisted.length > 0) {
      const current = await assigneesOf();
      const refused = unlisted.filter((l) => !has(current, l));
      if (refused.length > 0) throw new UnassignableError(repo, refused);
    }
    const call = (assignees: readonly string[]) =>
      this.#http.call(ENDPOINTS.setAssignees, {
        params: { ...splitRepo(repo), index: number },
        body: { assignees: [...assignees] },
        subject: `issue ${repo}#${number}`,
        action: `assign issue ${repo}#${number}`,
        repo,
      });
    let after: string[];
    try {
      after = (await call(logins)).data.assignees?.map((a) => a.login) ?? [];
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      after = await assigneesOf();
      const missing = logins.filter((l) => !has(after, l));
      if (missing.length === 0) return;
      this.#assignees.delete(repoKey(repo));
      const refused = await this.unassignable(repo, missing);
      // Every missing login is assignable: an outage (or a proxy) answered, not Gitea's refusal.
      if (refused.length === 0) throw err;
      // Assignable logins that went missing were stripped on the way (Gitea ≤ 1.26): put them back.
      if (refused.length < missing.length) await call(logins.filter((l) => !has(refused, l)));
      throw new UnassignableError(repo, refused);
    }
    // A poster without write gets 201 with the assignees ignored (issue.go:857).
    if (!logins.every((l) => has(after, l))) {
      throw new RejectedError(this.displayName, `PATCH assignees of issue ${repo}#${number}`, 201, 'the server ignored the assignees (the token user needs write access to issues)');
    }
  }

  async listRepoComments(repo: string, since: string | null): Promise<RepoComments> {
    const limit = await this.#limit({ requests: 0 });
    const subject = `the comments of repo ${repo}`;
    const paged = await fetchAllPages(
      async (page) => {
        const query = { ...(since !== null ? { since } : {}), page, limit };
        const res = await this.#http.call(ENDPOINTS.listRepoComments, { params: splitRepo(repo), query, subject, action: `read ${subject}`, repo });
        return { items: res.data, total: undefined, serverTime: res.serverTime };
      },
      { limit, concurrency: 1, maxItems: this.#maxListItems, subject },
    );
    const comments = paged.items.flatMap((raw) => {
      // A pull request's comment has no issue_url; commands are read on issues only.
      const number = Number(/\/issues\/(\d+)$/.exec(raw.issue_url ?? '')?.[1] ?? Number.NaN);
      return Number.isSafeInteger(number) ? [{ ...toComment(raw), number }] : [];
    });
    return { comments, serverTime: paged.serverTime === undefined ? undefined : new Date(paged.serverTime).toISOString() };
  }

  async editIssueBody(repo: string, number: number, body: string): Promise<Issue> {
    const subject = `issue ${repo}#${number}`;
    const { data } = await this.#http.call(ENDPOINTS.editIssue, { params: { ...splitRepo(repo), index: number }, body: { body }, subject, action: `edit ${subject}`, repo });
    return issueFromGitea(data, repo);
  }

  async closeIssue(repo: string, number: number): Promise<void> {
    const subject = `issue ${repo}#${number}`;
    await this.#http.call(ENDPOINTS.closeIssue, { params: { ...splitRepo(repo), index: number }, body: { state: 'closed' }, subject, action: `close ${subject}`, repo });
  }

  async createIssue(repo: string, title: string, body: string): Promise<Issue> {
    const { data } = await this.#http.call(ENDPOINTS.createIssue, {
      params: splitRepo(repo),
      body: { title, body },
      subject: `repo ${repo}`,
      action: `open an issue in ${repo}`,
      repo,
    });
    return issueFromGitea(data, repo);
  }

  /** The repo's labels by name, listed once and kept; a failed listing is not kept. */
  #labelIndex(repo: string): Promise<LabelIndex> {
    const key = repoKey(repo);
    let index = this.#labels.get(key);
    if (!index) {
      index = this.#fetchLabels(repo);
      this.#labels.set(key, index);
      const listed = index;
      listed.catch(() => {
        if (this.#labels.get(key) === listed) this.#labels.delete(key);
      });
    }
    return index;
  }

  /**
   * The repo's labels and, when the owner is an organisation, the org's: issues carry both and the
   * label endpoints accept both, but the repo list shows only its own (routers/api/v1/repo/label.go:52).
   */
  async #fetchLabels(repo: string): Promise<LabelIndex> {
    const limit = await this.#limit({ requests: 0 });
    const { owner } = splitRepo(repo);
    const list = (endpoint: typeof ENDPOINTS.listLabels | typeof ENDPOINTS.orgLabels, params: Record<string, string>) =>
      fetchAllPages(
        async (page) => {
          const res = await this.#http.call(endpoint, { params, query: { page, limit }, subject: `labels of ${repo}`, repo });
          return { items: res.data, total: res.totalCount, serverTime: res.serverTime };
        },
        { limit, concurrency: this.#concurrency, maxItems: this.#maxListItems, subject: `the labels of ${repo}` },
      );
    const [own, org] = await Promise.all([list(ENDPOINTS.listLabels, splitRepo(repo)), this.#orgLabels(owner, list)]);
    const index: LabelIndex = new Map();
    this.#labelsListedAt.set(index, this.#now());
    // Repo labels first; Gitea allows duplicate names, the oldest (lowest id) is the one people see first.
    for (const l of [...own.items, ...org]) {
      if (!index.has(l.name)) index.set(l.name, { id: l.id, name: l.name, color: withHash(l.color) });
    }
    return index;
  }

  /** An organisation owner's labels; [] for a user owner (the org endpoint answers 404, remembered). */
  async #orgLabels(
    owner: string,
    list: (endpoint: typeof ENDPOINTS.orgLabels, params: Record<string, string>) => Promise<Paged<z.output<typeof LabelSchema>>>,
  ): Promise<z.output<typeof LabelSchema>[]> {
    const key = owner.toLowerCase();
    if ((await this.#orgOwners.get(key)) === false) return [];
    try {
      const { items } = await list(ENDPOINTS.orgLabels, { org: owner });
      this.#orgOwners.set(key, Promise.resolve(true));
      return items;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      this.#orgOwners.set(key, Promise.resolve(false));
      return [];
    }
  }

  /** The label's id, creating the label once per repo when it does not exist. */
  async #ensureLabel(repo: string, name: string): Promise<TrackerLabel> {
    const known = (await this.#labelIndex(repo)).get(name);
    if (known) return known;
    const key = `${repo}\n${name}`;
    let creating = this.#creatingLabels.get(key);
    if (!creating) {
      creating = this.#createLabel(repo, name);
      this.#creatingLabels.set(key, creating);
      // Once settled the index holds the label (or, on failure, is re-listed next time).
      void creating.catch(() => undefined).finally(() => this.#creatingLabels.delete(key));
    }
    return creating;
  }

  async #createLabel(repo: string, name: string): Promise<TrackerLabel> {
    let index = await this.#labelIndex(repo);
    // Someone may have created it since we listed, and Gitea accepts duplicate names.
    if (this.#now() - (this.#labelsListedAt.get(index) ?? 0) > LABELS_FRESH_MS) {
      this.#labels.delete(repoKey(repo));
      index = await this.#labelIndex(repo);
      const found = index.get(name);
      if (found) return found;
    }
    try {
      const { data } = await this.#http.call(ENDPOINTS.createLabel, {
        params: splitRepo(repo),
        body: { name, color: this.#labelColors[name] ?? this.#defaultLabelColor },
        subject: `repo ${repo}`,
        action: `create label ${name} in ${repo}`,
        repo,
      });
      const label = { id: data.id, name: data.name, color: withHash(data.color) };
      index.set(name, label);
      return label;
    } catch (err) {
      // The POST may have landed, so the next attempt lists again instead of trusting the cache.
      this.#labels.delete(repoKey(repo));
      throw err;
    }
  }
}

export function createGiteaTracker(options: GiteaTrackerOptions): GiteaTracker {
  return new GiteaTracker(options);
}
