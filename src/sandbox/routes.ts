import { z } from 'zod';
import {
  errorReply,
  type HandlerContext,
  HttpError,
  json,
  listHeaders,
  pageOf,
  parseBody,
  RedirectError,
  slicePage,
  updatedWithin,
} from './api-kit.js';
import type { Params, Reply, Route } from './router.js';
import { type Access, COMMIT_STATES, type IssueRecord, type RepoState } from './state.js';
import { combinedStatusJson, commentJson, issueJson, labelJson, orgLabelJson, pullJson, repoJson, statusJson, timelineJson, userJson } from './views.js';

/** The Gitea REST v1 subset switchboard uses; templates as in the spec, without `/api/v1`. */

export const SANDBOX_VERSION = '1.26.3-sandbox';

const repoName = (p: Params): string => `${p.owner}/${p.repo}`;

function repoOf(ctx: HandlerContext, p: Params): RepoState {
  if (!ctx.store.hasRepo(repoName(p))) {
    // routers/api/v1/api.go:140-176: a renamed owner answers 307, a renamed or transferred repo
    // 301, for every method, to the request's own path with the names replaced (repo.go:398-421).
    const moved = ctx.store.redirectFor(p.owner ?? '', p.repo ?? '');
    if (moved) {
      const from = `/repos/${encodeURIComponent(p.owner ?? '')}/${encodeURIComponent(p.repo ?? '')}`;
      const to = `/repos/${encodeURIComponent(moved.owner)}/${encodeURIComponent(moved.name)}`;
      throw new RedirectError(moved.status, ctx.requestUrl.pathname.replace(from, to) + ctx.requestUrl.search);
    }
    throw new HttpError(404, `repository ${repoName(p)} not found`);
  }
  return ctx.store.repo(repoName(p));
}

function issueOf(ctx: HandlerContext, p: Params): { repo: RepoState; issue: IssueRecord } {
  const repo = repoOf(ctx, p);
  const issue = ctx.store.issue(repoName(p), Number(p.index));
  if (!issue) throw new HttpError(404, `issue #${p.index} not found in ${repoName(p)}`);
  return { repo, issue };
}

/**
 * The comment endpoints look the issue up with GetIssueByIndex and answer any error, "does not
 * exist" included, with 500 (routers/api/v1/repo/issue_comment.go:71-74, :383-386, :175-178).
 */
function issueOrInternalError(ctx: HandlerContext, p: Params): { repo: RepoState; issue: IssueRecord } {
  const repo = repoOf(ctx, p);
  const issue = ctx.store.issue(repoName(p), Number(p.index));
  if (!issue) throw new HttpError(500, `issue does not exist [id: 0, repo_id: ${repo.id}, index: ${p.index}]`);
  return { repo, issue };
}

const WRITE: ReadonlySet<Access> = new Set(['write', 'admin', 'owner']);
const accessOf = (ctx: HandlerContext): Access => ctx.store.permission(ctx.actor) ?? 'none';
/** CanWriteIssuesOrPulls; the sandbox gives each user one access level for every repo. */
const canWrite = (ctx: HandlerContext): boolean => WRITE.has(accessOf(ctx));
const isAdmin = (ctx: HandlerContext): boolean => accessOf(ctx) === 'admin' || accessOf(ctx) === 'owner';

/** reqRepoWriter (routers/api/v1/api.go:447-455). */
function requireWriter(ctx: HandlerContext): void {
  if (!canWrite(ctx)) throw new HttpError(403, 'user should have a permission to write to a repo');
}

/** reqAdmin (routers/api/v1/api.go:437-445). */
function requireAdmin(ctx: HandlerContext): void {
  if (!isAdmin(ctx)) throw new HttpError(403, 'user should be an owner or a collaborator with admin write of a repository');
}

const CreateIssueOption = z.object({
  title: z.string().min(1, 'title is required'),
  body: z.string().optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).nullish(),
  labels: z.array(z.number().int()).nullish(),
  closed: z.boolean().optional(),
});

const EditIssueOption = z.object({
  title: z.string().optional(),
  body: z.string().optional(),
  // Gitea treats any state other than "closed" as open.
  state: z.string().optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).nullish(),
});

const CommentOption = z.object({ body: z.string().min(1, 'body is required') });

const EditRepoOption = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'name is not a valid repository name').optional() });

const RenameUserOption = z.object({ new_username: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'new_username is not a valid login') });

const CreateLabelOption = z.object({
  name: z.string().min(1, 'name is required'),
  color: z.string({ error: 'color is required' }),
  description: z.string().optional(),
  exclusive: z.boolean().optional(),
  is_archived: z.boolean().optional(),
});

const IssueLabelsOption = z.object({ labels: z.array(z.unknown()).nullish() });

const CreateStatusOption = z.object({
  state: z.enum(COMMIT_STATES),
  target_url: z.string().optional(),
  description: z.string().optional(),
  context: z.string().optional(),
});

function listIssues(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const q = ctx.query;
  const state = q.get('state');
  const wantState = state === 'closed' || state === 'all' ? state : 'open';
  const type = q.get('type');
  // Gitea: all named labels must be on the issue; unknown names are dropped, and none known = no filter.
  const labelIds = ctx.store.labelIdsByName(repoName(p), (q.get('labels') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const keyword = q.get('q')?.toLowerCase();
  const createdBy = q.get('created_by')?.toLowerCase();
  const assignedTo = q.get('assigned_by')?.toLowerCase();
  const inWindow = updatedWithin(ctx);
  const matches: IssueRecord[] = [];
  // Stored in creation order; Gitea lists newest-created first.
  for (let i = repo.issues.length - 1; i >= 0; i--) {
    const issue = repo.issues[i] as IssueRecord;
    if (wantState !== 'all' && issue.state !== wantState) continue;
    if (type === 'issues' && issue.pull) continue;
    if (type === 'pulls' && !issue.pull) continue;
    if (!labelIds.every((id) => issue.labelIds.includes(id))) continue;
    if (!inWindow(issue)) continue;
    if (createdBy && issue.author.toLowerCase() !== createdBy) continue;
    if (assignedTo && !issue.assignees.some((a) => a.toLowerCase() === assignedTo)) continue;
    if (keyword && !`${issue.title}\n${issue.body}`.toLowerCase().includes(keyword)) continue;
    matches.push(issue);
  }
  const page = pageOf(ctx);
  return {
    status: 200,
    body: slicePage(matches, page).map((i) => issueJson(ctx, repo, i)),
    headers: listHeaders(ctx, matches.length, page, true),
    issueList: true,
  };
}

function createIssue(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const o = parseBody(ctx, CreateIssueOption);
  // A reader may open an issue, but its labels and assignees are dropped (routers/api/v1/repo/issue.go:651-660).
  const writer = canWrite(ctx);
  const assignees = writer ? (o.assignees ?? (o.assignee ? [o.assignee] : [])) : [];
  const issue = ctx.store.createIssue(repoName(p), {
    title: o.title,
    author: ctx.actor,
    ...(o.body !== undefined ? { body: o.body } : {}),
    labels: writer ? (o.labels ?? []) : [],
    assignees,
    closed: o.closed ?? false,
  });
  return json(201, issueJson(ctx, repo, issue));
}

function editIssue(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const o = parseBody(ctx, EditIssueOption);
  const writer = canWrite(ctx);
  // routers/api/v1/repo/issue.go:776-783: only the poster or a writer may edit, with no body on refusal.
  if (!writer && issue.author.toLowerCase() !== ctx.actor.toLowerCase()) throw new HttpError(403, 'forbidden', true);
  const assignees = o.assignees ?? (o.assignee === undefined ? undefined : o.assignee ? [o.assignee] : []);
  let edited = ctx.store.editIssue(
    repoName(p),
    issue.number,
    {
      ...(o.title !== undefined ? { title: o.title } : {}),
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.state !== undefined ? { state: o.state === 'closed' ? 'closed' : 'open' } : {}),
    },
    ctx.actor,
  );
  // issue.go:857-871: assignees only from a writer (a poster's are ignored, still 201); a blocked
  // user is 403, any other failure 500.
  if (writer && assignees !== undefined) {
    const blocked = assignees.find((a) => ctx.store.isBlockedBy(ctx.actor, a));
    if (blocked) throw new HttpError(403, 'user is blocked');
    edited = ctx.store.updateAssignees(repoName(p), issue.number, assignees);
  }
  return json(201, issueJson(ctx, repo, edited));
}

function deleteIssue(ctx: HandlerContext, p: Params): Reply {
  const { issue } = issueOf(ctx, p);
  requireAdmin(ctx);
  ctx.store.deleteIssue(repoName(p), issue.number);
  return { status: 204 };
}

function assignees(ctx: HandlerContext, p: Params): Reply {
  repoOf(ctx, p);
  // Not paginated (routers/api/v1/repo/collaborators.go:342-372).
  return json(200, ctx.store.assignees(repoName(p)).map((u) => userJson(ctx, u.login)));
}

/** `PATCH /repos/{o}/{r}` with a new name (routers/api/v1/repo/repo.go:652, api.go:1253, reqAdmin). */
function editRepo(ctx: HandlerContext, p: Params): Reply {
  repoOf(ctx, p);
  requireAdmin(ctx);
  const o = parseBody(ctx, EditRepoOption);
  const repo = o.name === undefined ? ctx.store.repo(repoName(p)) : ctx.store.renameRepo(repoName(p), o.name);
  return json(200, repoJson(ctx, repo));
}

/** `POST /admin/users/{username}/rename` (site admin; routers/api/v1/api.go:1821). */
function renameUser(ctx: HandlerContext, p: Params): Reply {
  if (ctx.actor.toLowerCase() !== ctx.store.login.toLowerCase()) throw new HttpError(403, 'user should be the site admin');
  const o = parseBody(ctx, RenameUserOption);
  ctx.store.renameOwner(p.username ?? '', o.new_username);
  return { status: 204 };
}

function orgLabels(ctx: HandlerContext, p: Params): Reply {
  const org = p.org ?? '';
  // orgAssignment: a name that is not an organisation is 404.
  if (!ctx.store.isOrg(org)) throw new HttpError(404, `organization ${org} does not exist`);
  const labels = ctx.store.orgLabels(org);
  const page = pageOf(ctx);
  return json(200, slicePage(labels, page).map((l) => orgLabelJson(ctx, l)), listHeaders(ctx, labels.length, page, false));
}

function listComments(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOrInternalError(ctx, p);
  const comments = ctx.store.comments(repoName(p), issue.number).filter(updatedWithin(ctx));
  // Not paginated in Gitea 1.26: everything, with the count.
  return json(200, comments.map((c) => commentJson(ctx, repo, c)), { 'X-Total-Count': String(comments.length) });
}

/**
 * `GET /repos/{o}/{r}/issues/comments`: every comment of the repo (routers/api/v1/repo/issue_comment.go:234-320),
 * `since` on updated time (models/issues/comment.go:1089-1090), oldest first by creation then id
 * (:1128-1129), paged (:296 GetListOptions). A pull request's comments carry `pull_request_url` instead.
 */
function listRepoComments(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const inWindow = updatedWithin(ctx);
  const all = repo.issues
    .flatMap((i) => ctx.store.comments(repoName(p), i.number))
    .filter(inWindow)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
  const page = pageOf(ctx);
  return json(200, slicePage(all, page).map((c) => commentJson(ctx, repo, c)), listHeaders(ctx, all.length, page, true));
}

function createComment(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOrInternalError(ctx, p);
  const { body } = parseBody(ctx, CommentOption);
  // Readers may comment (issue_comment.go:389), but not on a locked issue (:394-396), and not
  // where the poster or the repo owner blocked them (:401-402, services/issue/comments.go).
  if (issue.isLocked && !canWrite(ctx)) throw new HttpError(403, 'You cannot comment on a locked issue.');
  if (ctx.store.isBlockedBy(ctx.actor, issue.author, repo.owner)) throw new HttpError(403, 'user is blocked');
  return json(201, commentJson(ctx, repo, ctx.store.addComment(repoName(p), issue.number, body, ctx.actor)));
}

function editComment(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const { body } = parseBody(ctx, CommentOption);
  const id = Number(p.id);
  const comment = ctx.store.comment(repoName(p), id);
  if (!comment) throw new HttpError(404, `comment ${id} not found in ${repoName(p)}`);
  // issue_comment.go:573-577: the poster or a writer, else 403 with no body.
  if (comment.author.toLowerCase() !== ctx.actor.toLowerCase() && !canWrite(ctx)) throw new HttpError(403, 'forbidden', true);
  return json(200, commentJson(ctx, repo, ctx.store.editComment(repoName(p), id, body)));
}

function timeline(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOrInternalError(ctx, p);
  const events = ctx.store.timeline(repoName(p), issue.number).filter(updatedWithin(ctx));
  const pageItems = slicePage(events, pageOf(ctx));
  // Gitea counts only the returned page here (issue_comment.go:201-210), and an empty page is a
  // nil Go slice, which its JSON encoder writes as `null` (modules/json/jsonv2.go FormatNilSliceAsNull).
  const body = pageItems.length === 0 ? null : pageItems.map((e) => timelineJson(ctx, repo, e));
  return json(200, body, { 'X-Total-Count': String(pageItems.length) });
}

function listLabels(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const labels = ctx.store.labels(repoName(p));
  const page = pageOf(ctx);
  return json(200, slicePage(labels, page).map((l) => labelJson(ctx, repo, l)), listHeaders(ctx, labels.length, page, false));
}

function createLabel(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  requireWriter(ctx);
  const o = parseBody(ctx, CreateLabelOption);
  const label = ctx.store.createLabel(repoName(p), {
    name: o.name,
    color: o.color,
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.exclusive !== undefined ? { exclusive: o.exclusive } : {}),
    ...(o.is_archived !== undefined ? { isArchived: o.is_archived } : {}),
  });
  return json(201, labelJson(ctx, repo, label));
}

/** `DELETE /repos/{o}/{r}/labels/{id}` (reqRepoWriter, routers/api/v1/api.go:1674). */
function deleteLabel(ctx: HandlerContext, p: Params): Reply {
  repoOf(ctx, p);
  requireWriter(ctx);
  ctx.store.deleteLabel(repoName(p), Number(p.id));
  return { status: 204 };
}

function issueLabels(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  return json(200, ctx.store.labelsOf(repoName(p), issue).map((l) => labelJson(ctx, repo, l)));
}

function addLabels(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  // routers/api/v1/repo/issue_label.go:321-324
  if (!canWrite(ctx)) throw new HttpError(403, 'write permission is required');
  const refs = parseBody(ctx, IssueLabelsOption).labels ?? [];
  const allIds = refs.every((r) => typeof r === 'number' && Number.isInteger(r));
  const allNames = refs.every((r) => typeof r === 'string');
  if (!allIds && !allNames) throw new HttpError(400, 'labels should be an array of strings or integers');
  const labels = ctx.store.addLabels(repoName(p), issue.number, refs as (number | string)[]);
  return json(200, labels.map((l) => labelJson(ctx, repo, l)));
}

function removeLabel(ctx: HandlerContext, p: Params): Reply {
  const { issue } = issueOf(ctx, p);
  // routers/api/v1/repo/issue_label.go:177-180 (v1.26.3): ctx.Status(403), no body.
  if (!canWrite(ctx)) throw new HttpError(403, 'forbidden', true);
  ctx.store.removeLabel(repoName(p), issue.number, Number(p.id));
  return { status: 204 };
}

function permission(ctx: HandlerContext, p: Params): Reply {
  repoOf(ctx, p);
  const asking = p.collaborator ?? '';
  if (!isAdmin(ctx) && asking.toLowerCase() !== ctx.actor.toLowerCase()) {
    throw new HttpError(403, 'Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own');
  }
  const user = ctx.store.user(asking);
  if (!user) throw new HttpError(404, `user ${asking} does not exist`);
  return json(200, { permission: user.access, role_name: user.access, user: userJson(ctx, user.login) });
}

function listPulls(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const state = ctx.query.get('state');
  const want = state === 'closed' || state === 'all' ? state : 'open';
  const pulls = ctx.store
    .pulls(repoName(p))
    .filter((i) => want === 'all' || i.state === want)
    .reverse();
  const page = pageOf(ctx);
  return json(200, slicePage(pulls, page).map((i) => pullJson(ctx, repo, i)), listHeaders(ctx, pulls.length, page, true));
}

function getPull(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  if (!issue.pull) throw new HttpError(404, `#${issue.number} is not a pull request`);
  return json(200, pullJson(ctx, repo, issue));
}

function combinedStatus(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const sha = ctx.store.resolveRef(repoName(p), p.ref ?? '');
  if (!sha) throw new HttpError(404, `ref ${p.ref} not found in ${repoName(p)}`);
  const latest = ctx.store.latestStatuses(repoName(p), sha);
  const page = pageOf(ctx);
  return json(200, combinedStatusJson(ctx, repo, sha, slicePage(latest, page)), listHeaders(ctx, latest.length, page, true));
}

function createStatus(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const o = parseBody(ctx, CreateStatusOption);
  const status = ctx.store.setCommitStatus(repoName(p), p.sha ?? '', {
    state: o.state,
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.target_url !== undefined ? { targetUrl: o.target_url } : {}),
  });
  return json(201, statusJson(ctx, repo, status));
}

export const ROUTES: readonly Route<HandlerContext>[] = [
  { method: 'GET', template: '/version', auth: false, handle: () => json(200, { version: SANDBOX_VERSION }) },
  {
    method: 'GET',
    template: '/settings/api',
    auth: false,
    handle: (ctx) =>
      json(200, {
        max_response_items: ctx.pageCap,
        default_paging_num: Math.min(30, ctx.pageCap),
        default_git_trees_per_page: 1000,
        default_max_blob_size: 10_485_760,
        default_max_response_size: 104_857_600,
      }),
  },
  { method: 'GET', template: '/user', handle: (ctx) => json(200, userJson(ctx, ctx.actor)) },
  { method: 'GET', template: '/repos/{owner}/{repo}', handle: (ctx, p) => json(200, repoJson(ctx, repoOf(ctx, p))) },
  { method: 'PATCH', template: '/repos/{owner}/{repo}', handle: editRepo },
  { method: 'GET', template: '/repos/{owner}/{repo}/assignees', handle: assignees },
  { method: 'GET', template: '/orgs/{org}/labels', handle: orgLabels },
  { method: 'POST', template: '/admin/users/{username}/rename', handle: renameUser },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues', handle: listIssues },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues', handle: createIssue },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/comments', handle: listRepoComments },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/comments/{id}', handle: editComment },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/issues/{index}',
    handle: (ctx, p) => {
      const { repo, issue } = issueOf(ctx, p);
      return json(200, issueJson(ctx, repo, issue));
    },
  },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/{index}', handle: editIssue },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/{index}', handle: deleteIssue },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/comments', handle: listComments },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{index}/comments', handle: createComment },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/timeline', handle: timeline },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/labels', handle: issueLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{index}/labels', handle: addLabels },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/{index}/labels/{id}', handle: removeLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/labels', handle: listLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/labels', handle: createLabel },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/labels/{id}', handle: deleteLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/collaborators/{collaborator}/permission', handle: permission },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls', handle: listPulls },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{index}', handle: getPull },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/status', handle: combinedStatus },
  { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', handle: createStatus },
];

export const notFound = (ctx: Pick<HandlerContext, 'baseUrl'>): Reply => errorReply(ctx, 404, 'The target couldn\'t be found.');
