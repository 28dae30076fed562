import type { Config } from './config.js';
import type { Clock, DispatchTarget, LessonsStore, Notifier, Tracker } from './ports.js';
import type { Journal } from './journal.js';
import type { ReadinessFacts } from './readiness.js';

export interface EngineOptions {
  readonly config: Config;
  readonly tracker: Tracker;
  readonly clock: Clock;
  /** this console's id (host + random: the caller's business); it signs every marker */
  readonly consoleId: string;
  readonly targets?: Partial<Record<'http' | 'command', DispatchTarget>>;
  readonly notifier?: Notifier;
  readonly journal?: Journal;
  /** lessons for http/command prompts, recorded from rejections with a note */
  readonly lessons?: LessonsStore;
  /** seed 004's readiness check of every agent, run at each full resync (adapters/readiness.ts `checkReadiness`) */
  readonly readiness?: () => Promise<ReadonlyMap<string, ReadinessFacts>>;
  /** the tracker login switchboard writes as; asked of the tracker once when absent */
  readonly selfLogin?: string;
  /** how long another console's audit comment holds its claim (default 24 h) */
  readonly claimTtlMs?: number;
  /** how often commands from other processes are picked up (default 1 s) */
  readonly commandPollMs?: number;
  /** write sequences of different issues in flight at once (default 16); one issue's are always in order */
  readonly writeConcurrency?: number;
}

export const HOUR = 3_600_000;
/** Each write sequence is a handful of round trips; a few side by side hide the latency without crowding the forge. */
export const DEFAULT_WRITE_CONCURRENCY = 16;

/** Delay before the next cycle: the interval, doubled per failed cycle in a row, capped. */
/** A failing tracker is retried at least this often (the interval itself is never shortened). */
export const MAX_FAILURE_BACKOFF_MS = 5 * 60_000;

export function cycleDelay(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  const cap = Math.max(intervalMs, Math.min(16 * intervalMs, MAX_FAILURE_BACKOFF_MS));
  return Math.min(cap, intervalMs * 2 ** Math.min(failures, 30));
}

/** A listener's failure is its own; the engine goes on. */
export function callEach<T>(listeners: Set<(value: T) => void>, value: T): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch {
      // ignored, see above
    }
  }
}
