import { describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/core/texts.js';
import { P0_BUG_RULE, world, type WorldOptions } from '../fakes/engine-world.js';
import { readyBug, readyResearch } from '../fakes/issues.js';

type World = ReturnType<typeof world>;

/** a new process on the same tracker and journal, with a new console id (host + random) */
const restart = (w: World, config: WorldOptions['config']) =>
  world({ config, tracker: w.tracker, journal: w.journal, clock: w.clock, consoleId: `${w.engine.getSnapshot().consoleId}-restarted` });

const markers = (w: World, kind: string) => w.tracker.commentsOf('acme/api', 1).filter((c) => parseMarker(c.body)?.kind === kind);

describe('journal replay and commands', () => {
  it.each([
    [1, 'the audit comment'],
    [2, 'the assignee'],
    [3, 'the dispatch comment'],
    [4, 'the in-progress label'],
  ])('a crash right after write %i (%s) is finished exactly once by the next process', async (n) => {
    const config = { armed: true, autoApprove: [P0_BUG_RULE] };
    const a = world({ config, issues: [readyBug({ number: 1 })] });
    a.tracker.failAfterWrites(n);
    await a.engine.runCycle();
    expect(a.tracker.writes).toHaveLength(n);

    const b = restart(a, config);
    await b.engine.start();
    await b.engine.stop();

    expect(markers(b, 'audit')).toHaveLength(1);
    expect(markers(b, 'dispatch')).toHaveLength(1);
    expect(b.tracker.writesOf('setAssignees')).toHaveLength(1);
    expect(b.tracker.writesOf('addLabels').filter((x) => x.detail === 'switchboard:in-progress')).toHaveLength(1);
    expect(b.tracker.issues.get('acme/api#1')).toMatchObject({ assignees: ['claude'], labels: ['switchboard:in-progress'] });
    expect([...b.engine.getSnapshot().dispatches.values()]).toMatchObject([{ number: 1, agent: { id: 'claude' }, phase: 'assigned' }]);
  });

  it('an http agent call made before a crash is not made again', async () => {
    const config = { armed: true };
    const a = world({ config, issues: [readyBug({ number: 1 })] });
    await a.engine.runCycle();
    const id = a.proposalFor(1).id;
    await a.engine.reroute(id, 'hooky');
    const dispatch = a.http.dispatch.bind(a.http);
    a.http.dispatch = async (request) => {
      const result = await dispatch(request);
      a.tracker.failNext('postComment', new Error('socket hang up'));
      return result;
    };
    await a.engine.approve(id);
    expect(markers(a, 'dispatch')).toHaveLength(0);

    const b = restart(a, config);
    await b.engine.start();
    await b.engine.runCycle();
    await b.engine.stop();

    expect(a.http.requests).toHaveLength(1);
    expect(b.http.requests).toHaveLength(0);
    expect(markers(b, 'dispatch')).toHaveLength(1);
    expect(markers(b, 'dispatch')[0]?.body).toContain('**Dispatch:** run-1 started');
    expect(b.http.observed).toContain('run-1');
  });

  it('approvals, rejections and re-routes survive a restart', async () => {
    const issues = [readyBug({ number: 1 }), readyBug({ number: 2 }), readyResearch({ number: 3 })];
    const a = world({ issues });
    await a.engine.runCycle();
    await a.engine.approve(a.proposalFor(1).id);
    await a.engine.reject(a.proposalFor(2).id, 'duplicate of #1');
    await a.engine.reroute(a.proposalFor(3).id, 'hooky');

    const b = restart(a, {});
    await b.engine.start();
    await b.engine.stop();

    expect(b.proposalFor(1)).toMatchObject({ status: 'approved', approvedBy: 'operator', waiting: 'waiting for arming' });
    expect(b.proposalFor(2)).toMatchObject({ status: 'rejected', note: 'duplicate of #1' });
    expect(b.proposalFor(3)).toMatchObject({ status: 'proposed', agentId: 'hooky', reroutedFrom: 'kimi' });
    expect(b.tracker.writes).toEqual([]);
  });

  it('a finished dispatch is watched again after a restart, from where it was', async () => {
    const config = { armed: true, autoApprove: [P0_BUG_RULE] };
    const a = world({ config, issues: [readyBug({ number: 1 })] });
    await a.engine.runCycle();
    a.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'Working on it.' });
    await a.engine.runCycle();

    const b = restart(a, config);
    await b.engine.start();
    await b.engine.stop();
    const [d] = [...b.engine.getSnapshot().dispatches.values()];
    expect(d?.history.map((h) => h.phase)).toEqual(['dispatching', 'assigned', 'working']);
    expect(b.tracker.writes).toHaveLength(4);
  });

  it('a command appended by another process is applied within a second', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.start();
    const id = w.proposalFor(1).id;
    w.journal.appendCommand({ command: 'approve', proposalId: id, commandId: 'c1' });
    await w.clock.advance(1_000);
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', approvedBy: 'operator' });
    expect(w.journal.ofType('approved')).toMatchObject([{ commandId: 'c1' }]);
    await w.engine.stop();
    expect(w.clock.pending()).toEqual([]);
  });

  it('a command that cannot be applied is reported and recorded, not retried forever', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.start();
    w.journal.appendCommand({ command: 'reroute', proposalId: w.proposalFor(1).id, agentId: 'owner', commandId: 'c9' });
    await w.clock.advance(1_000);
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'error', message: `command reroute ${w.proposalFor(1).id}: agent "owner" cannot carry out a dispatch; choose one of: claude, kimi, hooky` }));
    expect(w.journal.ofType('command-failed')).toMatchObject([{ commandId: 'c9' }]);
    await w.engine.stop();

    const again = restart(w, {});
    await again.engine.start();
    await again.engine.stop();
    expect(again.events.filter((e) => e.type === 'error')).toEqual([]);
  });

  it('a command appended while no engine ran is applied after the first cycle', async () => {
    const first = world({ issues: [readyBug({ number: 1 })] });
    await first.engine.runCycle();
    const id = first.proposalFor(1).id;
    first.journal.appendCommand({ command: 'reject', proposalId: id, note: 'later', commandId: 'c2' });

    const w = restart(first, {});
    await w.engine.start();
    await w.engine.stop();
    expect(w.proposalFor(1)).toMatchObject({ id, status: 'rejected', note: 'later' });
  });

  it('a journal that cannot be read stops start-up: the engine never runs on empty state', async () => {
    const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE] }, issues: [readyBug({ number: 1 })] });
    w.journal.replay = () => Promise.reject(new Error('the journal /x/journal.jsonl is 300 MB, more than the 256 MB read at start'));
    await expect(w.engine.start()).rejects.toThrow('is 300 MB');
    expect(w.tracker.calls).toEqual([]);
    expect(w.engine.getSnapshot()).toMatchObject({ cycle: 0, nextCycleAt: null, lastError: { message: 'could not replay the journal: the journal /x/journal.jsonl is 300 MB, more than the 256 MB read at start' } });
    expect(w.clock.pending()).toEqual([]);
  });
});
