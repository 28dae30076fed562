import type { Config } from './config.js';
import { type Issue, issueKey } from './issue.js';
import { gatesFor, type PolicyContext, type Proposal, proposalFor, propose, type ReadinessFacts, routeAround } from './policy.js';
import type { TaskType } from './routing.js';
import { compileProfile, DEFAULT_PROFILE, type ScoringProfile } from './profile.js';
import { type ScoredIssue, scoreIssue } from './scoring.js';

/** A scoring profile compiled from config, reusing the compiled default when unchanged. */
export function profileFromConfig(config: Config): ScoringProfile {
  return JSON.stringify(config.scoring) === JSON.stringify(DEFAULT_PROFILE.settings)
    ? DEFAULT_PROFILE
    : compileProfile(config.scoring);
}

/** Repos locked by an open issue carrying the in-progress label: repo → that issue. */
export function lockedRepos(issues: Iterable<Issue>, inProgressLabel: string): Map<string, string> {
  const locked = new Map<string, string>();
  for (const issue of issues) {
    if (issue.state === 'open' && issue.labels.includes(inProgressLabel) && !locked.has(issue.repo)) {
      locked.set(issue.repo, issueKey(issue.repo, issue.number));
    }
  }
  return locked;
}

export interface PolicyState {
  readonly armed: boolean;
  readonly agentLoad?: ReadonlyMap<string, number>;
  readonly cycleCapRemaining?: number;
  readonly lockedRepos?: ReadonlyMap<string, string>;
  /** agent id → the last readiness check's findings */
  readonly readiness?: ReadonlyMap<string, ReadinessFacts>;
  /** issue key → the task type the operator set */
  readonly taskTypes?: ReadonlyMap<string, TaskType>;
}

export function policyContext(config: Config, profile: ScoringProfile, state: PolicyState): PolicyContext {
  return {
    profile,
    agents: new Map(config.agents.map((a) => [a.id, a])),
    roles: config.roles,
    ownerLogin: config.ownerLogin,
    armed: state.armed,
    enrolledRepos: new Set(config.repos),
    lockedRepos: config.limits.repoLock ? (state.lockedRepos ?? new Map()) : new Map(),
    agentLoad: state.agentLoad ?? new Map(),
    cycleCapRemaining: state.cycleCapRemaining ?? config.limits.dispatchesPerCycle,
    trustedAuthors: new Set(config.trustedAuthors),
    ...(config.readyLabel !== undefined ? { readyLabel: config.readyLabel } : {}),
    ...(state.readiness !== undefined ? { readiness: state.readiness } : {}),
    ...(state.taskTypes !== undefined ? { taskTypes: state.taskTypes } : {}),
  };
}

export interface TriageResult {
  readonly scored: ScoredIssue[];
  readonly proposals: Proposal[];
}

/**
 * Score and propose for a backlog: the whole of a dry-run preview. Proposals are made in backlog
 * order; each executable dispatch counts against its agent's capacity and the cycle cap, as the
 * engine will count them when approving.
 */
export function triage(issues: readonly Issue[], config: Config, now: Date, state: PolicyState): TriageResult {
  const profile = profileFromConfig(config);
  const scored = issues.map((issue) => scoreIssue(issue, profile, now));
  const load = new Map(state.agentLoad ?? []);
  let cap = state.cycleCapRemaining ?? config.limits.dispatchesPerCycle;
  const locked = new Map(state.lockedRepos ?? lockedRepos(issues, config.labels.inProgress));
  const proposals: Proposal[] = [];
  // One context for the backlog (load and locks are live maps); a new one only when the cap moves.
  let ctx = policyContext(config, profile, { ...state, agentLoad: load, cycleCapRemaining: cap, lockedRepos: locked });
  for (const s of scored) {
    let p = propose(s, ctx);
    const around = p.executable ? null : routeAround(s, p, ctx);
    if (around) p = proposalFor(s.issue, around, gatesFor(s, around, ctx), p.whatWouldChange);
    proposals.push(p);
    if (p.executable && p.action === 'dispatch' && p.agentId) {
      load.set(p.agentId, (load.get(p.agentId) ?? 0) + 1);
      cap -= 1;
      if (config.limits.repoLock) locked.set(p.repo, p.issueKey);
      ctx = { ...ctx, cycleCapRemaining: cap };
    }
  }
  return { scored, proposals };
}
