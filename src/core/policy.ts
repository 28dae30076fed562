import { AUTO_ROLE, decide, type DecideInput, decidedBeforeScore, outcomeOf, ruleFor, taskTypeOf } from './decide.js';
import { shortHash } from './hash.js';
import { type ReadinessFacts, readinessGate } from './readiness.js';
import { issueKey } from './issue.js';
import type { ScoringProfile } from './profile.js';
import { type Agent, fitsAction, suggestAgents, type TaskType } from './routing.js';
import { flat } from './flat.js';
import { evaluate, type Evaluation, type ScoredIssue, type Signals } from './scoring.js';

export { AUTO_ROLE, decide, describeAgentAction, isUntitled, routeAround, taskTypeOf } from './decide.js';
export { type ReadinessFacts, readinessGate, readinessProblems } from './readiness.js';

export type Action = 'dispatch' | 'flag' | 'skip';

export const GATE_KINDS = [
  'disarmed',
  'repo-not-enrolled',
  'repo-locked',
  'agent-at-capacity',
  'cycle-cap',
  'untrusted-author',
  'agent-not-ready',
] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** Short words for a gate, for narrow columns. */
export const GATE_LABELS: Record<GateKind, string> = {
  disarmed: 'disarmed',
  'repo-not-enrolled': 'not enrolled',
  'repo-locked': 'repo locked',
  'agent-at-capacity': 'agent busy',
  'cycle-cap': 'cycle cap',
  'untrusted-author': 'untrusted author',
  'agent-not-ready': 'agent not ready',
};

/** Why an otherwise sound proposal cannot be executed right now. Never part of the decision. */
export interface Gate {
  readonly kind: GateKind;
  readonly detail: string;
}

export interface Decision {
  readonly action: Action;
  /** registry id of the agent that would carry it out; null for skip */
  readonly agentId: string | null;
  readonly reason: string;
}

export interface Proposal extends Decision {
  /** stable: repo, number, decision and the issue's updatedAt */
  readonly id: string;
  readonly repo: string;
  readonly number: number;
  readonly issueKey: string;
  readonly updatedAt: string;
  readonly blockedBy: readonly Gate[];
  /** single changes to the issue that would change the decision */
  readonly whatWouldChange: readonly string[];
  readonly executable: boolean;
}


/** Which agents play the reference's roles. */
export interface Roles {
  /** an agent id, or "auto" to route by task type */
  readonly coding: string;
  readonly research: string;
  readonly owner: string;
}

export interface PolicyContext {
  readonly profile: ScoringProfile;
  readonly agents: ReadonlyMap<string, Agent>;
  readonly roles: Roles;
  /** the human owner's login, mentioned when flagging */
  readonly ownerLogin: string;
  readonly armed: boolean;
  readonly enrolledRepos: ReadonlySet<string>;
  /** repo → the issue holding its in-progress lock */
  readonly lockedRepos: ReadonlyMap<string, string>;
  /** agent id → dispatches in flight or already approved this cycle */
  readonly agentLoad: ReadonlyMap<string, number>;
  /** dispatches this cycle may still make; Infinity for no cap */
  readonly cycleCapRemaining: number;
  readonly trustedAuthors: ReadonlySet<string>;
  /** when set, only issues carrying this label are proposed for dispatch */
  readonly readyLabel?: string;
  /** agent id → what the last readiness check found (absent: not checked) */
  readonly readiness?: ReadonlyMap<string, ReadinessFacts>;
  /** issue key → the task type the operator set (wins over the inferred one) */
  readonly taskTypes?: ReadonlyMap<string, TaskType>;
}


/** Stable proposal id: the same issue version and decision always get the same id. */
export function proposalId(repo: string, number: number, decision: Pick<Decision, 'action' | 'agentId'>, updatedAt: string): string {
  return shortHash(`${repo}\0${number}\0${decision.action}\0${decision.agentId ?? ''}\0${updatedAt}`);
}

/** Gates that stop an executable decision now. Skips have none. */
export function gatesFor(scored: ScoredIssue, decision: Decision, ctx: PolicyContext): Gate[] {
  if (decision.action === 'skip' || decision.agentId === null) return [];
  const { repo } = scored.issue;
  const gates: Gate[] = [];
  if (!ctx.armed) gates.push({ kind: 'disarmed', detail: 'switchboard is disarmed: nothing is written until it is armed' });
  if (!ctx.enrolledRepos.has(repo)) {
    gates.push({ kind: 'repo-not-enrolled', detail: `${repo} is not in the enrolled repository list` });
  }
  if (decision.action === 'dispatch') {
    const lockHolder = ctx.lockedRepos.get(repo);
    if (lockHolder !== undefined && lockHolder !== issueKey(repo, scored.issue.number)) {
      gates.push({ kind: 'repo-locked', detail: `${lockHolder} is in progress in ${repo}` });
    }
    const agent = ctx.agents.get(decision.agentId);
    const load = ctx.agentLoad.get(decision.agentId) ?? 0;
    if (agent && load >= agent.maxConcurrent) {
      gates.push({ kind: 'agent-at-capacity', detail: `${agent.displayName} has ${load} of ${agent.maxConcurrent} dispatches running` });
    }
    if (agent) {
      const { gate } = readinessGate(agent, ctx.readiness?.get(agent.id));
      if (gate) gates.push(gate);
    }
    if (ctx.cycleCapRemaining <= 0) {
      gates.push({ kind: 'cycle-cap', detail: 'the per-cycle dispatch cap is reached' });
    }
    const author = scored.issue.author;
    const trusted = ctx.trustedAuthors.has(author) || scored.issue.authorTrusted === true;
    if (!trusted) {
      gates.push({
        kind: 'untrusted-author',
        detail:
          scored.issue.authorTrusted === false
            ? `@${author || 'unknown'} is not a trusted author and has no write permission`
            : `@${author || 'unknown'} is not a trusted author and their permission is unknown`,
      });
    }
  }
  return gates;
}

/**
 * One change to the issue that could change its decision: the evidence it would add or remove.
 * Its words are written only when it does change the decision (few issues, few hypotheses), so
 * asking costs one evaluation per hypothesis and no strings.
 */
type Change = 'meta' | 'unassign' | 'file' | 'func' | 'title' | 'criteria' | 'test' | 'section' | 'bug' | 'unblock' | 'ready-label';

function changedSignals(change: Change, scored: ScoredIssue, p: ScoringProfile['settings']): Partial<Signals> | null {
  const s = scored.signals;
  switch (change) {
    case 'meta':
      return { tags: s.tags.filter((t) => !scored.tagMatches.meta.includes(t)) };
    case 'file':
      return { fileRef: 'src/' };
    case 'func':
      return { funcRef: 'def ' };
    case 'title':
      return { titleLength: 0 };
    case 'criteria':
      return { acceptanceCount: s.acceptanceCount === 0 ? 1 : p.acceptanceWordsForTwo };
    case 'test':
      return { testRef: 'test_' };
    case 'section':
      return { section: '## steps' };
    case 'bug':
      return { tags: [...s.tags, p.tags.bug[0]!] };
    case 'unassign':
    case 'unblock':
    case 'ready-label':
      return null;
  }
}

function changeWords(change: Change, scored: ScoredIssue, p: ScoringProfile['settings'], readyLabel?: string): string {
  switch (change) {
    case 'meta': {
      const meta = scored.tagMatches.meta;
      return `remove the meta tag${meta.length > 1 ? 's' : ''} ${meta.map((t) => `"${t}"`).join(', ')}`;
    }
    case 'unassign':
      return `unassign ${scored.issue.assignees.map((a) => `@${a}`).join(', ')}`;
    case 'file':
      return 'name the files involved (+1 scope)';
    case 'func':
      return 'name the function or class to change (+1 scope)';
    case 'title':
      return `shorten the title below ${p.shortTitleLength} characters (+1 scope)`;
    case 'criteria':
      return scored.signals.acceptanceCount === 0
        ? 'add acceptance criteria (+1 acceptance)'
        : `state at least ${p.acceptanceWordsForTwo} acceptance criteria (+1 acceptance)`;
    case 'test':
      return 'name the test that proves it (+1 acceptance)';
    case 'section':
      return 'add a "## Steps" or "## Expected" section (+1 acceptance)';
    case 'bug':
      return `label it "${p.tags.bug[0]}" if it is a bug (alignment 3)`;
    case 'unblock':
      return 'resolve the blocker and drop the "blocked" wording';
    case 'ready-label':
      return `label it "${readyLabel}"`;
  }
}

/** The changes that apply to this issue, in the order they are listed. */
function changesFor(scored: ScoredIssue, p: ScoringProfile['settings'], readyLabel?: string): Change[] {
  const s = scored.signals;
  const out: Change[] = [];
  if (scored.tagMatches.meta.length > 0) out.push('meta');
  if (scored.issue.assignees.length > 0) out.push('unassign');
  if (s.fileRef === null) out.push('file');
  if (s.funcRef === null) out.push('func');
  if (s.titleLength >= p.shortTitleLength) out.push('title');
  if (s.acceptanceCount < p.acceptanceWordsForTwo) out.push('criteria');
  if (s.testRef === null) out.push('test');
  if (s.section === null) out.push('section');
  if (scored.tagMatches.bug.length === 0 && scored.tagMatches.meta.length === 0 && p.tags.bug[0]) out.push('bug');
  if (s.blockedBy !== null) out.push('unblock');
  if (readyLabel !== undefined && !scored.issue.labels.includes(readyLabel)) out.push('ready-label');
  return out;
}

const NO_ASSIGNEES: readonly string[] = Object.freeze([]);
const describe = (d: Pick<Decision, 'action' | 'agentId'>): string => (d.action === 'skip' ? 'skip' : `${d.action}/${d.agentId}`);

/**
 * Single changes to the issue that would change its decision, e.g.
 * "add acceptance criteria (+1 acceptance) → ready → dispatch/claude".
 */
export function whatWouldChange(scored: ScoredIssue, current: Pick<Decision, 'action' | 'agentId'>, ctx: PolicyContext): string[] {
  if (current.action === 'dispatch') return [];
  const p = ctx.profile.settings;
  const out: string[] = [];
  const scoreDecides = !decidedBeforeScore({ title: scored.issue.title, type: scored.type, assignees: scored.issue.assignees });
  for (const change of changesFor(scored, p, ctx.readyLabel)) {
    const changed = changedSignals(change, scored, p);
    // A change of the score alone (not of the tags) leaves an untitled, meta or assigned issue's decision.
    if (!scoreDecides && changed !== null && changed.tags === undefined) continue;
    // Only a change of tags needs the tags matched again.
    const ev = changed === null ? scored : evaluate({ ...scored.signals, ...changed }, ctx.profile, changed.tags ? undefined : scored.tagMatches);
    const next = outcomeOf(
      ruleFor(
        {
          type: ev.type,
          ready: ev.ready,
          score: ev.score,
          blocked: change === 'unblock' ? false : ev.blocked,
          p0: ev.p0,
          tagMatches: ev.tagMatches,
          labels: change === 'ready-label' && ctx.readyLabel !== undefined ? [...scored.issue.labels, ctx.readyLabel] : scored.issue.labels,
          assignees: change === 'unassign' ? NO_ASSIGNEES : scored.issue.assignees,
          ageDays: scored.ageDays,
          title: scored.issue.title,
        },
        ctx,
      ),
      ctx,
      taskTypeInput(scored, ctx),
    );
    if (next.action === current.action && next.agentId === current.agentId) continue;
    const becameReady = !scored.ready && ev.ready ? ' → ready' : '';
    out.push(`${changeWords(change, scored, p, ctx.readyLabel)}${becameReady} → ${describe(next)}`);
  }
  return out;
}

/** The task type for deciding: read (and so inferred) only when routing by it. */
const taskTypeInput = (scored: Pick<ScoredIssue, 'taskType' | 'issue'>, ctx: PolicyContext): Pick<DecideInput, 'taskType'> =>
  ctx.roles.coding === AUTO_ROLE ? { taskType: taskTypeOf(scored, ctx) } : {};


/** Propose what to do with a scored issue: the decision, its gates and its alternatives. */
export function propose(scored: ScoredIssue, ctx: PolicyContext): Proposal {
  // Fields named, not `...scored`: a spread would read (and so infer) the lazy task type.
  const { type, ready, score, blocked, p0, tagMatches, ageDays } = scored;
  const { labels, assignees, title } = scored.issue;
  const decision = decide({ type, ready, score, blocked, p0, tagMatches, ageDays, labels, assignees, title, ...taskTypeInput(scored, ctx) }, ctx);
  return proposalFor(scored.issue, decision, gatesFor(scored, decision, ctx), whatWouldChange(scored, decision, ctx));
}

/** A decision about an issue as a proposal: its stable id, where it points, what holds it. */
export function proposalFor(
  issue: Pick<ScoredIssue['issue'], 'repo' | 'number' | 'updatedAt'>,
  decision: Decision,
  blockedBy: readonly Gate[] = [],
  alternatives: readonly string[] = [],
): Proposal {
  const { repo, number, updatedAt } = issue;
  // Fields named, not spread: one object shape for every proposal, built in one go.
  return {
    action: decision.action,
    agentId: decision.agentId,
    reason: flat(decision.reason),
    id: proposalId(repo, number, decision, updatedAt),
    repo,
    number,
    issueKey: issueKey(repo, number),
    updatedAt,
    blockedBy,
    whatWouldChange: alternatives.map(flat),
    executable: decision.action !== 'skip' && blockedBy.length === 0,
  };
}

/** Re-routing keeps the proposal and swaps the agent; the agent must fit the action. */
export function canCarryOut(agent: Agent | undefined, action: Action): agent is Agent {
  return agent !== undefined && action !== 'skip' && fitsAction(agent, action);
}
