import { describe, expect, it } from 'vitest';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const GRACE = 5_000;

async function approvedInGrace() {
  const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
  await w.engine.runCycle();
  const id = w.proposalFor(1).id;
  await w.engine.approve(id, 'operator', GRACE);
  return { w, id };
}

describe('an approval with a grace period', () => {
  it('is journaled at once but writes nothing until the grace is over, then executes', async () => {
    const { w, id } = await approvedInGrace();
    expect(w.proposalFor(1)).toMatchObject({ status: 'approved' });
    expect(w.engine.getSnapshot().graceUntil.get(id)).toBe('2026-05-01T10:00:05.000Z');
    expect(w.journal.entries.some((e) => e.type === 'approved')).toBe(true);
    await w.clock.advance(GRACE - 1);
    expect(w.tracker.writes).toEqual([]);
    await w.clock.advance(1);
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed' });
    expect(w.engine.getSnapshot().graceUntil.size).toBe(0);
  });

  it('taken back during the grace, it is pending again, journaled as withdrawn, and never executes', async () => {
    const { w, id } = await approvedInGrace();
    await w.engine.withdraw(id, 'operator');
    expect(w.proposalFor(1)).toMatchObject({ id, status: 'proposed', approvedBy: null });
    expect(w.engine.getSnapshot().graceUntil.size).toBe(0);
    expect(w.journal.entries.filter((e) => e.type === 'withdrawn')).toMatchObject([{ proposalId: id, by: 'operator' }]);
    await w.clock.advance(GRACE * 2);
    expect(w.tracker.writes).toEqual([]);
  });

  it('a cycle during the grace does not start it early', async () => {
    const { w } = await approvedInGrace();
    await w.engine.runCycle();
    expect(w.tracker.writes).toEqual([]);
    expect(w.proposalFor(1).status).toBe('approved');
  });

  it('stopping during the grace leaves it approved; the next cycle after the grace carries it out', async () => {
    const { w } = await approvedInGrace();
    await w.engine.stop();
    await w.clock.advance(GRACE);
    expect(w.tracker.writes).toEqual([]);
    await w.engine.runCycle();
    expect(w.settled(1)[0]).toMatchObject({ status: 'executed' });
  });

  it('without a grace period an approval executes at once, as before', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id, 'operator', 0);
    expect(w.tracker.writes).toHaveLength(4);
  });
});
