import { z } from 'zod';
import { RawGiteaIssueSchema } from '../../core/issue.js';
import type { Endpoint, HttpMethod } from '../http/index.js';
import {
  CombinedStatusSchema,
  CommentSchema,
  IssueListSchema,
  LabelSchema,
  NoContentSchema,
  PermissionSchema,
  PullRequestSchema,
  RepoCommentSchema,
  RepositorySchema,
  ServerVersionSchema,
  SettingsSchema,
  TimelineSchema,
  UserSchema,
} from './schemas.js';

/** A Gitea endpoint; `specPaths` names a template that a fork spells differently. */
export interface GiteaEndpoint<
  Q extends string = string,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> extends Endpoint<Q, B, R> {
  /** the same URL under another parameter name in a spec (checked by the contract test) */
  readonly specPaths?: { readonly forgejo?: string };
}

function endpoint<const Q extends string, B extends z.ZodType | undefined, R extends z.ZodType>(
  e: {
    method: HttpMethod;
    path: string;
    query?: readonly Q[];
    body: B;
    response: R;
    idempotent: boolean;
    finalServerError?: boolean;
    specPaths?: { forgejo?: string };
  },
): GiteaEndpoint<Q, B, R> {
  return { ...e, query: e.query ?? [] };
}

const PAGED = ['page', 'limit'] as const;

/**
 * Every request the Gitea adapter can send. The tracker calls only these; the contract test
 * asserts each exists with this method, path, query and body in both the Gitea and Forgejo specs.
 * Bodies are strict objects: a field not listed here cannot be sent.
 */
export const ENDPOINTS = {
  currentUser: endpoint({ method: 'GET', path: '/user', body: undefined, response: UserSchema, idempotent: true }),
  serverVersion: endpoint({ method: 'GET', path: '/version', body: undefined, response: ServerVersionSchema, idempotent: true }),
  getRepo: endpoint({ method: 'GET', path: '/repos/{owner}/{repo}', body: undefined, response: RepositorySchema, idempotent: true }),
  apiSettings: endpoint({
    method: 'GET',
    path: '/settings/api',
    body: undefined,
    response: SettingsSchema,
    idempotent: true,
  }),
  listIssues: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues',
    query: ['state', 'type', 'since', ...PAGED],
    body: undefined,
    response: IssueListSchema,
    idempotent: true,
  }),
  getIssue: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{index}',
    body: undefined,
    response: RawGiteaIssueSchema,
    idempotent: true,
  }),
  createIssue: endpoint({
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues',
    body: z.strictObject({ title: z.string(), body: z.string() }),
    response: RawGiteaIssueSchema,
    idempotent: false,
  }),
  // Sends the whole assignee set, so a repeat after an ambiguous failure lands in the same state.
  // Gitea answers an unknown or unassignable login with 500 (routers/api/v1/repo/issue.go:857-871):
  // that is an answer, not an outage, so it is never resent; the tracker re-reads the issue.
  setAssignees: endpoint({
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{index}',
    body: z.strictObject({ assignees: z.array(z.string()) }),
    response: RawGiteaIssueSchema,
    idempotent: true,
    finalServerError: true,
  }),
  // Who may be assigned: write access (models/repo/user_repo.go:121-160); not paginated.
  assignees: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/assignees',
    body: undefined,
    response: z.array(UserSchema),
    idempotent: true,
  }),
  // A deleted issue answers 500 here on Gitea (issue_comment.go:71-74), 404 on Forgejo ≥ 11: the
  // tracker confirms with a read of the issue instead of resending.
  listComments: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{index}/comments',
    body: undefined,
    response: z.array(CommentSchema),
    idempotent: true,
    finalServerError: true,
  }),
  // Every comment of the repo, paged; `since` on updated time (routers/api/v1/repo/issue_comment.go:234-320).
  listRepoComments: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments',
    query: ['since', ...PAGED],
    body: undefined,
    response: z.array(RepoCommentSchema),
    idempotent: true,
  }),
  // The body only, a full value: repeating it changes nothing further. The author or a writer
  // (routers/api/v1/repo/issue.go:773-783), else 403.
  /** Gitea's EditIssueOption takes `state`: "closed" closes (routers/api/v1/repo/issue.go EditIssue) */
  closeIssue: endpoint({
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{index}',
    body: z.strictObject({ state: z.literal('closed') }),
    response: RawGiteaIssueSchema,
    idempotent: true,
  }),
  editIssue: endpoint({
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/{index}',
    body: z.strictObject({ body: z.string() }),
    response: RawGiteaIssueSchema,
    idempotent: true,
  }),
  // The labels on one issue with their ids, org labels included (services/convert/issue.go:78).
  issueLabels: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{index}/labels',
    body: undefined,
    response: z.array(LabelSchema),
    idempotent: true,
  }),
  createComment: endpoint({
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{index}/comments',
    body: z.strictObject({ body: z.string() }),
    response: CommentSchema,
    idempotent: false,
  }),
  // Replaces the body with a full value: repeating it changes nothing further.
  editComment: endpoint({
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{id}',
    body: z.strictObject({ body: z.string() }),
    // 204 No Content is allowed by the spec; the comment is then read back.
    response: CommentSchema.optional(),
    idempotent: true,
  }),
  getComment: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/comments/{id}',
    body: undefined,
    response: CommentSchema,
    idempotent: true,
  }),
  listLabels: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/labels',
    query: PAGED,
    body: undefined,
    response: z.array(LabelSchema),
    idempotent: true,
  }),
  // The repo label list leaves out the owner organisation's labels (routers/api/v1/repo/label.go:52).
  orgLabels: endpoint({
    method: 'GET',
    path: '/orgs/{org}/labels',
    query: PAGED,
    body: undefined,
    response: z.array(LabelSchema),
    idempotent: true,
  }),
  createLabel: endpoint({
    method: 'POST',
    path: '/repos/{owner}/{repo}/labels',
    body: z.strictObject({ name: z.string(), color: z.string() }),
    response: LabelSchema,
    idempotent: false,
  }),
  // IDs, not names: names need Gitea ≥ 1.23 / Forgejo ≥ 8, and unknown names are silently dropped.
  addIssueLabels: endpoint({
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{index}/labels',
    body: z.strictObject({ labels: z.array(z.number().int()) }),
    response: z.array(LabelSchema),
    idempotent: false,
  }),
  removeIssueLabel: endpoint({
    method: 'DELETE',
    path: '/repos/{owner}/{repo}/issues/{index}/labels/{id}',
    body: undefined,
    response: NoContentSchema,
    idempotent: true,
    specPaths: { forgejo: '/repos/{owner}/{repo}/issues/{index}/labels/{identifier}' },
  }),
  permission: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{collaborator}/permission',
    body: undefined,
    response: PermissionSchema,
    idempotent: true,
  }),
  timeline: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{index}/timeline',
    query: PAGED,
    body: undefined,
    response: TimelineSchema,
    idempotent: true,
    finalServerError: true,
  }),
  getPullRequest: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{index}',
    body: undefined,
    response: PullRequestSchema,
    idempotent: true,
  }),
  combinedStatus: endpoint({
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/status',
    query: PAGED,
    body: undefined,
    response: CombinedStatusSchema,
    idempotent: true,
  }),
} as const;

export type EndpointName = keyof typeof ENDPOINTS;
