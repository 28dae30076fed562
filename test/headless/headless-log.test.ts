import { describe, expect, it } from 'vitest';
import type { Supervised, WatchPhase } from '../../src/core/supervision-types.js';
import { supervised } from '../fakes/supervised.js';
import type { EngineEvent } from '../../src/core/engine.js';
import { HeadlessLog } from '../../src/headless/format-event.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const NOW = new Date('2026-05-01T10:00:00Z');

const dispatch = (phase: WatchPhase): Supervised => supervised({ id: 'abc123def456', number: 7, phase, at: NOW });

describe('headless log: one line per change', () => {
  it('an idle cycle with 40 pending proposals prints one line, with the counts named', async () => {
    const w = world({ issues: Array.from({ length: 40 }, (_, i) => readyBug({ number: i + 1 })) });
    const log = new HeadlessLog({ json: false, colour: false });
    const lines: string[] = [];
    const off = w.engine.onEvent((e) => {
      const line = log.line(e, NOW);
      if (line !== null) lines.push(String(line));
    });
    await w.engine.runCycle();
    expect(lines.filter((l) => l.includes(' proposal '))).toHaveLength(40);
    lines.length = 0;
    // what an engine does when it re-plans: every pending proposal announced again
    for (const p of w.engine.getSnapshot().proposals.values()) log.line({ type: 'proposal-added', proposal: p }, NOW);
    await w.engine.runCycle();
    off();
    expect(lines).toEqual(['2026-05-01 10:00:00 INFO  cycle 2: 40 pending, 0 approved-waiting, 0 executed, 0 in flight (40 open, 0 writes, 0 ms)']);
  });

  it('a proposal announced twice, or re-planned with a new id and the same decision, prints once', () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    return w.engine.runCycle().then(() => {
      const p = w.proposalFor(1);
      const log = new HeadlessLog({ json: true, colour: false });
      expect(log.line({ type: 'proposal-added', proposal: p }, NOW)).not.toBeNull();
      expect(log.line({ type: 'proposal-added', proposal: p }, NOW)).toBeNull();
      expect(log.line({ type: 'proposal-added', proposal: { ...p, id: 'newid0000000', updatedAt: '2026-05-02T00:00:00Z' } }, NOW)).toBeNull();
      const rejected = log.line({ type: 'proposal-changed', previousStatus: 'proposed', proposal: { ...p, status: 'rejected', note: 'duplicate of #9' } }, NOW);
      expect(JSON.parse(String(rejected))).toMatchObject({ status: 'rejected', note: 'duplicate of #9' });
    });
  });

  it('the rejection note is on the rejection line', () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    return w.engine.runCycle().then(() => {
      const log = new HeadlessLog({ json: false, colour: false });
      const line = log.line({ type: 'proposal-changed', previousStatus: 'proposed', proposal: { ...w.proposalFor(1), status: 'rejected', note: 'duplicate of #9' } }, NOW);
      expect(line).toMatch(/acme\/api#1 dispatch → claude: rejected — note: duplicate of #9$/);
    });
  });

  it('red CI, a refusal waiting to retry and a cancellation are WARN; escalation is ERROR; the same phase twice prints once', () => {
    const log = new HeadlessLog({ json: false, colour: false });
    const level = (state: WatchPhase) => {
      const e: EngineEvent = { type: 'dispatch-changed', dispatch: dispatch(state), previousState: null };
      const line = log.line(e, NOW);
      return line === null ? undefined : String(line).slice(20, 25).trim();
    };
    expect(level('working')).toBe('INFO');
    expect(level('ci_failed')).toBe('WARN');
    expect(level('ci_failed')).toBeUndefined();
    expect(level('retry_wait')).toBe('WARN');
    expect(level('cancelled')).toBe('WARN');
    expect(level('escalated')).toBe('ERROR');
  });

  it('colour on a terminal marks the level word only; without colour there is no escape at all', () => {
    const e: EngineEvent = { type: 'dispatch-changed', dispatch: dispatch('escalated'), previousState: 'working' };
    const coloured = String(new HeadlessLog({ json: false, colour: true }).line(e, NOW));
    expect(coloured).toContain('\u001b[31mERROR\u001b[0m');
    const plain = new HeadlessLog({ json: false, colour: false }).line(e, NOW)!;
    expect(plain).not.toMatch(/\u001b/);
    const info = String(new HeadlessLog({ json: false, colour: true }).line({ ...e, dispatch: dispatch('working') }, NOW));
    expect(info).not.toMatch(/\u001b/);
  });
});
