import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

/**
 * The real binary in a real terminal: `switchboard demo` in a 120×40 tmux pane, driven with
 * send-keys and read back with capture-pane, as an operator would use it.
 */

const COLUMNS = 120;
const ROWS = 40;
const socket = `sb-e2e-${process.pid}`;
const session = 'demo';
let home: string;

const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', session).replace(/\n$/, '');
const keys = (...k: string[]): void => void tmux('send-keys', '-t', session, ...k);

async function waitFor(what: string, test: (s: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
}

/** The screen is one frame: never taller than the pane, drawn once (no stale copies above it). */
function expectOneFrame(s: string): void {
  const lines = s.split('\n');
  expect(lines.length).toBeLessThanOrEqual(ROWS);
  expect(lines.filter((l) => l.startsWith(' switchboard  sandbox'))).toHaveLength(1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(COLUMNS);
}

const selectedProposal = (s: string): string => s.split('\n').find((l) => /^› (pending|gated)\s/.test(l)) ?? '';
const BEFORE = 'WHAT-THE-TERMINAL-SHOWED-BEFORE';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The demo's temp state dir (its TMPDIR is inside the test's home). */
const demoStateDir = (): string => {
  const name = readdirSync(join(home, 'tmp')).find((n) => n.startsWith('switchboard-demo-'));
  if (!name) throw new Error('the demo has no state dir yet');
  return join(home, 'tmp', name);
};
const status = (): { running: boolean; proposals: { id: string; issue: string; status: string; gates: string[] }[] } =>
  JSON.parse(readFileSync(join(demoStateDir(), 'status.json'), 'utf8'));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sb-e2e-home-'));
  mkdirSync(join(home, 'tmp'));
  const command = [
    `printf '${BEFORE}\\n';`,
    `env HOME=${home} TMPDIR=${home}/tmp XDG_CONFIG_HOME=${home}/.config XDG_DATA_HOME=${home}/.local/share NO_COLOR=1`,
    `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} demo`,
    '; echo "SWITCHBOARD-EXITED $?"; sleep 60',
  ].join(' ');
  tmux('new-session', '-d', '-x', String(COLUMNS), '-y', String(ROWS), '-s', session, command);
});

afterAll(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  rmSync(home, { recursive: true, force: true });
});

describe('switchboard demo in a 120×40 terminal', () => {
  it('three keys that arrive in one read move three rows', async () => {
    const first = await waitFor('the backlog', (s) => /Backlog \d+ open/.test(s) && /^ {2}pending\s/m.test(s));
    expect(first).not.toContain(BEFORE);
    const at = (s: string) => s.split('\n').findIndex((l) => l.startsWith('›'));
    const before = at(first);
    tmux('send-keys', '-t', session, '-l', 'jjj');
    const s = await waitFor('the selection three rows down', (x) => at(x) === before + 3, 5_000);
    expect(at(s)).toBe(before + 3);
  }, 60_000);

  it('switchboard approve from a second shell takes effect in the running console within 2 s', async () => {
    await waitFor('status.json from the console', () => {
      try {
        return status().running && status().proposals.some((p) => p.status === 'proposed' && p.gates.length === 0);
      } catch {
        return false;
      }
    });
    const target = status().proposals.find((p) => p.status === 'proposed' && p.gates.length === 0)!;
    const out = execFileSync(process.execPath, [CLI, '--state-dir', demoStateDir(), 'approve', target.id.slice(0, 8)], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' },
    });
    expect(out).toContain('the running engine applies it within a second');
    const sent = Date.now();
    let now = status().proposals.find((p) => p.id === target.id)?.status ?? 'gone';
    while (now === 'proposed' && Date.now() - sent < 2_000) {
      await sleep(100);
      now = status().proposals.find((p) => p.id === target.id)?.status ?? 'gone';
    }
    // executed proposals leave status.json's queue; approved/executing ones are on their way
    expect(['approved', 'executing', 'gone']).toContain(now);
  }, 60_000);

  it('at 60×15 the console says it is too small and a changes nothing', async () => {
    keys('Tab');
    let s = await waitFor('a pending proposal selected', (x) => /^› pending\s/m.test(x));
    const issue = /^› pending\s+(\S+#\d+)/m.exec(s)![1]!;
    tmux('resize-window', '-t', session, '-x', '60', '-y', '15');
    await waitFor('the too-small notice', (x) => x.includes('needs a terminal of at least 80×24'));
    keys('a');
    tmux('send-keys', '-t', session, '-l', 'aaxy');
    await sleep(1_500);
    tmux('resize-window', '-t', session, '-x', String(COLUMNS), '-y', String(ROWS));
    s = await waitFor('the panes again', (x) => /Backlog \d+ open/.test(x));
    expect(s).toMatch(new RegExp(`pending\\s+${issue.replace('#', '#')}\\s`));
    expect(s).not.toMatch(new RegExp(`(executed|rejected)\\s+${issue}\\s`));
    keys('BTab');
  }, 60_000);

  it('shows the backlog and proposals, dispatches an approved one to completion, opens help and quits', async () => {
    const first = await waitFor('the backlog and pending proposals', (s) => /Backlog \d+ open/.test(s) && /^ {2}pending\s/m.test(s));
    expect(first).toMatch(/ARMED/);
    expectOneFrame(first);

    // Focus the proposals pane and move to the first dispatch (flags don't go in flight).
    keys('Tab');
    let s = await waitFor('the proposals pane focused', (x) => selectedProposal(x) !== '');
    for (let i = 0; i < 20 && !/^› pending\s+\S+\s+→ /.test(selectedProposal(s)); i++) {
      keys('j');
      await new Promise((r) => setTimeout(r, 150));
      s = screen();
    }
    const row = selectedProposal(s);
    expect(row).toMatch(/^› pending\s+\S+#\d+\s+→ (claude|kimi)/);
    const issue = /^› pending\s+(\S+#\d+)/.exec(row)![1]!;

    keys('a');
    // the console's grace period: the row counts down before anything is written
    await waitFor(`${issue} in its grace`, (x) => new RegExp(`grace \\ds\\s+${issue}\\s`).test(x));
    s = await waitFor(`${issue} in flight`, (x) => /In flight [1-9]/.test(x) && new RegExp(`│\\s+${issue}\\s+\\S+\\s+(assigned|working|pr open|ci running|ci passed|completed)`).test(x));
    expectOneFrame(s);
    s = await waitFor(`${issue} completed`, (x) => new RegExp(`│\\s+${issue}\\s+\\S+\\s+completed`).test(x), 60_000);
    // the cursor moved on to the next pending row; the executed one is no longer pending
    expect(s).not.toMatch(new RegExp(`pending\\s+${issue}\\s`));
    expectOneFrame(s);

    keys('?');
    s = await waitFor('the help overlay', (x) => x.includes('Panes') && /a\s+approve/.test(x));
    expect(s).toMatch(/q \^C\s+quit/);
    keys('Escape');
    await waitFor('the panes again', (x) => /Backlog \d+ open/.test(x) && !x.includes('Detail view'));

    keys('q');
    s = await waitFor('switchboard to exit', (x) => x.includes('SWITCHBOARD-EXITED') || /quit\?.*\[y\/N\]/i.test(x));
    if (!s.includes('SWITCHBOARD-EXITED')) {
      keys('y');
      s = await waitFor('switchboard to exit', (x) => x.includes('SWITCHBOARD-EXITED'));
    }
    expect(s).toContain('SWITCHBOARD-EXITED 0');
    // the alternate screen: the terminal shows what it showed before, and no console frame
    expect(s).toContain(BEFORE);
    expect(s).not.toMatch(/Backlog \d+ open/);
  }, 120_000);
});
