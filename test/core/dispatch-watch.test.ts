import { describe, expect, it } from 'vitest';
import { type Dispatch, next, type Observation, resolve, startDispatch, type WatchLimits } from '../../src/core/dispatch.js';

const T0 = new Date('2026-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const limits: WatchLimits = { stallMinutes: 60, timeoutMinutes: 240, repeatThreshold: 3 };
const fresh = (attempt = 1) => startDispatch({ proposalId: 'p1', repo: 'acme/api', number: 7, agentId: 'claude', attempt }, T0);

const tracker = (o: Partial<Extract<Observation, { kind: 'tracker' }>> = {}): Observation => ({
  kind: 'tracker',
  issueState: 'open',
  newComments: [],
  reopened: false,
  pr: null,
  ...o,
});
const pr = (ci: 'pending' | 'success' | 'failure' | 'none', headSha = 'aaaaaaa1', extra = {}) => ({
  number: 40,
  state: 'open' as const,
  merged: false,
  headSha,
  ci,
  ...extra,
});

describe('watching a dispatch', () => {
  it.each<[string, Observation, string]>([
    ['an agent comment means it is working', tracker({ newComments: [{ author: 'claude', body: 'On it' }] }), 'working'],
    ['a linked PR without status is pr_open', tracker({ pr: pr('none') }), 'pr_open'],
    ['a pending status is ci_running', tracker({ pr: pr('pending') }), 'ci_running'],
    ['a failing status is ci_failed', tracker({ pr: pr('failure') }), 'ci_failed'],
    ['a passing status is ci_passed', tracker({ pr: pr('success') }), 'ci_passed'],
    ['a merged PR is ci_passed', tracker({ pr: pr('none', 'b', { merged: true, state: 'closed' }) }), 'ci_passed'],
    ['a closed issue is completed', tracker({ issueState: 'closed' }), 'completed'],
    ['an agent process that finished is completed', { kind: 'agent', status: 'done', detail: 'exit 0' }, 'completed'],
    ['an agent process that failed is failed', { kind: 'agent', status: 'failed', detail: 'exit 3' }, 'failed'],
    ['a running agent process is working', { kind: 'agent', status: 'running', detail: 'run 12' }, 'working'],
    ['nothing seen yet keeps it assigned', { kind: 'none' }, 'assigned'],
  ])('%s', (_name, obs, state) => {
    expect(next(fresh(), obs, at(5), limits).state).toBe(state);
  });

  it('records each state change in the history with its time and a note', () => {
    let d = fresh();
    d = next(d, tracker({ newComments: [{ author: 'claude', body: 'On it' }] }), at(1), limits);
    d = next(d, tracker({ pr: pr('pending') }), at(2), limits);
    d = next(d, tracker({ pr: pr('success') }), at(3), limits);
    d = next(d, tracker({ issueState: 'closed' }), at(4), limits);
    expect(d.history.map((e) => e.state)).toEqual(['assigned', 'working', 'ci_running', 'ci_passed', 'completed']);
    expect(d.history[2]).toEqual({ at: at(2).toISOString(), state: 'ci_running', note: 'CI running on aaaaaaa' });
  });

  it('a dispatch with no activity for stallMinutes is stalled', () => {
    let d = next(fresh(), tracker({ newComments: [{ author: 'claude', body: 'On it' }] }), at(10), limits);
    d = next(d, tracker(), at(69), limits);
    expect(d.state).toBe('working');
    d = next(d, tracker(), at(70), limits);
    expect(d.state).toBe('stalled');
    expect(d.history.at(-1)?.note).toBe('no activity for 60 minutes');
  });

  it('a running CI does not count as a stall', () => {
    let d = next(fresh(), tracker({ pr: pr('pending') }), at(1), limits);
    d = next(d, tracker({ pr: pr('pending') }), at(120), limits);
    expect(d.state).toBe('ci_running');
  });

  it('a dispatch past its agent timeout is timed out, even while active', () => {
    let d = fresh();
    for (let m = 30; m < 240; m += 30) d = next(d, tracker({ newComments: [{ author: 'claude', body: `step ${m} of the plan: ${'x'.repeat(m / 30)}` }] }), at(m), limits);
    d = next(d, tracker({ newComments: [{ author: 'claude', body: 'still going' }] }), at(240), limits);
    expect(d.state).toBe('timed_out');
  });

  it('the same CI failure on new commits three times is looping', () => {
    let d = fresh();
    d = next(d, tracker({ pr: pr('failure', 'c1') }), at(1), limits);
    d = next(d, tracker({ pr: pr('failure', 'c1') }), at(2), limits); // same commit: not a repeat
    d = next(d, tracker({ pr: pr('failure', 'c2') }), at(3), limits);
    expect(d.state).toBe('ci_failed');
    d = next(d, tracker({ pr: pr('failure', 'c3') }), at(4), limits);
    expect(d.state).toBe('looping');
    expect(d.history.at(-1)?.note).toBe('the same CI failure on new commits 3 times');
  });

  it('the same comment text (numbers aside) three times is looping', () => {
    let d = fresh();
    for (let i = 1; i <= 3; i++) d = next(d, tracker({ newComments: [{ author: 'kimi', body: `Retrying build ${i}…` }] }), at(i), limits);
    expect(d.state).toBe('looping');
  });

  it('reopen/close ping-pong is looping', () => {
    let d = fresh();
    for (let i = 1; i <= 3; i++) d = next(d, tracker({ reopened: true }), at(i), limits);
    expect(d.state).toBe('looping');
  });

  it('a finished dispatch no longer changes', () => {
    const done = next(fresh(), tracker({ issueState: 'closed' }), at(1), limits);
    expect(next(done, tracker({ reopened: true }), at(500), limits)).toBe(done);
  });
});

describe('resolving a dispatch in trouble', () => {
  const stalled = (attempt: number): Dispatch => next(startDispatch({ proposalId: 'p', repo: 'a/b', number: 1, agentId: 'claude', attempt }, T0), { kind: 'none' }, at(61), limits);

  it('retries while attempts remain', () => {
    expect(resolve(stalled(1), 1)).toEqual({ kind: 'retry', attempt: 2 });
  });

  it('escalates once retries are spent, saying why', () => {
    expect(resolve(stalled(2), 1)).toEqual({ kind: 'escalate', why: 'stalled: no activity for 61 minutes' });
  });

  it('escalates a loop at once: retrying the same inputs would loop again', () => {
    let d = startDispatch({ proposalId: 'p', repo: 'a/b', number: 1, agentId: 'claude', attempt: 1 }, T0);
    for (let i = 1; i <= 3; i++) d = next(d, tracker({ reopened: true }), at(i), limits);
    expect(resolve(d, 5)).toMatchObject({ kind: 'escalate' });
  });

  it('has nothing to do for a healthy or completed dispatch', () => {
    expect(resolve(startDispatch({ proposalId: 'p', repo: 'a/b', number: 1, agentId: 'c', attempt: 1 }, T0), 1)).toBeNull();
  });
});

describe('an observation with nothing new', () => {
  it('returns the same dispatch object, so nothing is re-announced or re-journalled', () => {
    const working = next(fresh(), tracker({ pr: pr('failure', 'c1') }), at(1), limits);
    expect(next(working, tracker({ pr: pr('failure', 'c1') }), at(2), limits)).toBe(working);
    const assigned = fresh();
    expect(next(assigned, { kind: 'none' }, at(3), limits)).toBe(assigned);
  });
});
