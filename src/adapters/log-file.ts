import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE = 'switchboard.log';

/**
 * Warnings while the console owns the terminal go to `switchboard.log` in the state dir: nothing
 * else may write to the screen under Ink. Never throws; a log that cannot be written is dropped.
 */
export function fileLogger(stateDir: string, now: () => Date = () => new Date()): (text: string) => void {
  const path = join(stateDir, LOG_FILE);
  return (text) => {
    try {
      appendFileSync(path, `${now().toISOString()} WARN ${text.replace(/\s*\n\s*/g, ' ')}\n`, { mode: 0o600 });
    } catch {
      // the console stays up whether or not its log can be written
    }
  };
}
