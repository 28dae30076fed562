import type { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { type Issue, issueFromGitea, type RawGiteaIssue } from '../../core/issue.js';
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
} from '../../core/ports.js';
import {
  fetchAllPages,
  HttpClient,
  locateForge,
  mapBounded,
  type Paged,
  type RetryOptions,
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
import type { CommentSchema, TimelineSchema } from './schemas.js';

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

/** Used when /settings/api cannot be read: Gitea's and Forgejo's default MaxResponseItems. */
const FALLBACK_PAGE_LIMIT = 50;

export const DEFAULT_LABEL_COLORS: Readonly<Record<string, string>> = { 'needs-human': '#e11d48' };
export const DEFAULT_LABEL_COLOR = '#64748b';

/** A label listing younger than this is trusted when deciding to create a label. */
const LABELS_FRESH_MS = 10_000;

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
    const counter: Counter = { requests: 0 };
    const previous = this.#backlogs.get(repo);
    const incremental = previous !== undefined && !full;
    const startedAt = this.#now();
    const query = incremental
      ? { state: 'all', type: 'issues', since: sinceParam(previous.syncedAt, this.#overlapMs) }
      : { state: 'open', type: 'issues' };
    const fetched = await this.#listIssues(repo, query, counter);
    const issues = fetched.items.filter((raw) => raw.pull_request == null).map((raw) => issueFromGitea(raw, repo));
    // The server's clock, not ours: `since` is compared with times the server wrote.
    const syncedAt = fetched.serverTime ?? startedAt;
    const next = incremental ? mergeChanges(previous, issues, syncedAt) : backlogFromFull(issues, syncedAt);
    this.#backlogs.set(repo, next);
    return { issues: backlogIssues(next), mode: incremental ? 'incremental' : 'full', requests: counter.requests };
  }

  async #listIssues(
    repo: string,
    query: { state: string; type: string; since?: string },
    counter: Counter,
  ): Promise<Paged<RawGiteaIssue>> {
    const limit = await this.#limit(counter);
    return fetchAllPages(
      async (page) => {
        const res = await this.#http.call(ENDPOINTS.listIssues, {
          params: splitRepo(repo),
          query: { ...query, page, limit },
          subject: `repo ${repo}`,
          counter,
        });
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
    const { data } = await this.#http.call(ENDPOINTS.getIssue, {
      params: { ...splitRepo(repo), index: number },
      subject: `issue ${repo}#${number}`,
    });
    return issueFromGitea(data, repo);
  }

  async listComments(repo: string, number: number): Promise<TrackerComment[]> {
    // Not paginated in Gitea 1.26 nor Forgejo: one request returns every comment.
    const { data } = await this.#http.call(ENDPOINTS.listComments, {
      params: { ...splitRepo(repo), index: number },
      subject: `issue ${repo}#${number}`,
    });
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
    this.#labels.delete(repo);
    return [...(await this.#labelIndex(repo)).values()];
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
        const res = await this.#http.call(ENDPOINTS.timeline, {
          params: { ...splitRepo(repo), index: number },
          query: { page, limit },
          subject: `issue ${repo}#${number}`,
        });
        return { items: res.data, total: undefined, serverTime: res.serverTime };
      },
      { limit, concurrency: 1, maxItems: this.#maxListItems, subject: `the timeline of issue ${repo}#${number}` },
    );
    return timeline.items;
  }

  async linkedPullRequests(repo: string, number: number): Promise<LinkedPullRequest[]> {
    const numbers = new Set<number>();
    for (const event of await this.#timeline(repo, number)) {
      const ref = event.ref_issue;
      if (event.type !== 'pull_ref' || !ref) continue;
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
    }));
  }

  async closedBy(repo: string, number: number): Promise<string | null> {
    const closes = (await this.#timeline(repo, number)).filter((e) => e.type === 'close' || e.type === 'reopen');
    const last = closes.at(-1);
    return last?.type === 'close' ? (last.user?.login ?? null) : null;
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
    const { data } = await this.#http.call(ENDPOINTS.createComment, {
      params: { ...splitRepo(repo), index: number },
      body: { body },
      subject: `issue ${repo}#${number}`,
    });
    return toComment(data);
  }

  async editComment(repo: string, commentId: number, body: string): Promise<TrackerComment> {
    const params = { ...splitRepo(repo), id: commentId };
    const subject = `comment ${commentId} in ${repo}`;
    const { data } = await this.#http.call(ENDPOINTS.editComment, { params, body: { body }, subject });
    if (data) return toComment(data);
    // 204: the edit was applied but the server did not echo the comment.
    return toComment((await this.#http.call(ENDPOINTS.getComment, { params, subject })).data);
  }

  async addLabels(repo: string, number: number, names: readonly string[]): Promise<void> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return;
    const labels = await Promise.all(unique.map((name) => this.#ensureLabel(repo, name)));
    await this.#http.call(ENDPOINTS.addIssueLabels, {
      params: { ...splitRepo(repo), index: number },
      body: { labels: labels.map((l) => l.id) },
      subject: `issue ${repo}#${number}`,
    });
  }

  async removeLabel(repo: string, number: number, name: string): Promise<void> {
    let label = (await this.#labelIndex(repo)).get(name);
    if (!label) {
      // Someone may have created it since we listed; look once more before concluding.
      this.#labels.delete(repo);
      label = (await this.#labelIndex(repo)).get(name);
    }
    if (!label) return;
    await this.#http.call(ENDPOINTS.removeIssueLabel, {
      params: { ...splitRepo(repo), index: number, id: label.id },
      subject: `issue ${repo}#${number}`,
    });
  }

  async setAssignees(repo: string, number: number, logins: readonly string[]): Promise<void> {
    await this.#http.call(ENDPOINTS.setAssignees, {
      params: { ...splitRepo(repo), index: number },
      body: { assignees: [...logins] },
      subject: `issue ${repo}#${number}`,
    });
  }

  async createIssue(repo: string, title: string, body: string): Promise<Issue> {
    const { data } = await this.#http.call(ENDPOINTS.createIssue, {
      params: splitRepo(repo),
      body: { title, body },
      subject: `repo ${repo}`,
    });
    return issueFromGitea(data, repo);
  }

  /** The repo's labels by name, listed once and kept; a failed listing is not kept. */
  #labelIndex(repo: string): Promise<LabelIndex> {
    let index = this.#labels.get(repo);
    if (!index) {
      index = this.#fetchLabels(repo);
      this.#labels.set(repo, index);
      const listed = index;
      listed.catch(() => {
        if (this.#labels.get(repo) === listed) this.#labels.delete(repo);
      });
    }
    return index;
  }

  async #fetchLabels(repo: string): Promise<LabelIndex> {
    const limit = await this.#limit({ requests: 0 });
    const { items } = await fetchAllPages(
      async (page) => {
        const res = await this.#http.call(ENDPOINTS.listLabels, {
          params: splitRepo(repo),
          query: { page, limit },
          subject: `repo ${repo}`,
        });
        return { items: res.data, total: res.totalCount, serverTime: res.serverTime };
      },
      { limit, concurrency: this.#concurrency, maxItems: this.#maxListItems, subject: `the labels of repo ${repo}` },
    );
    const index: LabelIndex = new Map();
    this.#labelsListedAt.set(index, this.#now());
    for (const l of items) {
      // Gitea allows duplicate names; the oldest (lowest id) is the one people see first.
      if (!index.has(l.name)) index.set(l.name, { id: l.id, name: l.name, color: withHash(l.color) });
    }
    return index;
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
      this.#labels.delete(repo);
      index = await this.#labelIndex(repo);
      const found = index.get(name);
      if (found) return found;
    }
    try {
      const { data } = await this.#http.call(ENDPOINTS.createLabel, {
        params: splitRepo(repo),
        body: { name, color: this.#labelColors[name] ?? this.#defaultLabelColor },
        subject: `repo ${repo}`,
      });
      const label = { id: data.id, name: data.name, color: withHash(data.color) };
      index.set(name, label);
      return label;
    } catch (err) {
      // The POST may have landed, so the next attempt lists again instead of trusting the cache.
      this.#labels.delete(repo);
      throw err;
    }
  }
}

export function createGiteaTracker(options: GiteaTrackerOptions): GiteaTracker {
  return new GiteaTracker(options);
}
