import type { Dispatch, DispatchState } from './dispatch.js';
import { isLive, type Supervised, type WatchPhase } from './supervision-types.js';

/**
 * How a supervised dispatch reads to the operator: its phase in words, whether it is in trouble,
 * and (until the engine keeps `Supervised` values itself) the old watcher's `Dispatch` seen as one.
 * Shared by the console, `status.json` and `switchboard dispatch list`.
 */

/** The old watcher's states as lifecycle phases (its trouble states are live work waiting for a retry or an escalation). */
const OLD_PHASE: Readonly<Record<DispatchState, WatchPhase>> = {
  assigned: 'assigned',
  working: 'working',
  pr_open: 'pr_open',
  ci_running: 'ci_running',
  ci_failed: 'ci_failed',
  ci_passed: 'ci_passed',
  completed: 'completed',
  stalled: 'retry_wait',
  timed_out: 'retry_wait',
  looping: 'retry_wait',
  failed: 'retry_wait',
  escalated: 'escalated',
};

/** A dispatch as the lifecycle's `Supervised`, whichever of the two the engine keeps. */
export function asSupervised(d: Dispatch | Supervised): Supervised {
  if ('phase' in d) return d;
  const phase = OLD_PHASE[d.state];
  return {
    proposalId: d.proposalId,
    repo: d.repo,
    number: d.number,
    agent: { id: d.agentId, kind: 'tracker', login: null, label: null },
    phase,
    attempt: d.attempt,
    hops: d.attempt - 1,
    retries: d.attempt - 1,
    fixForwards: 0,
    fixedShas: [],
    attemptStartedAt: d.startedAt,
    lastProgressAt: d.lastProgressAt,
    retryAt: null,
    accepted: true,
    lockSeen: false,
    assignmentSeen: false,
    pr: d.pr ? { ...d.pr, ci: d.state === 'ci_failed' ? 'red' : d.state === 'ci_passed' ? 'green' : 'pending' } : null,
    patterns: d.patterns,
    progress: { dispatched: true, pr: d.pr?.number ?? null, ci: 'none', headSha: d.pr?.headSha ?? null, fixForwards: 0, merged: false, closed: false, deployed: false, ended: d.state === 'escalated' ? 'escalated' : null },
    escalation: d.state === 'escalated' ? { cause: 'stall', why: d.history.at(-1)?.note ?? '', acknowledgedBy: null } : null,
    history: d.history.map((h) => ({ at: h.at, phase: OLD_PHASE[h.state], note: h.state === OLD_PHASE[h.state] ? h.note : `${h.state.replace('_', ' ')}: ${h.note}` })),
  };
}

const WORDS: Readonly<Record<WatchPhase, string>> = {
  dispatching: 'dispatching',
  retry_wait: 'retry wait',
  assigned: 'assigned',
  working: 'working',
  pr_open: 'PR open',
  ci_running: 'CI running',
  ci_failed: 'CI red',
  ci_passed: 'CI green',
  merged: 'merged',
  deploying: 'deploying',
  completed: 'completed',
  deployed: 'deployed',
  awaiting_review: 'awaiting review',
  cancelled: 'cancelled',
  escalated: 'escalated',
};

export const phaseWords = (phase: WatchPhase): string => WORDS[phase];

/** Needs the operator: red CI being fixed forward, a refused dispatch waiting to retry, an escalation nobody acknowledged. */
export const inTrouble = (d: Supervised): boolean =>
  d.phase === 'ci_failed' || d.phase === 'retry_wait' || (d.phase === 'escalated' && d.escalation?.acknowledgedBy == null);

/** The `state:` filter's words a dispatch answers to: its phase (as written and in words), live or ended, trouble. */
export function stateWordsOf(d: Supervised): string[] {
  const out = [d.phase, d.phase.replace(/_/g, '-'), WORDS[d.phase].toLowerCase().replace(/ /g, '-'), isLive(d.phase) ? 'live' : 'ended'];
  if (inTrouble(d)) out.push('trouble');
  if (!isLive(d.phase)) out.push('finished');
  return out;
}

/** When the dispatch ended (its last history entry), or null while it is live. */
export const endedAt = (d: Supervised): string | null => (isLive(d.phase) ? null : (d.history.at(-1)?.at ?? d.lastProgressAt));
