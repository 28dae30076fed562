import type { Config } from '../../core/config.js';

/** The tracker client's defences from the config, as GiteaTracker options. */
export function trackerLimits(tracker: Config['tracker']): {
  maxListItems: number;
  maxResponseBytes: number;
  timeouts: { requestMs: number };
} {
  return {
    maxListItems: tracker.maxIssuesPerRepo,
    maxResponseBytes: tracker.maxResponseMegabytes * 1024 * 1024,
    timeouts: { requestMs: tracker.requestTimeoutSeconds * 1000 },
  };
}

/** A counting semaphore: at most `size` holders at once, the rest wait in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`semaphore size ${size}`);
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.size) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays the same.
      if (next) next();
      else this.active -= 1;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}

/** Map over `items` with at most `limit` tasks in flight; results keep the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker);
  await Promise.all(workers);
  return results;
}
