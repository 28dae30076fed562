import type { Config } from './config.js';
import { type Issue, issueKey } from './issue.js';
import type { PolicyContext, Proposal, ReadinessFacts } from './policy.js';
import { planProposals } from './planner.js';
import type { TaskType } from './routing.js';
import { compileProfile, DEFAULT_PROFILE, type ScoringProfile } from './profile.js';
import type { Permission } from './ports.js';
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
  /** one per scored issue, in the same order */
  readonly proposals: Proposal[];
}

/**
 * Score and plan a backlog exactly as a cycle of the engine would with nothing approved or in
 * flight yet: the same planner, the same auto-approve rules, the same capacity rule (only
 * approved work takes capacity) and the same repo locks. The whole of a dry-run preview.
 */
export function triage(
  issues: readonly Issue[],
  config: Config,
  now: Date,
  state: { readonly armed: boolean; readonly taskTypes?: ReadonlyMap<string, TaskType> },
): TriageResult {
  const profile = profileFromConfig(config);
  const scored = issues.map((issue) => scoreIssue(issue, profile, now));
  // Each issue's key made once: building one interns a new string (flat), a cost per issue.
  const keys = scored.map((s) => issueKey(s.issue.repo, s.issue.number));
  const backlog = new Map(scored.map((s, i) => [keys[i]!, s]));
  const plan = planProposals({
    config, profile, backlog, previous: new Map(), dispatches: new Map(), armed: state.armed, executedThisCycle: 0,
    ...(state.taskTypes ? { taskTypes: state.taskTypes } : {}),
  });
  const byIssue = new Map<string, Proposal>();
  for (const p of plan.proposals.values()) byIssue.set(p.issueKey, p);
  const proposals = keys.map((key) => {
    const p = byIssue.get(key);
    if (!p) throw new Error(`no decision for ${key}`);
    return p;
  });
  return { scored, proposals };
}

/** The trust cache key of an author in a repo. */
export const trustKey = (repo: string, author: string): string => `${repo}\0${author}`;

/** Whether a permission level lets an author's issues through the trusted-author gate. */
export const permissionTrusts = (level: Permission): boolean => level === 'write' || level === 'admin' || level === 'owner';

/** Whether the tracker must be asked if this issue's author may write (the trusted-author gate). */
export const needsTrust = (issue: Issue, trustedAuthors: ReadonlySet<string>, known: ReadonlyMap<string, boolean>): boolean =>
  issue.authorTrusted === undefined && issue.author !== '' && !trustedAuthors.has(issue.author) && !known.has(trustKey(issue.repo, issue.author));

/** Issues with what is known of their authors' write access; unknown stays unknown (the gate says so). */
export function withTrust(issues: readonly Issue[], known: ReadonlyMap<string, boolean>): Issue[] {
  return issues.map((issue) => {
    if (issue.authorTrusted !== undefined) return issue;
    const trusted = known.get(trustKey(issue.repo, issue.author));
    return trusted === undefined ? issue : { ...issue, authorTrusted: trusted };
  });
}
