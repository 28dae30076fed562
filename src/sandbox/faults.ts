import { createRandom, type Random } from './prng.js';
import { DEFAULT_FAULTS, type FaultOptions } from './options.js';

/** What fault injection does to one request. */
export type FaultPlan =
  | { readonly kind: 'refuse' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number }
  | { readonly kind: 'error'; readonly status: 500 | 502 | 503 }
  | { readonly kind: 'pass'; readonly malformed: boolean; readonly wrongType: boolean; readonly pick: number };

const ERROR_STATUSES = [500, 502, 503] as const;

/**
 * Deterministic faults: every request that is not refused draws the same number of values from
 * the seeded stream, so one seed and one request sequence always fail the same requests.
 */
export class FaultInjector {
  private options: FaultOptions;
  private random: Random;

  constructor(
    options: Partial<FaultOptions> | undefined,
    private readonly now: () => number,
  ) {
    this.options = { ...DEFAULT_FAULTS, ...options };
    this.random = createRandom(this.options.seed);
  }

  update(change: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...change };
    if (change.seed !== undefined) this.random = createRandom(change.seed);
  }

  plan(): FaultPlan {
    const o = this.options;
    if (o.downUntil !== undefined && this.now() < o.downUntil) return { kind: 'refuse' };
    const [reset, error, status, malformed, wrongType, pick] = Array.from({ length: 6 }, () => this.random.next()) as [
      number, number, number, number, number, number,
    ];
    if (o.rateLimitBurst > 0) {
      this.options = { ...o, rateLimitBurst: o.rateLimitBurst - 1 };
      return { kind: 'rate-limit', retryAfterSeconds: o.retryAfterSeconds };
    }
    if (reset < o.resetRate) return { kind: 'reset' };
    if (error < o.errorRate) return { kind: 'error', status: ERROR_STATUSES[Math.floor(status * 3)] ?? 500 };
    return { kind: 'pass', malformed: malformed < o.malformedRate, wrongType: wrongType < o.wrongTypeRate, pick };
  }
}
