import { shortHash } from './hash.js';
import type { CommitState } from './ports.js';

/**
 * The watcher today's engine runs. Its successor is `next` in supervision.ts (issue 12: every
 * agent kind watched to merge, fix-forward, refusal retries, hops); this one stays, unchanged,
 * until the engine is rebuilt on it.
 *
 * A dispatch is an executed proposal being watched. Its state moves only through `next`, a pure
 * transition over what one cycle observed; time is an argument.
 *
 *   assigned → working → pr_open → ci_running → ci_failed | ci_passed → completed
 *   any live state → stalled (no activity for stallMinutes) | timed_out (past the agent's timeout)
 *                  | looping (the same pattern repeatThreshold times) | failed (the agent said so)
 *   stalled / timed_out / looping / failed → retried (a new attempt) or escalated (by the engine)
 */

export const DISPATCH_STATES = [
  'assigned',
  'working',
  'pr_open',
  'ci_running',
  'ci_failed',
  'ci_passed',
  'completed',
  'stalled',
  'timed_out',
  'looping',
  'failed',
  'escalated',
] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

/** States the watcher keeps observing. */
export const LIVE_STATES: ReadonlySet<DispatchState> = new Set(['assigned', 'working', 'pr_open', 'ci_running', 'ci_failed', 'ci_passed']);
/** States that need a retry or an escalation. */
export const TROUBLE_STATES: ReadonlySet<DispatchState> = new Set(['stalled', 'timed_out', 'looping', 'failed']);

export interface DispatchEvent {
  readonly at: string;
  readonly state: DispatchState;
  readonly note: string;
}

export interface Dispatch {
  /** the proposal this dispatch carries out */
  readonly proposalId: string;
  readonly repo: string;
  readonly number: number;
  readonly agentId: string;
  readonly attempt: number;
  readonly state: DispatchState;
  readonly startedAt: string;
  readonly lastProgressAt: string;
  /** patterns seen so far, each with how often (loop detection) */
  readonly patterns: Readonly<Record<string, number>>;
  readonly pr: { readonly number: number; readonly headSha: string } | null;
  /** newest last, bounded */
  readonly history: readonly DispatchEvent[];
}

export interface PullObservation {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly headSha: string;
  /** combined commit status of the head; 'none' when no status was reported */
  readonly ci: CommitState | 'none';
}

/** What one cycle saw of a dispatch. */
export type Observation =
  | {
      readonly kind: 'tracker';
      readonly issueState: 'open' | 'closed';
      /** comments by others than switchboard since the last observation */
      readonly newComments: readonly { readonly author: string; readonly body: string }[];
      /** the issue went closed → open since the last observation */
      readonly reopened: boolean;
      readonly pr: PullObservation | null;
    }
  | { readonly kind: 'agent'; readonly status: 'running' | 'done' | 'failed'; readonly detail: string }
  | { readonly kind: 'none' };

export interface WatchLimits {
  readonly stallMinutes: number;
  readonly timeoutMinutes: number;
  readonly repeatThreshold: number;
}

const HISTORY_LIMIT = 50;
const MINUTE = 60_000;

export function startDispatch(
  d: Pick<Dispatch, 'proposalId' | 'repo' | 'number' | 'agentId' | 'attempt'>,
  now: Date,
  note = 'dispatched',
): Dispatch {
  const at = now.toISOString();
  return { ...d, state: 'assigned', startedAt: at, lastProgressAt: at, patterns: {}, pr: null, history: [{ at, state: 'assigned', note }] };
}

/** A comment normalised for repeat detection: digits, hashes and whitespace don't make it new. */
const commentPattern = (body: string): string =>
  `comment:${shortHash(body.toLowerCase().replace(/[0-9a-f]{7,40}/g, '#').replace(/\d+/g, '#').replace(/\s+/g, ' ').trim(), 10)}`;

function withEvent(d: Dispatch, state: DispatchState, note: string, now: Date, progressed: boolean): Dispatch {
  if (state === d.state && !progressed) return d;
  const at = now.toISOString();
  const history = state === d.state ? d.history : [...d.history, { at, state, note }].slice(-HISTORY_LIMIT);
  return { ...d, state, history, lastProgressAt: progressed ? at : d.lastProgressAt };
}

/** Advance a dispatch by one observation. Terminal and trouble states are left as they are. */
export function next(d: Dispatch, obs: Observation, now: Date, limits: WatchLimits): Dispatch {
  if (!LIVE_STATES.has(d.state)) return d;

  let state: DispatchState = d.state;
  let note = '';
  let progressed = false;
  const seen: string[] = [];
  let pr = d.pr;

  if (obs.kind === 'tracker') {
    if (obs.issueState === 'closed') {
      return withEvent({ ...d, pr }, 'completed', 'issue closed', now, true);
    }
    if (obs.reopened) seen.push('reopened');
    for (const c of obs.newComments) seen.push(commentPattern(c.body));
    if (obs.newComments.length > 0) {
      progressed = true;
      if (state === 'assigned') {
        state = 'working';
        note = `@${obs.newComments[0]!.author} commented`;
      }
    }
    if (obs.pr) {
      const p = obs.pr;
      const newCommit = pr === null || pr.headSha !== p.headSha;
      if (newCommit) progressed = true;
      pr = { number: p.number, headSha: p.headSha };
      if (p.merged) {
        state = 'ci_passed';
        note = `PR #${p.number} merged`;
      } else if (p.ci === 'pending') {
        state = 'ci_running';
        note = `CI running on ${p.headSha.slice(0, 7)}`;
      } else if (p.ci === 'success' || p.ci === 'skipped') {
        state = 'ci_passed';
        note = `CI passed on ${p.headSha.slice(0, 7)}`;
      } else if (p.ci === 'failure' || p.ci === 'error' || p.ci === 'warning') {
        state = 'ci_failed';
        note = `CI failed on ${p.headSha.slice(0, 7)}`;
        if (newCommit) seen.push(`ci_failed:${p.ci}`);
      } else {
        state = 'pr_open';
        note = `PR #${p.number} open`;
      }
      if (p.state === 'closed' && !p.merged) {
        state = 'working';
        note = `PR #${p.number} closed without merging`;
        seen.push('pr_closed');
      }
    }
  } else if (obs.kind === 'agent') {
    if (obs.status === 'done') return withEvent(d, 'completed', obs.detail || 'agent finished', now, true);
    if (obs.status === 'failed') return withEvent(d, 'failed', obs.detail || 'agent failed', now, true);
    if (state === 'assigned') {
      state = 'working';
      note = obs.detail || 'agent running';
      progressed = true;
    }
  }

  let patterns = d.patterns;
  if (seen.length > 0) {
    const counted: Record<string, number> = { ...d.patterns };
    for (const p of seen) counted[p] = (counted[p] ?? 0) + 1;
    patterns = counted;
  }
  const samePr = pr === d.pr || (pr !== null && d.pr !== null && pr.number === d.pr.number && pr.headSha === d.pr.headSha);
  // Nothing new keeps the same object, so watchers (and the journal) see no change.
  const base = samePr && patterns === d.patterns ? d : { ...d, pr: samePr ? d.pr : pr, patterns };
  let moved = withEvent(base, state, note, now, progressed || state !== d.state);

  const looping = Object.entries(patterns).find(([, n]) => n >= limits.repeatThreshold);
  if (looping) {
    return withEvent(moved, 'looping', `the same ${describePattern(looping[0])} ${looping[1]} times`, now, false);
  }
  const elapsed = now.getTime() - Date.parse(moved.startedAt);
  if (elapsed >= limits.timeoutMinutes * MINUTE) {
    return withEvent(moved, 'timed_out', `no result after ${Math.round(elapsed / MINUTE)} minutes`, now, false);
  }
  const idle = now.getTime() - Date.parse(moved.lastProgressAt);
  if (idle >= limits.stallMinutes * MINUTE && moved.state !== 'ci_running') {
    moved = withEvent(moved, 'stalled', `no activity for ${Math.round(idle / MINUTE)} minutes`, now, false);
  }
  return moved;
}

function describePattern(pattern: string): string {
  if (pattern.startsWith('comment:')) return 'comment';
  if (pattern.startsWith('ci_failed:')) return 'CI failure on new commits';
  if (pattern === 'reopened') return 'reopen/close cycle';
  if (pattern === 'pr_closed') return 'PR closed unmerged';
  return pattern;
}

export type Resolution = { readonly kind: 'retry'; readonly attempt: number } | { readonly kind: 'escalate'; readonly why: string } | null;

/** What to do with a dispatch in trouble: retry while attempts remain, else escalate. */
export function resolve(d: Dispatch, maxRetries: number): Resolution {
  if (!TROUBLE_STATES.has(d.state)) return null;
  const why = d.history.at(-1)?.note ?? d.state;
  // A loop is not fixed by trying again with the same inputs.
  if (d.state === 'looping' || d.attempt > maxRetries) {
    return { kind: 'escalate', why: `${stateWords(d.state)}: ${why}` };
  }
  return { kind: 'retry', attempt: d.attempt + 1 };
}

export const stateWords = (state: DispatchState): string => state.replace('_', ' ');

/** Mark a dispatch escalated. */
export const escalated = (d: Dispatch, why: string, now: Date): Dispatch => withEvent(d, 'escalated', why, now, false);
