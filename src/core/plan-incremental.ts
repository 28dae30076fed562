import { orderOf, rescoredSince } from './backlog-order.js';
import { issueKey } from './issue.js';
import { ListedMap, OverlayMap } from './overlay-map.js';
import { AUTO_ROLE } from './policy.js';
import type { TaskType } from './routing.js';
import { lineageOf, remember } from './plan-lineage.js';
import { decideIssue, dispatchLoad, gateOne, gateRank, type PlanContext, planContext, type Resources, settle } from './planner.js';
import type { Plan, PlanInput, TrackedProposal } from './proposal-queue.js';

/** Beyond this many touched issues a full plan is as cheap. */
const MAX_TOUCHED = 256;
const NO_TASK_TYPES: ReadonlyMap<string, TaskType> = new Map();

/**
 * The plan `planProposals` would make, computed from the plan that produced `input.previous`
 * (its lineage) by looking only at what changed since: the issues whose proposals were moved
 * (an approve, a write, an execution ending) or whose dispatch changed, the approved work that
 * takes capacity (a short list), and the pending proposals whose gates read a repo lock, an
 * agent's load or the cycle cap that moved. Null when that is not known (a new backlog, arming,
 * a map without lineage): the caller plans in full. `plan-incremental.property.test.ts` holds
 * the two to the same result.
 */
export function replanAround(input: PlanInput): Plan | null {
  const lineage = lineageOf(input.previous);
  if (!lineage) return null;
  const was = lineage.plan;
  const { config, profile, backlog, previous, dispatches } = input;
  // Issues scored again in place (their order and repo locks as they were) are decided again.
  const rescored = rescoredSince(backlog, was.backlog);
  if (rescored === null || was.config !== config || was.profile !== profile || was.armed !== input.armed || was.readiness !== input.readiness || was.lateReserve) return null;

  const touched = new Set<string>(rescored);
  // An operator's task type changes that issue's decision (and its routing).
  if (was.taskTypes !== input.taskTypes) {
    const before = was.taskTypes ?? NO_TASK_TYPES;
    const after = input.taskTypes ?? NO_TASK_TYPES;
    for (const [key, t] of after) if (before.get(key) !== t) touched.add(key);
    for (const key of before.keys()) if (!after.has(key)) touched.add(key);
  }
  for (const id of lineage.changed) {
    const p = previous.get(id);
    if (p) touched.add(p.issueKey);
  }
  if (was.dispatches !== dispatches) {
    for (const [id, d] of dispatches) if (was.dispatches.get(id) !== d) touched.add(issueKey(d.repo, d.number));
    for (const [id, d] of was.dispatches) if (!dispatches.has(id)) touched.add(issueKey(d.repo, d.number));
  }
  if (touched.size > MAX_TOUCHED) return null;

  const order = orderOf(backlog);
  const { ordered, place } = order;
  const locked = new Map(was.labelLocks);
  const { byIssue: liveDispatchByIssue, load } = dispatchLoad(dispatches, locked);
  const base = planContext(input);
  const c: PlanContext = { input, base, liveDispatchByIssue };

  // Entries after the decided ones (kept, history) and ids put in since the plan, in map order.
  const mainIds = was.mainIds;
  const isMain = (p: TrackedProposal): boolean => {
    const i = place.get(p.issueKey);
    return i !== undefined && mainIds[i] === p.id;
  };
  const extraIds = [...was.restIds, ...[...lineage.changed].filter((id) => !was.restIds.includes(id) && !isMain(previous.get(id)!))];

  // The touched issues decided again, most urgent first.
  const places = [...touched].map((k) => place.get(k)).filter((i): i is number => i !== undefined).sort((a, b) => a - b);
  const decided = new Map<number, TrackedProposal>();
  const candidate = new Set<number>();
  const autoApproved: TrackedProposal[] = [];
  for (const i of places) {
    const scored = ordered[i]!;
    const key = issueKey(scored.issue.repo, scored.issue.number);
    // The full plan's owner: the last executing or started proposal of the issue, in map order.
    let owner: TrackedProposal | undefined;
    for (const id of [mainIds[i]!, ...extraIds]) {
      const p = previous.get(id);
      if (p && p.issueKey === key && (p.status === 'executing' || (p.status === 'approved' && p.started))) owner = p;
    }
    const d = decideIssue(c, scored, key, owner);
    if (d.auto) autoApproved.push(d.p);
    decided.set(i, d.p);
    if (d.candidate) candidate.add(i);
  }
  const at = (i: number): TrackedProposal => decided.get(i) ?? previous.get(mainIds[i]!)!;

  // Approved and executing work takes capacity in order, so all of it is gated again.
  const reserving = [...was.reserving.filter((i) => !decided.has(i)), ...places.filter((i) => candidate.has(i) && gateRank(decided.get(i)!) < 2)].sort(
    (a, b) => gateRank(at(a)) - gateRank(at(b)) || a - b,
  );
  const r: Resources = { load, cap: config.limits.dispatchesPerCycle - input.executedThisCycle, locked };
  const gated = new Map<number, TrackedProposal>();
  for (const i of reserving) gated.set(i, gateOne(c, ordered[i]!, at(i), r));

  // Pending proposals read the final load, cap and locks: gate again those whose reading moved.
  const agents = new Set<string>();
  for (const id of new Set([...was.load.keys(), ...r.load.keys()])) {
    const before = was.load.get(id) ?? 0;
    const after = r.load.get(id) ?? 0;
    const max = c.base.agents.get(id)?.maxConcurrent ?? Infinity;
    if (before !== after && (before >= max || after >= max)) agents.add(id);
  }
  const repos = new Set<string>();
  if (config.limits.repoLock) {
    for (const repo of new Set([...was.locked.keys(), ...r.locked.keys()])) if (was.locked.get(repo) !== r.locked.get(repo)) repos.add(repo);
  }
  const capTurned = was.cap <= 0 !== r.cap <= 0;
  // With roles.coding "auto" a pending proposal may have been routed around its agent onto
  // another: any agent filling up or freeing a slot can move it.
  const rerouting = base.roles.coding === AUTO_ROLE && agents.size > 0;
  for (const i of places) if (candidate.has(i) && !gated.has(i)) gated.set(i, gateOne(c, ordered[i]!, decided.get(i)!, r));
  const regate = (i: number): void => {
    if (decided.has(i)) return;
    const p = previous.get(mainIds[i]!)!;
    if (p.status !== 'proposed' || p.action !== 'dispatch') return;
    if (!(capTurned || rerouting || repos.has(p.repo) || (p.agentId !== null && agents.has(p.agentId)))) return;
    // Decided again, not only gated: a routed-around proposal starts over from the policy's agent.
    const scored = ordered[i]!;
    const d = decideIssue(c, scored, p.issueKey, undefined);
    if (d.auto) autoApproved.push(d.p);
    gated.set(i, d.candidate ? gateOne(c, scored, d.p, r) : d.p);
  };
  // A lock moved: that repo's issues; an agent's load or the cap: every issue.
  if (agents.size > 0 || capTurned) mainIds.forEach((_, i) => regate(i));
  else for (const repo of repos) for (const i of order.byRepo.get(repo) ?? []) regate(i);
  if (r.lateReserve === true) return null;

  // What changed, and whether the map keeps its entries in their order.
  let nextMain = mainIds;
  const replaced: TrackedProposal[] = [];
  const changed = new Map<string, TrackedProposal>();
  const settled = (i: number, p: TrackedProposal): void => {
    if (p.id !== mainIds[i]) {
      if (nextMain === mainIds) nextMain = [...mainIds];
      (nextMain as string[])[i] = p.id;
      replaced.push(previous.get(mainIds[i]!)!);
    }
    if (previous.get(p.id) !== p) changed.set(p.id, p);
  };
  for (const i of places) settled(i, gated.get(i) ?? decided.get(i)!);
  for (const [i, p] of gated) if (!decided.has(i)) settled(i, p);

  const extras = extraIds.map((id) => previous.get(id)!);
  const stillMain = (p: TrackedProposal): boolean => {
    const i = place.get(p.issueKey);
    return i !== undefined && nextMain[i] === p.id;
  };
  const rest = settle([...replaced.sort((a, b) => place.get(a.issueKey)! - place.get(b.issueKey)!), ...extras], stillMain, backlog);

  let proposals: ReadonlyMap<string, TrackedProposal>;
  const changedIds = new Set(changed.keys());
  const sameRest = rest.length === extras.length && rest.every((p, i) => p === extras[i]);
  if (nextMain === mainIds && sameRest) {
    proposals = changed.size === 0 ? previous : OverlayMap.withAll(previous, changed);
  } else {
    // Keys replaced or moved: the new order listed, read through `previous` (no 50,000-entry copy).
    const over = new Map(changed);
    const restIds = new Set<string>();
    for (const p of rest) {
      restIds.add(p.id);
      if (previous.get(p.id) !== p) {
        over.set(p.id, p);
        changedIds.add(p.id);
      }
    }
    const removed = new Set<string>();
    for (const p of [...replaced, ...extras]) {
      if (!restIds.has(p.id) && !stillMain(p)) {
        removed.add(p.id);
        changedIds.add(p.id);
      }
    }
    proposals = ListedMap.of([...nextMain, ...rest.map((p) => p.id)], previous, over, removed);
  }
  remember(proposals, {
    ...was,
    backlog,
    order,
    dispatches,
    mainIds: nextMain,
    restIds: rest.map((p) => p.id),
    reserving,
    load: r.load,
    cap: r.cap,
    locked: r.locked,
    taskTypes: input.taskTypes,
    readiness: input.readiness,
  });
  return { proposals, autoApproved, changedIds };
}
