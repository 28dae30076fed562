import { describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/core/texts.js';
import { P0_BUG_RULE, world, type WorldOptions } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const MINUTE = 60_000;

/** a world where #1 has just been dispatched to claude */
async function dispatched(over: WorldOptions['config'] = {}) {
  const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE], ...over }, issues: [readyBug({ number: 1 })] });
  await w.engine.runCycle();
  w.tracker.writes.length = 0;
  return w;
}
/** a world where #1 has just been dispatched to the http agent (run-1) */
async function dispatchedToHooky(over: WorldOptions['config'] = {}) {
  const w = world({ config: { armed: true, ...over }, issues: [readyBug({ number: 1 })] });
  await w.engine.runCycle();
  const id = w.proposalFor(1).id;
  await w.engine.reroute(id, 'hooky');
  await w.engine.approve(id);
  return w;
}
const dispatchOf = (w: ReturnType<typeof world>) => [...w.engine.getSnapshot().dispatches.values()][0]!;

describe('watching dispatches', () => {
  it('a dispatch is completed when its issue closes', async () => {
    const w = await dispatched();
    w.tracker.edit('acme/api', 1, { state: 'closed' });
    await w.engine.runCycle();
    expect(dispatchOf(w).state).toBe('completed');
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'dispatch-changed', previousState: 'assigned', dispatch: expect.objectContaining({ state: 'completed' }) }));
    expect(w.journal.ofType('dispatch').at(-1)?.dispatch.state).toBe('completed');
  });

  it('a completed issue that a stale backlog still shows open is not proposed again', async () => {
    const w = await dispatched();
    w.tracker.edit('acme/api', 1, { state: 'closed' });
    await w.engine.runCycle();
    expect(dispatchOf(w).state).toBe('completed');
    // A fetch that failed or lagged: the issue comes back open, newer, without the in-progress label.
    w.tracker.edit('acme/api', 1, { state: 'open', labels: ['bug'], assignees: [], updatedAt: '2026-05-01T11:00:00Z' });
    w.tracker.writes.length = 0;
    await w.engine.runCycle();
    const live = [...w.engine.getSnapshot().proposals.values()].filter((p) => p.number === 1 && p.status === 'proposed');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ action: 'skip', reason: 'Completed by claude; waiting for the tracker to show it closed.' });
    expect(w.tracker.writes).toEqual([]);
  });

  it('follows the work: an agent comment, a linked PR with CI running, then CI passing', async () => {
    const w = await dispatched();
    w.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'On it.' });
    await w.engine.runCycle();
    w.tracker.pulls.set('acme/api#1', [{ number: 40, state: 'open', merged: false, headSha: 'abc1234', mergeSha: null, url: '', updatedAt: '2026-05-01T10:05:00Z' }]);
    w.tracker.statuses.set('abc1234', { state: 'pending', sha: 'abc1234', total: 2 });
    await w.engine.runCycle();
    w.tracker.statuses.set('abc1234', { state: 'success', sha: 'abc1234', total: 2 });
    await w.engine.runCycle();
    expect(dispatchOf(w).history.map((h) => h.state)).toEqual(['assigned', 'working', 'ci_running', 'ci_passed']);
    expect(w.tracker.writes).toEqual([]);
  });

  it('a stalled dispatch is retried, then escalated: comment, needs-human label, in-progress label removed, owner notified', async () => {
    const w = await dispatched({ watch: { stallMinutes: 30, maxRetries: 1 } });
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(dispatchOf(w)).toMatchObject({ state: 'assigned', attempt: 2 });
    expect(w.writes()).toEqual(['postComment #1 ## Assigned to Claude Code']);
    expect(w.tracker.writes[0]?.detail).toContain('(attempt 2)');

    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();

    expect(dispatchOf(w).state).toBe('escalated');
    expect(w.writes()).toEqual([
      'postComment #1 ## Assigned to Claude Code',
      'postComment #1 ## Dispatch escalated',
      'addLabels #1 needs-human',
      'removeLabel #1 switchboard:in-progress',
    ]);
    const escalation = w.tracker.commentsOf('acme/api', 1).at(-1)!;
    expect(parseMarker(escalation.body)).toMatchObject({ kind: 'escalation', attempt: 2 });
    expect(escalation.body).toContain('**Why:** stalled: no activity for 31 minutes');
    expect(w.notifier.events).toEqual([{ kind: 'escalated', repo: 'acme/api', number: 1, agentId: 'claude', attempts: 2, why: 'stalled: no activity for 31 minutes' }]);

    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ action: 'skip', reason: 'Waiting for a human (`needs-human` label).' });
  });

  it('a timed-out http dispatch is retried as a new run, then escalated', async () => {
    const w = await dispatchedToHooky({ watch: { maxRetries: 1 } });
    await w.clock.advance(61 * MINUTE);
    await w.engine.runCycle();
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(w.http.observed).toEqual(['run-1']);
    expect(dispatchOf(w)).toMatchObject({ attempt: 2, state: 'assigned' });

    await w.clock.advance(61 * MINUTE);
    await w.engine.runCycle();
    expect(w.http.observed).toEqual(['run-1', 'run-2']);
    expect(dispatchOf(w).state).toBe('escalated');
    expect(w.notifier.events).toMatchObject([{ kind: 'escalated', why: 'timed out: no result after 61 minutes' }]);
  });

  it('an http run reported done completes the dispatch', async () => {
    const w = await dispatchedToHooky();
    w.http.statuses.set('run-1', { status: 'done', detail: 'exit 0' });
    await w.engine.runCycle();
    expect(dispatchOf(w).state).toBe('completed');
  });

  it('an http run reported failed is retried as a new run', async () => {
    const w = await dispatchedToHooky({ watch: { maxRetries: 1 } });
    w.http.statuses.set('run-1', { status: 'failed', detail: 'exit 3' });
    await w.engine.runCycle();
    expect(dispatchOf(w)).toMatchObject({ attempt: 2, state: 'assigned' });
    expect(dispatchOf(w).history.map((h) => `${h.state}: ${h.note}`)).toEqual(['assigned: dispatched', 'failed: exit 3', 'assigned: retry after failed']);
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('a looping dispatch is escalated at once, without a retry', async () => {
    const w = await dispatched({ watch: { maxRetries: 3, repeatThreshold: 3 } });
    for (let i = 0; i < 3; i++) w.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'Tests fail again, trying once more.' });
    await w.engine.runCycle();
    expect(dispatchOf(w)).toMatchObject({ state: 'escalated', attempt: 1 });
    expect(w.writes()).toEqual(['postComment #1 ## Dispatch escalated', 'addLabels #1 needs-human', 'removeLabel #1 switchboard:in-progress']);
    expect(w.notifier.events[0]).toMatchObject({ why: 'looping: the same comment 3 times' });
  });

  it('with retryNextAgent, the retry goes to the next suited agent and off the previous one', async () => {
    const w = await dispatched({ watch: { stallMinutes: 30, retryNextAgent: true } });
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(dispatchOf(w)).toMatchObject({ agentId: 'kimi', attempt: 2 });
    expect(w.writes()).toEqual(['addLabels #1 kimi-ready', 'setAssignees #1 ', 'postComment #1 ## Assigned to Kimi']);
  });

  it('while disarmed, a dispatch in trouble waits: nothing is written', async () => {
    const w = await dispatched({ watch: { stallMinutes: 30 } });
    w.engine.disarm();
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(dispatchOf(w).state).toBe('stalled');
    expect(w.tracker.writes).toEqual([]);
    await w.engine.arm();
    await w.engine.runCycle();
    expect(dispatchOf(w)).toMatchObject({ state: 'assigned', attempt: 2 });
  });

  it('a failing notifier does not stop an escalation or the cycle', async () => {
    const w = await dispatched({ watch: { stallMinutes: 30, maxRetries: 0 } });
    w.notifier.failWith = new Error('webhook unreachable');
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(dispatchOf(w).state).toBe('escalated');
    expect(w.events.at(-1)).toMatchObject({ type: 'cycle-finished', errors: [] });
    expect(w.engine.getSnapshot().lastError?.message).toBe('could not notify: webhook unreachable');
  });
});

describe('bounded watch state', () => {
  it('the watches and agent calls of dispatches that left the bounded history are forgotten too', async () => {
    const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE], limits: { repoLock: false, dispatchesPerCycle: 100 } } });
    const total = 150;
    for (let n = 1; n <= total; n++) w.tracker.seed(readyBug({ number: n }));
    const completed = () => w.journal.ofType('dispatch').filter((e) => e.dispatch.state === 'completed').length;
    for (let round = 0; round < 80 && completed() <= 60; round++) {
      await w.engine.runCycle();
      for (const d of w.engine.getSnapshot().dispatches.values()) if (d.state !== 'completed') w.tracker.edit('acme/api', d.number, { state: 'closed' });
      w.clock.advance(MINUTE);
      await w.engine.runCycle();
    }
    expect(completed()).toBeGreaterThan(60);
    // what the engine keeps per dispatch stays within the history it shows
    const inner = w.engine.getState();
    expect(w.engine.getSnapshot().dispatches.size).toBeLessThanOrEqual(60);
    expect(inner.watches.size).toBeLessThanOrEqual(w.engine.getSnapshot().dispatches.size);
    expect(inner.agentCalls.size).toBeLessThanOrEqual(w.engine.getSnapshot().dispatches.size + w.engine.getSnapshot().proposals.size);
  });
});
