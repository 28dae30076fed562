import { randomBytes, randomUUID } from 'node:crypto';
import { type FileHandle, link, open, rename, unlink, writeFile } from 'node:fs/promises';
import { closeSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import type { z } from 'zod';
import { type Journal, type JournalCommand, type JournalEntry, JournalCommandSchema, JournalEntrySchema } from '../core/journal.js';
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
export const CHECKPOINT_FILE = 'checkpoint.jsonl';
export const COMMANDS_LOCK_FILE = 'commands.lock';

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

const TAKEOVER_SETTLE_MS = 100;

/** Held by a live process: `pid` says which. */
class LockHeld extends OperationError {
  constructor(
    readonly pid: number,
    dir: string,
  ) {
    super(`another switchboard (pid ${pid}) owns ${dir}; stop it or use --state-dir`);
  }
}

/**
 * Make this process the one engine owning `dir`. A lock left by a dead process is taken over;
 * one held by a live process is refused with a sentence saying what to do.
 */
export function acquireLock(dir: string, owner: string, now: Date = new Date()): Promise<EngineLock> {
  return lockFile(dir, LOCK_FILE, { pid: process.pid, console: owner, startedAt: now.toISOString() });
}

async function lockFile(dir: string, name: string, holder: { pid: number } & Record<string, unknown>): Promise<EngineLock> {
  await ensurePrivateDir(dir);
  const path = join(dir, name);
  const content = `${JSON.stringify(holder)}\n`;
  // written aside first, so a reader never sees a half-written lock
  const tmp = join(dir, `${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, content, { mode: PRIVATE_FILE_MODE, flag: OPEN_NEW });
  try {
    for (;;) {
      try {
        await link(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = await readPrivate(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
      // Let go of meanwhile: link again. Taking it by rename would overwrite whoever linked it since.
      if (text === null) continue;
      const pid = lockHolder(text);
      if (pid !== null && alive(pid)) throw new LockHeld(pid, dir);
      await rename(tmp, path);
      // Two processes taking over the same stale lock: the last rename wins. Each looks again once
      // the other's rename (a read and a rename after it saw the stale lock) has surely happened.
      await sleep(TAKEOVER_SETTLE_MS);
      const held = await readPrivate(path);
      if (held !== content) throw new LockHeld(lockHolder(held) ?? 0, dir);
      break;
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

/** How long a command waits for a compaction (or another command) to let go of the journal. */
const COMMANDS_LOCK_WAIT_MS = 10_000;

/**
 * Run `task` holding the commands lock: other processes append commands to the journal only
 * under it, and the engine rotates the journal only under it, so a compaction never loses a
 * command appended beside it. A lock left by a dead process is taken over.
 */
function withCommandsLock<T>(dir: string, task: () => Promise<T>): Promise<T> {
  return withStateLock(dir, COMMANDS_LOCK_FILE, `the journal in ${dir}`, task);
}

/**
 * Run `task` holding the lock file `name` in the state dir, waiting for another process that
 * holds it (a dead holder's lock is taken over); `what` names the guarded thing in the sentence
 * said when it stays busy.
 */
export async function withStateLock<T>(dir: string, name: string, what: string, task: () => Promise<T>): Promise<T> {
  const started = performance.now();
  for (;;) {
    let lock: EngineLock;
    try {
      lock = await lockFile(dir, name, { pid: process.pid, nonce: randomBytes(8).toString('hex') });
    } catch (err) {
      if (!(err instanceof LockHeld) || performance.now() - started > COMMANDS_LOCK_WAIT_MS) {
        if (err instanceof LockHeld) throw new OperationError(`${what} has been busy (pid ${err.pid}) for ${COMMANDS_LOCK_WAIT_MS / 1000} s; try again`);
        throw err;
      }
      await sleep(5 + Math.random() * 20);
      continue;
    }
    try {
      return await task();
    } finally {
      lock.release();
    }
  }
}

export interface FileJournalOptions {
  /** told about every skipped line; they are also kept in `warnings` */
  readonly onWarning?: (text: string) => void;
  /** the largest journal read at start (default 256 MB): beyond it start-up stops and says so */
  readonly maxBytes?: number;
  /** compact when the log has grown past this many bytes (default 4 MB) … */
  readonly compactBytes?: number;
  /** … or this many lines (default 10,000) since it was last compacted or read */
  readonly compactEntries?: number;
}

const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;
const COMPACT_BYTES = 4 * 1024 * 1024;
const COMPACT_ENTRIES = 10_000;
const RECOVER = 'move it aside to start with an empty journal (approvals and dispatches in it are then forgotten)';

type Checkpoint = Extract<JournalEntry, { type: 'checkpoint' }>;

/**
 * The journal as JSONL in the state directory, with a checkpoint beside it. The engine appends
 * entries; other processes append `command` lines to the same file (appendCommand, under the
 * commands lock), which the engine picks up by reading from the byte offset where it last
 * stopped. Compaction writes the state as `checkpoint.jsonl` (atomically: a temporary file,
 * fsync, rename, fsync of the directory) and then restarts the log with a `continues` line;
 * start-up replays the checkpoint and the log after it.
 */
export class FileJournal implements Journal {
  readonly path: string;
  readonly checkpointPath: string;
  readonly warnings: string[] = [];
  private readonly dir: string;
  /** bytes of complete lines already read */
  private offset = 0;
  /** the checkpoint the log continues (0: none yet) */
  private generation = 0;
  /** the log's size and lines, for compactionDue */
  private logBytes = 0;
  private logEntries = 0;
  private readonly onWarning: ((text: string) => void) | undefined;
  private readonly maxBytes: number;
  private readonly compactBytes: number;
  private readonly compactEntries: number;
  /** kept open between appends: opening and closing per line was most of an append's cost */
  private writer: Promise<FileHandle> | null = null;

  constructor(dir: string, options: FileJournalOptions = {}) {
    this.dir = dir;
    this.path = join(dir, JOURNAL_FILE);
    this.checkpointPath = join(dir, CHECKPOINT_FILE);
    this.onWarning = options.onWarning;
    this.maxBytes = options.maxBytes ?? MAX_JOURNAL_BYTES;
    this.compactBytes = options.compactBytes ?? COMPACT_BYTES;
    this.compactEntries = options.compactEntries ?? COMPACT_ENTRIES;
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
    this.logBytes += Buffer.byteLength(line) + 1;
    this.logEntries += 1;
  }

  /** Close the file kept open for appends; a later append opens it again. */
  async close(): Promise<void> {
    const opening = this.writer;
    this.writer = null;
    await opening?.then((f) => f.close()).catch(() => undefined);
  }

  /**
   * Every entry, for start-up: the checkpoint's, then the log's after it. A journal that cannot
   * be read (too big, unreadable, damaged beyond a line cut short by a crash) is an
   * OperationError naming the file and what to do: the engine never starts on empty state.
   */
  async replay(): Promise<JournalEntry[]> {
    this.offset = 0;
    const checkpoint = await this.readCheckpoint();
    const log = await this.readLog();
    const { lines, tail } = log;
    const first = lines[0]?.entry;
    let from = 0;
    this.generation = checkpoint?.header.generation ?? 0;
    if (checkpoint) {
      const continued = first?.type === 'continues' ? first.generation : -1;
      if (continued > checkpoint.header.generation) {
        throw new OperationError(
          `the journal ${this.path} continues checkpoint ${continued} but ${this.checkpointPath} is checkpoint ${checkpoint.header.generation}: put the matching checkpoint back, or move both aside to start with an empty journal (approvals and dispatches in them are then forgotten)`,
        );
      }
      // A crash between writing the checkpoint and restarting the log: the log is the one the
      // checkpoint replaced, and only what was appended after it was read is new.
      if (continued < checkpoint.header.generation) from = checkpoint.header.after;
    }
    const tailEntries = lines.filter((l) => l.start >= from).map((l) => l.entry);
    this.offset = log.end;
    this.logBytes = log.end;
    this.logEntries = tailEntries.length;
    // at start a partial last line can only be a write torn by a crash; appendLine ends it
    if (tail > 0) this.warn(`the last line of ${this.path} was cut short (${tail} bytes); it was ignored`);
    return [...(checkpoint?.entries ?? []), ...tailEntries];
  }

  async pendingCommands(): Promise<JournalCommand[]> {
    // a partial last line may be a write in progress: it is read next time, when complete
    const { lines, end } = await this.readLines(this.path, this.offset, { maxBytes: Number.POSITIVE_INFINITY, torn: 'skip' });
    this.offset = end;
    return lines.map((l) => l.entry).filter((e): e is JournalCommand => e.type === 'command');
  }

  compactionDue(): boolean {
    return this.logBytes > this.compactBytes || this.logEntries > this.compactEntries;
  }

  async compact(checkpoint: (commands: readonly JournalCommand[]) => readonly JournalEntry[]): Promise<JournalCommand[]> {
    return withCommandsLock(this.dir, async () => {
      // No other process appends while the lock is held, and the engine's own appends wait for
      // this: what is read here is the whole of the log the checkpoint replaces.
      const { lines, end } = await this.readLines(this.path, this.offset, { maxBytes: Number.POSITIVE_INFINITY, torn: 'skip' });
      const commands = lines.map((l) => l.entry).filter((e): e is JournalCommand => e.type === 'command');
      const [head, ...rest] = checkpoint(commands);
      if (head?.type !== 'checkpoint') throw new Error('a checkpoint starts with its header');
      const generation = this.generation + 1;
      const header: Checkpoint = { ...head, generation, entries: rest.length, after: end };
      await writeAtomically(this.dir, CHECKPOINT_FILE, [header, ...rest].map((e) => serialize(e, JournalEntrySchema, 'journal entry')));
      const continues = serialize({ type: 'continues', at: header.at, console: header.console, generation }, JournalEntrySchema, 'journal entry');
      await this.close();
      await writeAtomically(this.dir, JOURNAL_FILE, [continues]);
      this.generation = generation;
      this.offset = Buffer.byteLength(continues) + 1;
      this.logBytes = this.offset;
      this.logEntries = 0;
      return commands;
    });
  }

  private async readCheckpoint(): Promise<{ header: Checkpoint; entries: JournalEntry[] } | null> {
    const damaged = (why: string) =>
      new OperationError(
        `the journal checkpoint ${this.checkpointPath} is damaged (${why}): restore it from a backup, or move it and ${this.path} aside to start with an empty journal (approvals and dispatches in them are then forgotten)`,
      );
    let read: Awaited<ReturnType<FileJournal['readLines']>>;
    try {
      read = await this.readLines(this.checkpointPath, 0, { maxBytes: this.maxBytes, torn: 'refuse' });
    } catch (err) {
      if (err instanceof OperationError) throw err;
      throw damaged(errorCode(err));
    }
    if (!read.exists) return null;
    const [head, ...rest] = read.lines.map((l) => l.entry);
    if (head?.type !== 'checkpoint') throw damaged('it does not start with a checkpoint line');
    if (read.tail > 0 || rest.length !== head.entries) throw damaged(`${rest.length} of its ${head.entries} entries`);
    return { header: head, entries: [head, ...rest] };
  }

  private async readLog(): Promise<Awaited<ReturnType<FileJournal['readLines']>>> {
    try {
      return await this.readLines(this.path, 0, { maxBytes: this.maxBytes, torn: 'refuse' });
    } catch (err) {
      if (err instanceof OperationError) throw err;
      throw new OperationError(`cannot read the journal ${this.path} (${errorCode(err)}): fix its permissions, or ${RECOVER}`);
    }
  }

  /**
   * The complete lines of `path` from byte `start`, each with its byte offset. A line that is not
   * an entry is skipped with a warning when it is a write cut short by a crash (a later append
   * ended it with a newline); any other is skipped while polling (`torn: 'skip'`) but refused at
   * start (`'refuse'`): replaying around a damaged line would run on a state that never was.
   */
  private async readLines(
    path: string,
    start: number,
    o: { maxBytes: number; torn: 'skip' | 'refuse' },
  ): Promise<{ exists: boolean; lines: { entry: JournalEntry; start: number }[]; end: number; tail: number }> {
    let buf: Buffer;
    try {
      const file = await openPrivate(path, OPEN_READ);
      try {
        const { size } = await file.stat();
        if (size - start > o.maxBytes) {
          throw new OperationError(`the journal ${path} is ${Math.round(size / 1048576)} MB, more than the ${Math.round(o.maxBytes / 1048576)} MB read at start: ${RECOVER}`);
        }
        buf = Buffer.alloc(Math.max(0, size - start));
        if (buf.length > 0) await file.read(buf, 0, buf.length, start);
      } finally {
        await file.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, lines: [], end: start, tail: 0 };
      throw err;
    }
    const end = buf.lastIndexOf(0x0a) + 1;
    const lines: { entry: JournalEntry; start: number }[] = [];
    let at = 0;
    let lineNo = 0;
    while (at < end) {
      const next = buf.indexOf(0x0a, at);
      const text = buf.subarray(at, next).toString('utf8');
      lineNo += 1;
      const entry = text.trim() === '' ? null : parseLine(text);
      if (entry) lines.push({ entry, start: start + at });
      else if (text.trim() !== '') {
        const where = `line ${lineNo} after byte ${start}`;
        if (cutShort(text)) this.warn(`a line of ${path} was cut short by a crash (${where}); it was skipped`);
        else if (o.torn === 'skip') this.warn(`a line of ${path} is not a valid journal entry (${where}); it was skipped`);
        else throw new OperationError(`the journal ${path} is damaged at ${where} (not an entry, nor a line cut short by a crash): repair or delete that line, or ${RECOVER}`);
      }
      at = next + 1;
    }
    return { exists: true, lines, end: start + end, tail: buf.length - end };
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

const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/**
 * A line a crash cut short is the beginning of a JSON object: parsing fails only because the
 * text ends, never at a character before the end. JSON.parse tells which (V8 names the position,
 * or says "end of JSON input"), so no hand-written JSON grammar is needed;
 * test/adapters/journal-file.test.ts pins this for every prefix of a real entry.
 */
export function cutShort(text: string): boolean {
  if (!text.startsWith('{')) return false;
  try {
    JSON.parse(text);
    return false;
  } catch (err) {
    const said = err instanceof Error ? err.message : '';
    if (/end of JSON input/.test(said)) return true;
    const position = /at position (\d+)/.exec(said);
    return position !== null && Number(position[1]) >= text.length;
  }
}

/** Replace `name` in `dir` by `lines`, atomically and durably: a crash leaves the old file or the new one, whole. */
async function writeAtomically(dir: string, name: string, lines: readonly string[]): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const file = await openPrivate(tmp, OPEN_REPLACE);
  try {
    await file.writeFile(lines.map((l) => `${l}\n`).join(''));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, name));
  await syncDir(dir);
}

/** fsync the directory so the rename itself survives a power cut (not possible on Windows). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL where a directory cannot be synced
  } finally {
    await handle.close();
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
  command: Pick<JournalCommand, 'command' | 'proposalId'> & Partial<Pick<JournalCommand, 'op' | 'agentId' | 'note' | 'commandId' | 'issue' | 'taskType'>>,
  now: Date = new Date(),
): Promise<JournalCommand> {
  const entry: JournalCommand = { type: 'command', at: now.toISOString(), ...command, commandId: command.commandId ?? randomUUID() };
  await ensurePrivateDir(dir);
  // a command is an approval: never into a journal someone else could also write
  checkPrivateDir(dir);
  const line = serialize(entry, JournalCommandSchema, 'command');
  await withCommandsLock(dir, () => appendLine(join(dir, JOURNAL_FILE), line));
  return entry;
}
