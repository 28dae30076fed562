import { planned } from './backlog-order.js';
import type { Config } from './config.js';
import { OverlayMap } from './overlay-map.js';
import type { Supervised } from './supervision-types.js';
import type { ScoringProfile } from './profile.js';
import type { ReadinessFacts } from './readiness.js';
import type { TaskType } from './routing.js';
import type { TrackedProposal } from './proposal-queue.js';
import type { ScoredIssue } from './scoring.js';

/**
 * What a plan knew when it produced a proposals map, kept beside that map (never in the state),
 * so the next plan can start from it and look again only at what changed since: the proposals
 * an operator or a write moved, and the issues whose dispatch changed.
 */
export interface PlanInfo {
  readonly config: Config;
  readonly profile: ScoringProfile;
  readonly backlog: ReadonlyMap<string, ScoredIssue>;
  readonly dispatches: ReadonlyMap<string, Supervised>;
  readonly armed: boolean;
  /** the operator's task types the plan decided with */
  readonly taskTypes: ReadonlyMap<string, TaskType> | undefined;
  /** the agents' readiness the plan gated with: a new check re-plans in full */
  readonly readiness: ReadonlyMap<string, ReadinessFacts> | undefined;
  /** the backlog most urgent first, and each issue's place in it */
  readonly order: BacklogOrder;
  /** the proposal decided for each issue, by place: the first entries of the map, in order */
  readonly mainIds: readonly string[];
  /** the entries after them (kept while executing, history), in order */
  readonly restIds: readonly string[];
  /** places of the approved and executing proposals: the ones that take capacity */
  readonly reserving: readonly number[];
  /** capacity, cycle cap and repo locks once approved work has taken its share */
  readonly load: ReadonlyMap<string, number>;
  readonly cap: number;
  readonly locked: ReadonlyMap<string, string>;
  /** repo locks from in-progress labels alone */
  readonly labelLocks: ReadonlyMap<string, string>;
  /**
   * A pending proposal took capacity when gated: routed around its agent ("auto") onto a proposal
   * the operator had approved. Its share depends on where it fell among the pending ones, which
   * only a full plan reproduces.
   */
  readonly lateReserve: boolean;
}

export interface BacklogOrder {
  readonly ordered: readonly ScoredIssue[];
  readonly place: ReadonlyMap<string, number>;
  /** places of each repo's issues, in order */
  readonly byRepo: ReadonlyMap<string, readonly number[]>;
}

interface Lineage {
  readonly plan: PlanInfo;
  /** ids set in the map since the plan produced it */
  readonly changed: ReadonlySet<string>;
}

// Keyed by the map object: a map nobody holds any more takes its lineage with it.
const lineages = new WeakMap<ReadonlyMap<string, TrackedProposal>, Lineage>();

export function remember(proposals: ReadonlyMap<string, TrackedProposal>, plan: PlanInfo): void {
  planned(plan.backlog);
  lineages.set(proposals, { plan, changed: new Set() });
}

export const lineageOf = (proposals: ReadonlyMap<string, TrackedProposal>): Lineage | undefined => lineages.get(proposals);

/** The map with one proposal put in (a copy); the next plan re-plans only around it. */
export function withProposal(proposals: ReadonlyMap<string, TrackedProposal>, p: TrackedProposal): ReadonlyMap<string, TrackedProposal> {
  const next = OverlayMap.with(proposals, p.id, p);
  const from = lineages.get(proposals);
  if (from) lineages.set(next, { plan: from.plan, changed: new Set(from.changed).add(p.id) });
  return next;
}
