import { describe, expect, it } from 'vitest';
import { cycleDelay, Engine } from '../../src/core/engine.js';
import { settle } from '../fakes/fake-clock.js';
import { P0_BUG_RULE, world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const armedWithRule = { armed: true, autoApprove: [P0_BUG_RULE] };
const dueInMs = (w: ReturnType<typeof world>) => {
  const at = w.engine.getSnapshot().nextCycleAt;
  return at === null ? null : Date.parse(at) - w.clock.now().getTime();
};

describe('the engine loop', () => {
  it('reconciles dispatches in flight before it fetches, and fetches before it executes', async () => {
    const w = world({ config: armedWithRule, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    expect(w.engine.getSnapshot().dispatches.size).toBe(1);
    w.tracker.seed(readyBug({ number: 2, repo: 'acme/web' }));
    w.tracker.seed(readyBug({ number: 3 }));
    w.tracker.calls.length = 0;

    await w.engine.runCycle();

    const order = w.tracker.calls.map((c) => `${c.method}${c.number === undefined ? '' : ` #${c.number}`}`);
    const observe = order.indexOf('getIssue #1');
    const fetch = order.indexOf('fetchBacklog');
    const execute = order.indexOf('postComment #3');
    expect(observe).toBeGreaterThanOrEqual(0);
    expect(observe).toBeLessThan(fetch);
    // #3 waits: acme/api is locked by #1 — the execute phase is what reads #3's comments.
    expect(execute).toBe(-1);
    expect(w.proposalFor(3).waiting).toBe('waiting: acme/api#1 is in progress in acme/api');
  });

  it('a cycle asked for while one runs is that same cycle: the backlog is fetched once', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    const first = w.engine.runCycle();
    const second = w.engine.runCycle();
    expect(second).toBe(first);
    await first;
    expect(w.tracker.calls.filter((c) => c.method === 'fetchBacklog')).toHaveLength(1);
    expect(w.engine.getSnapshot().cycle).toBe(1);
  });

  it('schedules the next cycle one interval after the last settles, and runs it when due', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.start();
    expect(w.engine.getSnapshot().cycle).toBe(1);
    expect(dueInMs(w)).toBe(60_000);
    await w.clock.advance(59_000);
    expect(w.engine.getSnapshot().cycle).toBe(1);
    await w.clock.advance(1_000);
    expect(w.engine.getSnapshot().cycle).toBe(2);
    await w.engine.stop();
  });

  it('backs off, doubling the delay after each failed cycle, and returns to the interval after a success', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    w.tracker.fetchFailures.set('acme/api', new Error('502 Bad Gateway'));
    await w.engine.start();
    expect(dueInMs(w)).toBe(120_000);
    await w.clock.advance(120_000);
    expect(w.engine.getSnapshot().cycle).toBe(2);
    expect(dueInMs(w)).toBe(240_000);
    w.tracker.fetchFailures.clear();
    await w.clock.advance(240_000);
    expect(w.engine.getSnapshot().cycle).toBe(3);
    expect(dueInMs(w)).toBe(60_000);
    await w.engine.stop();
  });

  it('caps the failure backoff at five minutes, and never waits less than the interval', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => cycleDelay(60_000, n) / 60_000)).toEqual([1, 2, 4, 5, 5, 5, 5]);
    expect([1, 3, 9].map((n) => cycleDelay(10_000, n) / 1000)).toEqual([20, 80, 160]);
    expect(cycleDelay(900_000, 10)).toBe(900_000);
  });

  it('a repo whose fetch fails keeps its previous backlog and shows the error; other repos go on', async () => {
    const w = world({ config: { repos: ['acme/api', 'acme/web'] }, issues: [readyBug({ number: 1 }), readyBug({ number: 5, repo: 'acme/web' })] });
    await w.engine.runCycle();
    w.tracker.fetchFailures.set('acme/api', new Error('timeout after 10 s'));
    w.tracker.seed(readyBug({ number: 6, repo: 'acme/web' }));

    await w.engine.runCycle();

    const s = w.engine.getSnapshot();
    expect([...s.backlog.keys()].sort()).toEqual(['acme/api#1', 'acme/web#5', 'acme/web#6']);
    expect(s.fetchErrors.get('acme/api')?.message).toBe('could not fetch acme/api: timeout after 10 s');
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'error', message: 'could not fetch acme/api: timeout after 10 s' }));
    const finished = w.events.filter((e) => e.type === 'cycle-finished').at(-1);
    expect(finished).toMatchObject({ type: 'cycle-finished', cycle: 2, errors: ['could not fetch acme/api: timeout after 10 s'] });
  });

  it('stop() lets the write in progress finish, starts no other, and leaves no timer', async () => {
    const w = world({ config: armedWithRule, issues: [readyBug({ number: 1 })] });
    const held = w.tracker.holdNextWrite();
    const started = w.engine.start();
    await held.reached;
    let stopped = false;
    const stopping = w.engine.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);

    held.release();
    await stopping;
    await started;

    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**']);
    expect(w.clock.pending()).toEqual([]);
    expect(w.engine.getSnapshot().nextCycleAt).toBeNull();
    expect(w.proposalFor(1)).toMatchObject({ status: 'approved', waiting: 'stopped before its writes finished; resumes at the next start' });
  });

  it('pause clears the schedule; resume runs a cycle at once', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.start();
    w.engine.pause();
    expect(w.engine.getSnapshot()).toMatchObject({ paused: true, nextCycleAt: null });
    await w.clock.advance(10 * 60_000);
    expect(w.engine.getSnapshot().cycle).toBe(1);
    w.engine.resume();
    await settle();
    expect(w.engine.getSnapshot()).toMatchObject({ paused: false, cycle: 2 });
    expect(dueInMs(w)).toBe(60_000);
    expect(w.events.filter((e) => e.type === 'paused' || e.type === 'resumed').map((e) => e.type)).toEqual(['paused', 'resumed']);
    await w.engine.stop();
  });

  it('hands out the same snapshot until something changes, and keeps unchanged parts across cycles', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const a = w.engine.getSnapshot();
    let notified = 0;
    w.engine.subscribe(() => notified++);
    w.engine.disarm(); // already disarmed
    w.engine.setDryRun(false); // already off
    expect(w.engine.getSnapshot()).toBe(a);
    expect(notified).toBe(0);

    await w.engine.runCycle();
    const b = w.engine.getSnapshot();
    expect(b).not.toBe(a);
    expect(b.cycle).toBe(2);
    expect(b.backlog).toBe(a.backlog);
    expect(b.proposals).toBe(a.proposals);
    expect(notified).toBeGreaterThan(0);
  });

  it('reports cycle start and finish with counts and duration', async () => {
    const w = world({ config: armedWithRule, issues: [readyBug({ number: 1 }), readyBug({ number: 2, repo: 'acme/api', title: 'Write the docs someday' })] });
    await w.engine.runCycle();
    expect(w.events[0]).toMatchObject({ type: 'cycle-started', cycle: 1 });
    expect(w.events.at(-1)).toMatchObject({
      type: 'cycle-finished',
      cycle: 1,
      durationMs: 0,
      errors: [],
      counts: { backlog: 2, executed: 1, dispatches: 1, writes: 4 },
    });
  });

  it('asks the tracker for its own login once when not told', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    const engine = new Engine({ config: w.config, tracker: w.tracker, clock: w.clock, consoleId: 'console-x' });
    await engine.runCycle();
    await engine.runCycle();
    expect(w.tracker.calls.filter((c) => c.method === 'currentUser')).toHaveLength(1);
  });
});
