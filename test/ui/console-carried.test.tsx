import { describe, expect, it, onTestFinished } from 'vitest';
import { formatEvent } from '../../src/headless/format-event.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount, tick } from './console-harness.js';

const issues = [readyBug({ number: 1 }), readyBug({ number: 2, title: '[bug] Second crash' }), readyBug({ number: 3, title: '[bug] Third crash' })];

/** An earlier run approved #1 and #2 while disarmed and stopped; a new process opens on the same journal. */
async function restarted() {
  const a = world({ issues });
  await a.engine.runCycle();
  await a.engine.approve(a.proposalFor(1).id);
  await a.engine.approve(a.proposalFor(2).id);
  await a.engine.stop();
  const b = world({ tracker: a.tracker, journal: a.journal, clock: a.clock, consoleId: 'console-b' });
  await b.engine.start();
  onTestFinished(() => b.engine.stop());
  return b;
}

describe('approvals carried over from an earlier run', () => {
  it('are announced at start, listed, and No takes them back (pending again, journaled)', async () => {
    const w = await restarted();
    const c = await mount(w);
    await tick();
    expect(c.frame()).toContain('2 approvals carried over from an earlier run. Keep them approved?');
    expect(c.frame()).toMatch(/acme\/api#1 → claude\s+approved by operator/);
    expect(c.frame()).toMatch(/acme\/api#2 → claude/);
    expect(c.frame()).not.toMatch(/acme\/api#3 →/);
    await c.press(KEY.enter);
    expect(c.frame()).toContain('took back 2 carried-over approvals: pending again');
    expect(w.proposalFor(1).status).toBe('proposed');
    expect(w.proposalFor(2).status).toBe('proposed');
    expect(w.journal.entries.filter((e) => e.type === 'withdrawn')).toHaveLength(2);
  });

  it('y keeps them: they show as waiting for arming, and the arm confirmation lists what will execute', async () => {
    const w = await restarted();
    const c = await mount(w);
    await tick();
    await c.press('y');
    expect(c.frame()).toContain('kept 2 carried-over approvals: they execute once armed');
    expect(c.frame()).toMatch(/waiting\s+#1\s+→ claude\s+waiting for arming/);
    await c.press(':');
    await c.type('arm');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('2 approvals execute at once:');
    expect(c.frame()).toMatch(/acme\/api#1 → claude\s+approved by operator/);
    expect(w.tracker.writes).toEqual([]);
  });

  it('with nothing carried over the console opens on the panes, and arming says nothing executes', async () => {
    const w = world({ issues });
    await w.engine.start();
    onTestFinished(() => w.engine.stop());
    const c = await mount(w);
    await tick();
    expect(c.frame()).toMatch(/Backlog \d+ open/);
    await c.press(':');
    await c.type('arm');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('No approval is waiting: nothing executes at once.');
  });

  it('headless prints them once, as a warning, with the list', async () => {
    const w = await restarted();
    const e = w.events.find((x) => x.type === 'carried-over');
    expect(e).toBeDefined();
    const line = formatEvent(e!, w.clock.now(), false);
    expect(line).toMatch(/WARN\s+2 approvals carried over from an earlier run: acme\/api#1 → claude, acme\/api#2 → claude — they execute when their gates are clear/);
    expect(w.events.filter((x) => x.type === 'carried-over')).toHaveLength(1);
  });
});
