import { describe, expect, it } from 'vitest';
import { parseMouse } from '../../src/ui/mouse.js';
import { world } from '../fakes/engine-world.js';
import { readyBug, readyResearch } from '../fakes/issues.js';
import { mount, type Mounted, tick } from './console-harness.js';

const wheel = (direction: 'up' | 'down') => `\u001b[<${direction === 'up' ? 64 : 65};10;10M`;
const click = (x: number, y: number) => `\u001b[<0;${x};${y}M`;

async function mounted() {
  const w = world({ issues: [readyBug({ number: 1 }), readyResearch({ number: 2 }), readyBug({ number: 5, title: '[bug] Crash on save' })] });
  await w.engine.runCycle();
  return mount(w);
}

const selected = (c: Mounted): string => c.lines().find((l) => l.startsWith('›')) ?? '';
async function send(c: Mounted, report: string) {
  c.stdin.write(report);
  await tick(40);
}

describe('the mouse (--mouse)', () => {
  it('the wheel moves the selection of the focused pane, like j and k', async () => {
    const c = await mounted();
    const first = selected(c);
    await send(c, wheel('down'));
    const second = selected(c);
    expect(second).not.toBe(first);
    await send(c, wheel('up'));
    expect(selected(c)).toBe(first);
  });

  it('a click on a proposal row focuses the proposals pane and selects that row', async () => {
    const c = await mounted();
    // 120×40: header on line 1, the backlog's 18 lines from line 2, proposals' title on 20, column header on 21, rows from 22
    const row = c.lines()[22] ?? '';
    expect(row).toMatch(/pending/);
    await send(c, click(5, 23));
    expect(c.frame()).toContain('▸Proposals');
    expect(selected(c).slice(2, 40)).toBe(row.slice(2, 40));
  });

  it('a click on a backlog row selects it', async () => {
    const c = await mounted();
    const third = c.lines()[4] ?? '';
    await send(c, click(10, 5));
    expect(selected(c).slice(2, 30)).toBe(third.slice(2, 30));
  });

  it('a mouse report is never typed as keys: the filter stays as it was', async () => {
    const c = await mounted();
    await c.press('/');
    await send(c, wheel('down'));
    await send(c, click(5, 23));
    expect(c.lines().at(-2)).toMatch(/^\/▏/);
    expect(c.frame()).not.toContain('<65');
  });

  it('reads SGR reports: wheel, left press; releases and drags are nothing', () => {
    expect(parseMouse('[<64;3;4M')).toEqual({ kind: 'wheel', direction: 'up' });
    expect(parseMouse('\u001b[<65;3;4M')).toEqual({ kind: 'wheel', direction: 'down' });
    expect(parseMouse('[<0;3;4M')).toEqual({ kind: 'click', x: 3, y: 4 });
    expect(parseMouse('[<0;3;4m')).toEqual({ kind: 'other' });
    expect(parseMouse('[<32;3;4M')).toEqual({ kind: 'other' });
    expect(parseMouse('[A')).toBeNull();
    expect(parseMouse('j')).toBeNull();
  });
});
