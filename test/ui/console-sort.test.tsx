import { describe, expect, it } from 'vitest';
import { world } from '../fakes/engine-world.js';
import { readyBug, readyResearch } from '../fakes/issues.js';
import { KEY, mount, type Mounted } from './console-harness.js';

/** #3 oldest, #1 newest; all pending */
const issues = [
  readyBug({ number: 3, createdAt: '2026-03-01T09:00:00Z' }),
  readyResearch({ number: 1, createdAt: '2026-04-29T09:00:00Z' }),
  readyBug({ number: 2, createdAt: '2026-04-01T09:00:00Z' }),
];

/** The issue numbers of the focused pane's rows, top down, read from the screen. */
const column = (c: Mounted, side: 'left' | 'right'): number[] =>
  c
    .lines()
    .map((l) => (side === 'left' ? l.split('│')[0] ?? '' : l.split('│')[1] ?? ''))
    .map((l) => /^[› ]\s*(?:pending|gated|waiting)\s+\S*#(\d+)|^[› ]\s*\S*#(\d+)\s+\S+\s+(assigned|working)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1] ?? m[2]));

describe('every pane sorts', () => {
  it('s in the proposals pane cycles status, tier, age, agent, issue, and the title names the key', async () => {
    const w = world({ issues });
    await w.engine.runCycle();
    const c = await mount(w);
    await c.press(KEY.tab);
    expect(c.frame()).toContain('sort status▼');
    await c.press('s', 's');
    expect(c.frame()).toContain('sort age▼');
    expect(column(c, 'left')).toEqual([3, 2, 1]);
    await c.press('s');
    expect(c.frame()).toContain('sort agent▼');
    // claude's bugs before kimi's research
    expect(column(c, 'left').at(-1)).toBe(1);
    await c.press('s');
    expect(c.frame()).toContain('sort issue▼');
    expect(column(c, 'left')).toEqual([1, 2, 3]);
    // the backlog kept its own sort
    expect(c.frame()).toContain('sort score▼');
  });

  it('s in the In flight pane sorts by time running, agent and issue', async () => {
    // one repo each (a repo takes one dispatch at a time); #1 goes to kimi (claude takes two)
    const w = world({
      config: { armed: true, repos: ['acme/api', 'acme/web', 'acme/db'] },
      issues: [readyResearch({ number: 1, repo: 'acme/api' }), readyBug({ number: 2, repo: 'acme/web' }), readyBug({ number: 3, repo: 'acme/db' })],
    });
    await w.engine.runCycle();
    for (const n of [2, 3, 1]) {
      await w.engine.approve(w.proposalFor(n, ({ 1: 'acme/api', 2: 'acme/web', 3: 'acme/db' } as Record<number, string>)[n]).id);
      await w.clock.advance(60_000);
    }
    const c = await mount(w);
    await c.press(KEY.tab, KEY.tab);
    expect(c.frame()).toContain('sort state▼');
    await c.press('s');
    expect(c.frame()).toContain('sort time▼');
    expect(column(c, 'right')).toEqual([2, 3, 1]);
    await c.press('s');
    expect(c.frame()).toContain('sort agent▼');
    expect(column(c, 'right').at(-1)).toBe(1);
    await c.press('s');
    expect(c.frame()).toContain('sort issue▼');
    // by repo, then number: api, db, web
    expect(column(c, 'right')).toEqual([1, 3, 2]);
  });
});
