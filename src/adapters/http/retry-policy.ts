export type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The server's clock from its `Date` header, in ms since the epoch. */
export function serverTime(headers: Headers): number | undefined {
  const value = header(headers, 'date');
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function nonNegativeInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/** Exponential backoff with full jitter (AWS style): uniform in [0, min(max, base·2^(n-1))). */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RateLimitHeaders {
  readonly remaining: number | undefined;
  /** ms since the epoch */
  readonly resetAt: number | undefined;
}

/**
 * Read `X-RateLimit-Remaining`/`X-RateLimit-Reset`. Gitea sends neither itself, but proxies in
 * front of it (and GitHub-style gateways) do. Reset is epoch seconds, or seconds from now when
 * the number is too small to be a date.
 */
export function readRateLimit(headers: Headers, now: number): RateLimitHeaders {
  const remaining = nonNegativeInt(header(headers, 'x-ratelimit-remaining'));
  const reset = nonNegativeInt(header(headers, 'x-ratelimit-reset'));
  let resetAt: number | undefined;
  if (reset !== undefined) resetAt = reset > 1e9 ? reset * 1000 : now + reset * 1000;
  return { remaining, resetAt };
}

/** How long the server asks us to wait, from `Retry-After` (seconds or HTTP date) or the reset. */
export function requestedWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = nonNegativeInt(retryAfter);
    if (seconds !== undefined) return seconds * 1000;
    const at = Date.parse(retryAfter);
    // An HTTP date is compared with the server's own clock when it sent one, to ignore skew.
    if (!Number.isNaN(at)) return Math.max(0, at - (serverTime(headers) ?? now));
  }
  const { remaining, resetAt } = readRateLimit(headers, now);
  if (remaining === 0 && resetAt !== undefined) return Math.max(0, resetAt - now);
  return undefined;
}

/** 429 always; 403 only when it carries rate-limit headers (otherwise it is a permission error). */
export function isRateLimited(status: number, headers: Headers): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return (
    header(headers, 'retry-after') !== undefined ||
    nonNegativeInt(header(headers, 'x-ratelimit-remaining')) === 0
  );
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Failures before any byte of the request reached the server: safe to retry even a POST. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export function isRetryableNetworkError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

export function wasNeverSent(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NEVER_SENT_CODES.has(code);
}
