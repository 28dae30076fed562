import { describe, expect, it } from 'vitest';
import { DASHBOARD_MARKER, dispatchOnIssue, intentsFromTicks, isDashboard, parseCommand, readTicks, renderDashboard } from '../../src/core/approvals.js';
import { persistedView } from '../../src/core/engine-facts.js';
import { replay } from '../../src/core/engine-step.js';
import { initialState } from '../../src/core/engine-state.js';
import { UsageError } from '../../src/core/errors.js';
import { profileFromConfig } from '../../src/core/triage.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { supervised } from '../fakes/supervised.js';

describe('comment commands', () => {
  it('reads each command on a line of its own, with its argument', () => {
    expect(parseCommand('/switchboard approve')).toEqual({ kind: 'approve' });
    expect(parseCommand('Looks good.\n  /switchboard reject needs a design\nthanks')).toEqual({ kind: 'reject', note: 'needs a design' });
    expect(parseCommand('/switchboard reject')).toEqual({ kind: 'reject', note: null });
    expect(parseCommand('/switchboard reroute kimi')).toEqual({ kind: 'reroute', agentId: 'kimi' });
    expect(parseCommand('/switchboard retry')).toEqual({ kind: 'retry' });
    expect(parseCommand('/switchboard cancel')).toEqual({ kind: 'cancel' });
  });

  it('ignores quotes, prose and malformed commands', () => {
    expect(parseCommand('> /switchboard approve')).toBeNull();
    expect(parseCommand('please run /switchboard approve')).toBeNull();
    expect(parseCommand('/switchboard approve everything now')).toBeNull();
    expect(parseCommand('/switchboard reroute $(rm -rf ~)')).toBeNull();
    expect(parseCommand('/switchboard approved')).toBeNull();
    expect(parseCommand('/switchboardapprove')).toBeNull();
  });

  it('keeps a note short and free of terminal controls', () => {
    const cmd = parseCommand(`/switchboard reject \u001b[31mred\u001b[0m ${'x'.repeat(500)}`);
    expect(cmd).toMatchObject({ kind: 'reject' });
    const note = cmd?.kind === 'reject' ? (cmd.note ?? '') : '';
    expect(note.startsWith('red x')).toBe(true);
    expect(note).not.toContain('\u001b');
    expect(note.length).toBe(200);
  });
});

describe('the dashboard body', () => {
  async function planned() {
    const w = world({ issues: [readyBug({ number: 1 }), readyBug({ number: 2, title: '[bug] Crash @everyone <script>' })] });
    await w.engine.runCycle();
    return w;
  }
  const render = (w: Awaited<ReturnType<typeof planned>>) =>
    renderDashboard({ snapshot: w.engine.getSnapshot(), repos: ['acme/api'], agentNames: new Map(w.config.agents.map((a) => [a.id, a.displayName])) });

  it('lists pending proposals with a box each: issue, decision and agent, tier, score, reason', async () => {
    const w = await planned();
    const body = render(w);
    expect(body.startsWith(DASHBOARD_MARKER)).toBe(true);
    const p = w.proposalFor(1);
    expect(body).toContain(`- [ ] <!-- sb:p:${p.id} --> acme/api#1`);
    expect(body).toMatch(/acme\/api#1 .* — dispatch to Claude Code · P0 · score \d — /);
    expect(readTicks(body).map((t) => t.checked)).toEqual([false, false]);
  });

  it('tracker text cannot add a box, a mention or HTML', async () => {
    const w = await planned();
    const line = render(w)
      .split('\n')
      .find((l) => l.includes('acme/api#2'));
    expect(line).toContain('\\<script\\>');
    expect(line).not.toMatch(/@everyone/);
    expect(readTicks(`${DASHBOARD_MARKER}\n- [x] <!-- sb:p:abc --> x`)).toHaveLength(1);
    expect(readTicks('- [x] <!-- sb:p:abc --> a body that is not ours')).toEqual([]);
  });

  it('the same state renders the same body (so nothing changed means no edit)', async () => {
    const w = await planned();
    expect(render(w)).toBe(render(w));
    await w.engine.runCycle();
    expect(render(w)).toBe(render(w));
  });

  it('a ticked box approves; an unticked approved one is taken back; unchanged boxes ask for nothing', async () => {
    const w = await planned();
    const id = w.proposalFor(1).id;
    const body = render(w);
    const ticked = body.replace(`- [ ] <!-- sb:p:${id} -->`, `- [x] <!-- sb:p:${id} -->`);
    expect(intentsFromTicks(readTicks(ticked), w.engine.getSnapshot(), readTicks(body))).toEqual([{ type: 'approve', id }]);
    await w.engine.approve(id, 'dashboard acme/api#9');
    // A body rendered before the console's approval: its unchanged empty box takes nothing back.
    expect(intentsFromTicks(readTicks(body), w.engine.getSnapshot(), readTicks(body))).toEqual([]);
    const now = render(w);
    expect(now).toMatch(/### Approved, waiting \(1\)\n- \[x\] .*by dashboard acme\/api#9 — waiting for arming$/m);
    const unticked = now.replace(`- [x] <!-- sb:p:${id} -->`, `- [ ] <!-- sb:p:${id} -->`);
    expect(intentsFromTicks(readTicks(unticked), w.engine.getSnapshot(), readTicks(now))).toEqual([{ type: 'withdraw', id }]);
  });

  it('a running dispatch has a cancel box, an escalated one retry and cancel boxes; a ticked one asks for it once', async () => {
    const w = await planned();
    const running = supervised({ id: 'aa11', number: 3, phase: 'working' });
    const escalated = supervised({ id: 'bb22', number: 4, phase: 'escalated', escalation: { cause: 'stall', why: 'no activity for 60 min', acknowledgedBy: null } });
    const ended = supervised({ id: 'cc33', number: 5, phase: 'completed' });
    const snapshot = { ...w.engine.getSnapshot(), dispatches: new Map([running, escalated, ended].map((d) => [d.proposalId, d])) };
    const body = renderDashboard({ snapshot, repos: ['acme/api'], agentNames: new Map([['claude', 'Claude Code']]) });
    expect(body).toContain('### In flight (1)\n- [ ] <!-- sb:cancel:aa11 --> cancel acme/api#3 — Claude Code — working\n');
    expect(body).toContain(
      '### Escalations (1)\n- [ ] <!-- sb:retry:bb22 --> retry acme/api#4 — Claude Code — escalated: no activity for 60 min (attempt 1)\n- [ ] <!-- sb:cancel:bb22 --> cancel acme/api#4: no more agent work on it\n',
    );
    const tick = (text: string, kind: string, id: string) => text.replace(`- [ ] <!-- sb:${kind}:${id} -->`, `- [x] <!-- sb:${kind}:${id} -->`);
    const ticked = tick(tick(body, 'cancel', 'aa11'), 'retry', 'bb22');
    expect(intentsFromTicks(readTicks(ticked), snapshot, readTicks(body))).toEqual([
      { type: 'cancel', id: 'aa11' },
      { type: 'retry', id: 'bb22' },
    ]);
    // Seen once: the same ticked body asks for nothing again.
    expect(intentsFromTicks(readTicks(ticked), snapshot, readTicks(ticked))).toEqual([]);
    // A completed dispatch can be neither cancelled nor retried, whatever the body says.
    const forged = `${DASHBOARD_MARKER}\n- [x] <!-- sb:cancel:cc33 --> x\n- [x] <!-- sb:retry:cc33 --> x\n- [x] <!-- sb:cancel:nope --> x`;
    expect(intentsFromTicks(readTicks(forged), snapshot, [])).toEqual([]);
    // A command on an issue means its live dispatch over an older one that ended.
    const again = supervised({ id: 'dd44', number: 5, phase: 'working', at: new Date('2026-05-01T09:00:00Z') });
    expect(dispatchOnIssue({ ...snapshot, dispatches: new Map([ended, again].map((d) => [d.proposalId, d])) }, 'ACME/api', 5)?.proposalId).toBe('dd44');
    expect(dispatchOnIssue(snapshot, 'acme/api', 1)).toBeNull();
  });

  it('is ours only when we wrote it', () => {
    const body = `${DASHBOARD_MARKER}\nx`;
    expect(isDashboard({ body, author: 'Switchboard' }, 'switchboard')).toBe(true);
    expect(isDashboard({ body, author: 'mallory' }, 'switchboard')).toBe(false);
    expect(isDashboard({ body, author: 'switchboard' }, null)).toBe(false);
  });
});

describe('taking an approval back', () => {
  it('makes the proposal pending again, journaled so a restart agrees', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.approve(id, 'dashboard acme/api#9');
    await w.engine.withdraw(id, 'dashboard acme/api#9');
    expect(w.proposalFor(1)).toMatchObject({ status: 'proposed', approvedBy: null });
    expect(w.journal.entries.map((e) => e.type)).toContain('withdrawn');
    const restored = replay(initialState({ consoleId: 'console-a', armed: false, dryRun: false }), w.journal.entries, { config: w.config, profile: profileFromConfig(w.config) });
    expect(persistedView(restored)).toEqual(persistedView(w.engine.getState()));
  });

  it('is refused for a proposal that is not approved', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await expect(w.engine.withdraw(w.proposalFor(1).id, 'dashboard acme/api#9')).rejects.toThrow(UsageError);
  });
});
