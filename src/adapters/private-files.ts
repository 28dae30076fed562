import { constants, lstatSync, openSync, readdirSync, statSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../core/errors.js';

/** Only the owner may read what switchboard keeps: journals, logs and ids name private work. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * open(2) flags for the state directory's files. O_NOFOLLOW: a symlink planted in place of the
 * journal, log, lock or checkpoint is an error, never a way to write to the link's target.
 * (0 where the platform has no O_NOFOLLOW, i.e. Windows, which has no such links for users.)
 */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
export const OPEN_APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | NOFOLLOW;
export const OPEN_READ = constants.O_RDONLY | NOFOLLOW;
/** create or truncate */
export const OPEN_REPLACE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW;
/** create; fails when the name exists (link or not) */
export const OPEN_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

/** A symlink (or a directory) where a state file should be: one sentence instead of ELOOP or EISDIR. */
function linked(err: unknown, path: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return new OperationError(`${path} is a directory where switchboard keeps a file: move it away.`);
  return code === 'ELOOP' || code === 'EMLINK'
    ? new OperationError(`${path} is a symbolic link; switchboard never follows links in its state directory: remove it.`)
    : err;
}

/** A state file opened without following a symlink; `flags` from OPEN_*. */
export async function openPrivate(path: string, flags: number): Promise<FileHandle> {
  try {
    return await open(path, flags, PRIVATE_FILE_MODE);
  } catch (err) {
    throw linked(err, path);
  }
}

/** openPrivate, synchronously (exit handlers, the console's log). Returns a file descriptor. */
export function openPrivateSync(path: string, flags: number): number {
  try {
    return openSync(path, flags, PRIVATE_FILE_MODE);
  } catch (err) {
    throw linked(err, path);
  }
}

/** A whole state file read without following a symlink. */
export async function readPrivate(path: string): Promise<string> {
  const file = await openPrivate(path, OPEN_READ);
  try {
    // a directory opens read-only; reading it is what fails
    return await file.readFile('utf8');
  } catch (err) {
    throw linked(err, path);
  } finally {
    await file.close();
  }
}

/** Why a directory cannot be made at `path`, by the errno mkdir gave; undefined for the unforeseen. */
const DIR_REFUSALS: Readonly<Record<string, string>> = {
  EEXIST: 'is a file, not a directory',
  ENOTDIR: 'is inside a file, not a directory',
  EACCES: 'cannot be created: permission denied',
  EPERM: 'cannot be created: permission denied',
  EROFS: 'cannot be created: the file system is read-only',
  ENOSPC: 'cannot be created: the disk is full',
};

export async function ensurePrivateDir(path: string): Promise<string> {
  try {
    await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    // a --state-dir naming a file (or a read-only place) is a mistake to name, not an internal error
    const why = DIR_REFUSALS[(err as NodeJS.ErrnoException).code ?? ''];
    if (why) throw new OperationError(`directory ${path} ${why}.`, 'use another --state-dir, or move what is in the way');
    throw err;
  }
  return path;
}

/**
 * Why `path` is not private to this user, or null: owned by someone else, writable by group or
 * others, or (inside the state dir) a symlink. The sentence ends with the command that fixes it.
 */
export function notPrivate(path: string, stats: Stats, uid: number, what: string): string | null {
  if (stats.isSymbolicLink()) return `${what} ${path} is a symbolic link; switchboard never follows links in its state directory: remove it.`;
  if (stats.uid !== uid) {
    return `${what} ${path} belongs to another user (uid ${stats.uid}), who could rewrite what switchboard reads; move it away or run: sudo chown -R ${uid} ${path}`;
  }
  if ((stats.mode & 0o022) !== 0) {
    const mode = stats.isDirectory() ? '700' : '600';
    return `${what} ${path} is writable by ${stats.mode & 0o020 ? 'its group' : 'other users'}, who could approve work through it; run: chmod ${mode} ${path}`;
  }
  return null;
}

/**
 * Refuse a state directory another user could write to: the directory itself and every entry in
 * it (journal, log, lock, console id, status, checkpoint, logs/, worktrees/). Anyone who can
 * append to the journal can approve a dispatch. No check where there are no uids (Windows).
 */
export function checkPrivateDir(dir: string, uid: number | undefined = process.getuid?.()): void {
  if (uid === undefined) return;
  const problem =
    notPrivate(dir, statSync(dir), uid, 'state directory') ??
    readdirSync(dir).reduce<string | null>((found, name) => {
      if (found) return found;
      // a lock's temporary file another process has removed since the listing
      const stats = lstatSync(join(dir, name), { throwIfNoEntry: false });
      return stats ? notPrivate(join(dir, name), stats, uid, 'state file') : null;
    }, null);
  if (problem) throw new OperationError(problem);
}

/**
 * Append one line with a single O_APPEND write, so lines from several processes never interleave.
 * A file left ending mid-line by a crash gets a newline first: the torn line stays torn (and is
 * skipped on replay) instead of swallowing this one.
 */
export async function appendLine(path: string, line: string): Promise<void> {
  const file = await openPrivate(path, OPEN_APPEND);
  try {
    await appendLineTo(file, line);
  } finally {
    await file.close();
  }
}

/** appendLine on a file already open with OPEN_APPEND: a long-lived writer saves the open and close per line. */
export async function appendLineTo(file: FileHandle, line: string): Promise<void> {
  const { size } = await file.stat();
  let prefix = '';
  if (size > 0) {
    const last = Buffer.alloc(1);
    await file.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) prefix = '\n';
  }
  await file.write(`${prefix}${line}\n`);
}

/**
 * Replace a state file atomically: written beside it (0600, never through a link), then renamed
 * over it, so a reader or a crash never sees half a file.
 */
export async function writePrivateAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await openPrivate(tmp, OPEN_NEW);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
