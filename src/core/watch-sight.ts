import type { AgentStatus, DispatchTarget, LinkedPullRequest, Tracker, TrackerComment } from './ports.js';
import type { AgentSight, PullSight, TrackerSight } from './supervision-types.js';
import { sanitize } from './sanitize.js';

/**
 * What one cycle reads of a supervised dispatch, through the ports only, shaped as the `cycle`
 * event of supervision.ts wants it (docs/seed-behaviours.md, "Wiring"). Reads, no decisions: who
 * counts and what a red check means is `next`'s business.
 */

export type SightReads = Pick<Tracker, 'getIssue' | 'closedBy' | 'listComments' | 'linkedPullRequests' | 'commitChecks'>;

export interface TrackerReading {
  readonly sight: TrackerSight;
  /** the newest comment id read: the next cycle's `since` */
  readonly lastCommentId: number;
}

/** Comments newer than `since`, by anyone (switchboard's own too: `next` tells them apart by marker). */
export const commentsSince = (comments: readonly TrackerComment[], since: number): { author: string; body: string }[] =>
  comments.filter((c) => c.id > since).map((c) => ({ author: c.author, body: c.body }));

/** Issue, who closed it, linked PRs with their head checks (and merge checks for a deploy), new comments. */
export async function readTrackerSight(
  tracker: SightReads,
  at: { readonly repo: string; readonly number: number },
  lastCommentId: number,
  deployContext: string | null,
): Promise<TrackerReading> {
  const { repo, number } = at;
  const issue = await tracker.getIssue(repo, number);
  const closedBy = issue.state === 'closed' ? await tracker.closedBy(repo, number) : null;
  const comments = await tracker.listComments(repo, number);
  const pulls: PullSight[] = [];
  for (const pull of await tracker.linkedPullRequests(repo, number)) pulls.push(await pullSight(tracker, repo, pull, deployContext));
  const newest = comments.reduce((m, c) => Math.max(m, c.id), lastCommentId);
  return {
    sight: {
      issue: { state: issue.state, closedBy, assignees: issue.assignees, labels: issue.labels },
      pulls,
      comments: commentsSince(comments, lastCommentId),
    },
    lastCommentId: newest,
  };
}

async function pullSight(tracker: SightReads, repo: string, pull: LinkedPullRequest, deployContext: string | null): Promise<PullSight> {
  // A PR closed unmerged says nothing about CI that matters: its checks are not read.
  const live = pull.state === 'open' || pull.merged;
  const checks = live && pull.headSha ? await tracker.commitChecks(repo, pull.headSha) : [];
  const mergeChecks = deployContext !== null && pull.merged && pull.mergeSha ? await tracker.commitChecks(repo, pull.mergeSha) : [];
  const who = { ...(pull.author !== undefined ? { author: pull.author } : {}), ...(pull.fromFork !== undefined ? { fromFork: pull.fromFork } : {}) };
  return { number: pull.number, state: pull.state, merged: pull.merged, headSha: pull.headSha, mergeSha: pull.mergeSha, checks, mergeChecks, ...who };
}

/** An http/command agent's own account of its run, in the lifecycle's words; its text is untrusted. */
export const agentSight = (s: AgentStatus): AgentSight => ({ status: s.status === 'done' ? 'succeeded' : s.status, detail: sanitize(s.detail) });

/** The agent's status when it can be asked (a target for its kind and a run id on record), else null. */
export async function readAgentSight(target: DispatchTarget | undefined, runId: string | undefined): Promise<AgentSight | null> {
  if (!target || runId === undefined) return null;
  return agentSight(await target.observe(runId));
}
