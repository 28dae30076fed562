import { isLive, type Supervised, type WatchPhase } from './supervision-types.js';

/**
 * How a supervised dispatch reads to the operator in the console: its phase in words, whether it
 * is in trouble, which `state:` filter words it answers to, when it ended.
 */

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

export const phaseLabel = (phase: WatchPhase): string => WORDS[phase];

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
