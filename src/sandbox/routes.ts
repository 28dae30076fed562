import { z } from 'zod';
import {
  errorReply,
  type HandlerContext,
  HttpError,
  json,
  listHeaders,
  pageOf,
  parseBody,
  slicePage,
  updatedWithin,
} from './api-kit.js';
import type { Params, Reply, Route } from './router.js';
import { COMMIT_STATES, type IssueRecord, type RepoState } from './state.js';
import { combinedStatusJson, commentJson, issueJson, labelJson, pullJson, repoJson, statusJson, timelineJson, userJson } from './views.js';

/** The Gitea REST v1 subset switchboard uses; templates as in the spec, without `/api/v1`. */

export const SANDBOX_VERSION = '1.26.3-sandbox';

const repoName = (p: Params): string => `${p.owner}/${p.repo}`;

function repoOf(ctx: HandlerContext, p: Params): RepoState {
  if (!ctx.store.hasRepo(repoName(p))) throw new HttpError(404, `repository ${repoName(p)} not found`);
  return ctx.store.repo(repoName(p));
}

function issueOf(ctx: HandlerContext, p: Params): { repo: RepoState; issue: IssueRecord } {
  const repo = repoOf(ctx, p);
  const issue = ctx.store.issue(repoName(p), Number(p.index));
  if (!issue) throw new HttpError(404, `issue #${p.index} not found in ${repoName(p)}`);
  return { repo, issue };
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

const CreateLabelOption = z.object({
  name: z.string().min(1, 'name is required'),
  color: z.string({ error: 'color is required' }),
  description: z.string().optional(),
  exclusive: z.boolean().optional(),
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
  const assignees = o.assignees ?? (o.assignee ? [o.assignee] : []);
  const issue = ctx.store.createIssue(repoName(p), {
    title: o.title,
    ...(o.body !== undefined ? { body: o.body } : {}),
    labels: o.labels ?? [],
    assignees,
    closed: o.closed ?? false,
  });
  return json(201, issueJson(ctx, repo, issue));
}

function editIssue(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const o = parseBody(ctx, EditIssueOption);
  const assignees = o.assignees ?? (o.assignee === undefined ? undefined : o.assignee ? [o.assignee] : []);
  const edited = ctx.store.editIssue(repoName(p), issue.number, {
    ...(o.title !== undefined ? { title: o.title } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
    ...(o.state !== undefined ? { state: o.state === 'closed' ? 'closed' : 'open' } : {}),
    ...(assignees !== undefined ? { assignees } : {}),
  });
  return json(201, issueJson(ctx, repo, edited));
}

function listComments(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const comments = ctx.store.comments(repoName(p), issue.number).filter(updatedWithin(ctx));
  // Not paginated in Gitea 1.26: everything, with the count.
  return json(200, comments.map((c) => commentJson(ctx, repo, c)), { 'X-Total-Count': String(comments.length) });
}

function createComment(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const { body } = parseBody(ctx, CommentOption);
  return json(201, commentJson(ctx, repo, ctx.store.addComment(repoName(p), issue.number, body)));
}

function editComment(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const { body } = parseBody(ctx, CommentOption);
  const id = Number(p.id);
  if (!ctx.store.comment(repoName(p), id)) throw new HttpError(404, `comment ${id} not found in ${repoName(p)}`);
  return json(200, commentJson(ctx, repo, ctx.store.editComment(repoName(p), id, body)));
}

function timeline(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const events = ctx.store.timeline(repoName(p), issue.number).filter(updatedWithin(ctx));
  const pageItems = slicePage(events, pageOf(ctx));
  // Gitea counts only the returned page here.
  return json(200, pageItems.map((e) => timelineJson(ctx, repo, e)), { 'X-Total-Count': String(pageItems.length) });
}

function listLabels(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const labels = ctx.store.labels(repoName(p));
  const page = pageOf(ctx);
  return json(200, slicePage(labels, page).map((l) => labelJson(ctx, repo, l)), listHeaders(ctx, labels.length, page, false));
}

function createLabel(ctx: HandlerContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const o = parseBody(ctx, CreateLabelOption);
  const label = ctx.store.createLabel(repoName(p), {
    name: o.name,
    color: o.color,
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.exclusive !== undefined ? { exclusive: o.exclusive } : {}),
  });
  return json(201, labelJson(ctx, repo, label));
}

function issueLabels(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  return json(200, ctx.store.labelsOf(repoName(p), issue).map((l) => labelJson(ctx, repo, l)));
}

function addLabels(ctx: HandlerContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const refs = parseBody(ctx, IssueLabelsOption).labels ?? [];
  const allIds = refs.every((r) => typeof r === 'number' && Number.isInteger(r));
  const allNames = refs.every((r) => typeof r === 'string');
  if (!allIds && !allNames) throw new HttpError(400, 'labels should be an array of strings or integers');
  const labels = ctx.store.addLabels(repoName(p), issue.number, refs as (number | string)[]);
  return json(200, labels.map((l) => labelJson(ctx, repo, l)));
}

function removeLabel(ctx: HandlerContext, p: Params): Reply {
  const { issue } = issueOf(ctx, p);
  ctx.store.removeLabel(repoName(p), issue.number, Number(p.id));
  return { status: 204 };
}

function permission(ctx: HandlerContext, p: Params): Reply {
  repoOf(ctx, p);
  const self = ctx.store.user(ctx.store.login);
  const asking = p.collaborator ?? '';
  const privileged = self?.access === 'admin' || self?.access === 'owner';
  if (!privileged && asking.toLowerCase() !== ctx.store.login.toLowerCase()) {
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
  { method: 'GET', template: '/user', handle: (ctx) => json(200, userJson(ctx, ctx.store.login)) },
  { method: 'GET', template: '/repos/{owner}/{repo}', handle: (ctx, p) => json(200, repoJson(ctx, repoOf(ctx, p))) },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues', handle: listIssues },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues', handle: createIssue },
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
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/comments', handle: listComments },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{index}/comments', handle: createComment },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/timeline', handle: timeline },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues/{index}/labels', handle: issueLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues/{index}/labels', handle: addLabels },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/issues/{index}/labels/{id}', handle: removeLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/labels', handle: listLabels },
  { method: 'POST', template: '/repos/{owner}/{repo}/labels', handle: createLabel },
  { method: 'GET', template: '/repos/{owner}/{repo}/collaborators/{collaborator}/permission', handle: permission },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls', handle: listPulls },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{index}', handle: getPull },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/status', handle: combinedStatus },
  { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', handle: createStatus },
];

export const notFound = (ctx: Pick<HandlerContext, 'baseUrl'>): Reply => errorReply(ctx, 404, 'The target couldn\'t be found.');
