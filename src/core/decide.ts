import { issueKey } from './issue.js';
import type { Decision, Gate, GateKind, PolicyContext, Proposal } from './policy.js';
import { readinessGate } from './readiness.js';
import { type Agent, suggestAgents, type TaskType } from './routing.js';
import type { Evaluation, ScoredIssue } from './scoring.js';

/** `roles.coding: "auto"`: the coding agent is chosen by the issue's task type. */
export const AUTO_ROLE = 'auto';

// The reference `decide`: which rule applies to a scored issue, its action, agent and reason.

const agentOf = (ctx: PolicyContext, id: string): Agent => {
  const agent = ctx.agents.get(id);
  if (!agent) throw new Error(`role agent "${id}" is not in the registry`);
  return agent;
};

/** What a dispatch to this agent does, in words for the reason and the audit comment. */
export function describeAgentAction(agent: Agent): string {
  switch (agent.kind) {
    case 'tracker': {
      // With a mention agent, its own login stays in code: only the dispatch comment may start it.
      const at = (login: string): string => (agent.mention ? `\`@${login}\`` : `@${login}`);
      const assign = agent.assignee
        ? `assigning ${at(agent.assignee)}${agent.label ? ` and the \`${agent.label}\` label` : ''}`
        : agent.label
          ? `adding the \`${agent.label}\` label`
          : null;
      const mention = agent.mention ? `mentioning \`${agent.mention}\` in the dispatch comment` : null;
      return [assign, mention].filter((x) => x !== null).join(' and ');
    }
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
export type DecideInput = Pick<Evaluation, 'type' | 'ready' | 'score' | 'blocked' | 'p0' | 'tagMatches'> & {
  readonly labels: readonly string[];
  readonly assignees: readonly string[];
  readonly ageDays: number;
  /** absent: not checked (a title is required only where one is known) */
  readonly title?: string;
  /** read only when `roles.coding` is "auto" (inferring it costs a scan of the text); absent: routine coding */
  readonly taskType?: TaskType;
};

/** Which rule of the reference `decide` applies, in its order. */
type Rule = 'untitled' | 'philosophy' | 'assigned' | 'not-ready' | 'blocked' | 'research' | 'p0' | 'ready' | 'unlabelled';

/** Seed 000 `_validate_task`: a title of only whitespace (or invisible format characters) is none. */
export const isUntitled = (title: string): boolean => /^[\s\p{Cf}]*$/u.test(title);

/**
 * Seed 000's task validation, then the reference `decide` order, then seed 003's opt-in: with a
 * ready label configured, an issue without it is not proposed for dispatch (flags and skips stand).
 */
export function ruleFor(s: DecideInput, ctx: PolicyContext): Rule {
  const early = ruleBeforeScore(s);
  if (early !== null) return early;
  if (!s.ready) return 'not-ready';
  if (s.blocked) return 'blocked';
  if (ctx.readyLabel !== undefined && !s.labels.includes(ctx.readyLabel)) return 'unlabelled';
  const research = agentOf(ctx, ctx.roles.research);
  if (s.tagMatches.research.length > 0 || (research.label !== undefined && s.labels.includes(research.label))) return 'research';
  return s.p0 ? 'p0' : 'ready';
}

/** The rules decided before the score is read: by the title, the type and the assignees. */
function ruleBeforeScore(s: Pick<DecideInput, 'title' | 'type' | 'assignees'>): Rule | null {
  if (s.title !== undefined && isUntitled(s.title)) return 'untitled';
  if (s.type === 'philosophy') return 'philosophy';
  if (s.assignees.length > 0) return 'assigned';
  return null;
}

/**
 * Whether the decision is made before the score is read (no title, a meta issue, assigned): then
 * a change that moves only the score (and not the tags, hence not the type) cannot change it.
 */
export const decidedBeforeScore = (s: Pick<DecideInput, 'title' | 'type' | 'assignees'>): boolean => ruleBeforeScore(s) !== null;

/** The action and agent of a rule, without its reason: what "what would change" compares. */
export function outcomeOf(rule: Rule, ctx: PolicyContext, s: Pick<DecideInput, 'taskType'>): Pick<Decision, 'action' | 'agentId'> {
  switch (rule) {
    case 'untitled':
    case 'philosophy':
    case 'assigned':
    case 'not-ready':
    case 'unlabelled':
      return SKIP;
    case 'blocked':
      return { action: 'flag', agentId: ctx.roles.owner };
    case 'research':
      return { action: 'dispatch', agentId: agentOf(ctx, ctx.roles.research).id };
    case 'p0':
    case 'ready':
      return { action: 'dispatch', agentId: codingAgent(ctx, s).id };
  }
}

/**
 * The coding agent: the configured one, or with "auto" the first agent suggested for the task
 * type (strong at it first, registry order; seed 001's table is the default strengths). Capacity
 * and readiness are not part of a decision: `routeAround` moves a proposal held by them.
 */
function codingAgent(ctx: PolicyContext, s: Pick<DecideInput, 'taskType'>): Agent {
  if (ctx.roles.coding !== AUTO_ROLE) return agentOf(ctx, ctx.roles.coding);
  const taskType = s.taskType ?? 'routine_coding';
  let byTaskType = firstSuggested.get(ctx.agents);
  if (!byTaskType) firstSuggested.set(ctx.agents, (byTaskType = new Map()));
  let first = byTaskType.get(taskType);
  if (!first) {
    first = suggestAgents(taskType, [...ctx.agents.values()])[0];
    if (!first) throw new Error('no coding agent in the registry');
    byTaskType.set(taskType, first);
  }
  return first;
}

/**
 * The first agent suggested for each task type, by registry (a context's agent map is never
 * changed once made). Deciding asks once per issue and once per "what would change" hypothesis:
 * 100,000 rankings of the same few agents for a 20,000-issue triage.
 */
const firstSuggested = new WeakMap<ReadonlyMap<string, Agent>, Map<TaskType, Agent>>();

/** "routed by task type creative → Kimi", saying why a stronger agent was passed over. */
function routedWords(taskType: TaskType, agent: Agent, passedOver: readonly string[] = []): string {
  const strong = agent.strengths.includes(taskType) ? '' : ` (no free agent is strong at ${taskType})`;
  const passed = passedOver.length > 0 ? `; ${passedOver.join('; ')}` : '';
  return `routed by task type ${taskType} → ${agent.displayName}${strong}${passed}`;
}

const HELD_BY_AGENT: ReadonlySet<GateKind> = new Set(['agent-at-capacity', 'agent-not-ready']);

/**
 * With `roles.coding: "auto"`, a dispatch held because its agent is at capacity or not ready goes
 * to the next suggested agent that is free and ready (seed 001 `select_agent` fell back the same
 * way). Null when nothing better is free, or the proposal was not routed by task type.
 */
export function routeAround(
  scored: Pick<ScoredIssue, 'taskType' | 'issue'>,
  p: Pick<Proposal, 'action' | 'agentId' | 'reason' | 'blockedBy'>,
  ctx: PolicyContext,
): Decision | null {
  if (ctx.roles.coding !== AUTO_ROLE || p.action !== 'dispatch' || p.agentId === null) return null;
  if (!p.blockedBy.some((g) => HELD_BY_AGENT.has(g.kind))) return null;
  const at = p.reason.search(/routed by task type /i);
  if (at < 0) return null;
  const taskType = taskTypeOf(scored, ctx);
  const passedOver: string[] = [];
  for (const agent of suggestAgents(taskType, [...ctx.agents.values()])) {
    const load = ctx.agentLoad.get(agent.id) ?? 0;
    const notReady = readinessGate(agent, ctx.readiness?.get(agent.id)).gate;
    if (load >= agent.maxConcurrent) passedOver.push(`${agent.displayName} is at capacity`);
    else if (notReady) passedOver.push(`${agent.displayName} is not ready`);
    else if (agent.id === p.agentId) return null;
    else return { action: 'dispatch', agentId: agent.id, reason: `${p.reason.slice(0, at)}${capitalize(routedWords(taskType, agent, passedOver))}.` };
  }
  return null;
}

const SKIP: Pick<Decision, 'action' | 'agentId'> = Object.freeze({ action: 'skip', agentId: null });

/** The reference `decide`, in its order, with its reasons (agents named from the registry). */
export function decide(s: DecideInput, ctx: PolicyContext): Decision {
  const rule = ruleFor(s, ctx);
  const { action, agentId } = outcomeOf(rule, ctx, s);
  return { action, agentId, reason: reasonFor(rule, s, ctx) };
}

/** "Assigning to Claude Code", or with "auto" how the task type chose the agent. */
function assigning(s: DecideInput, ctx: PolicyContext, suffix = ''): string {
  const agent = codingAgent(ctx, s);
  return ctx.roles.coding === AUTO_ROLE
    ? `${capitalize(routedWords(s.taskType ?? 'routine_coding', agent))}${suffix}.`
    : `Assigning to ${agent.displayName}${suffix}.`;
}

function reasonFor(rule: Rule, s: DecideInput, ctx: PolicyContext): string {
  switch (rule) {
    case 'untitled':
      return 'The issue has no title — a task needs one before it can be dispatched.';
    case 'philosophy':
      return 'Philosophy/meta issue — not dev-actionable in the triage loop.';
    case 'assigned':
      return `Already assigned to: ${s.assignees.join(', ')}.`;
    case 'not-ready':
      return `Score ${s.score} < ${ctx.profile.threshold} threshold — needs more detail before assignment.`;
    case 'unlabelled':
      return `Not labelled \`${ctx.readyLabel}\` — only issues carrying it are dispatched.`;
    case 'blocked':
      return `Issue appears blocked. Flagging for @${ctx.ownerLogin} to unblock before autonomous assignment.`;
    case 'research': {
      const research = agentOf(ctx, ctx.roles.research);
      return (
        `Issue type '${s.type}' with research/investigation scope. ` +
        `${capitalize(describeAgentAction(research))} for ${research.displayName} to pick up.`
      );
    }
    case 'p0':
      return `P0/${s.type} issue (score=${s.score}, age=${s.ageDays}d). ${assigning(s, ctx, ' for immediate attention')}`;
    case 'ready':
      return `Unassigned ready issue (type=${s.type}, score=${s.score}, age=${s.ageDays}d). ${assigning(s, ctx)}`;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The issue's task type: the operator's, else the inferred one. */
export const taskTypeOf = (scored: Pick<ScoredIssue, 'taskType' | 'issue'>, ctx: Pick<PolicyContext, 'taskTypes'>): TaskType =>
  ctx.taskTypes?.get(issueKey(scored.issue.repo, scored.issue.number)) ?? scored.taskType;
