import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { agentRef, watchPolicy } from '../../src/core/supervision-config.js';
import {
  agedOut,
  type AgentRef,
  type Check,
  next,
  type PullSight,
  startSupervision,
  type Supervised,
  type TrackerSight,
  type WatchAction,
  type WatchEvent,
  type WatchPolicy,
} from '../../src/core/supervision.js';

const T0 = new Date('2026-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const CLAUDE: AgentRef = { id: 'claude', kind: 'tracker', login: 'claude', label: null };
const KIMI: AgentRef = { id: 'kimi', kind: 'tracker', login: 'kimi-ready', label: 'kimi-ready' };
const HTTP: AgentRef = { id: 'remote', kind: 'http', login: null, label: null };
const CMD: AgentRef = { id: 'local', kind: 'command', login: null, label: null };
const LOCK = 'switchboard:in-progress';

const policy = (o: Partial<WatchPolicy> = {}): WatchPolicy => ({
  selfLogin: 'switchboard',
  trusted: new Set(['maintainer']),
  inProgressLabel: LOCK,
  stallMinutes: 60,
  timeoutMinutes: 240,
  repeatThreshold: 3,
  maxRetries: 2,
  retryBackoffSeconds: 60,
  maxFixForward: 2,
  maxHops: 5,
  closeOnMerge: true,
  deployContext: null,
  retryNextAgent: false,
  agents: [CLAUDE, KIMI, HTTP, CMD],
  ...o,
});

const check = (state: Check['state'], context = 'ci/test'): Check => ({ context, state, targetUrl: `https://ci.example/${context}` });
const pull = (o: Partial<PullSight> = {}): PullSight => ({
  number: 40,
  state: 'open',
  merged: false,
  headSha: 'a'.repeat(40),
  mergeSha: null,
  checks: [],
  mergeChecks: [],
  ...o,
});
const sight = (o: { state?: 'open' | 'closed'; closedBy?: string | null; assignees?: string[]; labels?: string[]; pulls?: PullSight[]; comments?: { author: string; body: string }[] } = {}): TrackerSight => ({
  issue: { state: o.state ?? 'open', closedBy: o.closedBy ?? null, assignees: o.assignees ?? ['claude'], labels: o.labels ?? [LOCK, 'kimi-ready'] },
  pulls: o.pulls ?? [],
  comments: o.comments ?? [],
});
const cycle = (tracker: TrackerSight | null, agent: Extract<WatchEvent, { kind: 'cycle' }>['agent'] = null): WatchEvent => ({ kind: 'cycle', tracker, agent });

/** Run events in order at the given minutes; returns the dispatch and every action asked for. */
function run(agent: AgentRef, events: [number, WatchEvent][], p = policy()): { d: Supervised; actions: WatchAction[]; byStep: WatchAction[][] } {
  let d = startSupervision({ proposalId: 'p1', repo: 'acme/api', number: 7, agent }, T0);
  const actions: WatchAction[] = [];
  const byStep: WatchAction[][] = [];
  for (const [minute, e] of events) {
    const step = next(d, e, at(minute), p);
    d = step.dispatch;
    actions.push(...step.actions);
    byStep.push([...step.actions]);
  }
  return { d, actions, byStep };
}
const accepted: WatchEvent = { kind: 'accepted', detail: 'assigned @claude' };
const kinds = (actions: readonly WatchAction[]) => actions.map((a) => a.kind);

describe('a supervised dispatch, every agent kind', () => {
  it.each([CLAUDE, KIMI, HTTP, CMD])('a merged PR with green CI completes a dispatch to $id, releases the lock and closes the issue the merge left open', (agent) => {
    const { d, actions, byStep } = run(agent, [
      [0, accepted],
      [5, cycle(sight({ pulls: [pull({ checks: [check('pending')] })] }))],
      [10, cycle(sight({ pulls: [pull({ checks: [check('success')] })] }))],
      [15, cycle(sight({ pulls: [pull({ state: 'closed', merged: true, mergeSha: 'm'.repeat(40), checks: [check('success')] })] }))],
    ]);
    expect(d.phase).toBe('completed');
    expect(kinds(byStep[3]!)).toEqual(['release-lock', 'close-issue', 'notify', 'update-progress']);
    expect(actions).toContainEqual({ kind: 'close-issue', pr: 40, mergeSha: 'm'.repeat(40) });
    expect(d.progress).toMatchObject({ dispatched: true, pr: 40, ci: 'green', merged: true, closed: true });
  });

  it('a merge that closed the issue itself is not closed again, and closeOnMerge off leaves it open', () => {
    const merged = pull({ state: 'closed', merged: true, checks: [check('success')] });
    expect(kinds(run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', closedBy: 'claude', pulls: [merged] }))]]).actions)).not.toContain('close-issue');
    const off = run(CLAUDE, [[0, accepted], [5, cycle(sight({ pulls: [merged] }))]], policy({ closeOnMerge: false }));
    expect(off.d.phase).toBe('completed');
    expect(kinds(off.actions)).toEqual(['update-progress', 'release-lock', 'notify', 'update-progress']);
  });

  it('a merged PR whose CI is still running waits, then completes when it turns green', () => {
    const { d, byStep } = run(CLAUDE, [
      [0, accepted],
      [5, cycle(sight({ pulls: [pull({ state: 'closed', merged: true, checks: [check('pending')] })] }))],
      [200, cycle(sight({ pulls: [pull({ state: 'closed', merged: true, checks: [check('pending')] })] }))],
      [210, cycle(sight({ pulls: [pull({ state: 'closed', merged: true, checks: [check('success')] })] }))],
    ]);
    expect(byStep[2]).toEqual([]);
    expect(d.phase).toBe('completed');
  });

  it('a merged PR whose CI never reports does not hold the repo lock for ever: escalated after the timeout, lock released', () => {
    const waiting = cycle(sight({ pulls: [pull({ state: 'closed', merged: true, checks: [check('pending')] })] }));
    // merged at minute 5; the agent's timeout is 240 minutes
    const { d, byStep } = run(CLAUDE, [[0, accepted], [5, waiting], [244, waiting], [246, waiting]]);
    expect(byStep[2]).toEqual([]);
    expect(d).toMatchObject({ phase: 'escalated', escalation: { cause: 'timeout' } });
    expect(d.escalation?.why).toContain('PR #40 merged');
    expect(kinds(byStep[3]!)).toEqual(expect.arrayContaining(['escalate', 'release-lock']));
    expect(kinds(byStep[3]!)).not.toContain('close-issue');
  });

  it('a merged PR still waiting for CI is a quiet cycle: the same object back', () => {
    const waiting = cycle(sight({ pulls: [pull({ state: 'closed', merged: true, checks: [check('pending')] })] }));
    const { d } = run(CLAUDE, [[0, accepted], [5, waiting]]);
    expect(next(d, waiting, at(6), policy()).dispatch).toBe(d);
  });

  it('with deployContext the dispatch ends deployed once the merge commit carries that status', () => {
    const merged = (mergeChecks: Check[]) => pull({ state: 'closed', merged: true, mergeSha: 'm'.repeat(40), checks: [check('success')], mergeChecks });
    const p = policy({ deployContext: 'deploy/production' });
    const { d, byStep } = run(CLAUDE, [
      [0, accepted],
      [5, cycle(sight({ state: 'closed', pulls: [merged([])] }))],
      [10, cycle(sight({ state: 'closed', pulls: [merged([check('pending', 'deploy/production')])] }))],
      [15, cycle(sight({ state: 'closed', pulls: [merged([check('success', 'deploy/production')])] }))],
    ], p);
    expect(run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', pulls: [merged([])] }))]], p).d.phase).toBe('deploying');
    expect(byStep[2]).toEqual([]);
    expect(d.phase).toBe('deployed');
    expect(d.progress.deployed).toBe(true);
    const failed = run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', pulls: [merged([check('failure', 'deploy/production')])] }))]], p);
    expect(failed.d.escalation?.cause).toBe('deploy-failed');
  });

  it.each([CLAUDE, HTTP, CMD])('an issue closed by a human cancels a dispatch to $id and releases the lock', (agent) => {
    const { d, actions } = run(agent, [[0, accepted], [5, cycle(sight({ state: 'closed', closedBy: 'alice' }))]]);
    expect(d.phase).toBe('cancelled');
    expect(kinds(actions)).toContain('release-lock');
    expect(kinds(actions).includes('stop-agent')).toBe(agent.kind === 'command');
  });

  it('an issue closed by the agent completes the dispatch', () => {
    expect(run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', closedBy: 'claude' }))]]).d.phase).toBe('completed');
  });

  it('removing the agent assignment, its label or the lock label cancels the dispatch', () => {
    const seen = cycle(sight());
    expect(run(CLAUDE, [[0, accepted], [1, seen], [5, cycle(sight({ assignees: [] }))]]).d.history.at(-1)?.note).toBe('the assignment to claude was removed');
    expect(run(KIMI, [[0, accepted], [1, seen], [5, cycle(sight({ labels: [LOCK] }))]]).d.phase).toBe('cancelled');
    expect(run(HTTP, [[0, accepted], [1, seen], [5, cycle(sight({ labels: [] }))]]).d.history.at(-1)?.note).toMatch(/in-progress label was removed/);
    // Never seen yet (the label is written after the dispatch): not a cancellation.
    expect(run(CLAUDE, [[0, accepted], [1, cycle(sight({ assignees: [], labels: [] }))]]).d.phase).toBe('assigned');
  });
});

describe('red CI is fixed forward', () => {
  const red = (sha: string) => pull({ headSha: sha, checks: [check('success', 'lint'), check('failure', 'ci/test')] });

  it('within the cycle that sees it, naming the failing contexts, their URLs and the head SHA', () => {
    const { d, byStep } = run(CLAUDE, [[0, accepted], [5, cycle(sight({ pulls: [red('b'.repeat(40))] }))]]);
    const ff = byStep[1]!.find((a) => a.kind === 'fix-forward');
    expect(ff).toEqual({
      kind: 'fix-forward',
      request: { agent: CLAUDE, pr: 40, headSha: 'b'.repeat(40), failing: [check('failure', 'ci/test')], round: 1, maxRounds: 2 },
    });
    expect(d.phase).toBe('ci_failed');
    expect(d.hops).toBe(1);
  });

  it('once per commit, up to maxFixForward on successive commits, then escalation', () => {
    const { d, actions } = run(HTTP, [
      [0, accepted],
      [5, cycle(sight({ pulls: [red('b'.repeat(40))] }))],
      [10, cycle(sight({ pulls: [red('b'.repeat(40))] }))],
      [15, cycle(sight({ pulls: [red('c'.repeat(40))] }))],
      [20, cycle(sight({ pulls: [red('d'.repeat(40))] }))],
    ]);
    expect(actions.filter((a) => a.kind === 'fix-forward').map((a) => a.kind === 'fix-forward' && a.request.round)).toEqual([1, 2]);
    expect(d.phase).toBe('escalated');
    expect(d.escalation?.cause).toBe('ci-red');
    expect(kinds(actions)).toEqual(expect.arrayContaining(['escalate', 'release-lock', 'notify']));
    expect(kinds(actions)).not.toContain('retract-audit');
  });

  it('a fixed-forward PR that goes green and merges completes', () => {
    const { d } = run(CMD, [
      [0, accepted],
      [5, cycle(sight({ pulls: [red('b'.repeat(40))] }))],
      [9, cycle(null, { status: 'succeeded', detail: 'exit 0' })],
      [10, cycle(sight({ pulls: [pull({ headSha: 'c'.repeat(40), checks: [check('success')] })] }))],
      [15, cycle(sight({ pulls: [pull({ headSha: 'c'.repeat(40), merged: true, state: 'closed', checks: [check('success')] })] }))],
    ]);
    expect(d.phase).toBe('completed');
    expect(d.progress.fixForwards).toBe(1);
  });

  it('a PR merged with red CI is escalated', () => {
    expect(run(CLAUDE, [[0, accepted], [5, cycle(sight({ pulls: [pull({ merged: true, state: 'closed', checks: [check('failure')] })] }))]]).d.escalation?.cause).toBe('merged-red');
  });
});

describe('refusals, retries and hops', () => {
  const refused: WatchEvent = { kind: 'refused', detail: 'HTTP 500' };

  it('a refused dispatch waits with backoff, is retried, and escalates with the audit retracted once retries are used', () => {
    const { d, byStep } = run(HTTP, [
      [0, refused],
      [0.5, cycle(sight({ labels: [] }))],
      [1, cycle(sight({ labels: [] }))],
      [1, refused],
      [2, cycle(null)],
      [3, cycle(null)],
      [3, refused],
    ]);
    expect(byStep[0]).toEqual([]);
    expect(byStep[1]).toEqual([]);
    expect(kinds(byStep[2]!)).toEqual(['redispatch']);
    expect(byStep[4]).toEqual([]); // second backoff is two minutes
    expect(kinds(byStep[5]!)).toEqual(['redispatch']);
    expect(d.phase).toBe('escalated');
    expect(kinds(byStep[6]!)).toEqual(['escalate', 'release-lock', 'retract-audit', 'notify']);
    expect(d.escalation).toMatchObject({ cause: 'refused', why: expect.stringMatching(/HTTP 500.*2 retries used/) });
  });

  it('a refusal after an accepted attempt does not retract the audit', () => {
    const { actions } = run(HTTP, [[0, accepted], [61, cycle(sight())], [61, refused], [62, cycle(null)], [62, refused], [64, cycle(null)], [64, refused]]);
    expect(kinds(actions)).not.toContain('retract-audit');
  });

  it('a stall is retried (on the next agent with retryNextAgent) and then escalated', () => {
    const p = policy({ maxRetries: 1, retryNextAgent: true });
    const { d, actions } = run(CLAUDE, [[0, accepted], [61, cycle(sight())], [61, accepted], [200, cycle(sight({ assignees: ['claude'], labels: [LOCK, 'kimi-ready'] }))]], p);
    expect(actions.find((a) => a.kind === 'redispatch')).toMatchObject({ agent: KIMI, attempt: 2, why: 'retry after no activity for 61 minutes' });
    expect(d.escalation?.cause).toBe('stall');
  });

  it('an agent over its timeout is retried', () => {
    const { d } = run(HTTP, [[0, accepted], [30, cycle(null, { status: 'running', detail: 'run 1' })], [241, cycle(null, { status: 'running', detail: '' })]], policy({ stallMinutes: 1000 }));
    expect(d.phase).toBe('dispatching');
    expect(d.history.at(-1)?.note).toMatch(/retry after no result after 241 minutes/);
  });

  it('maxHops counts retries and fix-forwards together', () => {
    const p = policy({ maxHops: 2, maxRetries: 5, maxFixForward: 5 });
    const red = (sha: string) => cycle(sight({ pulls: [pull({ headSha: sha, checks: [check('failure')] })] }));
    const { d } = run(CLAUDE, [[0, accepted], [5, red('b'.repeat(40))], [80, cycle(sight({ pulls: [pull({ headSha: 'b'.repeat(40), checks: [check('failure')] })] }))], [80, accepted], [90, red('c'.repeat(40))]], p);
    expect(d.hops).toBe(2);
    expect(d.escalation?.cause).toBe('max-hops');
  });

  it('a failed agent run is retried; a command agent exiting 0 without a PR is done, awaiting review', () => {
    expect(run(CMD, [[0, accepted], [5, cycle(null, { status: 'failed', detail: 'exit 3' })]]).d.phase).toBe('dispatching');
    const done = run(CMD, [[0, accepted], [5, cycle(sight(), { status: 'succeeded', detail: 'exit 0' })]]);
    expect(done.d.phase).toBe('awaiting_review');
    expect(kinds(done.actions)).toEqual(['update-progress', 'release-lock', 'flag-owner', 'notify', 'update-progress']);
  });
});

describe('loops and stalls count only the agent, switchboard and trusted maintainers', () => {
  const says = (author: string, body = '+1') => cycle(sight({ comments: [{ author, body }] }));

  it("a stranger's comments neither escalate nor hold off the stall", () => {
    const { d } = run(CLAUDE, [[0, accepted], [10, says('stranger')], [20, says('stranger')], [30, says('stranger')], [50, says('stranger')], [61, says('stranger')]]);
    expect(d.phase).toBe('dispatching');
    expect(d.history.at(-1)?.note).toBe('retry after no activity for 61 minutes');
  });

  it("a stranger's pull request from a fork that says \"fixes #7\" neither moves the dispatch, nor holds off its stall, nor sends the agent to fix its CI", () => {
    const strangers = (sha: string, state: Check['state']) => cycle(sight({ pulls: [pull({ number: 41, headSha: sha, checks: [check(state)], author: 'stranger', fromFork: true })] }));
    const { d, actions } = run(CLAUDE, [[0, accepted], [20, strangers('b'.repeat(40), 'pending')], [40, strangers('c'.repeat(40), 'failure')], [61, strangers('d'.repeat(40), 'failure')]]);
    expect(kinds(actions)).not.toContain('fix-forward');
    expect(d.pr).toBeNull();
    expect(d.history.at(-1)?.note).toBe('retry after no activity for 61 minutes');
    // once a maintainer merges it, it is the issue's fix like any other
    const merged = pull({ number: 41, state: 'closed', merged: true, checks: [check('success')], author: 'stranger', fromFork: true });
    expect(run(CLAUDE, [[0, accepted], [20, cycle(sight({ pulls: [merged] }))]]).d.phase).toBe('completed');
  });

  it("the agent's, a trusted maintainer's and a same-repository pull request all speak for the dispatch", () => {
    for (const who of [{ author: 'claude', fromFork: true }, { author: 'maintainer', fromFork: true }, { author: 'stranger', fromFork: false }]) {
      const { d } = run(CLAUDE, [[0, accepted], [20, cycle(sight({ pulls: [pull({ checks: [check('pending')], ...who })] }))]]);
      expect(d.phase).toBe('ci_running');
    }
  });

  it('logins are compared as the forge does, ignoring case: the agent configured as claude is the account Claude', () => {
    // the agent commenting as "Claude" is activity, not a stall
    const busy = run(CLAUDE, [[0, accepted], [40, says('Claude', 'Working on the parser')], [61, cycle(sight({ assignees: ['Claude'] }))]]);
    expect(busy.d.phase).toBe('working');
    // a trusted maintainer configured as "maintainer" who signs in as "Maintainer" counts too
    expect(run(CLAUDE, [[0, accepted], [40, says('Maintainer', 'see parser.ts')], [61, cycle(sight())]]).d.phase).toBe('working');
    // the agent closing the issue completes the dispatch; it is not a human cancelling it
    const closed = run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', closedBy: 'Claude' }))]]);
    expect(closed.d.phase).toBe('completed');
    // the assignment to "Claude" is the agent's: taking it away cancels
    const unassigned = run(CLAUDE, [[0, accepted], [5, cycle(sight({ assignees: ['Claude'] }))], [10, cycle(sight({ assignees: [] }))]]);
    expect(unassigned.d.phase).toBe('cancelled');
  });

  it('the agent repeating itself with nothing new is a loop', () => {
    const { d } = run(CLAUDE, [[0, accepted], [1, says('claude', 'Retrying 1')], [2, says('claude', 'Retrying 2')], [3, says('claude', 'Retrying 3')]]);
    expect(d.escalation?.cause).toBe('loop');
  });

  it('the same status comment across new commits (or CI changes) is progress, not a loop', () => {
    const withCommit = (sha: string) => cycle(sight({ comments: [{ author: 'claude', body: 'Pushed, CI green' }], pulls: [pull({ headSha: sha, checks: [check('success')] })] }));
    expect(run(CLAUDE, [[0, accepted], [1, withCommit('b'.repeat(40))], [2, withCommit('c'.repeat(40))], [3, withCommit('d'.repeat(40))]]).d.phase).toBe('ci_passed');
  });

  it('a trusted maintainer comment holds off the stall; switchboard comments with a marker do not', () => {
    expect(run(CLAUDE, [[0, accepted], [50, says('maintainer', 'looking')], [100, cycle(sight())]]).d.phase).toBe('working');
    expect(run(CLAUDE, [[0, accepted], [50, says('switchboard', 'x <!-- switchboard:v1 {} -->')], [61, cycle(sight())]]).d.phase).toBe('dispatching');
  });

  it('CI running is not a stall', () => {
    expect(run(CLAUDE, [[0, accepted], [5, cycle(sight({ pulls: [pull({ checks: [check('pending')] })] }))], [100, cycle(sight({ pulls: [pull({ checks: [check('pending')] })] }))]]).d.phase).toBe('ci_running');
  });
});

describe('the operator', () => {
  const op = (command: 'retry' | 'reroute' | 'cancel' | 'done' | 'ack', agentId?: string): WatchEvent => ({ kind: 'operator', command, by: 'ops', ...(agentId ? { agentId } : {}) });

  it('cancels (stopping a command agent), marks done, retries, re-routes and acknowledges', () => {
    expect(kinds(run(CMD, [[0, accepted], [1, op('cancel')]]).actions)).toEqual(['update-progress', 'say-cancelled', 'stop-agent', 'release-lock', 'notify', 'update-progress']);
    expect(run(CLAUDE, [[0, accepted], [1, op('done')]]).d.phase).toBe('completed');
    const rerouted = run(CLAUDE, [[0, accepted], [1, op('reroute', 'remote')]]);
    expect(rerouted.d.agent).toEqual(HTTP);
    expect(rerouted.d.retries).toBe(0);
    const looped = run(CLAUDE, [[0, accepted], [1, cycle(sight({ comments: Array.from({ length: 3 }, () => ({ author: 'claude', body: 'again' })) }))], [2, op('ack')]]);
    expect(looped.d.escalation?.acknowledgedBy).toBe('ops');
    expect(run(CLAUDE, [[0, accepted], [1, op('cancel')], [2, op('retry')]]).d.phase).toBe('cancelled');
  });

  it('an escalation can be cancelled for good; its lock was released when it escalated', () => {
    const looped = cycle(sight({ comments: Array.from({ length: 3 }, () => ({ author: 'claude', body: 'again' })) }));
    const r = run(CLAUDE, [[0, accepted], [1, looped]]);
    expect(r.d.phase).toBe('escalated');
    const after = run(CLAUDE, [[0, accepted], [1, looped], [2, op('cancel')]]);
    expect(after.d.phase).toBe('cancelled');
    expect(kinds(after.actions).slice(kinds(r.actions).length)).toEqual(['say-cancelled', 'notify', 'update-progress']);
  });

  it("keeps the operator's note in the history and in the cancellation comment", () => {
    const noted: WatchEvent = { kind: 'operator', command: 'cancel', by: 'ops', note: 'duplicate of #12' };
    const r = run(CLAUDE, [[0, accepted], [1, noted]]);
    expect(r.d.history.some((h) => h.phase === 'cancelled' && h.note === 'cancelled by ops: duplicate of #12')).toBe(true);
    expect(r.actions).toContainEqual({ kind: 'say-cancelled', by: 'ops', note: 'duplicate of #12' });
    const acked = run(CLAUDE, [[0, accepted], [1, cycle(sight({ comments: Array.from({ length: 3 }, () => ({ author: 'claude', body: 'again' })) }))], [2, { ...noted, command: 'ack', note: 'on it' }]]);
    expect(acked.d.history.at(-1)?.note).toBe('acknowledged by ops: on it');
  });
});

describe('finished rows', () => {
  it('age out after finishedRowMinutes; live ones never do', () => {
    const done = run(CLAUDE, [[0, accepted], [5, cycle(sight({ state: 'closed', closedBy: 'claude' }))]]).d;
    expect(agedOut(done, at(34), 30)).toBe(false);
    expect(agedOut(done, at(35), 30)).toBe(true);
    expect(agedOut(run(CLAUDE, [[0, accepted]]).d, at(10_000), 30)).toBe(false);
  });

  it('a deploy that never reports ends the dispatch after the agent timeout', () => {
    const p = policy({ deployContext: 'deploy/production' });
    const merged = cycle(sight({ state: 'closed', pulls: [pull({ state: 'closed', merged: true, checks: [check('success')] })] }));
    const { d } = run(CLAUDE, [[0, accepted], [5, merged], [200, merged], [245, merged]], p);
    expect(d.phase).toBe('completed');
    expect(d.history.at(-1)?.note).toBe('no deploy/production status after 240 minutes');
  });
});

describe('quiet cycles', () => {
  it('give back the very same dispatch object and ask for nothing', () => {
    const watched = cycle(sight({ pulls: [pull({ checks: [check('pending')] })], comments: [{ author: 'stranger', body: 'any news?' }] }));
    const { d } = run(CLAUDE, [[0, accepted], [5, watched]]);
    const step = next(d, watched, at(6), policy());
    expect(step.dispatch).toBe(d);
    expect(step.actions).toEqual([]);
  });
});

describe('the progress checklist', () => {
  it('is written only when a phase passes', () => {
    const { byStep } = run(CLAUDE, [
      [0, accepted],
      [1, cycle(sight({ comments: [{ author: 'claude', body: 'on it' }] }))],
      [5, cycle(sight({ pulls: [pull({ checks: [check('pending')] })] }))],
      [6, cycle(sight({ pulls: [pull({ checks: [check('pending')] })] }))],
      [7, cycle(sight({ pulls: [pull({ checks: [check('success')] })] }))],
    ]);
    expect(byStep.map((s) => s.filter((a) => a.kind === 'update-progress').length)).toEqual([1, 0, 1, 0, 1]);
  });
});

describe('policy from config', () => {
  it('carries the watch keys, the agent timeout and the coding agents in registry order', () => {
    const config = parseConfig({ trustedAuthors: ['maintainer'], watch: { maxHops: 3, deployContext: 'deploy/production' } });
    const claude = config.agents.find((a) => a.id === 'claude')!;
    const p = watchPolicy(config, claude, 'switchboard');
    expect(p).toMatchObject({ selfLogin: 'switchboard', inProgressLabel: LOCK, timeoutMinutes: 120, maxHops: 3, maxFixForward: 2, closeOnMerge: true, deployContext: 'deploy/production' });
    expect(p.trusted.has('maintainer')).toBe(true);
    expect(p.agents).toEqual([CLAUDE, KIMI]);
    expect(agentRef(config.agents.find((a) => a.id === 'owner')!)).toBeNull();
  });
});
