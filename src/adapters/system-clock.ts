import type { Clock, TimerHandle } from '../core/ports.js';

/** The real clock. Timers are unref'd: a pending cycle never keeps a finished process alive. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return t;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
