import type { Access, EventRecord, IssueRecord, LabelRecord, OrgLabelRecord, RepoState, StatusRecord } from './state.js';
import type { SandboxStore } from './store.js';

/**
 * Store records rendered as Gitea 1.26 sends them: every field of the spec's definitions that a
 * client may read, with Gitea's nulls and empty strings for what the sandbox does not model.
 */

export interface ViewContext {
  /** e.g. http://127.0.0.1:3000, no trailing slash */
  readonly baseUrl: string;
  readonly store: SandboxStore;
  /** who asks (repo permissions are theirs); the token user when absent */
  readonly actor?: string;
}

type Json = Record<string, unknown>;

const api = (ctx: ViewContext, path: string): string => `${ctx.baseUrl}/api/v1${path}`;
const fullName = (repo: RepoState): string => `${repo.owner}/${repo.name}`;

export function userJson(ctx: ViewContext, login: string): Json {
  const user = ctx.store.user(login);
  // Gitea shows deleted authors as the "Ghost" user with id -1.
  const name = user?.login ?? 'Ghost';
  return {
    id: user?.id ?? -1,
    login: name,
    login_name: '',
    source_id: 0,
    full_name: user?.fullName ?? '',
    email: `${name.toLowerCase()}@noreply.localhost`,
    avatar_url: `${ctx.baseUrl}/avatars/${encodeURIComponent(name.toLowerCase())}`,
    html_url: `${ctx.baseUrl}/${encodeURIComponent(name)}`,
    language: '',
    is_admin: user?.login === ctx.store.login,
    last_login: user?.createdAt ?? '1970-01-01T00:00:00Z',
    created: user?.createdAt ?? '1970-01-01T00:00:00Z',
    restricted: false,
    active: true,
    prohibit_login: false,
    location: '',
    website: '',
    description: '',
    visibility: 'public',
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
  };
}

export function labelJson(ctx: ViewContext, repo: RepoState, label: LabelRecord | OrgLabelRecord): Json {
  if ('org' in label) return orgLabelJson(ctx, label);
  return { ...labelFields(label), url: api(ctx, `/repos/${fullName(repo)}/labels/${label.id}`) };
}

/** An organisation's label: the same fields, its URL under /orgs. */
export function orgLabelJson(ctx: ViewContext, label: OrgLabelRecord): Json {
  return { ...labelFields(label), url: api(ctx, `/orgs/${label.org}/labels/${label.id}`) };
}

const labelFields = (label: LabelRecord): Json => ({
  id: label.id,
  name: label.name,
  exclusive: label.exclusive,
  is_archived: label.isArchived,
  color: label.color,
  description: label.description,
});

const htmlUrl = (ctx: ViewContext, repo: RepoState, issue: IssueRecord): string =>
  `${ctx.baseUrl}/${fullName(repo)}/${issue.pull ? 'pulls' : 'issues'}/${issue.number}`;

export function issueJson(ctx: ViewContext, repo: RepoState, issue: IssueRecord): Json {
  const name = fullName(repo);
  const assignees = issue.assignees.map((a) => userJson(ctx, a));
  const pull = issue.pull;
  return {
    id: issue.id,
    url: api(ctx, `/repos/${name}/issues/${issue.number}`),
    html_url: htmlUrl(ctx, repo, issue),
    number: issue.number,
    user: userJson(ctx, issue.author),
    original_author: '',
    original_author_id: 0,
    title: issue.title,
    body: issue.body,
    ref: '',
    assets: [],
    labels: ctx.store.labelsOf(name, issue).map((l) => labelJson(ctx, repo, l)),
    milestone: null,
    assignee: assignees[0] ?? null,
    assignees,
    state: issue.state,
    is_locked: issue.isLocked,
    comments: ctx.store.comments(name, issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    due_date: null,
    time_estimate: 0,
    pull_request: pull
      ? { merged: pull.merged, merged_at: pull.mergedAt, draft: false, html_url: htmlUrl(ctx, repo, issue) }
      : null,
    repository: { id: repo.id, name: repo.name, owner: repo.owner, full_name: name },
    pin_order: 0,
    content_version: 0,
  };
}

export function commentJson(ctx: ViewContext, repo: RepoState, event: EventRecord): Json {
  const issue = ctx.store.issue(fullName(repo), event.issue);
  const issueUrl = issue ? htmlUrl(ctx, repo, issue) : '';
  return {
    id: event.id,
    html_url: `${issueUrl}#issuecomment-${event.id}`,
    pull_request_url: issue?.pull ? issueUrl : '',
    issue_url: issue?.pull ? '' : issueUrl,
    user: userJson(ctx, event.author),
    original_author: '',
    original_author_id: 0,
    body: event.body,
    assets: [],
    created_at: event.createdAt,
    updated_at: event.updatedAt,
  };
}

/**
 * A timeline entry; null when it refers to an issue that no longer exists, as Gitea's converter
 * returns nil then and appends it anyway (services/convert/issue_comment.go:140-145).
 */
export function timelineJson(ctx: ViewContext, repo: RepoState, event: EventRecord): Json | null {
  const ref = event.refIssue === null ? undefined : ctx.store.issue(fullName(repo), event.refIssue);
  if (event.refIssue !== null && !ref) return null;
  const { assets: _assets, original_author: _a, original_author_id: _b, ...base } = commentJson(ctx, repo, event);
  return {
    ...base,
    type: event.type,
    ref_action: event.refAction ?? '',
    ref_commit_sha: '',
    ref_issue: ref ? issueJson(ctx, repo, ref) : null,
    ref_comment: null,
    label: null,
    milestone: null,
    old_milestone: null,
    new_title: '',
    old_title: '',
    old_ref: '',
    new_ref: '',
    assignee: null,
    assignee_team: null,
    removed_assignee: false,
    resolve_doer: null,
    dependent_issue: null,
    tracked_time: null,
    project_id: 0,
    old_project_id: 0,
    review_id: 0,
  };
}

const PERMISSIONS: Record<Access, { admin: boolean; push: boolean; pull: boolean }> = {
  none: { admin: false, push: false, pull: false },
  read: { admin: false, push: false, pull: true },
  write: { admin: false, push: true, pull: true },
  admin: { admin: true, push: true, pull: true },
  owner: { admin: true, push: true, pull: true },
};

export function repoJson(ctx: ViewContext, repo: RepoState): Json {
  const name = fullName(repo);
  let openIssues = 0;
  let openPulls = 0;
  let pulls = 0;
  for (const i of repo.issues) {
    if (i.pull) pulls++;
    if (i.state !== 'open') continue;
    if (i.pull) openPulls++;
    else openIssues++;
  }
  const html = `${ctx.baseUrl}/${name}`;
  return {
    id: repo.id,
    owner: userJson(ctx, repo.owner),
    name: repo.name,
    full_name: name,
    description: repo.description,
    empty: false,
    private: false,
    fork: false,
    template: false,
    parent: null,
    mirror: false,
    size: 0,
    language: '',
    languages_url: api(ctx, `/repos/${name}/languages`),
    html_url: html,
    url: api(ctx, `/repos/${name}`),
    link: '',
    ssh_url: `git@127.0.0.1:${name}.git`,
    clone_url: `${html}.git`,
    original_url: '',
    website: '',
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: openIssues,
    open_pr_counter: openPulls,
    release_counter: 0,
    default_branch: repo.defaultBranch,
    archived: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    archived_at: '1970-01-01T00:00:00Z',
    permissions: PERMISSIONS[ctx.store.permission(ctx.actor ?? ctx.store.login) ?? 'none'],
    has_code: true,
    has_issues: true,
    internal_tracker: { enable_time_tracker: false, allow_only_contributors_to_track_time: true, enable_issue_dependencies: true },
    has_wiki: false,
    has_pull_requests: true,
    has_projects: false,
    projects_mode: 'all',
    has_releases: false,
    has_packages: false,
    has_actions: false,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    allow_fast_forward_only_merge: true,
    allow_rebase_update: true,
    allow_manual_merge: false,
    autodetect_manual_merge: false,
    default_delete_branch_after_merge: false,
    default_merge_style: 'merge',
    default_allow_maintainer_edit: false,
    default_target_branch: repo.defaultBranch,
    avatar_url: '',
    internal: false,
    mirror_interval: '',
    object_format_name: 'sha1',
    mirror_updated: '1970-01-01T00:00:00Z',
    repo_transfer: null,
    topics: [],
    licenses: [],
    branch_count: 1 + pulls,
  };
}

function branchJson(repo: RepoState, ref: string, sha: string, repoView: Json): Json {
  return { label: ref, ref, sha, repo_id: repo.id, repo: repoView };
}

export function pullJson(ctx: ViewContext, repo: RepoState, issue: IssueRecord): Json {
  const pull = issue.pull;
  if (!pull) throw new Error(`#${issue.number} is not a pull request`);
  const base = issueJson(ctx, repo, issue);
  const html = htmlUrl(ctx, repo, issue);
  const repoView = repoJson(ctx, repo);
  return {
    id: issue.id,
    url: html,
    number: issue.number,
    user: base.user,
    title: issue.title,
    body: issue.body,
    labels: base.labels,
    milestone: null,
    assignee: base.assignee,
    assignees: base.assignees,
    requested_reviewers: [],
    requested_reviewers_teams: [],
    state: issue.state,
    draft: false,
    is_locked: issue.isLocked,
    comments: base.comments,
    review_comments: 0,
    additions: 12,
    deletions: 3,
    changed_files: 2,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    mergeable: !pull.merged && issue.state === 'open',
    merged: pull.merged,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    merged_by: pull.mergedBy ? userJson(ctx, pull.mergedBy) : null,
    allow_maintainer_edit: false,
    base: branchJson(repo, pull.baseRef, repo.headSha, repoView),
    head: branchJson(repo, pull.headRef, pull.headSha, repoView),
    merge_base: repo.headSha,
    due_date: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    pin_order: 0,
    content_version: 0,
  };
}

export function statusJson(ctx: ViewContext, repo: RepoState, status: StatusRecord): Json {
  return {
    id: status.id,
    status: status.state,
    target_url: status.targetUrl,
    description: status.description,
    url: api(ctx, `/repos/${fullName(repo)}/statuses/${status.sha}`),
    context: status.context,
    creator: userJson(ctx, status.creator),
    created_at: status.createdAt,
    updated_at: status.updatedAt,
  };
}

/** Gitea's rule: any error/failure/warning → failure; all success/skipped → success; else pending. */
export function combinedState(statuses: readonly StatusRecord[]): StatusRecord['state'] {
  if (statuses.length === 0) return 'pending';
  if (statuses.some((s) => s.state === 'error' || s.state === 'failure' || s.state === 'warning')) return 'failure';
  if (statuses.every((s) => s.state === 'success' || s.state === 'skipped')) return 'success';
  return 'pending';
}

export function combinedStatusJson(ctx: ViewContext, repo: RepoState, sha: string, page: readonly StatusRecord[]): Json {
  return {
    state: combinedState(page),
    sha,
    total_count: page.length,
    statuses: page.map((s) => statusJson(ctx, repo, s)),
    repository: repoJson(ctx, repo),
    commit_url: api(ctx, `/repos/${fullName(repo)}/git/commits/${sha}`),
    url: api(ctx, `/repos/${fullName(repo)}/commits/${sha}/status`),
  };
}
