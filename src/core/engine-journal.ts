import type { Dispatch } from './dispatch.js';
import type { JournalCommand, JournalEntry, ProposalRef, WriteStep } from './engine-ports.js';
import { issueKey } from './issue.js';
import { type TrackedProposal, tracked } from './proposal-queue.js';

/** What the engine watches of a dispatch beside its state. */
export interface Watch {
  readonly runId?: string;
  /** comments up to this id were seen by earlier observations */
  readonly lastCommentId: number;
  readonly lastIssueState: 'open' | 'closed';
}

/** What a journal says the engine was doing when it stopped. */
export interface Restored {
  /** approved (possibly part-written), rejected or re-routed proposals not yet settled */
  readonly proposals: Map<string, TrackedProposal>;
  readonly dispatches: Map<string, { readonly dispatch: Dispatch; readonly watch: Watch }>;
  /** `${proposalId}#${attempt}` → the http/command agent call made for it */
  readonly agentCalls: Map<string, { runId?: string; detail?: string }>;
  /** console ids this state directory wrote under: their markers are ours */
  readonly consoles: Set<string>;
  /** UTC days a daily summary was opened */
  readonly summaryDays: Set<string>;
  /** commands from other processes never applied */
  readonly pendingCommands: JournalCommand[];
}

/** Writes that mean a proposal's execution has begun (not its later retries or escalation). */
const EXECUTION_STEPS: ReadonlySet<WriteStep> = new Set(['audit', 'stand-down', 'labels', 'assignees', 'agent', 'dispatch-comment', 'flag-comment', 'needs-human', 'in-progress']);

export const agentCallKey = (proposalId: string, attempt: number): string => `${proposalId}#${attempt}`;

/** A proposal rebuilt from a journal line, until the backlog is fetched and it is decided again. */
const fromRef = (ref: ProposalRef): TrackedProposal =>
  tracked({
    id: ref.id,
    repo: ref.repo,
    number: ref.number,
    issueKey: issueKey(ref.repo, ref.number),
    action: ref.action,
    agentId: ref.agentId,
    reason: ref.reason,
    updatedAt: ref.updatedAt,
    blockedBy: [],
    whatWouldChange: [],
    executable: true,
  });

/** Fold the journal, oldest first, into what the engine restores on start. Pure. */
export function replayJournal(entries: readonly JournalEntry[]): Restored {
  const r: Restored = {
    proposals: new Map(),
    dispatches: new Map(),
    agentCalls: new Map(),
    consoles: new Set(),
    summaryDays: new Set(),
    pendingCommands: [],
  };
  const commands = new Map<string, JournalCommand>();
  const consumed = (commandId: string | undefined) => {
    if (commandId !== undefined) commands.delete(commandId);
  };
  for (const e of entries) {
    if (e.type !== 'command') r.consoles.add(e.console);
    switch (e.type) {
      case 'approved': {
        const p = r.proposals.get(e.proposal.id) ?? fromRef(e.proposal);
        r.proposals.set(p.id, { ...p, status: 'approved', approvedBy: e.approvedBy, note: null });
        consumed(e.commandId);
        break;
      }
      case 'rejected': {
        const p = r.proposals.get(e.proposal.id) ?? fromRef(e.proposal);
        r.proposals.set(p.id, { ...p, status: 'rejected', approvedBy: null, note: e.note ?? null });
        consumed(e.commandId);
        break;
      }
      case 'rerouted': {
        const p = r.proposals.get(e.proposal.id) ?? fromRef(e.proposal);
        r.proposals.set(p.id, { ...p, agentId: e.proposal.agentId, reason: e.proposal.reason, reroutedFrom: p.reroutedFrom ?? e.from });
        consumed(e.commandId);
        break;
      }
      case 'writing':
      case 'write': {
        const p = r.proposals.get(e.proposalId);
        if (p && EXECUTION_STEPS.has(e.step) && !p.started) r.proposals.set(p.id, { ...p, started: true });
        if (e.type === 'write' && e.step === 'agent') {
          r.agentCalls.set(agentCallKey(e.proposalId, e.attempt), {
            ...(e.runId !== undefined ? { runId: e.runId } : {}),
            ...(e.detail !== undefined ? { detail: e.detail } : {}),
          });
        }
        break;
      }
      case 'executed':
      case 'failed':
        r.proposals.delete(e.proposalId);
        break;
      case 'dispatch':
        r.dispatches.set(e.dispatch.proposalId, {
          dispatch: e.dispatch,
          watch: { ...(e.runId !== undefined ? { runId: e.runId } : {}), lastCommentId: e.lastCommentId, lastIssueState: e.lastIssueState },
        });
        break;
      case 'summary':
        r.summaryDays.add(e.day);
        break;
      case 'command':
        commands.set(e.commandId, e);
        break;
      case 'command-failed':
        consumed(e.commandId);
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown journal entry ${JSON.stringify(never)}`);
      }
    }
  }
  r.pendingCommands.push(...commands.values());
  return r;
}
