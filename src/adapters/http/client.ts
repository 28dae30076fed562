import { Pool } from 'undici';
import type { z } from 'zod';
import {
  AuthError,
  NotFoundError,
  ProtocolError,
  RateLimitedError,
  RejectedError,
  UnavailableError,
} from '../errors.js';
import { type BodyOf, type Endpoint, endpointName, fillPath, type QueryOf, type ResponseOf } from './endpoint.js';
import { Semaphore } from './limits.js';
import { redact } from './redact.js';
import { forbidden, moved } from './refusals.js';
import {
  backoffDelay,
  errorCode,
  type Headers,
  header,
  isRateLimited,
  isRetryableNetworkError,
  nonNegativeInt,
  readRateLimit,
  requestedWaitMs,
  serverTime,
  wasNeverSent,
} from './retry-policy.js';

export interface Timeouts {
  /** TCP/TLS connect */
  readonly connectMs: number;
  /** from request sent to response headers */
  readonly headersMs: number;
  /** between two body chunks */
  readonly bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

export interface RetryOptions {
  /** total tries of one idempotent request, the first included */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface HttpClientOptions {
  /** scheme://host[:port] without credentials */
  readonly origin: string;
  /** host for messages */
  readonly host: string;
  /** API root path, e.g. "/api/v1" */
  readonly apiPath: string;
  readonly token: string;
  /** where the operator sets the token, named in AuthError ("GITEA_TOKEN") */
  readonly tokenSource: string;
  readonly timeouts?: Partial<Timeouts>;
  /** keep-alive sockets to the origin */
  readonly connections?: number;
  /** writes (anything but GET) in flight at once */
  readonly writeConcurrency?: number;
  readonly retry?: Partial<RetryOptions>;
  /** longest rate-limit wait we sit through; beyond it RateLimitedError is thrown */
  readonly maxRateLimitWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface CallInput<E> {
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: Partial<Record<QueryOf<E>, string | number>>;
  readonly body?: BodyOf<E>;
  /** what a 404 means, e.g. "issue acme/api#12" */
  readonly subject: string;
  /** incremented once per request actually sent, retries included */
  readonly counter?: { requests: number };
  /** for a 403: what was refused ("add labels to issue acme/api#12") and in which repo */
  readonly action?: string;
  readonly repo?: string;
}

export interface CallResult<T> {
  readonly data: T;
  readonly status: number;
  /** the server's `Date`, ms since the epoch */
  readonly serverTime: number | undefined;
  readonly totalCount: number | undefined;
}

const NOT_RESENT = 'not retried because the request may have been applied';
const attempts = (n: number): string => `after ${n} attempt${n === 1 ? '' : 's'}`;

const sleepReal = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** "[3].number", "labels[0].name", "(body)" for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `should be ${issue.expected}`;
    case 'invalid_value':
      return `should be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * A JSON-over-HTTP client for one forge origin: one keep-alive undici Pool, timeouts, retries
 * with full-jitter backoff for idempotent requests, rate-limit waits, a cap on concurrent
 * writes, zod-checked responses and typed errors that never carry the token.
 */
export class HttpClient {
  readonly host: string;
  readonly #token: string;
  readonly #tokenSource: string;
  readonly #apiPath: string;
  readonly #origin: string;
  readonly #pool: Pool;
  readonly #writes: Semaphore;
  readonly #retry: RetryOptions;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  #rateRemaining: number | undefined;
  #rateResetAt: number | undefined;

  constructor(options: HttpClientOptions) {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.host = options.host;
    this.#token = options.token;
    this.#tokenSource = options.tokenSource;
    this.#apiPath = options.apiPath;
    this.#origin = options.origin;
    this.#pool = new Pool(options.origin, {
      connections: options.connections ?? 8,
      connectTimeout: timeouts.connectMs,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
    });
    this.#writes = new Semaphore(options.writeConcurrency ?? 4);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#maxWaitMs = options.maxRateLimitWaitMs ?? 60_000;
    this.#sleep = options.sleep ?? sleepReal;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** The last rate-limit headers seen (undefined when the server sends none, as Gitea does). */
  rateLimit(): { remaining: number | undefined; resetAt: string | undefined } {
    return {
      remaining: this.#rateRemaining,
      resetAt: this.#rateResetAt === undefined ? undefined : new Date(this.#rateResetAt).toISOString(),
    };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  async call<E extends Endpoint>(endpoint: E, input: CallInput<E>): Promise<CallResult<ResponseOf<E>>> {
    if (endpoint.method === 'GET') return this.#send(endpoint, input);
    return this.#writes.run(() => this.#send(endpoint, input));
  }

  async #send<E extends Endpoint>(endpoint: E, input: CallInput<E>): Promise<CallResult<ResponseOf<E>>> {
    const name = endpointName(endpoint);
    const path = this.#apiPath + fillPath(endpoint.path, input.params ?? {}) + this.#queryString(endpoint, input);
    const payload =
      endpoint.body === undefined ? undefined : JSON.stringify(endpoint.body.parse(input.body));
    const requestHeaders: Record<string, string> = {
      authorization: `token ${this.#token}`,
      accept: 'application/json',
      'user-agent': 'switchboard',
    };
    if (payload !== undefined) requestHeaders['content-type'] = 'application/json';

    for (let attempt = 1; ; attempt++) {
      await this.#waitForQuota();
      const last = attempt >= this.#retry.attempts;
      let status: number;
      let headers: Headers;
      let text: string;
      if (input.counter) input.counter.requests += 1;
      try {
        const res = await this.#pool.request({
          path,
          method: endpoint.method,
          headers: requestHeaders,
          ...(payload === undefined ? {} : { body: payload }),
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (err) {
        const transient = isRetryableNetworkError(err);
        const mayResend = endpoint.idempotent || wasNeverSent(err);
        if (!transient || !mayResend || last) {
          const why = errorCode(err) ?? 'network error';
          throw new UnavailableError(
            this.host,
            name,
            transient && !mayResend ? `${why}; ${NOT_RESENT}` : `${why} ${attempts(attempt)}`,
            { cause: this.#safeCause(err) },
          );
        }
        await this.#sleep(this.#backoff(attempt));
        continue;
      }

      this.#noteRateLimit(headers);
      if (status >= 200 && status < 300) {
        return {
          data: this.#parse(endpoint, name, text),
          status,
          serverTime: serverTime(headers),
          totalCount: nonNegativeInt(header(headers, 'x-total-count')),
        };
      }
      if (isRateLimited(status, headers)) {
        const wait = requestedWaitMs(headers, this.#now()) ?? this.#backoff(attempt);
        // A rate-limited request was refused before it ran, but writes still go back to the
        // caller: the port promises at most one send per write call.
        if (wait > this.#maxWaitMs || last || !endpoint.idempotent) {
          throw new RateLimitedError(this.host, new Date(this.#now() + wait).toISOString());
        }
        await this.#sleep(wait);
        continue;
      }
      if (status === 401) throw new AuthError(this.host, status, this.#tokenSource, this.#serverMessage(text));
      if (status === 403) {
        const asked = { endpoint: name, ...(input.action ? { action: input.action } : {}), ...(input.repo ? { repo: input.repo } : {}) };
        throw forbidden(this.host, this.#tokenSource, asked, this.#serverMessage(text));
      }
      if (status >= 300 && status < 400) throw moved(this.host, this.#origin, this.#apiPath, path, header(headers, 'location'), status);
      if (status === 404) throw new NotFoundError(this.host, input.subject);
      if (status >= 500) {
        // `finalServerError`: Gitea answers this request's refusals with 500 (an unassignable login).
        if (!endpoint.idempotent || last || endpoint.finalServerError === true) {
          throw new UnavailableError(
            this.host,
            name,
            endpoint.idempotent ? `HTTP ${status} ${attempts(attempt)}` : `HTTP ${status}; ${NOT_RESENT}`,
          );
        }
        const asked = requestedWaitMs(headers, this.#now());
        await this.#sleep(asked !== undefined && asked <= this.#maxWaitMs ? asked : this.#backoff(attempt));
        continue;
      }
      throw new RejectedError(this.host, name, status, this.#serverMessage(text));
    }
  }

  #queryString<E extends Endpoint>(endpoint: E, input: CallInput<E>): string {
    const entries = Object.entries(input.query ?? {}) as [string, string | number | undefined][];
    const params = new URLSearchParams();
    for (const [key, value] of entries) {
      if (value === undefined) continue;
      if (!endpoint.query.includes(key)) {
        throw new TypeError(`${endpointName(endpoint)} takes no query parameter ${key}`);
      }
      params.set(key, String(value));
    }
    const text = params.toString();
    return text === '' ? '' : `?${text}`;
  }

  #parse<E extends Endpoint>(endpoint: E, name: string, text: string): ResponseOf<E> {
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ProtocolError(this.host, name, undefined, 'malformed JSON');
      }
    }
    const parsed = endpoint.response.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ProtocolError(
        this.host,
        name,
        formatPath(first?.path ?? []),
        first ? describeIssue(first) : 'is invalid',
      );
    }
    return parsed.data as ResponseOf<E>;
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, this.#retry.baseDelayMs, this.#retry.maxDelayMs, this.#random);
  }

  #noteRateLimit(headers: Headers): void {
    const seen = readRateLimit(headers, this.#now());
    if (seen.remaining !== undefined) this.#rateRemaining = seen.remaining;
    if (seen.resetAt !== undefined) this.#rateResetAt = seen.resetAt;
  }

  /** When the last response said the quota is spent, wait for its reset before sending more. */
  async #waitForQuota(): Promise<void> {
    if (this.#rateRemaining !== 0 || this.#rateResetAt === undefined) return;
    const wait = this.#rateResetAt - this.#now();
    if (wait <= 0) return;
    if (wait > this.#maxWaitMs) {
      throw new RateLimitedError(this.host, new Date(this.#rateResetAt).toISOString());
    }
    await this.#sleep(wait);
    // Assume the window reopened; the next response's headers say otherwise if not.
    this.#rateRemaining = undefined;
  }

  /** Gitea's `APIError {message}`, redacted and shortened, for hints and rejections. */
  #serverMessage(text: string): string | undefined {
    let message: unknown;
    try {
      message = (JSON.parse(text) as { message?: unknown } | null)?.message;
    } catch {
      return undefined;
    }
    if (typeof message !== 'string' || message.trim() === '') return undefined;
    return redact(message.trim(), [this.#token]).slice(0, 300);
  }

  /** A copy of a low-level error that keeps its code and redacted message, nothing else. */
  #safeCause(err: unknown): Error {
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    const copy = new Error(redact(code ? `${code}: ${message}` : message, [this.#token]));
    copy.stack = copy.message;
    return copy;
  }
}
