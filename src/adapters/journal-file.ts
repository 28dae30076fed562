import { randomBytes, randomUUID } from 'node:crypto';
import { type FileHandle, link, rename, unlink, writeFile } from 'node:fs/promises';
import { closeSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import type { z } from 'zod';
import {
  type Journal,
  type JournalCommand,
  type JournalEntry,
  JournalCommandSchema,
  JournalEntrySchema,
} from '../core/engine-ports.js';
import { OperationError, ValidationError } from '../core/errors.js';
import {
  OPEN_APPEND,
  OPEN_NEW,
  OPEN_READ,
  OPEN_REPLACE,
  PRIVATE_FILE_MODE,
  appendLine,
  appendLineTo,
  checkPrivateDir,
  ensurePrivateDir,
  openPrivate,
  openPrivateSync,
  readPrivate,
} from './private-files.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const LOCK_FILE = 'engine.lock';
export const CONSOLE_ID_FILE = 'console-id';

/** The state directory: the given one, else the per-user data directory. Created 0700; refused when others can write to it. */
export async function stateDir(opts: { dir?: string | undefined } = {}): Promise<string> {
  const dir = opts.dir ? resolve(opts.dir) : envPaths('switchboard', { suffix: '' }).data;
  await ensurePrivateDir(dir);
  checkPrivateDir(dir);
  return dir;
}

const CONSOLE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * This state directory's console id, made once as `host-random` and kept: markers in tracker
 * comments carry it, so a restarted console recognises its own work.
 */
export async function consoleId(dir: string): Promise<string> {
  const path = join(dir, CONSOLE_ID_FILE);
  const existing = await readPrivate(path).then((t) => t.trim(), (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  if (existing !== null && CONSOLE_ID.test(existing)) return existing;
  const host = hostname().replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 100) || 'host';
  const id = `${host}-${randomBytes(4).toString('hex')}`;
  await ensurePrivateDir(dir);
  try {
    const file = await openPrivate(path, existing === null ? OPEN_NEW : OPEN_REPLACE);
    await file.writeFile(`${id}\n`).finally(() => file.close());
  } catch (err) {
    // another process made it first: theirs is the id
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return consoleId(dir);
    throw err;
  }
  return id;
}

export interface EngineLock {
  readonly path: string;
  /** Remove the lock if it is still ours. Synchronous so it can run in an exit handler. */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockHolder(text: string): number | null {
  try {
    const { pid } = JSON.parse(text) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const lockHeld = (pid: number, dir: string) =>
  new OperationError(`another switchboard (pid ${pid}) owns ${dir}; stop it or use --state-dir`);

/**
 * Make this process the one engine owning `dir`. A lock left by a dead process is taken over;
 * one held by a live process is refused with a sentence saying what to do.
 */
export async function acquireLock(dir: string, owner: string, now: Date = new Date()): Promise<EngineLock> {
  await ensurePrivateDir(dir);
  const path = join(dir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid, console: owner, startedAt: now.toISOString() })}\n`;
  // written aside first, so a reader never sees a half-written lock
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, content, { mode: PRIVATE_FILE_MODE, flag: OPEN_NEW });
  try {
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(await readPrivate(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e))));
      if (pid !== null && alive(pid)) throw lockHeld(pid, dir);
      await rename(tmp, path);
      // two processes taking over the same stale lock: the last rename wins, the other sees it lost
      const held = await readPrivate(path);
      if (held !== content) throw lockHeld(lockHolder(held) ?? 0, dir);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return {
    path,
    release() {
      try {
        const fd = openPrivateSync(path, OPEN_READ);
        let held: string;
        try {
          held = readFileSync(fd, 'utf8');
        } finally {
          closeSync(fd);
        }
        if (held === content) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}

export interface FileJournalOptions {
  /** told about every skipped line; they are also kept in `warnings` */
  readonly onWarning?: (text: string) => void;
  /** the largest journal read at start (default 256 MB): beyond it start-up stops and says so */
  readonly maxBytes?: number;
}

const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

/**
 * The journal as JSONL in the state directory. The engine appends entries; other processes
 * append `command` lines to the same file (appendCommand), which the engine picks up by reading
 * from the byte offset where it last stopped.
 */
export class FileJournal implements Journal {
  readonly path: string;
  readonly warnings: string[] = [];
  /** bytes of complete lines already read */
  private offset = 0;
  private readonly onWarning: ((text: string) => void) | undefined;
  private readonly maxBytes: number;
  /** kept open between appends: opening and closing per line was most of an append's cost */
  private writer: Promise<FileHandle> | null = null;

  constructor(dir: string, options: FileJournalOptions = {}) {
    this.path = join(dir, JOURNAL_FILE);
    this.onWarning = options.onWarning;
    this.maxBytes = options.maxBytes ?? MAX_JOURNAL_BYTES;
  }

  /** Appends are expected one at a time (the engine chains them). */
  async append(entry: JournalEntry): Promise<void> {
    const line = serialize(entry, JournalEntrySchema, 'journal entry');
    const opening = (this.writer ??= openPrivate(this.path, OPEN_APPEND));
    try {
      await appendLineTo(await opening, line);
    } catch (err) {
      // Start afresh next time: the file may have been moved, or the write torn.
      if (this.writer === opening) this.writer = null;
      await opening.then((f) => f.close()).catch(() => undefined);
      throw err;
    }
  }

  /** Close the file kept open for appends; a later append opens it again. */
  async close(): Promise<void> {
    const opening = this.writer;
    this.writer = null;
    await opening?.then((f) => f.close()).catch(() => undefined);
  }

  /**
   * Every entry, for start-up. A journal that cannot be read (too big, unreadable) is an
   * OperationError naming the file and what to do: the engine never starts on empty state.
   */
  async replay(): Promise<JournalEntry[]> {
    this.offset = 0;
    const recover = 'move it aside to start with an empty journal (approvals and dispatches in it are then forgotten)';
    let read: Awaited<ReturnType<FileJournal['readFrom']>>;
    try {
      read = await this.readFrom(0, this.maxBytes);
    } catch (err) {
      if (err instanceof OperationError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new OperationError(`cannot read the journal ${this.path} (${code}): fix its permissions, or ${recover}`);
    }
    const { entries, offset, tail } = read;
    this.offset = offset;
    // at start a partial last line can only be a write torn by a crash; appendLine ends it
    if (tail > 0) this.warn(`the last line of ${this.path} was cut short (${tail} bytes); it was ignored`);
    return entries;
  }

  async pendingCommands(): Promise<JournalCommand[]> {
    // a partial last line may be a write in progress: it is read next time, when complete
    const { entries, offset } = await this.readFrom(this.offset);
    this.offset = offset;
    return entries.filter((e): e is JournalCommand => e.type === 'command');
  }

  private async readFrom(start: number, maxBytes = Number.POSITIVE_INFINITY): Promise<{ entries: JournalEntry[]; offset: number; tail: number }> {
    let buf: Buffer;
    try {
      const file = await openPrivate(this.path, OPEN_READ);
      try {
        const { size } = await file.stat();
        if (size - start > maxBytes) {
          throw new OperationError(
            `the journal ${this.path} is ${Math.round(size / 1048576)} MB, more than the ${Math.round(maxBytes / 1048576)} MB read at start: move it aside to start with an empty journal (approvals and dispatches in it are then forgotten)`,
          );
        }
        buf = Buffer.alloc(Math.max(0, size - start));
        if (buf.length > 0) await file.read(buf, 0, buf.length, start);
      } finally {
        await file.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], offset: start, tail: 0 };
      throw err;
    }
    const end = buf.lastIndexOf(0x0a) + 1;
    const entries: JournalEntry[] = [];
    let lineNo = 0;
    for (const line of buf.subarray(0, end).toString('utf8').split('\n').slice(0, -1)) {
      lineNo += 1;
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (entry) entries.push(entry);
      else this.warn(`a line of ${this.path} is not a valid journal entry (line ${lineNo} after byte ${start}); it was skipped`);
    }
    return { entries, offset: start + end, tail: buf.length - end };
  }

  private warn(text: string): void {
    this.warnings.push(text);
    this.onWarning?.(text);
  }
}

function parseLine(line: string): JournalEntry | null {
  try {
    const parsed = JournalEntrySchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Validate before writing, so a line that would not replay is never written. */
function serialize(value: unknown, schema: z.ZodType, what: string): string {
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ValidationError(`refusing to write an invalid ${what}: ${problems.map((p) => `${p.path || '(root)'} ${p.message}`).join('; ')}`, problems);
  }
  return JSON.stringify(value);
}

/** What `switchboard approve|reject|reroute` does: append a command for the running engine. */
export async function appendCommand(
  dir: string,
  command: Pick<JournalCommand, 'command' | 'proposalId'> & Partial<Pick<JournalCommand, 'agentId' | 'note' | 'commandId' | 'issue' | 'taskType'>>,
  now: Date = new Date(),
): Promise<JournalCommand> {
  const entry: JournalCommand = { type: 'command', at: now.toISOString(), ...command, commandId: command.commandId ?? randomUUID() };
  await ensurePrivateDir(dir);
  // a command is an approval: never into a journal someone else could also write
  checkPrivateDir(dir);
  await appendLine(join(dir, JOURNAL_FILE), serialize(entry, JournalCommandSchema, 'command'));
  return entry;
}
