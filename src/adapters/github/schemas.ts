import { z } from 'zod';
import { RawGiteaIssueSchema } from '../gitea/schemas.js';

/**
 * What switchboard reads from GitHub REST responses (schemas named as in GitHub's OpenAPI
 * description, components/schemas). Objects are lenient: unknown fields are dropped, so what the
 * conditional-request cache keeps is only this. The contract test checks each field exists.
 */

export const UserSchema = z.object({ login: z.string() });

/** `issue`: Gitea's fields plus `author_association` (what trust is read from). */
export const IssueSchema = RawGiteaIssueSchema.extend({
  author_association: z.string().nullish(),
});
export type GithubIssue = z.output<typeof IssueSchema>;

export const IssueListSchema = z.array(IssueSchema);

/** `issue-comment` */
export const CommentSchema = z.object({
  id: z.number().int(),
  body: z.string().nullish(),
  user: UserSchema.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});

/** `issue-comment` as the repository-wide list gives it: which issue (or pull request) it is on. */
export const RepoCommentSchema = CommentSchema.extend({ issue_url: z.string().nullish(), html_url: z.string().nullish() });

/** `label`: the colour comes without `#`. */
export const LabelSchema = z.object({ id: z.number().int(), name: z.string(), color: z.string().nullish() });

/** `full-repository` */
export const RepositorySchema = z.object({
  full_name: z.string(),
  permissions: z
    .object({
      admin: z.boolean().nullish(),
      maintain: z.boolean().nullish(),
      push: z.boolean().nullish(),
      triage: z.boolean().nullish(),
      pull: z.boolean().nullish(),
    })
    .nullish(),
  has_issues: z.boolean().nullish(),
});

/** `repository-collaborator-permission`: maintain is reported as write, triage as read. */
export const PermissionSchema = z.object({ permission: z.string() });

/** `timeline-cross-referenced-event` and the rest of `timeline-issue-events`, by `event`. */
export const TimelineSchema = z.array(
  z.object({
    event: z.string().nullish(),
    /** who did it: for `closed`, who closed the issue (timeline-issue-events) */
    actor: z.object({ login: z.string() }).nullish(),
    source: z
      .object({
        issue: z
          .object({
            number: z.number().int(),
            pull_request: z.unknown().optional(),
            repository: z.object({ full_name: z.string() }).partial().nullish(),
          })
          .nullish(),
      })
      .nullish(),
  }),
);

/** `pull-request` */
export const PullRequestSchema = z.object({
  number: z.number().int(),
  state: z.enum(['open', 'closed']),
  merged: z.boolean().nullish(),
  merged_at: z.string().nullish(),
  head: z.object({ sha: z.string().nullish(), repo: z.object({ id: z.number().int() }).nullish() }).nullish(),
  base: z.object({ repo: z.object({ id: z.number().int() }).nullish() }).nullish(),
  user: z.object({ login: z.string() }).nullish(),
  merge_commit_sha: z.string().nullish(),
  html_url: z.string().nullish(),
  updated_at: z.string().nullish(),
});

/** `combined-commit-status`: no statuses at all is `pending` with total_count 0. */
export const CombinedStatusSchema = z.object({
  state: z.string(),
  sha: z.string().nullish(),
  total_count: z.number().int().nullish(),
  /** the latest status per context (`simple-commit-status`) */
  statuses: z.array(z.object({ state: z.string(), context: z.string().nullish(), target_url: z.string().nullish() })).nullish(),
});

/** `check-run` inside the check-runs list */
export const CheckRunsSchema = z.object({
  total_count: z.number().int(),
  check_runs: z.array(
    z.object({
      name: z.string().nullish(),
      status: z.string(),
      conclusion: z.string().nullish(),
      details_url: z.string().nullish(),
      html_url: z.string().nullish(),
    }),
  ),
});

/** `rate-limit-overview` */
export const RateLimitSchema = z.object({
  resources: z.object({ core: z.object({ limit: z.number(), remaining: z.number(), reset: z.number() }) }),
});

export const NoContentSchema = z.unknown();
