import { z } from 'zod';
import { TASK_TYPES } from './routing.js';
import { LegacyDispatchSchema, SupervisedSchema, WatchActionSchema } from './supervision-schema.js';
import { OPERATOR_COMMANDS } from './supervision-types.js';

/** The journal: the schema of its lines (what replay reads back) and the port that keeps them. */

const at = z.string().max(40);
const base = { at, console: z.string().max(128) };

export const WRITE_STEPS = [
  'audit',
  'stand-down',
  'labels',
  'assignees',
  'agent',
  'dispatch-comment',
  'flag-comment',
  'needs-human',
  'in-progress',
  'remove-label',
  'escalation',
  'summary',
  // supervision (issue 12)
  'fix-forward',
  'completion',
  'close',
  'retract',
  'cancel',
  'review',
  'progress',
  'stop',
] as const;
export type WriteStep = (typeof WRITE_STEPS)[number];


/** A command appended by another process (`switchboard approve …`) for the running engine. */
export const JournalCommandSchema = z.object({
  type: z.literal('command'),
  at,
  /** unique per command, so the engine can record that it applied it */
  commandId: z.string().min(1).max(64),
  command: z.enum(['approve', 'reject', 'reroute', 'tasktype', 'dispatch']),
  /** `dispatch`: what the operator does to a running or escalated dispatch (proposalId names it) */
  op: z.enum(OPERATOR_COMMANDS).optional(),
  /** "" for a command about an issue (tasktype) */
  proposalId: z.string().max(64),
  agentId: z.string().max(64).optional(),
  note: z.string().max(2000).optional(),
  /** tasktype: the issue, "owner/name#N", and its task type (null: back to the inferred one) */
  issue: z.string().max(300).optional(),
  taskType: z.enum(TASK_TYPES).nullable().optional(),
});
export type JournalCommand = z.output<typeof JournalCommandSchema>;

/**
 * One journal line: an operator intent, a write done, or a dispatch transition. Lenient on
 * unknown fields (newer versions may add some), strict on what replay reads.
 */
/** Enough of a proposal to restore it before the backlog is fetched again. */
const ProposalRefSchema = z.object({
  id: z.string().max(64),
  repo: z.string(),
  number: z.number().int(),
  action: z.enum(['dispatch', 'flag']),
  agentId: z.string(),
  reason: z.string(),
  updatedAt: z.string(),
});
export type ProposalRef = z.output<typeof ProposalRefSchema>;

/**
 * One journal line: an operator intent, a write done, or a dispatch transition. Lenient on
 * unknown fields (newer versions may add some), strict on what replay reads.
 */
export const JournalEntrySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('approved'),
    ...base,
    proposal: ProposalRefSchema,
    approvedBy: z.string(),
    commandId: z.string().optional(),
  }),
  z.object({
    type: z.literal('rejected'),
    ...base,
    proposal: ProposalRefSchema,
    note: z.string().optional(),
    /** who rejected and where, when not the console's operator */
    by: z.string().optional(),
    commandId: z.string().optional(),
  }),
  /** an approval taken back before it started: the proposal is pending again */
  z.object({ type: z.literal('withdrawn'), ...base, proposalId: z.string(), by: z.string() }),
  /** `proposal.agentId` is the new agent */
  z.object({ type: z.literal('rerouted'), ...base, proposal: ProposalRefSchema, from: z.string(), commandId: z.string().optional() }),
  /** about to write: from here on a crash may have left the write done, so the proposal is resumed, never redone */
  z.object({ type: z.literal('writing'), ...base, proposalId: z.string(), step: z.enum(WRITE_STEPS), attempt: z.number().int() }),
  z.object({
    type: z.literal('write'),
    ...base,
    proposalId: z.string(),
    step: z.enum(WRITE_STEPS),
    attempt: z.number().int(),
    runId: z.string().optional(),
    detail: z.string().optional(),
  }),
  z.object({ type: z.literal('executed'), ...base, proposalId: z.string(), outcome: z.string() }),
  z.object({ type: z.literal('failed'), ...base, proposalId: z.string(), message: z.string() }),
  /**
   * A supervised dispatch as it now stands, with the watch actions still to perform (written
   * before they are made, cleared after). A line from before supervision (`dispatch` with the old
   * watcher's `state`) is still read: `step` maps it (supervision-schema.ts `fromLegacyDispatch`).
   */
  z.object({
    type: z.literal('dispatch'),
    ...base,
    dispatch: z.union([SupervisedSchema, LegacyDispatchSchema]),
    runId: z.string().optional(),
    lastCommentId: z.number().int(),
    /** old lines only */
    lastIssueState: z.enum(['open', 'closed']).optional(),
    pending: z.array(WatchActionSchema).max(100).optional(),
    /** the agent the dispatch was with before a pending redispatch (its label or assignment comes off) */
    from: z.string().optional(),
    /** the operator's command from another process this transition answered */
    commandId: z.string().optional(),
  }),
  z.object({ type: z.literal('summary'), ...base, day: z.string() }),
  /** an approved, rejected or re-routed proposal the planner dropped (its issue changed or left the backlog) */
  z.object({ type: z.literal('dropped'), ...base, proposalId: z.string() }),
  /** the operator set an issue's task type (null: back to the inferred one) */
  z.object({ type: z.literal('task-typed'), ...base, issue: z.string().max(300), taskType: z.enum(TASK_TYPES).nullable(), commandId: z.string().optional() }),
  /** a command that could not be applied (unknown proposal, agent that does not fit) */
  z.object({ type: z.literal('command-failed'), ...base, commandId: z.string(), message: z.string() }),
  /**
   * The first line of a checkpoint: what follows (`entries` lines) is the state of the journal
   * up to compaction `generation`, rewritten as the fewest facts that rebuild it. `after` is how
   * far the journal it replaced had been read; `consoles` are the console ids whose markers are ours.
   */
  z.object({
    type: z.literal('checkpoint'),
    ...base,
    generation: z.number().int().nonnegative(),
    entries: z.number().int().nonnegative(),
    after: z.number().int().nonnegative(),
    consoles: z.array(z.string().max(128)).max(10_000),
  }),
  /** The first line of a journal started by a compaction: it continues checkpoint `generation`. */
  z.object({ type: z.literal('continues'), ...base, generation: z.number().int().nonnegative() }),
  JournalCommandSchema,
]);
export type JournalEntry = z.output<typeof JournalEntrySchema>;

/**
 * Append-only record of intents and transitions, owned by one engine. Other processes only
 * append `command` entries.
 */
export interface Journal {
  append(entry: JournalEntry): Promise<void>;
  /** every entry so far, oldest first */
  replay(): Promise<JournalEntry[]>;
  /** commands appended by other processes since the last replay() or pendingCommands() */
  pendingCommands(): Promise<JournalCommand[]>;
  /** true when the log has grown past its compaction threshold (a journal without compaction omits it) */
  compactionDue?(): boolean;
  /**
   * Replace the log by a checkpoint: read the commands other processes appended since the last
   * read, ask `checkpoint` for the entries that rebuild the state (those commands included), write
   * them atomically and restart the log after them. No command appended meanwhile is lost.
   * Returns the commands read, for the engine to apply.
   */
  compact?(checkpoint: (commands: readonly JournalCommand[]) => readonly JournalEntry[]): Promise<JournalCommand[]>;
}
