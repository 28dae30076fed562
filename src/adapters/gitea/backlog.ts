import { type Issue, sameIssue } from '../../core/issue.js';

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

const listed = new WeakMap<ReadonlyMap<number, Issue>, readonly Issue[]>();

/** Open issues of a backlog, newest number first (listed once per backlog: a quiet fetch lists nothing again). */
export function backlogIssues(backlog: RepoBacklog): readonly Issue[] {
  let issues = listed.get(backlog.issues);
  if (!issues) listed.set(backlog.issues, (issues = [...backlog.issues.values()].sort((a, b) => b.number - a.number)));
  return issues;
}

/** A full fetch: exactly the open issues that came back (the last copy of a repeated number wins). */
export function backlogFromFull(issues: readonly Issue[], syncedAt: number): RepoBacklog {
  const map = new Map<number, Issue>();
  for (const issue of issues) if (issue.state === 'open') map.set(issue.number, issue);
  return { issues: map, syncedAt };
}

/**
 * An incremental fetch: changed issues replace their old copy; closed ones leave the backlog.
 * `since` is inclusive (Gitea models/issues/issue_search.go: `updated_unix >= since`) and we read
 * from a minute before the last fetch, so issues come back unchanged: those keep their old copy,
 * and when nothing differs the backlog keeps its `issues` map (the caller reports "unchanged").
 */
export function mergeChanges(
  previous: RepoBacklog,
  changed: readonly Issue[],
  syncedAt: number,
): RepoBacklog {
  let map: Map<number, Issue> | undefined;
  for (const issue of changed) {
    const had = (map ?? previous.issues).get(issue.number);
    if (issue.state === 'open') {
      if (had === undefined || !sameIssue(had, issue)) (map ??= new Map(previous.issues)).set(issue.number, issue);
    } else if (had !== undefined) (map ??= new Map(previous.issues)).delete(issue.number);
  }
  return { issues: map ?? previous.issues, syncedAt };
}

/** The `since` parameter: RFC 3339 in UTC, whole seconds (what Go's time.RFC3339 expects). */
export function sinceParam(syncedAt: number, overlapMs: number): string {
  return new Date(Math.floor((syncedAt - overlapMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
