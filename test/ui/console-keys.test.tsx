import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { world } from '../fakes/engine-world.js';
import { readyBug, readyResearch, vagueIssue } from '../fakes/issues.js';
import { KEY, mount, type Mounted, tick } from './console-harness.js';

async function backlogWorld(armed = false) {
  const w = world({
    config: { armed },
    issues: [readyBug({ number: 1 }), readyResearch({ number: 2 }), readyBug({ number: 5, title: '[bug] Crash on save' }), vagueIssue({ number: 3 })],
  });
  await w.engine.runCycle();
  return w;
}

/** Write one chunk, as a terminal does when several keys arrive in one read. */
async function chunk(c: Mounted, text: string) {
  c.stdin.write(text);
  await tick(40);
}

const selected = (c: Mounted): string => c.lines().find((l) => l.startsWith('›')) ?? '';
const focusedRows = (c: Mounted) => c.lines().filter((l) => /^[› ] ?\s*\S/.test(l));

describe('keys that arrive together', () => {
  it('jjj in one chunk moves three rows, like three separate presses', async () => {
    const w = await backlogWorld();
    const one = await mount(w);
    await one.press('j', 'j', 'j');
    const separately = selected(one);
    one.unmount();
    const c = await mount(w);
    await chunk(c, 'jjj');
    expect(selected(c)).toBe(separately);
    expect(selected(c)).not.toBe('');
    expect(focusedRows(c).length).toBeGreaterThan(3);
  });

  it('x then j in one chunk opens the note for the selected row and types j into it, in order', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await chunk(c, 'xj\r');
    expect(w.proposalFor(1)).toMatchObject({ status: 'rejected', note: 'j' });
  });

  it('printables, backspaces and Enter mixed in one chunk edit the filter in order', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await chunk(c, '/crashx\u007f\u007f\u007f\u007fash\r');
    expect(c.frame()).toContain('Crash on save');
    expect(c.frame()).not.toContain('Login fails');
    await chunk(c, '/\u007f\u007f\u007f\u007f\u007f\r');
    expect(c.frame()).toContain('Login fails');
  });

  it('a : command and its Enter in one chunk run the command, not the keys as pane keys', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await chunk(c, ':pause\r');
    expect(w.engine.getSnapshot().paused).toBe(true);
    expect(c.quits).toEqual([]);
  });

  it('an arrow and letters in one read all act (escape sequences split from the rest)', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await chunk(c, `${KEY.down}jjk`);
    expect(selected(c)).toContain('Survey retry strategies');
    await chunk(c, `k${KEY.up}`);
    expect(selected(c)).toContain('Login fails');
  });
});

describe('too small to show what a key acts on', () => {
  it('at 60×15 a does nothing, x does nothing, q still quits and ? shows help', async () => {
    const w = await backlogWorld(true);
    const c = await mount(w, { columns: 60, rows: 15 });
    await c.press('a', 'x', KEY.enter, 'A', 'y');
    await chunk(c, 'aaxy');
    expect(w.proposalFor(1).status).toBe('proposed');
    expect(w.tracker.writes ?? []).toEqual([]);
    await c.press('?');
    expect(c.frame()).toContain('Panes');
    await c.press('?');
    expect(c.frame()).toContain('needs a terminal of at least 80×24');
    await c.press('q');
    expect(c.quits).toEqual([1]);
  });
});

describe('deciding moves on', () => {
  it('after approve the cursor goes to the next pending row instead of following the row down', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press(KEY.tab);
    const first = selected(c);
    expect(first).toMatch(/pending/);
    await c.press('a');
    expect(selected(c)).toMatch(/pending/);
    expect(selected(c)).not.toBe(first);
    await c.press('a');
    expect(selected(c)).toMatch(/pending/);
  });

  it('after reject (with a note) the cursor is on the next pending row and the note shows on the rejected row', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press(KEY.tab, 'x');
    await c.type('dup of 7');
    await c.press(KEY.enter);
    const rejected = c.lines().find((l) => l.includes('rejected')) ?? '';
    expect(rejected).toContain('dup of 7');
    expect(selected(c)).toMatch(/pending/);
  });

  it('Esc in the note cancels the rejection', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('x', 'n', KEY.esc);
    expect(w.proposalFor(1).status).toBe('proposed');
  });

  it('a on a rejected row asks first and dispatches nothing until y', async () => {
    const w = await backlogWorld(true);
    const c = await mount(w);
    await c.press('x');
    await c.type('no');
    await c.press(KEY.enter, 'g', 'a');
    expect(w.proposalFor(1).status).toBe('rejected');
    expect(c.frame()).toContain('was rejected. Approve it after all?');
    expect(c.frame()).toContain('rejection note: no');
    await c.press('n');
    expect(w.proposalFor(1).status).toBe('rejected');
    expect(w.tracker.writes).toEqual([]);
    await c.press('a', 'y');
    await tick(50);
    expect(w.tracker.writes.length).toBeGreaterThan(0);
    expect(c.frame()).toMatch(/executed\s+#1/);
  });
});

describe('proposal ids for the other shell', () => {
  it('the detail view names the short id and the command that takes it', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press(KEY.enter);
    const id = w.proposalFor(1).id.slice(0, 8);
    expect(c.frame()).toContain(`Proposal ${id}`);
    expect(c.frame()).toContain(`switchboard approve ${id}`);
  });

  it('a wide terminal shows the id as a column; 120 columns does not', async () => {
    const w = await backlogWorld();
    const id = w.proposalFor(1).id.slice(0, 8);
    const narrow = await mount(w, { columns: 120 });
    expect(narrow.frame()).not.toContain(id);
    narrow.unmount();
    const wide = await mount(w, { columns: 170 });
    expect(wide.lines().find((l) => l.includes('#1 ') && l.includes('pending'))).toContain(id);
  });
});

describe('k9s and gh-dash habits', () => {
  it(': commands complete with Tab, and the choices are listed when there are several', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press(':');
    await c.type('pa');
    await c.press(KEY.tab);
    expect(c.frame()).toContain(':pause▏');
    await c.press(KEY.enter);
    expect(w.engine.getSnapshot().paused).toBe(true);
    await c.press(':');
    await c.type('d');
    await c.press(KEY.tab);
    expect(c.frame()).toContain(':d▏');
    expect(c.frame()).toContain(':disarm  :dry-run on  :dry-run off');
    await c.type('r');
    await c.press(KEY.tab);
    expect(c.frame()).toContain(':dry-run o▏');
    await c.press(KEY.esc, ':');
    await c.type('agent k');
    await c.press(KEY.tab);
    expect(c.frame()).toContain(':agent kimi▏');
  });

  it('the / filter names an unknown key instead of matching nothing, and takes negation and alternatives', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('/');
    await c.type('typo:x');
    expect(c.frame()).toContain('⚠ unknown filter key typo:');
    expect(c.frame()).toContain('Login fails');
    await c.press(KEY.esc, '/');
    await c.type('-type:bug');
    await c.press(KEY.enter);
    expect(c.frame()).not.toContain('Login fails');
    expect(c.frame()).toContain('Survey retry strategies');
    await c.press(KEY.esc, '/');
    await c.type('status:pending agent:claude,kimi');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('Login fails');
    expect(c.frame()).toContain('Survey retry strategies');
    expect(c.frame()).not.toContain('Things feel slow');
  });
});

describe('the detail view', () => {
  it('shows a dispatch with ages, not raw timestamps', async () => {
    const w = await backlogWorld(true);
    const c = await mount(w);
    await c.press(KEY.tab, 'a');
    await tick(50);
    await w.clock.advance(3 * 60_000);
    await c.press(KEY.tab, KEY.enter);
    await tick(1100);
    expect(c.frame()).toMatch(/attempt 1 {2}started 3m ago {2}last progress \dm ago/);
    expect(c.frame()).not.toMatch(/started \d{4}-\d\d-\d\dT/);
  });
});

describe('selection and arming', () => {
  it('the selected row is a highlight bar in the focused pane only', async () => {
    // ink-testing-library's stdout is no terminal: colour is forced on for this test (Ink's chalk)
    const { default: chalk } = await import('chalk');
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const w = await backlogWorld();
    const c = await mount(w, { noColor: false });
    const barred = () => c.lines().filter((l) => l.includes('\u001b[7m'));
    expect(barred()).toHaveLength(1);
    expect(barred()[0]).toContain('Login fails');
    // the bar spans the pane (one column narrower than the terminal) however short the title: the selected row keeps its padding
    expect(stripVTControlCharacters(barred()[0]!)).toHaveLength(c.size().columns - 1);
    await c.press(KEY.tab);
    expect(barred()).toHaveLength(1);
    expect(barred()[0]).toMatch(/pending/);
  });

  it(':arm with no enrolled repos refuses at once instead of asking first', async () => {
    const w = await backlogWorld();
    const c = await mount(w, { repos: [] });
    await c.press(':');
    await c.type('arm');
    await c.press(KEY.enter);
    expect(c.frame()).not.toContain('Arm switchboard?');
    expect(c.frame()).toContain('cannot arm: no repositories are enrolled');
    expect(w.engine.getSnapshot().armed).toBe(false);
  });
});
