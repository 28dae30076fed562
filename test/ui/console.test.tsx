import { vi, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/width.js';
import { world, type WorldOptions } from '../fakes/engine-world.js';
import { readyBug, readyResearch, vagueIssue } from '../fakes/issues.js';
import { KEY, mount, type Mounted } from './console-harness.js';

const MINUTE = 60_000;

/** Every frame since mounting fits the terminal: no more lines than rows, no line wider than columns. */
function expectFramesFit(c: Mounted) {
  const { columns, rows } = c.size();
  for (const frame of c.framesSinceMount().slice(-5)) {
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(rows);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
  }
}

async function backlogWorld(over: WorldOptions['config'] = {}) {
  const w = world({ config: over, issues: [readyBug({ number: 1 }), readyResearch({ number: 2 }), vagueIssue({ number: 3 })] });
  await w.engine.runCycle();
  return w;
}

const row = (c: Mounted, text: string) => c.lines().find((l) => l.includes(text)) ?? '';

describe('operator console', () => {
  it('shows the header, the backlog with scores, the pending proposals and the footer keys', async () => {
    const c = await mount(await backlogWorld());
    const frame = c.frame();
    expect(frame).toMatch(/switchboard {2}gitea acme\/api {2}cycle 1 {2}DISARMED/);
    expect(frame).toContain('? help');
    expect(frame).toContain('Backlog 3 open · 2 ready · 1 P0');
    expect(row(c, 'Login fails on empty password')).toMatch(/1\s+9\s+3 3 3\s+bug\s+3d\s+P0/);
    expect(frame).toContain('Proposals 2 pending');
    expect(row(c, 'pending   #1')).toContain('→ claude');
    expect(frame).toContain('nothing in flight');
    expect(c.lines().at(-1)).toContain('a approve  x reject  r re-route');
    expectFramesFit(c);
  });

  it('a approves the selected proposal; armed, it executes and the dispatch appears in flight', async () => {
    const c = await mount(await backlogWorld({ armed: true }));
    await c.press(KEY.tab, 'a');
    expect(c.frame()).toMatch(/executed\s+#1\s+→ claude\s+dispatched to claude/);
    expect(c.frame()).toContain('In flight 1');
    expect(row(c, 'assigned')).toMatch(/#1\s+claude\s+assigned/);
    expect(c.frame()).toContain('approved acme/api#1');
  });

  it('a proposal held by a gate other than the kill switch reads "gated" with the gate, below the pending ones', async () => {
    const w = world({ issues: [readyBug({ number: 1 }), readyBug({ number: 4, author: 'mallory' })] });
    await w.engine.runCycle();
    const c = await mount(w);
    expect(c.frame()).toContain('Proposals 1 pending · 1 waiting');
    const lines = c.lines();
    const pending = lines.findIndex((l) => /pending\s+#1\s+→ claude/.test(l));
    const gated = lines.findIndex((l) => /gated\s+#4\s+→ claude\s+untrusted author · P0\/bug/.test(l));
    expect(pending).toBeGreaterThan(-1);
    expect(gated).toBeGreaterThan(pending);
  });

  it('x asks for an optional note; Enter rejects the proposal and the pane shows it rejected', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('x');
    expect(w.proposalFor(1).status).toBe('proposed');
    expect(c.frame()).toContain('reject acme/api#1 — note (optional');
    await c.press(KEY.enter);
    expect(w.proposalFor(1).status).toBe('rejected');
    expect(c.frame()).toMatch(/rejected\s+#1\s+→ claude/);
    expect(c.frame()).toContain('Proposals 1 pending');
  });

  it('r opens a picker of registered agents, suited ones first, and re-routes to the chosen one', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('j', 'r');
    const picker = c.lines().filter((l) => /^(›| ) {1}\S/.test(l) && /kimi|claude|hooky|owner/.test(l));
    expect(picker.map((l) => l.trim().split(/\s+/)[l.startsWith('›') ? 1 : 0])).toEqual(['kimi', 'claude', 'hooky', 'owner']);
    expect(c.frame()).toContain('Re-route acme/api#2 to:');
    expect(row(c, 'owner')).toContain('cannot dispatch');
    await c.press('j', KEY.enter);
    expect(w.proposalFor(2)).toMatchObject({ agentId: 'claude', reroutedFrom: 'kimi' });
    expect(row(c, '#2 ')).toContain('→ claude');
  });

  it('keys typed in the picker never reach the pane behind it', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('r', 'x', 'a', 's', '/', KEY.tab, 'A');
    expect(c.frame()).toContain('Re-route acme/api#1 to:');
    await c.press(KEY.esc);
    expect(w.proposalFor(1).status).toBe('proposed');
    expect(c.frame()).toContain('sort score▼');
    expect(c.frame()).toContain('▸Backlog');
  });

  it('A asks to approve all visible pending proposals with their count, and No is the default', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press(KEY.tab, 'A');
    expect(c.frame()).toContain('Approve all 2 visible pending proposals?');
    expect(c.frame()).toContain('[y/N]');
    await c.press(KEY.enter);
    expect([w.proposalFor(1).status, w.proposalFor(2).status]).toEqual(['proposed', 'proposed']);
    await c.press('A', 'y');
    // approving is a command to the engine: it settles a moment later on a busy machine
    await vi.waitFor(() => expect([w.proposalFor(1).status, w.proposalFor(2).status]).toEqual(['approved', 'approved']), { timeout: 3000 });
    expect(c.frame()).toMatch(/waiting\s+#1\s+→ claude\s+waiting for arming/);
  });

  it('/ filters the backlog by tokens and s cycles the sort', async () => {
    const c = await mount(await backlogWorld());
    await c.press('/');
    await c.type('type:research');
    expect(c.frame()).toContain('/type:research▏');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('Survey retry strategies');
    expect(c.frame()).not.toContain('Login fails');
    expect(c.frame()).toContain('filter /type:research');
    await c.press(KEY.esc, 's', 's');
    expect(c.frame()).toContain('Login fails');
    expect(c.frame()).toContain('sort number▼');
    const order = c.lines().filter((l) => /^[› ] \d /.test(l)).map((l) => l.trim().replace('› ', '').split(/\s+/)[0]);
    expect(order).toEqual(['1', '2', '3']);
  });

  it('Enter opens the detail view with the score explained, the gates and what would change', async () => {
    const nearlyReady = readyBug({ number: 4, title: 'Login fails on empty password', body: 'src/auth/login.py: def check_password() crashes' });
    const w = world({ issues: [readyBug({ number: 1 }), nearlyReady] });
    await w.engine.runCycle();
    const c = await mount(w);
    await c.press('G', KEY.enter);
    const frame = c.frame();
    expect(frame).toContain('acme/api#4  Login fails on empty password');
    expect(frame).toContain('score 4 = scope 3 + acceptance 1 + alignment 0 — not ready');
    expect(frame).toContain('  scope 3: file src/ · function def  · title 29 chars');
    expect(frame).toContain('  acceptance 1: 1 criteria word (fails)');
    expect(frame).toContain('what would change the decision:');
    expect(frame).toMatch(/• label it "bug" if it is a bug \(alignment 3\) → ready → dispatch\/claude/);
    await c.press(KEY.esc, 'g', KEY.enter);
    expect(c.frame()).toContain('alignment 3: bug tags bug (3)');
    expect(c.frame()).toContain('  disarmed: switchboard is disarmed');
    expect(c.frame()).toContain('## Steps');
    expectFramesFit(c);
  });

  it('? shows help generated from the keymap', async () => {
    const c = await mount(await backlogWorld());
    await c.press('?');
    expect(c.frame()).toContain('Panes');
    expect(c.frame()).toMatch(/A\s+approve all {2}\(!\)/);
    await c.press('G');
    expect(c.frame()).toContain('next 04:31');
    await c.press('?');
    expect(c.frame()).toContain('Backlog 3 open');
  });

  it(':arm asks first, listing the enrolled repos, then arms', async () => {
    const repos = ['acme/api', 'acme/web', 'acme/docs'];
    const w = await backlogWorld({ repos });
    const c = await mount(w, { repos });
    expect(c.frame()).toContain('gitea acme/api +2');
    await c.press(':');
    await c.type('arm');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('Arm switchboard? It will write to 3 enrolled repos:');
    for (const r of repos) expect(c.frame()).toContain(`  ${r}`);
    await c.press('y');
    expect(w.engine.getSnapshot().armed).toBe(true);
    expect(c.frame()).toContain('ARMED');
  });

  it('an engine refusal is a flash message, not a crash', async () => {
    const c = await mount(await backlogWorld());
    await c.press(':');
    await c.type('agent owner');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('✖ agent "owner" cannot carry out a dispatch; choose one of: claude, kimi, hooky');
    await c.press('G', 'a');
    expect(c.frame()).toContain('is a skip: there is nothing to approve');
  });

  // Issue 12: there is no "stalled" state left: a stall is retried or escalated in the cycle that sees it.
  it('a stalled dispatch with no retries left reads ESCALATED and counts as trouble, without colour', async () => {
    const w = world({ config: { armed: true, watch: { stallMinutes: 30, maxRetries: 0 } }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    const c = await mount(w);
    expect(row(c, '#1 ')).toMatch(/#1\s+claude\s+ESCALATED!\s+31m\s+×1\s+no activity/);
    expect(c.frame()).toContain('1 in trouble');
    expect(c.frame()).not.toContain('\u001b');
  });

  it('follows a resize: 80×24 fits, and below that one line says what is needed', async () => {
    const c = await mount(await backlogWorld(), { columns: 80, rows: 24 });
    expect(c.frame()).toContain('Backlog 3 open');
    expectFramesFit(c);
    await c.resize(79, 24);
    expect(c.lines()[0]).toBe('switchboard needs a terminal of at least 80×24 (now 79×24)');
    await c.resize(120, 23);
    expect(c.lines()[0]).toBe('switchboard needs a terminal of at least 80×24 (now 120×23)');
    expect(c.frame()).toContain('q quits · ? help');
    await c.resize(100, 30);
    expect(c.frame()).toContain('Backlog 3 open');
    expectFramesFit(c);
  });

  it('a long backlog is windowed with "more" markers and the frame never outgrows the terminal', async () => {
    const issues = Array.from({ length: 60 }, (_, i) => readyBug({ number: i + 1, title: `[bug] Crash number ${i + 1}` }));
    const w = world({ issues });
    await w.engine.runCycle();
    const c = await mount(w, { columns: 80, rows: 24 });
    expect(c.frame()).toMatch(/▼ \d+ more/);
    await c.press('G');
    expect(c.frame()).toMatch(/▲ \d+ more/);
    expect(row(c, '›')).toContain('60');
    expectFramesFit(c);
  });

  it('a title full of escape sequences and bidi overrides renders as plain text', async () => {
    const hostile = '[bug] \u001b[31mRED\u001b[0m \u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u202egnp.exe\u202c \u0007bell';
    const w = world({ issues: [readyBug({ number: 7, title: hostile, labels: ['\u001b[2Jwipe'], body: 'body \u001b]52;c;cGFzdGU=\u0007 \u202eevil' })] });
    await w.engine.runCycle();
    const c = await mount(w);
    await c.press(KEY.enter);
    for (const frame of c.framesSinceMount()) {
      expect(frame).not.toContain('\u001b');
      expect(frame).not.toContain('\u202e');
      expect(frame).not.toContain('\u0007');
    }
    expect(c.frame()).toContain('RED link gnp.exe bell');
  });

  it('q quits; with a write in progress it asks first, defaulting to No', async () => {
    const w = await backlogWorld();
    const c = await mount(w);
    await c.press('q');
    expect(c.quits).toHaveLength(1);

    const busy = await backlogWorld({ armed: true });
    const held = busy.tracker.holdNextWrite();
    const d = await mount(busy);
    const approving = busy.engine.approve(busy.proposalFor(1).id);
    await held.reached;
    await d.press('q');
    expect(d.frame()).toContain('writing right now. Quit anyway?');
    await d.press(KEY.esc);
    expect(d.quits).toHaveLength(0);
    await d.press(KEY.ctrlC);
    expect(d.frame()).toContain('Quit anyway?');
    await d.press(KEY.ctrlC);
    expect(d.quits).toHaveLength(1);
    held.release();
    await approving;
  });
});
