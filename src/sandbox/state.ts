import { z } from 'zod';

/**
 * The sandbox's whole state as plain JSON: what seedBacklog produces, what statePath holds, and
 * what the store indexes. Timestamps are RFC 3339 in UTC with whole seconds, as Gitea sends them,
 * so they also compare correctly as strings.
 */

export const ACCESS_MODES = ['none', 'read', 'write', 'admin', 'owner'] as const;
export type Access = (typeof ACCESS_MODES)[number];

export const COMMIT_STATES = ['pending', 'success', 'error', 'failure', 'warning', 'skipped'] as const;
export type CommitStatusState = (typeof COMMIT_STATES)[number];

/** Timeline entry kinds the sandbox records; only `comment` entries are comments proper. */
export const EVENT_TYPES = ['comment', 'pull_ref', 'close', 'reopen'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const time = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'an RFC 3339 UTC timestamp');
const id = z.number().int().positive();

const UserSchema = z.object({ id, login: z.string().min(1), fullName: z.string(), access: z.enum(ACCESS_MODES), createdAt: time });
const LabelSchema = z.object({
  id,
  name: z.string(),
  color: z.string().regex(/^[0-9a-f]{6}$/),
  description: z.string(),
  exclusive: z.boolean(),
  isArchived: z.boolean(),
});
const PullSchema = z.object({
  headRef: z.string(),
  headSha: z.string(),
  baseRef: z.string(),
  merged: z.boolean(),
  mergedAt: time.nullable(),
  mergedBy: z.string().nullable(),
  mergeCommitSha: z.string().nullable(),
});
const IssueSchema = z.object({
  id,
  number: id,
  title: z.string(),
  body: z.string(),
  state: z.enum(['open', 'closed']),
  author: z.string(),
  labelIds: z.array(id),
  assignees: z.array(z.string()),
  createdAt: time,
  updatedAt: time,
  closedAt: time.nullable(),
  isLocked: z.boolean(),
  pull: PullSchema.nullable(),
});
const EventSchema = z.object({
  id,
  issue: id,
  type: z.enum(EVENT_TYPES),
  author: z.string(),
  body: z.string(),
  createdAt: time,
  updatedAt: time,
  /** pull_ref: the referencing PR's number and what merging it does */
  refIssue: id.nullable(),
  /** `neutered`: the PR no longer mentions the issue (Gitea models/issues/issue_xref.go:84-103) */
  refAction: z.enum(['none', 'closes', 'reopens', 'neutered']).nullable(),
});
const StatusSchema = z.object({
  id,
  sha: z.string(),
  context: z.string(),
  state: z.enum(COMMIT_STATES),
  description: z.string(),
  targetUrl: z.string(),
  creator: z.string(),
  createdAt: time,
  updatedAt: time,
});
const RepoSchema = z.object({
  id,
  owner: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  createdAt: time,
  defaultBranch: z.string(),
  /** the default branch's head commit */
  headSha: z.string(),
  labels: z.array(LabelSchema),
  issues: z.array(IssueSchema),
  events: z.array(EventSchema),
  statuses: z.array(StatusSchema),
  /** the highest issue number ever given: a deleted issue's number is never reused (Gitea's issue_index) */
  maxIndex: z.number().int().nonnegative().optional(),
});

/** A label of an organisation: every repo the organisation owns can put it on its issues. */
const OrgLabelSchema = LabelSchema.extend({ org: z.string().min(1) });

export const SandboxStateSchema = z.object({
  version: z.literal(1),
  createdAt: time,
  nextId: z.object({ user: id, repo: id, label: id, issue: id, event: id, status: id }),
  users: z.array(UserSchema),
  repos: z.array(RepoSchema),
  /** owners that are organisations (they have org labels) */
  orgs: z.array(z.string()).optional(),
  orgLabels: z.array(OrgLabelSchema).optional(),
  /** old `owner/name` (lower case) → repo id, after a rename (Gitea's repo_redirect table) */
  repoRedirects: z.array(z.object({ from: z.string(), repoId: id })).optional(),
  /** old owner login (lower case) → new login, after a rename (Gitea's user_redirect table) */
  ownerRedirects: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  /** [blocker, blocked] login pairs (Gitea's user blocking) */
  blocks: z.array(z.tuple([z.string(), z.string()])).optional(),
});

export type SandboxState = z.infer<typeof SandboxStateSchema>;
export type UserRecord = z.infer<typeof UserSchema>;
export type LabelRecord = z.infer<typeof LabelSchema>;
export type OrgLabelRecord = z.infer<typeof OrgLabelSchema>;
export type PullRecord = z.infer<typeof PullSchema>;
export type IssueRecord = z.infer<typeof IssueSchema>;
export type EventRecord = z.infer<typeof EventSchema>;
export type StatusRecord = z.infer<typeof StatusSchema>;
export type RepoState = z.infer<typeof RepoSchema>;
export type NextIds = SandboxState['nextId'];

/** Gitea's wire format: whole seconds, UTC, `Z`. */
export const formatTime = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;
