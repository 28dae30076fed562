import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OPEN_APPEND, openPrivateSync } from './private-files.js';

export const LOG_FILE = 'switchboard.log';

/**
 * Warnings while the console owns the terminal go to `switchboard.log` in the state dir: nothing
 * else may write to the screen under Ink. Never throws; a log that cannot be written is dropped.
 */
export function fileLogger(stateDir: string, now: () => Date = () => new Date()): (text: string) => void {
  const path = join(stateDir, LOG_FILE);
  return (text) => {
    try {
      // not following a symlink planted in place of the log
      const fd = openPrivateSync(path, OPEN_APPEND);
      try {
        writeSync(fd, `${now().toISOString()} WARN ${text.replace(/\s*\n\s*/g, ' ')}\n`);
      } finally {
        closeSync(fd);
      }
    } catch {
      // the console stays up whether or not its log can be written
    }
  };
}
