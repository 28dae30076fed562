import { createHash } from 'node:crypto';
import type { EventRecord, IssueRecord, LabelRecord, RepoState, StatusRecord } from '../state.js';
import type { SandboxStore } from '../store.js';
import { combinedState } from '../views.js';

/**
 * Store records rendered in GitHub REST shapes (api.github.com, version 2022-11-28): each object
 * carries every property its schema in GitHub's OpenAPI description
 * (github/rest-api-description, descriptions/api.github.com/api.github.com.json, as vendored in
 * @octokit/openapi) marks required, so the contract test can hold each response to it.
 */

export interface GithubViewContext {
  /** the API base, e.g. http://127.0.0.1:3000 (api.github.com's place) */
  readonly baseUrl: string;
  readonly store: SandboxStore;
  /** logins whose commit statuses the dialect reports as check runs (the simulated agents' CI) */
  readonly checkRunCreators: ReadonlySet<string>;
  /** the token's user: a repository's `permissions` are theirs (repos/get) */
  readonly actor?: string;
}

type Json = Record<string, unknown>;

const fullName = (repo: RepoState): string => `${repo.owner}/${repo.name}`;
/** GitHub's global node ids are opaque base64 strings; a stable stand-in. */
const nodeId = (kind: string, id: number): string => Buffer.from(`0:${kind}${id}`).toString('base64').replace(/=+$/, '');
const html = (ctx: GithubViewContext): string => ctx.baseUrl.replace(/\/api\/v3$/, '');

/** simple-user */
export function userJson(ctx: GithubViewContext, login: string): Json {
  const user = ctx.store.user(login);
  // GitHub shows deleted accounts as "ghost" (id 10137).
  const name = user?.login ?? 'ghost';
  const id = user?.id ?? 10137;
  const api = `${ctx.baseUrl}/users/${encodeURIComponent(name)}`;
  return {
    login: name,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${html(ctx)}/avatars/u/${id}`,
    gravatar_id: '',
    url: api,
    html_url: `${html(ctx)}/${encodeURIComponent(name)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

/** label: the colour without `#` */
export function labelJson(ctx: GithubViewContext, repo: RepoState, label: LabelRecord): Json {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${ctx.baseUrl}/repos/${fullName(repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description === '' ? null : label.description,
    color: label.color,
    default: false,
  };
}

/**
 * `author_association` from the author's access (schema `author-association`): the token user
 * and repo owner are OWNER, write/admin collaborators COLLABORATOR, anyone else NONE.
 */
export function association(ctx: GithubViewContext, repo: RepoState, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return 'OWNER';
  const access = ctx.store.permission(login);
  if (access === 'owner') return 'OWNER';
  if (access === 'admin' || access === 'write') return 'COLLABORATOR';
  return 'NONE';
}

const issueHtml = (ctx: GithubViewContext, repo: RepoState, issue: IssueRecord): string =>
  `${html(ctx)}/${fullName(repo)}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`;

/** issue; a pull request listed among issues carries a `pull_request` key (GitHub: "List repository issues"). */
export function issueJson(ctx: GithubViewContext, repo: RepoState, issue: IssueRecord): Json {
  const name = fullName(repo);
  const api = `${ctx.baseUrl}/repos/${name}/issues/${issue.number}`;
  const assignees = issue.assignees.map((a) => userJson(ctx, a));
  const pull = issue.pull;
  return {
    id: issue.id,
    node_id: nodeId('Issue', issue.id),
    url: api,
    repository_url: `${ctx.baseUrl}/repos/${name}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: issueHtml(ctx, repo, issue),
    number: issue.number,
    state: issue.state,
    state_reason: issue.state === 'closed' ? 'completed' : null,
    title: issue.title,
    body: issue.body === '' ? null : issue.body,
    user: userJson(ctx, issue.author),
    labels: ctx.store.labelsOf(name, issue).map((l) => labelJson(ctx, repo, l)),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: issue.isLocked,
    active_lock_reason: null,
    comments: ctx.store.comments(name, issue.number).length,
    ...(pull
      ? {
          pull_request: {
            url: `${ctx.baseUrl}/repos/${name}/pulls/${issue.number}`,
            html_url: issueHtml(ctx, repo, issue),
            diff_url: `${issueHtml(ctx, repo, issue)}.diff`,
            patch_url: `${issueHtml(ctx, repo, issue)}.patch`,
            merged_at: pull.mergedAt,
          },
          draft: false,
        }
      : {}),
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: null,
    author_association: association(ctx, repo, issue.author),
    reactions: reactions(`${api}/reactions`),
    timeline_url: `${api}/timeline`,
  };
}

const reactions = (url: string): Json => ({
  url,
  total_count: 0,
  '+1': 0,
  '-1': 0,
  laugh: 0,
  confused: 0,
  heart: 0,
  hooray: 0,
  eyes: 0,
  rocket: 0,
});

/** issue-comment */
export function commentJson(ctx: GithubViewContext, repo: RepoState, event: EventRecord): Json {
  const name = fullName(repo);
  const issue = ctx.store.issue(name, event.issue);
  return {
    id: event.id,
    node_id: nodeId('IssueComment', event.id),
    url: `${ctx.baseUrl}/repos/${name}/issues/comments/${event.id}`,
    html_url: `${issue ? issueHtml(ctx, repo, issue) : `${html(ctx)}/${name}/issues/${event.issue}`}#issuecomment-${event.id}`,
    body: event.body,
    user: userJson(ctx, event.author),
    created_at: event.createdAt,
    updated_at: event.updatedAt,
    issue_url: `${ctx.baseUrl}/repos/${name}/issues/${event.issue}`,
    author_association: association(ctx, repo, event.author),
    reactions: reactions(`${ctx.baseUrl}/repos/${name}/issues/comments/${event.id}/reactions`),
  };
}

/**
 * timeline-issue-events: comments are `commented`, Gitea's `pull_ref` is GitHub's
 * `cross-referenced` with the referencing PR as `source.issue`, close/reopen are state changes.
 */
export function timelineJson(ctx: GithubViewContext, repo: RepoState, event: EventRecord): Json {
  const name = fullName(repo);
  if (event.type === 'comment') return { ...commentJson(ctx, repo, event), event: 'commented', actor: userJson(ctx, event.author) };
  if (event.type === 'pull_ref') {
    const source = event.refIssue === null ? undefined : ctx.store.issue(name, event.refIssue);
    return {
      event: 'cross-referenced',
      actor: userJson(ctx, event.author),
      created_at: event.createdAt,
      updated_at: event.updatedAt,
      source: { type: 'issue', issue: source ? { ...issueJson(ctx, repo, source), repository: repoJson(ctx, repo) } : undefined },
    };
  }
  return {
    id: event.id,
    node_id: nodeId('IssueEvent', event.id),
    url: `${ctx.baseUrl}/repos/${name}/issues/events/${event.id}`,
    actor: userJson(ctx, event.author),
    event: event.type === 'close' ? 'closed' : 'reopened',
    commit_id: null,
    commit_url: null,
    created_at: event.createdAt,
    performed_via_github_app: null,
  };
}

const REPO_URLS: readonly [string, string][] = [
  ['archive_url', '/{archive_format}{/ref}'],
  ['assignees_url', '/assignees{/user}'],
  ['blobs_url', '/git/blobs{/sha}'],
  ['branches_url', '/branches{/branch}'],
  ['collaborators_url', '/collaborators{/collaborator}'],
  ['comments_url', '/comments{/number}'],
  ['commits_url', '/commits{/sha}'],
  ['compare_url', '/compare/{base}...{head}'],
  ['contents_url', '/contents/{+path}'],
  ['contributors_url', '/contributors'],
  ['deployments_url', '/deployments'],
  ['downloads_url', '/downloads'],
  ['events_url', '/events'],
  ['forks_url', '/forks'],
  ['git_commits_url', '/git/commits{/sha}'],
  ['git_refs_url', '/git/refs{/sha}'],
  ['git_tags_url', '/git/tags{/sha}'],
  ['hooks_url', '/hooks'],
  ['issue_comment_url', '/issues/comments{/number}'],
  ['issue_events_url', '/issues/events{/number}'],
  ['issues_url', '/issues{/number}'],
  ['keys_url', '/keys{/key_id}'],
  ['labels_url', '/labels{/name}'],
  ['languages_url', '/languages'],
  ['merges_url', '/merges'],
  ['milestones_url', '/milestones{/number}'],
  ['notifications_url', '/notifications{?since,all,participating}'],
  ['pulls_url', '/pulls{/number}'],
  ['releases_url', '/releases{/id}'],
  ['stargazers_url', '/stargazers'],
  ['statuses_url', '/statuses/{sha}'],
  ['subscribers_url', '/subscribers'],
  ['subscription_url', '/subscription'],
  ['tags_url', '/tags'],
  ['teams_url', '/teams'],
  ['trees_url', '/git/trees{/sha}'],
];

/** minimal-repository fields, plus full-repository's with `full`. */
export function repoJson(ctx: GithubViewContext, repo: RepoState, full = false): Json {
  const name = fullName(repo);
  const api = `${ctx.baseUrl}/repos/${name}`;
  const htmlUrl = `${html(ctx)}/${name}`;
  const urls = Object.fromEntries(REPO_URLS.map(([key, tail]) => [key, `${api}${tail}`]));
  const openIssues = repo.issues.filter((i) => i.state === 'open').length;
  const access = ctx.store.permission(ctx.actor ?? ctx.store.login) ?? 'none';
  const base: Json = {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: name,
    owner: userJson(ctx, repo.owner),
    private: false,
    html_url: htmlUrl,
    description: repo.description === '' ? null : repo.description,
    fork: false,
    url: api,
    ...urls,
  };
  if (!full) return base;
  return {
    ...base,
    clone_url: `${htmlUrl}.git`,
    git_url: `git://${new URL(htmlUrl).host}/${name}.git`,
    ssh_url: `git@${new URL(htmlUrl).hostname}:${name}.git`,
    svn_url: htmlUrl,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    // Required by `repository` in the 2022-11-28 description (dropped in 2026-03-10).
    has_downloads: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    permissions: {
      admin: access === 'admin' || access === 'owner',
      maintain: access === 'admin' || access === 'owner',
      push: access !== 'none' && access !== 'read',
      triage: access !== 'none' && access !== 'read',
      pull: access !== 'none',
    },
    license: null,
    network_count: 0,
    subscribers_count: 1,
  };
}

/** pull-request */
export function pullJson(ctx: GithubViewContext, repo: RepoState, issue: IssueRecord): Json {
  const pull = issue.pull;
  if (!pull) throw new Error(`#${issue.number} is not a pull request`);
  const name = fullName(repo);
  const api = `${ctx.baseUrl}/repos/${name}/pulls/${issue.number}`;
  const issueApi = `${ctx.baseUrl}/repos/${name}/issues/${issue.number}`;
  const htmlUrl = issueHtml(ctx, repo, issue);
  const asIssue = issueJson(ctx, repo, issue);
  const branch = (ref: string, sha: string): Json => ({ label: `${repo.owner}:${ref}`, ref, sha, user: userJson(ctx, repo.owner), repo: repoJson(ctx, repo, true) });
  const link = (href: string): Json => ({ href });
  return {
    url: api,
    id: issue.id,
    node_id: nodeId('PullRequest', issue.id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${ctx.baseUrl}/repos/${name}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${ctx.baseUrl}/repos/${name}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.isLocked,
    title: issue.title,
    user: asIssue.user,
    body: asIssue.body,
    labels: asIssue.labels,
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: asIssue.assignee,
    assignees: asIssue.assignees,
    requested_reviewers: [],
    requested_teams: [],
    head: branch(pull.headRef, pull.headSha),
    base: branch(pull.baseRef, repo.headSha),
    _links: {
      self: link(api),
      html: link(htmlUrl),
      issue: link(issueApi),
      comments: link(`${issueApi}/comments`),
      review_comments: link(`${api}/comments`),
      review_comment: link(`${ctx.baseUrl}/repos/${name}/pulls/comments{/number}`),
      commits: link(`${api}/commits`),
      statuses: link(`${ctx.baseUrl}/repos/${name}/statuses/${pull.headSha}`),
    },
    author_association: association(ctx, repo, issue.author),
    auto_merge: null,
    draft: false,
    merged: pull.merged,
    mergeable: pull.merged || issue.state !== 'open' ? null : true,
    rebaseable: null,
    mergeable_state: pull.merged || issue.state !== 'open' ? 'unknown' : 'clean',
    merged_by: pull.mergedBy ? userJson(ctx, pull.mergedBy) : null,
    comments: asIssue.comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 12,
    deletions: 3,
    changed_files: 2,
  };
}

/** GitHub's commit states: no warning or skipped (create-commit-status); Gitea's extra ones map onto them. */
const GITHUB_STATE: Record<StatusRecord['state'], 'error' | 'failure' | 'pending' | 'success'> = {
  pending: 'pending',
  success: 'success',
  error: 'error',
  failure: 'failure',
  warning: 'failure',
  skipped: 'success',
};

/** The statuses GitHub reports as commit statuses (not check runs), the latest per context. */
export function commitStatuses(ctx: GithubViewContext, repo: RepoState, sha: string): StatusRecord[] {
  return ctx.store.latestStatuses(fullName(repo), sha).filter((s) => !ctx.checkRunCreators.has(s.creator.toLowerCase()));
}

/**
 * combined-commit-status. GitHub's rule (repos/get-combined-status-for-ref): failure if any
 * context is error or failure, pending if there are none or any is pending, else success.
 */
export function combinedStatusJson(ctx: GithubViewContext, repo: RepoState, sha: string): Json {
  const statuses = commitStatuses(ctx, repo, sha);
  const name = fullName(repo);
  const state = statuses.some((s) => GITHUB_STATE[s.state] === 'error' || GITHUB_STATE[s.state] === 'failure')
    ? 'failure'
    : statuses.length === 0
      ? 'pending'
      : combinedState(statuses) === 'success'
        ? 'success'
        : 'pending';
  return {
    state,
    statuses: statuses.map((s) => ({
      url: `${ctx.baseUrl}/repos/${name}/statuses/${s.sha}`,
      avatar_url: null,
      id: s.id,
      node_id: nodeId('StatusContext', s.id),
      state: GITHUB_STATE[s.state],
      description: s.description === '' ? null : s.description,
      target_url: s.targetUrl === '' ? null : s.targetUrl,
      context: s.context,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    })),
    sha,
    total_count: statuses.length,
    repository: repoJson(ctx, repo),
    commit_url: `${ctx.baseUrl}/repos/${name}/commits/${sha}`,
    url: `${ctx.baseUrl}/repos/${name}/commits/${sha}/status`,
  };
}

/**
 * check-runs of a commit: the simulated agents' CI, as GitHub Actions reports it (a check run
 * per job; `queued`/`in_progress` until `completed` with a conclusion).
 */
export function checkRunsJson(ctx: GithubViewContext, repo: RepoState, sha: string): Json {
  const name = fullName(repo);
  const runs = ctx.store.latestStatuses(name, sha).filter((s) => ctx.checkRunCreators.has(s.creator.toLowerCase()));
  const actions = {
    id: 15368,
    slug: 'github-actions',
    node_id: nodeId('App', 15368),
    owner: userJson(ctx, 'github'),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: 'https://help.github.com/en/actions',
    html_url: `${html(ctx)}/apps/github-actions`,
    created_at: '2018-07-30T09:30:17Z',
    updated_at: '2019-12-10T19:04:12Z',
    permissions: { checks: 'write', statuses: 'write' },
    events: [],
  };
  const check_runs = runs.map((s) => {
    const done = s.state !== 'pending';
    const conclusion = !done ? null : s.state === 'success' ? 'success' : s.state === 'skipped' ? 'skipped' : 'failure';
    const url = `${ctx.baseUrl}/repos/${name}/check-runs/${s.id}`;
    return {
      id: s.id,
      head_sha: s.sha,
      node_id: nodeId('CheckRun', s.id),
      external_id: String(s.id),
      url,
      html_url: `${html(ctx)}/${name}/runs/${s.id}`,
      details_url: `${html(ctx)}/${name}/actions/runs/${s.id}/job/${s.id}`,
      status: done ? 'completed' : 'in_progress',
      conclusion,
      started_at: s.createdAt,
      completed_at: done ? s.updatedAt : null,
      output: { title: s.description || null, summary: null, text: null, annotations_count: 0, annotations_url: `${url}/annotations` },
      name: s.context,
      check_suite: { id: s.id },
      app: actions,
      pull_requests: [],
    };
  });
  return { total_count: check_runs.length, check_runs };
}

/** A weak ETag of the body, as GitHub sends for lists (`W/"…"`); the same body gives the same tag. */
export const etagOf = (text: string): string => `W/"${createHash('sha256').update(text).digest('hex').slice(0, 40)}"`;
