import { issueKey, sameLabels } from './issue.js';
import { OverlayMap } from './overlay-map.js';
import type { BacklogOrder } from './plan-lineage.js';
import { byPriority } from './proposal-queue.js';
import type { ScoredIssue } from './scoring.js';

/**
 * The backlog's order, and which issues were scored again in place since a plan. At 50,000
 * issues a warm cycle mostly re-scores a handful (an age that ticked over a day, an edit that
 * moved neither tier, score nor labels): those change neither the order nor a repo lock, so the
 * backlog keeps its order (no 50,000-entry sort or copy) and the next plan decides just those
 * issues again (`replanAround`). Kept beside the backlog in weak maps, never in the state.
 */

type Backlog = ReadonlyMap<string, ScoredIssue>;

const orders = new WeakMap<Backlog, BacklogOrder>();

/** Keys scored again in place since `base`, a backlog a plan was made from (or a fresh one). */
interface Rescored {
  readonly base: Backlog;
  readonly keys: ReadonlySet<string>;
}
const rescores = new WeakMap<Backlog, Rescored>();

function orderFrom(ordered: readonly ScoredIssue[]): BacklogOrder {
  const place = new Map<string, number>();
  const byRepo = new Map<string, number[]>();
  ordered.forEach((s, i) => {
    place.set(issueKey(s.issue.repo, s.issue.number), i);
    const places = byRepo.get(s.issue.repo);
    if (places) places.push(i);
    else byRepo.set(s.issue.repo, [i]);
  });
  return { ordered, place, byRepo };
}

/** The backlog most urgent first (the engine keeps it sorted; sorting again costs one pass). */
export function orderOf(backlog: Backlog): BacklogOrder {
  let order = orders.get(backlog);
  if (!order) orders.set(backlog, (order = orderFrom([...backlog.values()].sort(byPriority))));
  return order;
}

/** A backlog of these scored issues, most urgent first; its order is known without sorting again. */
export function sortedBacklog(issues: ScoredIssue[]): Backlog {
  const ordered = issues.sort(byPriority);
  const backlog = new Map(ordered.map((x) => [issueKey(x.issue.repo, x.issue.number), x]));
  orders.set(backlog, orderFrom(ordered));
  return backlog;
}

/** Where an issue scored again stays in place: the same tier, score, state and labels (repo locks). */
const inPlace = (was: ScoredIssue, now: ScoredIssue): boolean =>
  was.tier === now.tier && was.score === now.score && was.issue.state === now.issue.state && sameLabels(was.issue, now.issue);

/**
 * `backlog` with `entries` put in where their issues stand, or null when one is not in the
 * backlog or would move. The map is an overlay (no 50,000-entry copy).
 */
export function withRescored(backlog: Backlog, entries: readonly ScoredIssue[]): Backlog | null {
  if (entries.length === 0) return backlog;
  const order = orderOf(backlog);
  const ordered = [...order.ordered];
  const over = new Map<string, ScoredIssue>();
  for (const x of entries) {
    const key = issueKey(x.issue.repo, x.issue.number);
    const i = order.place.get(key);
    if (i === undefined || !inPlace(ordered[i]!, x)) return null;
    ordered[i] = x;
    over.set(key, x);
  }
  const next = OverlayMap.withAll(backlog, over);
  orders.set(next, { ordered, place: order.place, byRepo: order.byRepo });
  const from = rescores.get(backlog);
  rescores.set(next, from ? { base: from.base, keys: new Set([...from.keys, ...over.keys()]) } : { base: backlog, keys: new Set(over.keys()) });
  return next;
}

/** The keys scored again in place between `base` and `backlog`, or null when that is not how one came from the other. */
export function rescoredSince(backlog: Backlog, base: Backlog): ReadonlySet<string> | null {
  if (backlog === base) return new Set();
  const r = rescores.get(backlog);
  return r && r.base === base ? r.keys : null;
}

/** A plan was made from `backlog`: what is rescored later counts from it (and older backlogs can go). */
export function planned(backlog: Backlog): void {
  rescores.delete(backlog);
}

/**
 * The backlog with `repo`'s issues now `scored`: itself when they are the same objects, in place
 * when only some were scored again where they stand, sorted anew otherwise.
 */
export function withRepoIssues(backlog: Backlog, repo: string, scored: readonly ScoredIssue[]): Backlog {
  if ((orderOf(backlog).byRepo.get(repo)?.length ?? 0) === scored.length) {
    const changed = scored.filter((x) => backlog.get(issueKey(x.issue.repo, x.issue.number)) !== x);
    if (changed.length === 0) return backlog;
    const inPlaceOnly = withRescored(backlog, changed);
    if (inPlaceOnly) return inPlaceOnly;
  }
  const others = [...backlog.values()].filter((x) => x.issue.repo !== repo);
  return sortedBacklog([...others, ...scored]);
}
