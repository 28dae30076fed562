import { mkdir, open } from 'node:fs/promises';

/** Only the owner may read what switchboard keeps: journals, logs and ids name private work. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export async function ensurePrivateDir(path: string): Promise<string> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  return path;
}

/**
 * Append one line with a single O_APPEND write, so lines from several processes never interleave.
 * A file left ending mid-line by a crash gets a newline first: the torn line stays torn (and is
 * skipped on replay) instead of swallowing this one.
 */
export async function appendLine(path: string, line: string): Promise<void> {
  const file = await open(path, 'a+', PRIVATE_FILE_MODE);
  try {
    const { size } = await file.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await file.write(`${prefix}${line}\n`);
  } finally {
    await file.close();
  }
}
