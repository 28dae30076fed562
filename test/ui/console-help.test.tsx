import { describe, expect, it } from 'vitest';
import { phaseWords, WATCH_PHASES } from '../../src/core/supervision-types.js';
import { PROPOSAL_STATUSES } from '../../src/core/proposal-queue.js';
import { helpView } from '../../src/ui/help.js';
import { KEYMAP, MODES } from '../../src/ui/keymap.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { mount } from './console-harness.js';

const text = (width: number) => helpView(width).map((l) => l.text).join('\n');

describe('help', () => {
  it('lays the keys of each mode out in columns side by side on a wide terminal', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const c = await mount(w, { columns: 160, rows: 50 });
    await c.press('?');
    // three or more sections side by side, the panes' keys first
    expect(c.lines().some((l) => /^ ?Panes\s{3,}Detail view\s{3,}\S.*\s{3,}\S/.test(l))).toBe(true);
    expect(c.frame()).toMatch(/j ↓\s+down\s+a\s+approve {2}\(!\)/);
  });

  it('at 80 columns it still fits: two columns, no line wider than the terminal', () => {
    const lines = text(79).split('\n');
    expect(lines[0]).toMatch(/^Panes\s{3,}\S/);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(79);
  });

  it('explains every status word and symbol the panes and header show', () => {
    const t = text(120);
    for (const status of PROPOSAL_STATUSES.filter((s) => s !== 'proposed' && s !== 'superseded')) expect(t).toContain(status);
    for (const word of ['pending', 'gated', 'waiting', 'grace']) expect(t).toMatch(new RegExp(`^ {2}${word}`, 'm'));
    for (const phase of WATCH_PHASES) expect(t.toLowerCase()).toContain(phaseWords(phase));
    for (const symbol of ['→', '⚑', 'S A L', '×1', 'blk', 'asg', 'lck', '(!)', '▸', '›', '▲', '▼', 'ARMED', 'DISARMED', 'DRY-RUN', 'PAUSED', '(E)']) expect(t).toContain(symbol);
  });

  it('still names every binding of every mode', () => {
    const t = text(160);
    for (const mode of MODES) for (const b of Object.values(KEYMAP[mode])) expect(t).toContain(b.description);
  });
});
