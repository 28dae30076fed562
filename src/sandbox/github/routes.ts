import { z } from 'zod';
import { type HandlerContext, HttpError, timeParam } from '../api-kit.js';
import type { Params, Reply, Route } from '../router.js';
import type { IssueRecord, RepoState } from '../state.js';
import { StoreError } from '../store-error.js';
import {
  checkRunsJson,
  combinedStatusJson,
  commentJson,
  type GithubViewContext,
  issueJson,
  labelJson,
  pullJson,
  repoJson,
  timelineJson,
  userJson,
} from './views.js';

/**
 * The GitHub REST subset switchboard uses, served from the same store as the Gitea dialect.
 * Paths, parameters and statuses are those of GitHub's OpenAPI description (api.github.com,
 * operationIds named per route); behaviour the description leaves out is cited from docs.github.com.
 */

export interface GithubContext extends HandlerContext, GithubViewContext {}

export const DOCS = 'https://docs.github.com/rest';

/** GitHub's `basic-error` body. */
export const githubError = (status: number, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { message, documentation_url: DOCS, status: String(status) },
  ...(headers ? { headers } : {}),
});

/** `validation-error`: 422 "Validation Failed" with one entry per problem. */
const validationFailed = (resource: string, field: string, code: string, value?: unknown): Reply => ({
  status: 422,
  body: { message: 'Validation Failed', errors: [{ resource, field, code, ...(value === undefined ? {} : { value }) }], documentation_url: DOCS, status: '422' },
});

class GithubReply extends Error {
  constructor(readonly reply: Reply) {
    super('reply');
  }
}

const repoName = (p: Params): string => `${p.owner}/${p.repo}`;

function repoOf(ctx: GithubContext, p: Params): RepoState {
  // GitHub answers 404 "Not Found" for a repo that does not exist or that the token cannot see.
  if (!ctx.store.hasRepo(repoName(p))) throw new HttpError(404, 'Not Found');
  return ctx.store.repo(repoName(p));
}

function issueOf(ctx: GithubContext, p: Params, key = 'issue_number'): { repo: RepoState; issue: IssueRecord } {
  const repo = repoOf(ctx, p);
  const raw = p[key] ?? '';
  const issue = /^[1-9]\d{0,15}$/.test(raw) ? ctx.store.issue(repoName(p), Number(raw)) : undefined;
  // A deleted issue answers 410 "This issue was deleted" (REST "Get an issue" lists 410 Gone).
  if (!issue && /^[1-9]\d{0,15}$/.test(raw) && ctx.store.wasDeleted(repoName(p), Number(raw))) throw new HttpError(410, 'This issue was deleted');
  if (!issue) throw new HttpError(404, 'Not Found');
  return { repo, issue };
}

function parse<T>(ctx: GithubContext, schema: z.ZodType<T>, resource: string): T {
  const parsed = schema.safeParse(ctx.body ?? {});
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : 'body';
  throw new GithubReply(validationFailed(resource, field, first?.code === 'invalid_type' && first.input === undefined ? 'missing_field' : 'invalid'));
}

/** per_page: default 30, at most 100; page from 1 (docs: "Using pagination in the REST API"). */
function pageOf(ctx: GithubContext): { page: number; perPage: number } {
  const int = (name: string, fallback: number): number => {
    const n = Number.parseInt(ctx.query.get(name) ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return { page: int('page', 1), perPage: Math.min(100, int('per_page', 30)) };
}

/**
 * One page and its `link` header: next/last/first/prev as present (no prev on page 1, no header
 * when all fits on one page), `per_page` carried into each URL (docs: "Using pagination").
 */
function paged<T>(ctx: GithubContext, items: readonly T[], render: (item: T) => unknown): Reply {
  const { page, perPage } = pageOf(ctx);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage).map(render);
  const to = (n: number, rel: string): string => {
    const u = new URL(ctx.requestUrl);
    u.searchParams.set('page', String(n));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(to(Math.min(page - 1, pages), 'prev'));
  if (page < pages) links.push(to(page + 1, 'next'), to(pages, 'last'));
  if (page > 1) links.push(to(1, 'first'));
  return { status: 200, body, ...(links.length > 0 ? { headers: { Link: links.join(', ') } } : {}), issueList: true };
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** issues/list-for-repo: pull requests included (with `pull_request`), newest first; `since` = updated at or after. */
function listIssues(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw new GithubReply(validationFailed('Issue', 'state', 'invalid', state));
  let since: string | undefined;
  try {
    since = timeParam(ctx, 'since');
  } catch {
    throw new GithubReply(validationFailed('Issue', 'since', 'invalid', q.get('since')));
  }
  const labels = (q.get('labels') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const name = repoName(p);
  const matches: IssueRecord[] = [];
  for (let i = repo.issues.length - 1; i >= 0; i--) {
    const issue = repo.issues[i] as IssueRecord;
    if (state !== 'all' && issue.state !== state) continue;
    if (since !== undefined && issue.updatedAt < since) continue;
    const have = ctx.store.labelsOf(name, issue).map((l) => l.name.toLowerCase());
    if (!labels.every((l) => have.includes(l))) continue;
    matches.push(issue);
  }
  if (q.get('sort') === 'updated') matches.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : b.number - a.number));
  if (q.get('direction') === 'asc') matches.reverse();
  return paged(ctx, matches, (i) => issueJson(ctx, repo, i));
}

const CreateIssue = z.object({
  title: z.union([z.string().min(1), z.number()]),
  body: z.string().nullish(),
  assignees: z.array(z.string()).optional(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).optional(),
});

/** issues/create → 201 with `Location`. */
function createIssue(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const o = parse(ctx, CreateIssue, 'Issue');
  const issue = ctx.store.createIssue(repoName(p), {
    title: String(o.title),
    body: o.body ?? '',
    labels: (o.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name)),
    assignees: o.assignees ?? [],
  });
  const body = issueJson(ctx, repo, issue);
  return { status: 201, body, headers: { Location: String(body.url) } };
}

const UpdateIssue = z.object({
  title: z.union([z.string(), z.number()]).nullish(),
  body: z.string().nullish(),
  state: z.enum(['open', 'closed']).optional(),
  assignees: z.array(z.string()).optional(),
});

/** issues/update: `assignees` replaces the set, `[]` clears it; 200 (Gitea says 201). */
function updateIssue(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const o = parse(ctx, UpdateIssue, 'Issue');
  try {
    const edited = ctx.store.editIssue(repoName(p), issue.number, {
      ...(o.title != null ? { title: String(o.title) } : {}),
      ...(o.body != null ? { body: o.body } : {}),
      ...(o.state !== undefined ? { state: o.state } : {}),
      ...(o.assignees !== undefined ? { assignees: o.assignees } : {}),
    });
    return ok(issueJson(ctx, repo, edited));
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'invalid') throw new GithubReply(validationFailed('Issue', 'assignees', 'invalid'));
    throw err;
  }
}

/** issues/list-comments: ascending id, `since`, paginated. */
function listComments(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const since = timeParam(ctx, 'since');
  const comments = ctx.store.comments(repoName(p), issue.number).filter((c) => since === undefined || c.updatedAt >= since);
  return paged(ctx, comments, (c) => commentJson(ctx, repo, c));
}

const CommentBody = z.object({ body: z.string().min(1) });

/** issues/create-comment: the comment is the authenticated user's (docs.github.com/rest/issues/comments#create-an-issue-comment). */
function createComment(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const { body } = parse(ctx, CommentBody, 'IssueComment');
  const comment = commentJson(ctx, repo, ctx.store.addComment(repoName(p), issue.number, body, ctx.actor));
  return { status: 201, body: comment, headers: { Location: String(comment.url) } };
}

function updateComment(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const { body } = parse(ctx, CommentBody, 'IssueComment');
  const id = Number(p.comment_id);
  if (!/^\d+$/.test(p.comment_id ?? '') || !ctx.store.comment(repoName(p), id)) throw new HttpError(404, 'Not Found');
  return ok(commentJson(ctx, repo, ctx.store.editComment(repoName(p), id, body)));
}

function timeline(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  return paged(ctx, ctx.store.timeline(repoName(p), issue.number), (e) => timelineJson(ctx, repo, e));
}

function listLabels(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  return paged(ctx, ctx.store.labels(repoName(p)), (l) => labelJson(ctx, repo, l));
}

const CreateLabel = z.object({ name: z.string().min(1), color: z.string().optional(), description: z.string().max(100).optional() });

/** issues/create-label: names are unique per repo (case-insensitive) → 422 already_exists. */
function createLabel(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const o = parse(ctx, CreateLabel, 'Label');
  if (ctx.store.labels(repoName(p)).some((l) => l.name.toLowerCase() === o.name.toLowerCase())) {
    throw new GithubReply(validationFailed('Label', 'name', 'already_exists'));
  }
  // GitHub takes the colour without `#` and picks one when none is given.
  if (o.color !== undefined && !/^[0-9a-f]{6}$/i.test(o.color)) throw new GithubReply(validationFailed('Label', 'color', 'invalid', o.color));
  const label = ctx.store.createLabel(repoName(p), { name: o.name, color: o.color ?? 'ededed', ...(o.description !== undefined ? { description: o.description } : {}) });
  return ok(labelJson(ctx, repo, label), 201);
}

const AddLabels = z.union([
  z.object({ labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).min(1) }),
  z.array(z.string()).min(1),
]);

/** issues/add-labels: by name; a name the repo lacks is created (GitHub does), answer = the issue's labels. */
function addLabels(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const o = parse(ctx, AddLabels, 'Label');
  const names = (Array.isArray(o) ? o : o.labels).map((l) => (typeof l === 'string' ? l : l.name));
  const name = repoName(p);
  for (const n of names) {
    if (!ctx.store.labels(name).some((l) => l.name.toLowerCase() === n.toLowerCase())) ctx.store.createLabel(name, { name: n, color: 'ededed' });
  }
  return ok(ctx.store.addLabels(name, issue.number, names).map((l) => labelJson(ctx, repo, l)));
}

/** issues/remove-label: by name; 404 "Label does not exist" when it is not on the issue; 200 with what remains. */
function removeLabel(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p);
  const name = repoName(p);
  const label = ctx.store.labelsOf(name, issue).find((l) => l.name.toLowerCase() === (p.name ?? '').toLowerCase());
  if (!label) throw new HttpError(404, 'Label does not exist');
  ctx.store.removeLabel(name, issue.number, label.id);
  return ok(ctx.store.labelsOf(name, issue).map((l) => labelJson(ctx, repo, l)));
}

/** issues/check-user-can-be-assigned: 204 if assignable, 404 otherwise (push access). */
function checkAssignee(ctx: GithubContext, p: Params): Reply {
  repoOf(ctx, p);
  const access = ctx.store.permission(p.assignee ?? '');
  if (access === 'write' || access === 'admin' || access === 'owner') return { status: 204 };
  throw new HttpError(404, 'Not Found');
}

/** repos/get-collaborator-permission-level: maintain → write, triage → read; owner is admin. */
function permission(ctx: GithubContext, p: Params): Reply {
  repoOf(ctx, p);
  const user = ctx.store.user(p.username ?? '');
  if (!user) throw new HttpError(404, 'Not Found');
  const level = user.access === 'owner' ? 'admin' : user.access;
  const role = level === 'none' ? 'read' : level;
  return ok({ permission: level, role_name: role, user: { ...userJson(ctx, user.login), role_name: role, permissions: { admin: level === 'admin', maintain: level === 'admin', push: level === 'write' || level === 'admin', triage: level !== 'none' && level !== 'read', pull: level !== 'none' } } });
}

function listPulls(ctx: GithubContext, p: Params): Reply {
  const repo = repoOf(ctx, p);
  const state = ctx.query.get('state') ?? 'open';
  const pulls = ctx.store.pulls(repoName(p)).filter((i) => state === 'all' || i.state === state).reverse();
  return paged(ctx, pulls, (i) => pullJson(ctx, repo, i));
}

function getPull(ctx: GithubContext, p: Params): Reply {
  const { repo, issue } = issueOf(ctx, p, 'pull_number');
  if (!issue.pull) throw new HttpError(404, 'Not Found');
  return ok(pullJson(ctx, repo, issue));
}

function shaOf(ctx: GithubContext, p: Params): string {
  const sha = ctx.store.resolveRef(repoName(p), p.ref ?? '');
  // repos/get-combined-status-for-ref declares 200 and 404: an unknown ref is not found.
  if (!sha) throw new HttpError(404, `No commit found for SHA: ${p.ref}`);
  return sha;
}

const CreateStatus = z.object({
  state: z.enum(['error', 'failure', 'pending', 'success']),
  target_url: z.string().nullish(),
  description: z.string().nullish(),
  context: z.string().optional(),
});

function createStatus(ctx: GithubContext, p: Params): Reply {
  repoOf(ctx, p);
  const o = parse(ctx, CreateStatus, 'Status');
  const s = ctx.store.setCommitStatus(repoName(p), p.sha ?? '', {
    state: o.state,
    context: o.context ?? 'default',
    ...(o.description != null ? { description: o.description } : {}),
    ...(o.target_url != null ? { targetUrl: o.target_url } : {}),
  });
  return ok({ id: s.id, state: s.state, context: s.context, description: s.description || null, target_url: s.targetUrl || null, created_at: s.createdAt, updated_at: s.updatedAt }, 201);
}

/** Wrap a handler so its GitHub-shaped early answers (422s) become replies. */
const h =
  (fn: (ctx: GithubContext, p: Params) => Reply) =>
  (ctx: GithubContext, p: Params): Reply => {
    try {
      return fn(ctx, p);
    } catch (err) {
      if (err instanceof GithubReply) return err.reply;
      throw err;
    }
  };

const ISSUE = '/repos/{owner}/{repo}/issues/{issue_number}';

export const GITHUB_ROUTES: readonly Route<GithubContext>[] = [
  // users/get-authenticated: a `private-user` or `public-user`; the public fields suffice here.
  {
    method: 'GET',
    template: '/user',
    handle: (ctx) =>
      ok({
        ...userJson(ctx, ctx.store.login),
        name: ctx.store.login,
        company: null,
        blog: '',
        location: null,
        email: null,
        hireable: null,
        bio: null,
        public_repos: ctx.store.repoNames.length,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: '2020-01-01T00:00:00Z',
        updated_at: '2020-01-01T00:00:00Z',
      }),
  },
  // GET /rate_limit is answered by the server itself: it knows the quota.
  { method: 'GET', template: '/repos/{owner}/{repo}', handle: h((ctx, p) => ok(repoJson(ctx, repoOf(ctx, p), true))) },
  { method: 'GET', template: '/repos/{owner}/{repo}/issues', handle: h(listIssues) },
  { method: 'POST', template: '/repos/{owner}/{repo}/issues', handle: h(createIssue) },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', handle: h(updateComment) },
  { method: 'GET', template: ISSUE, handle: h((ctx, p) => { const { repo, issue } = issueOf(ctx, p); return ok(issueJson(ctx, repo, issue)); }) },
  { method: 'PATCH', template: ISSUE, handle: h(updateIssue) },
  { method: 'GET', template: `${ISSUE}/comments`, handle: h(listComments) },
  { method: 'POST', template: `${ISSUE}/comments`, handle: h(createComment) },
  { method: 'GET', template: `${ISSUE}/timeline`, handle: h(timeline) },
  { method: 'POST', template: `${ISSUE}/labels`, handle: h(addLabels) },
  { method: 'DELETE', template: `${ISSUE}/labels/{name}`, handle: h(removeLabel) },
  { method: 'GET', template: '/repos/{owner}/{repo}/labels', handle: h(listLabels) },
  { method: 'POST', template: '/repos/{owner}/{repo}/labels', handle: h(createLabel) },
  { method: 'GET', template: '/repos/{owner}/{repo}/assignees/{assignee}', handle: h(checkAssignee) },
  { method: 'GET', template: '/repos/{owner}/{repo}/collaborators/{username}/permission', handle: h(permission) },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls', handle: h(listPulls) },
  { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{pull_number}', handle: h(getPull) },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/status', handle: h((ctx, p) => ok(combinedStatusJson(ctx, repoOf(ctx, p), shaOf(ctx, p)))) },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/check-runs', handle: h((ctx, p) => ok(checkRunsJson(ctx, repoOf(ctx, p), shaOf(ctx, p)))) },
  { method: 'POST', template: '/repos/{owner}/{repo}/statuses/{sha}', handle: h(createStatus) },
];
