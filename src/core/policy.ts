import { shortHash } from './hash.js';
import { issueKey } from './issue.js';
import type { ScoringProfile } from './profile.js';
import { type Agent, fitsAction } from './routing.js';
import { evaluate, type Evaluation, type ScoredIssue, type Signals } from './scoring.js';

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
}

/**
 * What a readiness check found about an agent (seed 004); undefined means not checked. http: its
 * health URL answered; command: its binary is on PATH and its cwd exists; tracker: its login is
 * assignable in the repo.
 */
export interface ReadinessFacts {
  readonly healthOk?: boolean;
  readonly binaryOnPath?: boolean;
  readonly cwdExists?: boolean;
  readonly assignable?: boolean;
}

/** What is wrong with an agent before dispatch, in words; empty when nothing known is wrong. */
export function readinessProblems(agent: Agent, facts: ReadinessFacts): string[] {
  const out: string[] = [];
  switch (agent.kind) {
    case 'http':
      if (facts.healthOk === false) out.push(`${agent.displayName}'s health URL does not answer`);
      break;
    case 'command':
      if (facts.binaryOnPath === false) out.push(`${agent.displayName}'s command is not on PATH`);
      if (facts.cwdExists === false) out.push(`${agent.displayName}'s working directory does not exist`);
      break;
    case 'tracker':
      if (facts.assignable === false) out.push(`@${agent.assignee ?? agent.label ?? agent.id} cannot be assigned here`);
      break;
    case 'owner':
      break;
    default: {
      const never: never = agent.kind;
      return never;
    }
  }
  return out;
}

/** The readiness gate: a gate in `block` mode, a warning in `warn` mode, nothing when ready. */
export function readinessGate(agent: Agent, facts: ReadinessFacts | undefined): { gate: Gate | null; warning: string | null } {
  const problems = facts ? readinessProblems(agent, facts) : [];
  if (problems.length === 0) return { gate: null, warning: null };
  const detail = problems.join('; ');
  return agent.readiness === 'block' ? { gate: { kind: 'agent-not-ready', detail }, warning: null } : { gate: null, warning: detail };
}

const agentOf = (ctx: PolicyContext, id: string): Agent => {
  const agent = ctx.agents.get(id);
  if (!agent) throw new Error(`role agent "${id}" is not in the registry`);
  return agent;
};

/** What a dispatch to this agent does, in words for the reason and the audit comment. */
export function describeAgentAction(agent: Agent): string {
  switch (agent.kind) {
    case 'tracker':
      return agent.assignee
        ? `assigning @${agent.assignee}${agent.label ? ` and the \`${agent.label}\` label` : ''}`
        : `adding the \`${agent.label}\` label`;
    case 'http':
      return `sending the task to its HTTP endpoint`;
    case 'command':
      return `starting the local agent command`;
    case 'owner':
      return `flagging for @${agent.assignee ?? 'owner'}`;
    default: {
      const never: never = agent.kind;
      return never;
    }
  }
}

/** What decide reads of a scored issue. */
type DecideInput = Pick<Evaluation, 'type' | 'ready' | 'score' | 'blocked' | 'p0' | 'tagMatches'> & {
  readonly labels: readonly string[];
  readonly assignees: readonly string[];
  readonly ageDays: number;
};

/**
 * The reference `decide`, then seed 003's opt-in: with a ready label configured, an issue without
 * it is not proposed for dispatch (flags and skips stand).
 */
export function decide(s: DecideInput, ctx: PolicyContext): Decision {
  const d = referenceDecide(s, ctx);
  if (d.action !== 'dispatch' || ctx.readyLabel === undefined || s.labels.includes(ctx.readyLabel)) return d;
  return { action: 'skip', agentId: null, reason: `Not labelled \`${ctx.readyLabel}\` — only issues carrying it are dispatched.` };
}

function referenceDecide(s: DecideInput, ctx: PolicyContext): Decision {
  if (s.type === 'philosophy') {
    return { action: 'skip', agentId: null, reason: 'Philosophy/meta issue — not dev-actionable in the triage loop.' };
  }
  if (s.assignees.length > 0) {
    return { action: 'skip', agentId: null, reason: `Already assigned to: ${s.assignees.join(', ')}.` };
  }
  if (!s.ready) {
    return {
      action: 'skip',
      agentId: null,
      reason: `Score ${s.score} < ${ctx.profile.threshold} threshold — needs more detail before assignment.`,
    };
  }
  if (s.blocked) {
    return {
      action: 'flag',
      agentId: ctx.roles.owner,
      reason: `Issue appears blocked. Flagging for @${ctx.ownerLogin} to unblock before autonomous assignment.`,
    };
  }
  const research = agentOf(ctx, ctx.roles.research);
  if (s.tagMatches.research.length > 0 || (research.label !== undefined && s.labels.includes(research.label))) {
    return {
      action: 'dispatch',
      agentId: research.id,
      reason:
        `Issue type '${s.type}' with research/investigation scope. ` +
        `${capitalize(describeAgentAction(research))} for ${research.displayName} to pick up.`,
    };
  }
  const coding = agentOf(ctx, ctx.roles.coding);
  if (s.p0) {
    return {
      action: 'dispatch',
      agentId: coding.id,
      reason:
        `P0/${s.type} issue (score=${s.score}, age=${s.ageDays}d). ` +
        `Assigning to ${coding.displayName} for immediate attention.`,
    };
  }
  return {
    action: 'dispatch',
    agentId: coding.id,
    reason:
      `Unassigned ready issue (type=${s.type}, score=${s.score}, age=${s.ageDays}d). ` +
      `Assigning to ${coding.displayName}.`,
  };
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

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

interface Hypothesis {
  readonly change: string;
  readonly signals?: Partial<Signals>;
  readonly assignees?: readonly string[];
  readonly labels?: readonly string[];
  readonly blocked?: false;
}

function hypotheses(scored: ScoredIssue, ctx: PolicyContext): Hypothesis[] {
  const s = scored.signals;
  const p = ctx.profile.settings;
  const out: Hypothesis[] = [];
  const metaTags = scored.tagMatches.meta;
  if (metaTags.length > 0) {
    out.push({
      change: `remove the meta tag${metaTags.length > 1 ? 's' : ''} ${metaTags.map((t) => `"${t}"`).join(', ')}`,
      signals: { tags: s.tags.filter((t) => !metaTags.includes(t)) },
    });
  }
  if (scored.issue.assignees.length > 0) {
    out.push({ change: `unassign ${scored.issue.assignees.map((a) => `@${a}`).join(', ')}`, assignees: [] });
  }
  if (s.fileRef === null) out.push({ change: 'name the files involved (+1 scope)', signals: { fileRef: 'src/' } });
  if (s.funcRef === null) out.push({ change: 'name the function or class to change (+1 scope)', signals: { funcRef: 'def ' } });
  if (s.titleLength >= p.shortTitleLength) {
    out.push({ change: `shorten the title below ${p.shortTitleLength} characters (+1 scope)`, signals: { titleLength: 0 } });
  }
  if (s.acceptanceCount < p.acceptanceWordsForTwo) {
    const words = s.acceptanceCount === 0 ? 1 : p.acceptanceWordsForTwo;
    out.push({
      change: s.acceptanceCount === 0 ? 'add acceptance criteria (+1 acceptance)' : `state at least ${p.acceptanceWordsForTwo} acceptance criteria (+1 acceptance)`,
      signals: { acceptanceCount: words },
    });
  }
  if (s.testRef === null) out.push({ change: 'name the test that proves it (+1 acceptance)', signals: { testRef: 'test_' } });
  if (s.section === null) out.push({ change: 'add a "## Steps" or "## Expected" section (+1 acceptance)', signals: { section: '## steps' } });
  if (scored.tagMatches.bug.length === 0 && scored.tagMatches.meta.length === 0) {
    const bugTag = p.tags.bug[0];
    if (bugTag) out.push({ change: `label it "${bugTag}" if it is a bug (alignment 3)`, signals: { tags: [...s.tags, bugTag] } });
  }
  if (s.blockedBy !== null) out.push({ change: 'resolve the blocker and drop the "blocked" wording', blocked: false });
  if (ctx.readyLabel !== undefined && !scored.issue.labels.includes(ctx.readyLabel)) {
    out.push({ change: `label it "${ctx.readyLabel}"`, labels: [...scored.issue.labels, ctx.readyLabel] });
  }
  return out;
}

const describe = (d: Decision): string => (d.action === 'skip' ? 'skip' : `${d.action}/${d.agentId}`);

/**
 * Single changes to the issue that would change its decision, e.g.
 * "add acceptance criteria (+1 acceptance) → ready → dispatch/claude".
 */
export function whatWouldChange(scored: ScoredIssue, current: Decision, ctx: PolicyContext): string[] {
  if (current.action === 'dispatch') return [];
  const out: string[] = [];
  for (const h of hypotheses(scored, ctx)) {
    const signals: Signals = { ...scored.signals, ...h.signals };
    const ev = evaluate(signals, ctx.profile);
    const input: DecideInput = {
      ...ev,
      blocked: h.blocked ?? ev.blocked,
      labels: h.labels ?? scored.issue.labels,
      assignees: h.assignees ?? scored.issue.assignees,
      ageDays: scored.ageDays,
    };
    const next = decide(input, ctx);
    if (next.action === current.action && next.agentId === current.agentId) continue;
    const becameReady = !scored.ready && ev.ready ? ' → ready' : '';
    out.push(`${h.change}${becameReady} → ${describe(next)}`);
  }
  return out;
}

/** Propose what to do with a scored issue: the decision, its gates and its alternatives. */
export function propose(scored: ScoredIssue, ctx: PolicyContext): Proposal {
  // Fields named, not `...scored`: a spread would read (and so infer) the lazy task type.
  const { type, ready, score, blocked, p0, tagMatches, ageDays } = scored;
  const decision = decide(
    { type, ready, score, blocked, p0, tagMatches, ageDays, labels: scored.issue.labels, assignees: scored.issue.assignees },
    ctx,
  );
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
  return {
    ...decision,
    id: proposalId(repo, number, decision, updatedAt),
    repo,
    number,
    issueKey: issueKey(repo, number),
    updatedAt,
    blockedBy,
    whatWouldChange: alternatives,
    executable: decision.action !== 'skip' && blockedBy.length === 0,
  };
}

/** Re-routing keeps the proposal and swaps the agent; the agent must fit the action. */
export function canCarryOut(agent: Agent | undefined, action: Action): agent is Agent {
  return agent !== undefined && action !== 'skip' && fitsAction(agent, action);
}
