import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import { P0_BUG_RULE, world } from '../fakes/engine-world.js';
import { FakeJournal } from '../fakes/fake-journal.js';
import { readyBug } from '../fakes/issues.js';

const config = { armed: true, autoApprove: [P0_BUG_RULE], limits: { repoLock: false } };
const writesOf = (w: ReturnType<typeof world>, number: number) =>
  w.tracker.calls.filter((c) => c.number === number && ['postComment', 'setAssignees', 'addLabels'].includes(c.method)).map((c) => c.method);

describe('executing approvals side by side', () => {
  it('works on several issues at once while each issue keeps audit → assignee → dispatch comment → label', async () => {
    const w = world({ config, issues: [readyBug({ number: 1 }), readyBug({ number: 2 })] });
    await w.engine.runCycle();
    const order = w.tracker.calls.map((c) => `${c.method} #${c.number ?? '-'}`);
    // #2's audit comment goes out before #1's in-progress label: the two were not queued one behind the other.
    expect(order.indexOf('postComment #2')).toBeLessThan(order.lastIndexOf('addLabels #1'));
    for (const n of [1, 2]) expect(writesOf(w, n)).toEqual(['postComment', 'setAssignees', 'postComment', 'addLabels']);
  });

  it('with one lane, finishes each issue before starting the next', async () => {
    const w = world({ config, issues: [readyBug({ number: 1 }), readyBug({ number: 2 })] });
    const serial = new Engine({ config: w.config, tracker: w.tracker, clock: w.clock, consoleId: 'console-a', selfLogin: w.tracker.selfLogin, writeConcurrency: 1 });
    await serial.runCycle();
    const order = w.tracker.calls.map((c) => `${c.method} #${c.number ?? '-'}`);
    expect(order.indexOf('postComment #2')).toBeGreaterThan(order.lastIndexOf('addLabels #1'));
  });

  it('stop() on an engine never started still waits for its journal lines', async () => {
    class SlowJournal extends FakeJournal {
      override async append(entry: Parameters<FakeJournal['append']>[0]): Promise<void> {
        await new Promise((r) => setTimeout(r, 2));
        return super.append(entry);
      }
    }
    const journal = new SlowJournal();
    const w = world({ config, issues: [readyBug({ number: 1 })], journal });
    await w.engine.runCycle();
    await w.engine.stop();
    const count = journal.entries.length;
    expect(journal.ofType('executed')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(journal.entries).toHaveLength(count);
  });
});

describe('watching from the moment of dispatch', () => {
  it('counts an agent comment made while the last writes were still going out', async () => {
    const w = world({ config, issues: [readyBug({ number: 1 })] });
    w.tracker.afterWrite = (write) => {
      // claude answers as soon as it is assigned, before the dispatch comment and the label
      if (write.method === 'setAssignees') w.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'On it.' });
    };
    await w.engine.runCycle();
    await w.engine.runCycle();
    expect([...w.engine.getSnapshot().dispatches.values()][0]?.phase).toBe('working');
  });
});
