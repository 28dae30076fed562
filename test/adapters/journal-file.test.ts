import { execFile, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/core/engine-ports.js';
import { OperationError, ValidationError } from '../../src/core/errors.js';
import { FileJournal, JOURNAL_FILE, LOCK_FILE, acquireLock, appendCommand, consoleId, stateDir } from '../../src/adapters/journal-file.js';

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

  it('skips an invalid line in the middle with a warning', async () => {
    writeFileSync(join(dir, JOURNAL_FILE), `${JSON.stringify(approved)}\n{"type":"nonsense"}\n${JSON.stringify(executed)}\n`);
    const seen: string[] = [];
    const journal = new FileJournal(dir, { onWarning: (t) => seen.push(t) });
    expect(await journal.replay()).toEqual([approved, executed]);
    expect(seen).toEqual([expect.stringContaining('line 2')]);
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
