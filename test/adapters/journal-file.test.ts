import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/core/journal.js';
import { OperationError, ValidationError } from '../../src/core/errors.js';
import { CHECKPOINT_FILE, FileJournal, JOURNAL_FILE, LOCK_FILE, acquireLock, appendCommand, consoleId, cutShort, stateDir } from '../../src/adapters/journal-file.js';
import { checkpointEntries } from '../../src/core/engine-facts.js';
import { initialState } from '../../src/core/engine-state.js';
import { replay } from '../../src/core/engine-step.js';
import { parseConfig } from '../../src/core/config.js';
import { profileFromConfig } from '../../src/core/triage.js';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const approved: JournalEntry = {
  type: 'approved',
  at: '2026-05-01T10:00:00.000Z',
  console: 'box-1',
  proposal: { id: 'p-1', repo: 'acme/api', number: 12, action: 'dispatch', agentId: 'claude', reason: 'P0 bug', updatedAt: '2026-05-01T09:00:00Z' },
  approvedBy: 'operator',
};
const executed: JournalEntry = { type: 'executed', at: '2026-05-01T10:01:00.000Z', console: 'box-1', proposalId: 'p-1', outcome: 'dispatched' };

/** A pid that surely belongs to no process: one that just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid ?? 999_999;
}

describe('journal file', () => {
  it('replays what was appended, in order, across instances', async () => {
    const first = new FileJournal(dir);
    await first.append(approved);
    await first.append(executed);
    expect(await new FileJournal(dir).replay()).toEqual([approved, executed]);
  });

  it('ignores a line torn by a crash with a warning, and the next append still replays', async () => {
    const journal = new FileJournal(dir);
    await journal.append(approved);
    appendFileSync(join(dir, JOURNAL_FILE), '{"type":"executed","at":"2026-05');
    const reopened = new FileJournal(dir);
    expect(await reopened.replay()).toEqual([approved]);
    expect(reopened.warnings).toEqual([expect.stringContaining('cut short')]);
    await reopened.append(executed);
    const again = new FileJournal(dir);
    expect(await again.replay()).toEqual([approved, executed]);
    expect(again.warnings).toEqual([expect.stringContaining('skipped')]);
  });

  it('keeps one file open across appends, yet a command line another process tears mid-run does not swallow the next entry', async () => {
    const journal = new FileJournal(dir);
    await journal.append(approved);
    appendFileSync(join(dir, JOURNAL_FILE), '{"type":"command","at":"2026-05');
    await journal.append(executed);
    await journal.close();
    expect(await new FileJournal(dir).replay()).toEqual([approved, executed]);
    // after close, an append opens the file again
    await journal.append(approved);
    await journal.close();
    expect(await new FileJournal(dir).replay()).toEqual([approved, executed, approved]);
  });

  it('a line damaged in the middle, not cut short by a crash, stops start-up with one sentence naming the file, the line and how to recover', async () => {
    writeFileSync(join(dir, JOURNAL_FILE), `${JSON.stringify(approved)}\n{"type":"nonsense"}\n${JSON.stringify(executed)}\n`);
    const refusal = new FileJournal(dir).replay();
    await expect(refusal).rejects.toBeInstanceOf(OperationError);
    await expect(refusal).rejects.toThrow(
      `the journal ${join(dir, JOURNAL_FILE)} is damaged at line 2 after byte 0 (not an entry, nor a line cut short by a crash): repair or delete that line, or move it aside`,
    );
    writeFileSync(join(dir, JOURNAL_FILE), `${JSON.stringify(approved)}\n{"type":"executed","at":"x"GARBAGE}\n${JSON.stringify(executed)}\n`);
    await expect(new FileJournal(dir).replay()).rejects.toThrow('is damaged at line 2');
  });

  it('tells a line cut short by a crash from a damaged one, at every byte of a real entry', () => {
    const line = JSON.stringify({ ...approved, proposal: { ...approved.proposal, reason: 'naïve "quote" \\ ☃' } });
    for (let i = 1; i < line.length; i++) expect(cutShort(line.slice(0, i)), line.slice(0, i)).toBe(true);
    for (const damaged of ['{"type":"x"GARBAGE}', '{"a":1x', 'garbage', '{"type":"executed"}}', '']) expect(cutShort(damaged), damaged).toBe(false);
  });

  it('a journal too big to read at start stops start-up with one sentence naming the file and how to recover', async () => {
    const journal = new FileJournal(dir, { maxBytes: 100 });
    await journal.append(approved);
    await journal.append(executed);
    const refusal = journal.replay();
    await expect(refusal).rejects.toBeInstanceOf(OperationError);
    await expect(refusal).rejects.toThrow(`the journal ${join(dir, JOURNAL_FILE)} is 0 MB, more than the 0 MB read at start: move it aside`);
  });

  it('a journal that cannot be read stops start-up with one sentence naming the file', async () => {
    mkdirSync(join(dir, JOURNAL_FILE));
    const refusal = new FileJournal(dir).replay();
    await expect(refusal).rejects.toBeInstanceOf(OperationError);
    await expect(refusal).rejects.toThrow(`cannot read the journal ${join(dir, JOURNAL_FILE)} (EISDIR): fix its permissions, or move it aside`);
  });

  it('refuses to write an entry that would not replay', async () => {
    const bad = { ...executed, proposalId: 7 } as unknown as JournalEntry;
    await expect(new FileJournal(dir).append(bad)).rejects.toBeInstanceOf(ValidationError);
  });

  it('hands out only commands appended since the last read, including those from another process', async () => {
    const journal = new FileJournal(dir);
    await journal.append(approved);
    await appendCommand(dir, { command: 'reject', proposalId: 'p-0', commandId: 'c-0' });
    await journal.replay();
    expect(await journal.pendingCommands()).toEqual([]);

    await appendCommand(dir, { command: 'approve', proposalId: 'p-1', commandId: 'c-1' });
    await journal.append(executed);
    expect((await journal.pendingCommands()).map((c) => c.commandId)).toEqual(['c-1']);

    const line = JSON.stringify({ type: 'command', at: '2026-05-01T11:00:00.000Z', commandId: 'c-2', command: 'reroute', proposalId: 'p-2', agentId: 'kimi' });
    await run(process.execPath, ['-e', `require('node:fs').appendFileSync(process.argv[1], process.argv[2] + '\\n')`, join(dir, JOURNAL_FILE), line], {
      timeout: 10_000,
    });
    expect(await journal.pendingCommands()).toEqual([expect.objectContaining({ commandId: 'c-2', command: 'reroute', agentId: 'kimi' })]);
    expect(await journal.pendingCommands()).toEqual([]);
  });

  it('keeps its files private', async () => {
    const state = await stateDir({ dir: join(dir, 'state') });
    await new FileJournal(state).append(approved);
    const id = await consoleId(state);
    await acquireLock(state, id);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    for (const f of [JOURNAL_FILE, 'console-id', LOCK_FILE]) expect(statSync(join(state, f)).mode & 0o777).toBe(0o600);
  });

  it('keeps the console id of a state directory', async () => {
    const id = await consoleId(dir);
    expect(id).toMatch(/^[A-Za-z0-9.-]+-[0-9a-f]{8}$/);
    expect(await consoleId(dir)).toBe(id);
  });
});

const config = parseConfig({});
const ctx = { config, profile: profileFromConfig(config) };
const fresh = () => initialState({ consoleId: 'box-1', armed: false, dryRun: false });
/** What the engine hands a compaction: the checkpoint of the journal's state and the commands read. */
const checkpointOf = (entries: readonly JournalEntry[]) => (commands: readonly JournalEntry[]) =>
  checkpointEntries(replay(fresh(), [...entries, ...commands], ctx), { at: '2026-05-02T00:00:00.000Z', console: 'box-1' });
const approvedIds = (entries: readonly JournalEntry[]) => [...replay(fresh(), entries, ctx).snapshot.proposals.values()].filter((p) => p.status === 'approved').map((p) => p.id);
const approvedAs = (id: string): JournalEntry => ({ ...approved, proposal: { ...approved.proposal, id, number: Number(id.slice(2)) } });

describe('journal compaction', () => {
  it('writes a checkpoint, restarts the log after it, and replays the checkpoint and the tail', async () => {
    const journal = new FileJournal(dir, { compactEntries: 3 });
    const written: JournalEntry[] = [];
    for (let i = 1; i <= 5; i++) {
      written.push(approvedAs(`p-${i}`), { ...executed, proposalId: `p-${i}` });
      await journal.append(written.at(-2)!);
      await journal.append(written.at(-1)!);
    }
    await journal.append(approvedAs('p-9'));
    written.push(approvedAs('p-9'));
    expect(journal.compactionDue()).toBe(true);
    const before = statSync(join(dir, JOURNAL_FILE)).size;
    expect(await journal.compact(checkpointOf(written))).toEqual([]);
    expect(journal.compactionDue()).toBe(false);
    await journal.append(approvedAs('p-10'));
    await journal.close();

    const lines = readFileSync(join(dir, JOURNAL_FILE), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['continues', 'approved']);
    expect(statSync(join(dir, JOURNAL_FILE)).size).toBeLessThan(before);
    for (const f of [JOURNAL_FILE, CHECKPOINT_FILE]) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const reopened = new FileJournal(dir);
    const entries = await reopened.replay();
    expect(entries[0]).toMatchObject({ type: 'checkpoint', generation: 1 });
    expect(approvedIds(entries)).toEqual(['p-9', 'p-10']);
    expect(reopened.warnings).toEqual([]);
  });

  it('after a crash between the checkpoint and the new log, replays the checkpoint and only what came after it', async () => {
    const journal = new FileJournal(dir);
    const written = [approvedAs('p-1'), approvedAs('p-2')];
    for (const e of written) await journal.append(e);
    const old = readFileSync(join(dir, JOURNAL_FILE));
    await journal.compact(checkpointOf(written));
    await journal.close();
    // the log as it was before the rename, and a command another process appended to it since
    writeFileSync(join(dir, JOURNAL_FILE), old);
    await appendCommand(dir, { command: 'approve', proposalId: 'p-7', commandId: 'c-7' });
    const entries = await new FileJournal(dir).replay();
    expect(entries.filter((e) => e.type === 'approved').map((e) => (e.type === 'approved' ? e.proposal.id : ''))).toEqual(['p-1', 'p-2']);
    expect(entries.filter((e) => e.type === 'command').map((e) => (e.type === 'command' ? e.commandId : ''))).toEqual(['c-7']);
  });

  it('a log that continues a newer checkpoint than the one beside it stops start-up with one sentence', async () => {
    const journal = new FileJournal(dir);
    await journal.append(approved);
    await journal.compact(checkpointOf([approved]));
    const first = readFileSync(join(dir, CHECKPOINT_FILE));
    await journal.compact(checkpointOf([approved]));
    writeFileSync(join(dir, CHECKPOINT_FILE), first);
    await expect(new FileJournal(dir).replay()).rejects.toThrow(
      `the journal ${join(dir, JOURNAL_FILE)} continues checkpoint 2 but ${join(dir, CHECKPOINT_FILE)} is checkpoint 1: put the matching checkpoint back, or move both aside`,
    );
  });

  it('a damaged checkpoint stops start-up with one sentence naming it and how to recover', async () => {
    const journal = new FileJournal(dir);
    await journal.append(approved);
    await journal.compact(checkpointOf([approved]));
    const text = readFileSync(join(dir, CHECKPOINT_FILE), 'utf8');
    writeFileSync(join(dir, CHECKPOINT_FILE), text.split('\n').slice(0, 1).join('\n') + '\n');
    const refusal = new FileJournal(dir).replay();
    await expect(refusal).rejects.toBeInstanceOf(OperationError);
    await expect(refusal).rejects.toThrow(`the journal checkpoint ${join(dir, CHECKPOINT_FILE)} is damaged (0 of its 1 entries): restore it from a backup, or move it and`);
  });

  it('loses no command other processes append while it compacts over and over', async () => {
    const journal = new FileJournal(dir);
    await journal.replay();
    const cli = join(process.cwd(), 'dist/adapters/journal-file.js');
    const script = `const { appendCommand } = await import(process.argv[1]); for (let i = 0; i < 25; i++) await appendCommand(process.argv[2], { command: 'approve', proposalId: 'p-1', commandId: process.argv[3] + '-' + i });`;
    const writers = ['a', 'b'].map((who) => run(process.execPath, ['--input-type=module', '-e', script, cli, dir, who], { timeout: 60_000 }));
    let done = false;
    void Promise.all(writers).finally(() => {
      done = true;
    });
    const seen: string[] = [];
    let compactions = 0;
    while (!done) {
      for (const c of await journal.compact(checkpointOf([]))) seen.push(c.commandId);
      compactions += 1;
      for (const c of await journal.pendingCommands()) seen.push(c.commandId);
    }
    await Promise.all(writers);
    for (const c of await journal.pendingCommands()) seen.push(c.commandId);
    expect(compactions).toBeGreaterThan(1);
    expect(seen.sort()).toEqual([...Array.from({ length: 25 }, (_, i) => `a-${i}`), ...Array.from({ length: 25 }, (_, i) => `b-${i}`)].sort());
  }, 90_000);
});

describe('engine lock', () => {
  it('refuses a state directory owned by a live process, naming its pid and what to do', async () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, console: 'other', startedAt: '2026-05-01T00:00:00Z' }));
    const err = await acquireLock(dir, 'me').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toBe(`another switchboard (pid ${process.ppid}) owns ${dir}; stop it or use --state-dir`);
  });

  it('takes over a lock left by a dead process', async () => {
    const pid = await deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, console: 'gone', startedAt: '2026-05-01T00:00:00Z' }));
    const lock = await acquireLock(dir, 'me', new Date('2026-05-02T00:00:00Z'));
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toEqual({ pid: process.pid, console: 'me', startedAt: '2026-05-02T00:00:00.000Z' });
  });

  it('refuses a second engine in the same process until the first releases', async () => {
    const lock = await acquireLock(dir, 'me');
    await expect(acquireLock(dir, 'me-too')).rejects.toThrow(`(pid ${process.pid})`);
    lock.release();
    const again = await acquireLock(dir, 'me-too');
    again.release();
  });
});
