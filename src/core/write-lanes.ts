/**
 * Where the engine's write sequences run: one lane per issue, so one issue's writes (execute,
 * retry, escalate) never interleave and keep the safety model's order, while different issues
 * proceed side by side, at most `limit` at once. Tasks start in the order they were queued.
 */
export class WriteLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;

  constructor(private readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`a write lane limit must be a whole number >= 1, not ${limit}`);
  }

  /** Run `task` after every task queued before it on `key`, within the limit. Rejects as the task does. */
  run(key: string, task: () => Promise<void>): Promise<void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(async () => {
      await this.slot();
      try {
        await task();
      } finally {
        const next = this.waiting.shift();
        if (next) next();
        else this.active--;
      }
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    this.running.add(settled);
    void settled.then(() => {
      this.running.delete(settled);
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return run;
  }

  /** Settles once nothing is queued or running, including tasks queued meanwhile. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private slot(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    // The finishing task hands its slot straight over, so `active` stays counted.
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }
}
