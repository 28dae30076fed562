import type { Clock, TimerHandle } from '../../src/core/ports.js';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets every promise chain started by a timer settle (fakes resolve in microtasks). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A clock that only moves when told. `advance(ms)` fires the one-shot timers that fall due, in
 * order of due time (then of creation), each at its own time, letting the work it starts settle.
 */
export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start: Date | string = '2026-05-01T10:00:00Z') {
    this.time = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, due: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** timers not yet fired, soonest first */
  pending(): { due: Date; inMs: number }[] {
    return this.sorted().map((t) => ({ due: new Date(t.due), inMs: t.due - this.time }));
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (;;) {
      const nextTimer = this.sorted()[0];
      if (!nextTimer || nextTimer.due > until) break;
      this.timers = this.timers.filter((t) => t !== nextTimer);
      this.time = nextTimer.due;
      nextTimer.fn();
      await settle();
    }
    this.time = until;
  }

  private sorted(): Timer[] {
    return [...this.timers].sort((a, b) => a.due - b.due || a.id - b.id);
  }
}
