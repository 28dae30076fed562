import { z } from 'zod';

/** Categories of engineering work (reference dispatcher `TaskType`). */
export const TASK_TYPES = [
  'architecture',
  'refactoring',
  'complex_reasoning',
  'code_review',
  'parallel_implementation',
  'routine_coding',
  'fast_iteration',
  'research',
  'analysis',
  'specialized',
  'triage',
  'planning',
  'creative',
  'orchestration',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const TaskTypeSchema = z.enum(TASK_TYPES);

/** The reference `infer_task_type` signal table: first row with a keyword in the text wins. */
export const TASK_SIGNALS: readonly (readonly [TaskType, readonly string[]])[] = [
  ['architecture', ['architect', 'design', 'adr', 'system design', 'schema']],
  ['refactoring', ['refactor', 'clean up', 'cleanup', 'reorganise', 'reorganize']],
  ['code_review', ['review', 'pr review', 'pull request review', 'audit']],
  ['complex_reasoning', ['complex', 'hard problem', 'debug', 'investigate', 'diagnose']],
  ['research', ['research', 'survey', 'literature', 'benchmark', 'analyse', 'analyze']],
  ['analysis', ['analysis', 'profil', 'trace', 'metric', 'performance']],
  ['triage', ['triage', 'classify', 'prioritise', 'prioritize']],
  ['planning', ['plan', 'roadmap', 'milestone', 'epic', 'spike']],
  ['creative', ['creative', 'persona', 'story', 'write', 'draft']],
  ['orchestration', ['orchestrat', 'coordinat', 'swarm', 'dispatch']],
  ['parallel_implementation', ['parallel', 'concurrent', 'batch']],
  ['fast_iteration', ['quick', 'fast', 'iterate', 'prototype', 'poc']],
];

/** Guess the task type from an issue's text; falls back to routine coding. */
export function inferTaskType(title: string, description = ''): TaskType {
  const text = `${title} ${description}`.toLowerCase();
  for (const [taskType, keywords] of TASK_SIGNALS) {
    for (const kw of keywords) if (text.includes(kw)) return taskType;
  }
  return 'routine_coding';
}

export const AGENT_KINDS = ['tracker', 'http', 'command', 'owner'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

const agentId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'use 1–32 lower-case letters, digits, "-" or "_"');

export const AgentSchema = z
  .object({
    id: agentId,
    displayName: z.string().min(1).max(60),
    kind: z.enum(AGENT_KINDS),
    /** tracker agents: label applied on dispatch */
    label: z.string().min(1).max(60).optional(),
    /** tracker agents: login assigned on dispatch; owner: the login mentioned */
    assignee: z.string().min(1).max(60).optional(),
    strengths: z.array(TaskTypeSchema).default([]),
    maxConcurrent: z.number().int().min(1).max(100).default(2),
    timeoutMinutes: z.number().positive().max(7 * 24 * 60).default(120),
    /** http agents */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    statusUrl: z.url({ protocol: /^https?$/ }).optional(),
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').optional(),
    /** command agents: argv template, never run through a shell */
    command: z.array(z.string()).min(1).optional(),
    cwd: z.string().optional(),
    worktree: z.boolean().default(false),
    promptTemplate: z.string().optional(),
  })
  .superRefine((agent, ctx) => {
    const need = (field: keyof typeof agent, why: string) => {
      if (agent[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    if (agent.kind === 'tracker' && !agent.label && !agent.assignee) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'a tracker agent needs a label or an assignee' });
    }
    if (agent.kind === 'http') need('endpoint', 'an http agent needs an endpoint URL');
    if (agent.kind === 'command') need('command', 'a command agent needs an argv array');
  });
export type Agent = z.output<typeof AgentSchema>;

/** Which kinds of agent can carry out each action. */
export const fitsAction = (agent: Agent, action: 'dispatch' | 'flag'): boolean =>
  action === 'flag' ? agent.kind === 'owner' : agent.kind !== 'owner';

/**
 * Agents ranked for re-routing a proposal: those strong at the task type first, then the rest
 * that can carry out the action, each group in registry order.
 */
export function suggestAgents(
  taskType: TaskType,
  agents: readonly Agent[],
  action: 'dispatch' | 'flag' = 'dispatch',
): Agent[] {
  const fitting = agents.filter((a) => fitsAction(a, action));
  const strong = fitting.filter((a) => a.strengths.includes(taskType));
  return [...strong, ...fitting.filter((a) => !a.strengths.includes(taskType))];
}
