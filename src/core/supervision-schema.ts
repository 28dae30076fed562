import { z } from 'zod';
import { ESCALATION_CAUSES, type AgentRef, type Supervised, type WatchPhase, WATCH_PHASES } from './supervision-types.js';

/**
 * The journal's shape of a supervised dispatch and of the watch actions still to perform (so a
 * crash between a transition and its writes finishes them after the restart), and the mapping of
 * the journal lines written before supervision (the old watcher's `dispatch` entry).
 */

const AgentRefSchema = z.object({
  id: z.string(),
  kind: z.enum(['tracker', 'http', 'command']),
  login: z.string().nullable(),
  label: z.string().nullable(),
});
const CheckSchema = z.object({ context: z.string(), state: z.enum(['pending', 'success', 'failure', 'error', 'warning', 'skipped']), targetUrl: z.string() });
const CiSchema = z.enum(['none', 'pending', 'green', 'red']);
const ProgressSchema = z.object({
  dispatched: z.boolean(),
  pr: z.number().int().nullable(),
  ci: CiSchema,
  headSha: z.string().nullable(),
  fixForwards: z.number().int(),
  merged: z.boolean(),
  closed: z.boolean(),
  deployed: z.boolean(),
  ended: z.enum(['cancelled', 'escalated', 'awaiting_review']).nullable(),
});

export const SupervisedSchema = z.object({
  proposalId: z.string(),
  repo: z.string(),
  number: z.number().int(),
  agent: AgentRefSchema,
  phase: z.enum(WATCH_PHASES),
  attempt: z.number().int(),
  hops: z.number().int(),
  retries: z.number().int(),
  fixForwards: z.number().int(),
  fixedShas: z.array(z.string()).readonly(),
  attemptStartedAt: z.string(),
  lastProgressAt: z.string(),
  retryAt: z.string().nullable(),
  accepted: z.boolean(),
  lockSeen: z.boolean(),
  assignmentSeen: z.boolean(),
  pr: z.object({ number: z.number().int(), headSha: z.string(), ci: CiSchema }).nullable(),
  patterns: z.record(z.string(), z.number()),
  progress: ProgressSchema,
  escalation: z.object({ cause: z.enum(ESCALATION_CAUSES), why: z.string(), acknowledgedBy: z.string().nullable() }).nullable(),
  history: z.array(z.object({ at: z.string(), phase: z.enum(WATCH_PHASES), note: z.string() })).readonly(),
  trail: z.array(z.object({ pr: z.number().int(), sha: z.string(), ci: CiSchema })).readonly().optional(),
});

const NOTIFY_EVENTS = ['completed', 'deployed', 'escalated', 'awaiting-review', 'cancelled'] as const;
export const WatchActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('redispatch'), agent: AgentRefSchema, attempt: z.number().int(), why: z.string() }),
  z.object({
    kind: z.literal('fix-forward'),
    request: z.object({ agent: AgentRefSchema, pr: z.number().int(), headSha: z.string(), failing: z.array(CheckSchema).readonly(), round: z.number().int(), maxRounds: z.number().int() }),
  }),
  z.object({ kind: z.literal('release-lock') }),
  z.object({ kind: z.literal('close-issue'), pr: z.number().int(), mergeSha: z.string().nullable() }),
  z.object({ kind: z.literal('escalate'), cause: z.enum(ESCALATION_CAUSES), why: z.string() }),
  z.object({ kind: z.literal('retract-audit'), why: z.string() }),
  z.object({ kind: z.literal('stop-agent') }),
  z.object({ kind: z.literal('flag-owner'), why: z.string() }),
  z.object({ kind: z.literal('say-cancelled'), by: z.string(), note: z.string().optional() }),
  z.object({ kind: z.literal('notify'), event: z.enum(NOTIFY_EVENTS), text: z.string() }),
  z.object({ kind: z.literal('update-progress'), progress: ProgressSchema }),
]);

/** The old watcher's dispatch (before issue 12): still read, mapped to a supervised one. */
const LEGACY_STATES = ['assigned', 'working', 'pr_open', 'ci_running', 'ci_failed', 'ci_passed', 'completed', 'stalled', 'timed_out', 'looping', 'failed', 'escalated'] as const;
export const LegacyDispatchSchema = z.object({
  proposalId: z.string(),
  repo: z.string(),
  number: z.number().int(),
  agentId: z.string(),
  attempt: z.number().int(),
  state: z.enum(LEGACY_STATES),
  startedAt: z.string(),
  lastProgressAt: z.string(),
  patterns: z.record(z.string(), z.number()),
  pr: z.object({ number: z.number().int(), headSha: z.string() }).nullable(),
  history: z.array(z.object({ at: z.string(), state: z.enum(LEGACY_STATES), note: z.string() })).readonly(),
});
export type LegacyDispatch = z.output<typeof LegacyDispatchSchema>;

/**
 * An old line as a supervised dispatch: live states keep watching (the lifecycle re-detects a
 * stall or a loop itself); the old trouble states become `working`, so the next cycle retries or
 * escalates them under the new rules; completed and escalated stay ended.
 */
export function fromLegacyDispatch(old: LegacyDispatch, agent: AgentRef | null): Supervised {
  const phase = (s: LegacyDispatch['state']): WatchPhase =>
    s === 'stalled' || s === 'timed_out' || s === 'looping' || s === 'failed' ? 'working' : s;
  return {
    proposalId: old.proposalId,
    repo: old.repo,
    number: old.number,
    agent: agent ?? { id: old.agentId, kind: 'tracker', login: null, label: null },
    phase: phase(old.state),
    attempt: old.attempt,
    hops: old.attempt - 1,
    retries: old.attempt - 1,
    fixForwards: 0,
    fixedShas: [],
    attemptStartedAt: old.startedAt,
    lastProgressAt: old.lastProgressAt,
    retryAt: null,
    accepted: true,
    lockSeen: false,
    assignmentSeen: false,
    pr: old.pr ? { ...old.pr, ci: 'none' } : null,
    patterns: {},
    progress: { dispatched: true, pr: old.pr?.number ?? null, ci: 'none', headSha: old.pr?.headSha ?? null, fixForwards: 0, merged: false, closed: old.state === 'completed', deployed: false, ended: old.state === 'escalated' ? 'escalated' : null },
    escalation: old.state === 'escalated' ? { cause: 'stall', why: old.history.at(-1)?.note ?? 'escalated', acknowledgedBy: null } : null,
    history: old.history.map((h) => ({ at: h.at, phase: phase(h.state), note: h.note })),
  };
}
