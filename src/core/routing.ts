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

/**
 * One pass over the text instead of one `includes` per keyword, and no lower-cased copy of it.
 * Each keyword is indexed by its first three characters (5 bits each) and compared only where
 * they occur. Characters are folded as Python's lower() folds them into the keywords' alphabet:
 * A–Z and the Kelvin sign become a–z; `İ` lowers to "i̇", an `i` no keyword can end with, so it
 * never takes part in a match; every other character is outside the alphabet (code 0).
 */
const LETTER_CODE = new Uint8Array(65536);
for (let c = 0x61; c <= 0x7a; c++) LETTER_CODE[c] = LETTER_CODE[c - 0x20] = c - 0x60;
LETTER_CODE[0x212a] = LETTER_CODE[0x6b]!;
LETTER_CODE[0x20] = 27;
const KEYWORDS: string[] = [];
const KEYWORD_ROW: number[] = [];
/** trigram → index of its last keyword in KEYWORDS, chained through NEXT_KEYWORD; -1 = none */
const TRIGRAM_HEAD = new Int16Array(1 << 15).fill(-1);
const NEXT_KEYWORD: number[] = [];
TASK_SIGNALS.forEach(([, keywords], row) => {
  for (const kw of keywords) {
    if (!/^[a-z ]{3,}$/.test(kw) || kw.endsWith('i')) throw new Error(`task keyword "${kw}" is outside the indexed alphabet`);
    const key = (LETTER_CODE[kw.charCodeAt(0)]! << 10) | (LETTER_CODE[kw.charCodeAt(1)]! << 5) | LETTER_CODE[kw.charCodeAt(2)]!;
    KEYWORDS.push(kw);
    KEYWORD_ROW.push(row);
    NEXT_KEYWORD.push(TRIGRAM_HEAD[key]!);
    TRIGRAM_HEAD[key] = KEYWORDS.length - 1;
  }
});

/** The character at `i` of `${title} ${description}`, without building that string. */
const charAt = (title: string, description: string, i: number): number =>
  i < title.length ? title.charCodeAt(i) : i === title.length ? 0x20 : description.charCodeAt(i - title.length - 1);

function keywordAt(title: string, description: string, start: number, kw: string): boolean {
  if (start + kw.length > title.length + 1 + description.length) return false;
  for (let j = 3; j < kw.length; j++) {
    if (LETTER_CODE[charAt(title, description, start + j)] !== LETTER_CODE[kw.charCodeAt(j)]) return false;
  }
  return true;
}

/**
 * Guess the task type from an issue's text (reference `infer_task_type`: the first row with a
 * keyword in `(title + " " + description).lower()` wins); falls back to routine coding.
 */
export function inferTaskType(title: string, description = ''): TaskType {
  let best = TASK_SIGNALS.length;
  let key = 0;
  // title, the joining space, description: one tight loop per part over its own string.
  for (let part = 0; part < 3; part++) {
    const text = part === 0 ? title : part === 1 ? ' ' : description;
    const offset = part === 0 ? 0 : part === 1 ? title.length : title.length + 1;
    for (let j = 0; j < text.length; j++) {
      key = ((key << 5) | LETTER_CODE[text.charCodeAt(j)]!) & 0x7fff;
      const start = offset + j - 2;
      if (start < 0) continue;
      for (let k = TRIGRAM_HEAD[key]!; k >= 0; k = NEXT_KEYWORD[k]!) {
        const row = KEYWORD_ROW[k]!;
        if (row < best && keywordAt(title, description, start, KEYWORDS[k]!)) {
          best = row;
          if (best === 0) return TASK_SIGNALS[0]![0];
        }
      }
    }
  }
  return best < TASK_SIGNALS.length ? TASK_SIGNALS[best]![0] : 'routine_coding';
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
    /**
     * tracker agents: the mention that starts the agent, put first in the dispatch comment
     * (`@claude` for Claude Code's GitHub Action, `@copilot`). Config, never tracker text.
     */
    mention: z
      .string()
      .regex(/^[@/][A-Za-z0-9][A-Za-z0-9_.-]{0,38}(?:\[bot\])?$/, 'one word starting with @ or /, e.g. "@claude"')
      .optional(),
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
    /** replaces the configured implementerPreamble for this agent; "" sends the bare prompt */
    preamble: z.string().max(8000).optional(),
    /** readiness before dispatch (seed 004): block the proposal, or only warn */
    readiness: z.enum(['block', 'warn']).default('warn'),
    /** http agents: a URL that answers 2xx when the agent can take work */
    healthUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((agent, ctx) => {
    const need = (field: keyof typeof agent, why: string) => {
      if (agent[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    if (agent.kind === 'tracker' && !agent.label && !agent.assignee && !agent.mention) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'a tracker agent needs a label, an assignee or a mention' });
    }
    if (agent.kind !== 'tracker' && agent.mention !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['mention'], message: 'only a tracker agent is started by a mention' });
    }
    if (agent.kind === 'http') need('endpoint', 'an http agent needs an endpoint URL');
    if (agent.kind === 'command') need('command', 'a command agent needs an argv array');
    // credentials in a URL leak into logs and messages; http agents sign with secretEnv instead
    for (const field of ['endpoint', 'statusUrl'] as const) {
      const url = agent[field];
      if (url !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'a URL with a user name or password is refused; sign requests with secretEnv instead' });
      }
    }
    if (agent.command?.[0] !== undefined && /\{(repo|number|title|url|prompt)\}/.test(agent.command[0])) {
      ctx.addIssue({ code: 'custom', path: ['command', 0], message: 'the program cannot come from a placeholder' });
    }
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
