import { z } from 'zod';

/**
 * What switchboard reads from Gitea/Forgejo responses. Objects are lenient (unknown fields are
 * ignored) and strict on the fields used; the contract test checks every field named here
 * exists in both specs.
 */

export const UserSchema = z.object({ login: z.string() });

export const SettingsSchema = z.object({ max_response_items: z.number().int().nullish() });

/**
 * The fields of Gitea's `Issue` (GET /repos/{owner}/{repo}/issues) that switchboard reads.
 * Unknown fields are ignored; a null body and missing labels/assignees are tolerated.
 */
export const RawGiteaIssueSchema = z.object({
  number: z.number().int(),
  title: z.string().default(''),
  body: z.string().nullish(),
  labels: z.array(z.object({ name: z.string() })).nullish(),
  assignees: z.array(UserSchema).nullish(),
  user: UserSchema.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  state: z.enum(['open', 'closed']).nullish(),
  html_url: z.string().nullish(),
  pull_request: z.unknown().optional(),
  repository: z.object({ full_name: z.string() }).partial().nullish(),
});
export type RawGiteaIssue = z.input<typeof RawGiteaIssueSchema>;

export const IssueListSchema = z.array(RawGiteaIssueSchema);

export const CommentSchema = z.object({
  id: z.number().int(),
  body: z.string().nullish(),
  user: UserSchema.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});

/** A comment in a repo-wide listing: `issue_url` names the issue ("" for a pull request's). */
export const RepoCommentSchema = CommentSchema.extend({ issue_url: z.string().nullish() });

export const LabelSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  color: z.string().nullish(),
});

export const ServerVersionSchema = z.object({ version: z.string() });

export const RepositorySchema = z.object({
  full_name: z.string(),
  permissions: z.object({ admin: z.boolean().nullish(), push: z.boolean().nullish(), pull: z.boolean().nullish() }).nullish(),
});

export const PermissionSchema = z.object({
  permission: z.enum(['none', 'read', 'write', 'admin', 'owner']),
});

const TimelineRefIssueSchema = z.object({
  number: z.number().int(),
  pull_request: z.unknown().optional(),
  repository: z.object({ full_name: z.string() }).partial().nullish(),
});

/**
 * An empty timeline page is JSON `null` (a nil Go slice), and a page may hold `null` entries: a
 * cross-reference whose issue is gone converts to nil and is appended anyway (Gitea
 * routers/api/v1/repo/issue_comment.go:201-210, services/convert/issue_comment.go:140-145).
 */
export const TimelineSchema = z
  .array(
    z
      .object({
        type: z.string().nullish(),
        /** `neutered`: the PR no longer mentions the issue (models/issues/issue_xref.go:84-103) */
        ref_action: z.string().nullish(),
        ref_issue: TimelineRefIssueSchema.nullish(),
        user: UserSchema.nullish(),
      })
      .nullable(),
  )
  .nullable()
  .transform((page) => page ?? []);

export const PullRequestSchema = z.object({
  number: z.number().int(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  head: z.object({ sha: z.string().nullish(), repo_id: z.number().int().nullish() }).nullish(),
  base: z.object({ repo_id: z.number().int().nullish() }).nullish(),
  user: z.object({ login: z.string() }).nullish(),
  merge_commit_sha: z.string().nullish(),
  html_url: z.string().nullish(),
  updated_at: z.string().nullish(),
});

export const CombinedStatusSchema = z.object({
  // Gitea sends "" for a ref without any status; it means nothing has reported yet.
  state: z.preprocess(
    (v) => (v === '' ? 'pending' : v),
    z.enum(['pending', 'success', 'failure', 'error', 'warning', 'skipped']),
  ),
  sha: z.string().nullish(),
  total_count: z.number().int().nullish(),
  statuses: z
    .array(
      z.object({
        context: z.string().nullish(),
        status: z.enum(['pending', 'success', 'failure', 'error', 'warning', 'skipped']),
        target_url: z.string().nullish(),
      }),
    )
    .nullish(),
});

export const NoContentSchema = z.unknown();
