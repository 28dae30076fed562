import { describe, expect, it } from 'vitest';
import { helpLines } from '../../src/ui/keymap.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount, tick } from './console-harness.js';

async function armedWorld() {
  const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 }), readyBug({ number: 2, title: '[bug] Second crash' })] });
  await w.engine.runCycle();
  return w;
}

const GRACE = { props: { approvalGraceMs: 5_000 } };
const rowOf = (lines: string[], issue: string) => lines.find((l) => l.includes(` ${issue} `)) ?? '';

describe('the grace period after approving in the console', () => {
  it('a approves, the row counts down, nothing is written until the grace is over', async () => {
    const w = await armedWorld();
    const c = await mount(w, GRACE);
    await c.press(KEY.tab, 'a');
    expect(c.frame()).toMatch(/approved acme\/api#\d — executes in 5s, u takes it back/);
    expect(c.frame()).toMatch(/grace 5s\s+#\d/);
    expect(c.frame()).toContain('1 in grace (u undoes)');
    expect(w.tracker.writes).toEqual([]);
    await w.clock.advance(2_000);
    await tick(1_100);
    expect(c.frame()).toMatch(/grace 3s\s+#\d/);
    await w.clock.advance(3_000);
    await tick();
    expect(w.tracker.writes).toHaveLength(4);
    expect(c.frame()).not.toMatch(/grace \ds/);
  });

  it('u during the grace takes the approval back: pending again, journaled, nothing written', async () => {
    const w = await armedWorld();
    const c = await mount(w, GRACE);
    await c.press(KEY.tab);
    const first = /pending\s+(#\d)/.exec(c.lines().find((l) => l.startsWith('›')) ?? '')![1]!;
    // the cursor moves on after approving; u still takes back the approval just made
    await c.press('a', 'u');
    expect(c.frame()).toContain(`took back the approval of acme/api${first}: pending again`);
    expect(rowOf(c.lines(), first)).toMatch(/pending/);
    expect(w.journal.entries.some((e) => e.type === 'withdrawn')).toBe(true);
    await w.clock.advance(10_000);
    await tick();
    expect(w.tracker.writes).toEqual([]);
  });

  it('u with no approval in its grace says there is nothing to undo', async () => {
    const w = await armedWorld();
    const c = await mount(w, GRACE);
    await c.press(KEY.tab, 'u');
    expect(c.frame()).toContain('nothing to undo: no approval is in its grace period');
  });

  it('with the grace at 0 an approval executes at once and u explains why it cannot undo', async () => {
    const w = await armedWorld();
    const c = await mount(w, { props: { approvalGraceMs: 0 } });
    await c.press(KEY.tab, 'a');
    expect(w.tracker.writes).toHaveLength(4);
    await c.press('u');
    expect(c.frame()).toContain('console.approvalGraceSeconds is 0');
  });

  it('the footer offers u first while an approval is in its grace, and the help always names it', async () => {
    const w = await armedWorld();
    const c = await mount(w, GRACE);
    await c.press(KEY.tab);
    expect(c.lines().at(-1)).not.toContain('u undo approval');
    await c.press('a');
    expect(c.lines().at(-1)).toMatch(/^ u undo approval/);
    expect(helpLines().map((l) => l.text).join('\n')).toMatch(/u\s+undo approval/);
  });
});

describe('the grace period while disarmed', () => {
  it('the row and the message say the approval then waits for arming, not that it executes', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const c = await mount(w, GRACE);
    await c.press(KEY.tab, 'a');
    expect(c.frame()).toContain('approved acme/api#1 — u takes it back within 5s; it then waits for arming');
    expect(c.frame()).toMatch(/grace 5s\s+#1\s+→ claude\s+u takes it back for 5s, then it wai/);
  });
});
