import { z } from 'zod';
import { ValidationError } from './errors.js';
import { ScoringProfileSchema } from './profile.js';
import { AUTO_ROLE } from './policy.js';
import { ISSUE_IMPLEMENTER_PREAMBLE } from './prompts.js';
import { AgentSchema, type Agent } from './routing.js';
import { ISSUE_TYPES, TIERS } from './scoring.js';

/**
 * switchboard's configuration. Everything ships disabled: disarmed, no enrolled repos, no
 * auto-approve rules. Tokens are never part of it (they come from the environment or a 0600
 * file).
 */

/** Seven days: longer timers overflow Node's 32-bit millisecond delay and fire at once. */
export const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;

export const REPO_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
export const RepoNameSchema = z
  .string()
  .regex(REPO_PATTERN, 'use owner/name')
  .refine((r) => !r.split('/').some((part) => part === '.' || part === '..'), 'use owner/name');

/** The repos once each, ignoring letter case; the first spelling wins. */
export function uniqueRepos(repos: readonly string[]): string[] {
  const seen = new Set<string>();
  return repos.filter((r) => {
    const key = r.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const login = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'a tracker login (letters, digits, "-", "_", ".")');

export const DEFAULT_AGENTS: z.input<typeof AgentSchema>[] = [
  {
    id: 'claude',
    displayName: 'Claude Code',
    kind: 'tracker',
    assignee: 'claude',
    strengths: ['architecture', 'refactoring', 'complex_reasoning', 'code_review'],
    maxConcurrent: 2,
    timeoutMinutes: 120,
  },
  {
    id: 'kimi',
    displayName: 'Kimi',
    kind: 'tracker',
    label: 'kimi-ready',
    strengths: ['parallel_implementation', 'routine_coding', 'fast_iteration', 'research', 'analysis'],
    maxConcurrent: 2,
    timeoutMinutes: 120,
  },
  { id: 'owner', displayName: 'Owner', kind: 'owner', strengths: ['triage', 'planning'], maxConcurrent: 100, timeoutMinutes: 7 * 24 * 60 },
];

export const AutoApproveRuleSchema = z.object({
  when: z
    .object({
      tier: z.enum(TIERS).optional(),
      type: z.enum(ISSUE_TYPES).optional(),
      action: z.enum(['dispatch', 'flag']).optional(),
      repo: RepoNameSchema.optional(),
      minScore: z.number().int().min(0).max(9).optional(),
    })
    .default({}),
  /** only approve proposals routed to this agent */
  agent: z.string().optional(),
});
export type AutoApproveRule = z.output<typeof AutoApproveRuleSchema>;

export const ConfigSchema = z
  .object({
    tracker: z
      .object({
        kind: z.enum(['gitea', 'forgejo', 'github']).default('gitea'),
        /** the forge root; for github the API base (default https://api.github.com) */
        url: z.url({ protocol: /^https?$/ }).optional(),
        /** a file holding the token (must be 0600); GITEA_TOKEN (GITHUB_TOKEN, GH_TOKEN for github) wins */
        tokenFile: z.string().optional(),
        /** a command printing the token, run without a shell, e.g. ["gh", "auth", "token"] */
        tokenCommand: z.array(z.string().min(1)).min(1).max(32).optional(),
        /** github: pace writes as GitHub asks (one at a time, ≥1 s apart, ≤80 comments a minute); false where limits are off */
        pacing: z.boolean().default(true),
        /** pages of one issue list fetched at once after the first (the forge caps a page at 50) */
        pageConcurrency: z.number().int().min(1).max(16).default(4),
        /** the most issues read from one repo (and items from any one list): endless pages stop here */
        maxIssuesPerRepo: z.number().int().min(1).max(10_000_000).default(100_000),
        /** one request, connect to last body byte; a server that drips its answer is cut off here */
        requestTimeoutSeconds: z.number().int().min(1).max(600).default(15),
        /** the largest response body read; a larger one is abandoned at this size */
        maxResponseMegabytes: z.number().int().min(1).max(1024).default(32),
      })
      .prefault({}),
    // Gitea's names are case-insensitive: `Demo/API` and `demo/api` are one repo, enrolled once.
    repos: z.array(RepoNameSchema).default([]).transform(uniqueRepos),
    armed: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    intervalSeconds: z.number().int().min(1).max(MAX_INTERVAL_SECONDS, 'at most 604800 (seven days)').default(900),
    ownerLogin: login.default('owner'),
    labels: z
      .object({
        inProgress: z.string().min(1).default('switchboard:in-progress'),
        needsHuman: z.string().min(1).default('needs-human'),
      })
      .prefault({}),
    scoring: ScoringProfileSchema.prefault({}),
    agents: z.array(AgentSchema).min(1).default(() => DEFAULT_AGENTS.map((a) => AgentSchema.parse(a))),
    roles: z
      .object({
        /** an agent id, or "auto": chosen by the issue's task type against each agent's strengths */
        coding: z.string().default('claude'),
        research: z.string().default('kimi'),
        owner: z.string().default('owner'),
      })
      .prefault({}),
    trustedAuthors: z.array(login).default([]),
    autoApprove: z.array(AutoApproveRuleSchema).default([]),
    limits: z
      .object({
        /** dispatches one cycle may make */
        dispatchesPerCycle: z.number().int().min(1).default(10),
        /** an open issue with the in-progress label locks its repo (one dispatch per repo) */
        repoLock: z.boolean().default(true),
      })
      .prefault({}),
    watch: z
      .object({
        stallMinutes: z.number().positive().default(60),
        maxRetries: z.number().int().min(0).max(10).default(1),
        retryNextAgent: z.boolean().default(false),
        repeatThreshold: z.number().int().min(2).default(3),
        /** first wait before retrying a refused dispatch; doubles each time, capped at 30 minutes */
        retryBackoffSeconds: z.number().int().min(1).max(1800).default(60),
        /** corrective turns on red CI, one per new commit, before escalating */
        maxFixForward: z.number().int().min(0).max(10).default(2),
        /** re-dispatches of one issue across retries, re-routes and fix-forwards before escalating (seed 004) */
        maxHops: z.number().int().min(1).max(50).default(5),
        /** close the issue with a completion comment when a merged PR did not close it */
        closeOnMerge: z.boolean().default(true),
        /** a commit status context on the merge commit that means "deployed", e.g. deploy/production */
        deployContext: z.string().min(1).max(255).optional(),
      })
      .prefault({}),
    /** when set, only issues carrying this label are proposed for dispatch (seed 003's opt-in) */
    readyLabel: z.string().min(1).max(60).optional(),
    /** prepended to the prompt of http and command agents; "" sends the bare prompt */
    implementerPreamble: z.string().max(8000).default(ISSUE_IMPLEMENTER_PREAMBLE),
    console: z
      .object({
        /** finished rows leave the In flight pane after this long (still reachable by a filter) */
        finishedRowMinutes: z.number().min(0).max(7 * 24 * 60).default(30),
        /** an approval made in the console executes after this long, and `u` takes it back meanwhile; 0: at once */
        approvalGraceSeconds: z.number().min(0).max(600).default(5),
      })
      .prefault({}),
    fullResyncEvery: z.number().int().min(1).default(12),
    notify: z.object({ webhookUrl: z.url({ protocol: /^https?$/ }).optional() }).prefault({}),
    dailySummary: z.object({ enabled: z.boolean().default(false), repo: RepoNameSchema.optional() }).prefault({}),
    /** approving from the tracker: `/switchboard …` comment commands and the dashboard issue */
    approvals: z
      .object({
        /** keep a dashboard issue listing proposals with a box each; ticking approves */
        dashboard: z.boolean().default(false),
        /** one dashboard for every enrolled repo, in this (enrolled) repo; by default one per repo */
        controlRepo: RepoNameSchema.optional(),
        /** obey `/switchboard …` comments from people who may write to the repo */
        commands: z.boolean().default(true),
        /** logins obeyed without asking the tracker */
        approvers: z.array(login).default([]),
        /** how often comments and ticks are read: within 30 s whatever the cycle interval */
        pollSeconds: z.number().int().min(1).max(30).default(30),
        /** the least time between two edits of one dashboard */
        minEditSeconds: z.number().int().min(1).max(3600).default(10),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.agents.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent id "${a.id}"` });
      ids.add(a.id);
    });
    const byId = new Map(cfg.agents.map((a) => [a.id, a]));
    const role = (name: 'coding' | 'research' | 'owner', ok: (a: Agent) => boolean, want: string) => {
      if (name === 'coding' && cfg.roles.coding === AUTO_ROLE) {
        // "auto" routes by task type; an agent called "auto" would make it ambiguous
        if (byId.has(AUTO_ROLE)) ctx.addIssue({ code: 'custom', path: ['roles', name], message: 'an agent is named "auto": rename it to route by task type' });
        return;
      }
      const agent = byId.get(cfg.roles[name]);
      if (!agent) ctx.addIssue({ code: 'custom', path: ['roles', name], message: `no agent with id "${cfg.roles[name]}"` });
      else if (!ok(agent)) ctx.addIssue({ code: 'custom', path: ['roles', name], message: `agent "${agent.id}" must be ${want}` });
    };
    role('coding', (a) => a.kind !== 'owner', 'a coding agent (tracker, http or command)');
    role('research', (a) => a.kind !== 'owner', 'a coding agent (tracker, http or command)');
    role('owner', (a) => a.kind === 'owner', 'of kind "owner"');
    cfg.autoApprove.forEach((rule, i) => {
      if (rule.agent !== undefined && !byId.has(rule.agent)) {
        ctx.addIssue({ code: 'custom', path: ['autoApprove', i, 'agent'], message: `no agent with id "${rule.agent}"` });
      }
    });
  });

export type ConfigInput = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  ) || '(root)';

/** Validate raw config; every bad path is listed with its reason. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const list = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
  throw new ValidationError(
    `${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${list}`,
    problems,
  );
}

export const defaultConfig = (): Config => parseConfig({});
