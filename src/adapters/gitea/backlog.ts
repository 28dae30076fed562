import type { Issue } from '../../core/issue.js';

/**
 * How far before the last fetch's server time an incremental fetch starts. Gitea compares `since`
 * with `updated_unix` (whole seconds) and the `Date` header is whole seconds too; more
 * importantly, a write in flight during our read gets an updated time earlier than the response's
 * `Date` while still invisible to it. A minute covers both with room to spare, and the price is
 * only that issues changed within that minute come back again and replace themselves.
 */
export const DEFAULT_SINCE_OVERLAP_MS = 60_000;

export interface RepoBacklog {
  readonly issues: ReadonlyMap<number, Issue>;
  /** the server clock (ms) when the fetch that produced this state was answered */
  readonly syncedAt: number;
}

/** Open issues of a backlog, newest number first. */
export function backlogIssues(backlog: RepoBacklog): Issue[] {
  return [...backlog.issues.values()].sort((a, b) => b.number - a.number);
}

/** A full fetch: exactly the open issues that came back (the last copy of a repeated number wins). */
export function backlogFromFull(issues: readonly Issue[], syncedAt: number): RepoBacklog {
  const map = new Map<number, Issue>();
  for (const issue of issues) if (issue.state === 'open') map.set(issue.number, issue);
  return { issues: map, syncedAt };
}

/** An incremental fetch: changed issues replace their old copy; closed ones leave the backlog. */
export function mergeChanges(
  previous: RepoBacklog,
  changed: readonly Issue[],
  syncedAt: number,
): RepoBacklog {
  const map = new Map(previous.issues);
  for (const issue of changed) {
    if (issue.state === 'open') map.set(issue.number, issue);
    else map.delete(issue.number);
  }
  return { issues: map, syncedAt };
}

/** The `since` parameter: RFC 3339 in UTC, whole seconds (what Go's time.RFC3339 expects). */
export function sinceParam(syncedAt: number, overlapMs: number): string {
  return new Date(Math.floor((syncedAt - overlapMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
