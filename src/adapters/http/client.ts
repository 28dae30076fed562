import { Pool } from 'undici';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  AuthError,
  InterruptedError,
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
  /**
   * the whole exchange, connect to last body byte: a server dripping a byte every few seconds
   * passes the two above but not this one (config `tracker.requestTimeoutSeconds`)
   */
  readonly requestMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, requestMs: 15_000 };

/** The largest response body read (config `tracker.maxResponseMegabytes`); a page of 50 issues is ~0.1-3 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

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
  /** a body longer than this is abandoned with ProtocolError, never buffered past it */
  readonly maxResponseBytes?: number;
  /**
   * Abandons reads: when it aborts, GETs in flight are aborted and later ones fail at once with
   * InterruptedError. Writes ignore it: one already sent finishes, so its outcome is known.
   */
  readonly signal?: AbortSignal;
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

const megabytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** Why an exchange was cut short by us rather than failed by the network. */
type Cut = 'deadline' | 'interrupted';

interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

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
  readonly #requestMs: number;
  readonly #maxBodyBytes: number;
  readonly #signal: AbortSignal | undefined;
  /** what to do when the signal aborts, per read in flight or waiting: one listener on the signal, not one per read */
  readonly #onInterrupt = new Set<() => void>();
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
    this.#requestMs = timeouts.requestMs;
    this.#maxBodyBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', () => {
      for (const interrupt of [...this.#onInterrupt]) interrupt();
    }, { once: true });
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

    const read = endpoint.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      await this.#waitForQuota(read, name);
      if (read && this.#signal?.aborted) throw new InterruptedError(this.host, name);
      const last = attempt >= this.#retry.attempts;
      let status: number;
      let headers: Headers;
      let text: string;
      if (input.counter) input.counter.requests += 1;
      const cut = new AbortController();
      let why: Cut | undefined;
      const stop = (reason: Cut) => () => {
        why ??= reason;
        cut.abort();
      };
      const deadline = setTimeout(stop('deadline'), this.#requestMs);
      const interrupt = stop('interrupted');
      if (read) this.#onInterrupt.add(interrupt);
      try {
        ({ status, headers, text } = await this.#exchange(name, {
          path,
          method: endpoint.method,
          headers: requestHeaders,
          signal: cut.signal,
          ...(payload === undefined ? {} : { body: payload }),
        }));
      } catch (err) {
        if (why === 'interrupted') throw new InterruptedError(this.host, name);
        // Not retried: a server that held one attempt this long would hold the next as well.
        if (why === 'deadline') {
          throw new UnavailableError(
            this.host,
            name,
            `no complete answer within ${seconds(this.#requestMs)}, the tracker.requestTimeoutSeconds limit` +
              (read ? '' : `; ${NOT_RESENT}`),
          );
        }
        if (err instanceof ProtocolError) throw err;
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
        await this.#pause(this.#backoff(attempt), read, name);
        continue;
      } finally {
        clearTimeout(deadline);
        this.#onInterrupt.delete(interrupt);
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
        await this.#pause(wait, read, name);
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
        await this.#pause(asked !== undefined && asked <= this.#maxWaitMs ? asked : this.#backoff(attempt), read, name);
        continue;
      }
      throw new RejectedError(this.host, name, status, this.#serverMessage(text));
    }
  }

  /**
   * One request and its whole body, read as a stream and counted: a body past the cap is
   * abandoned (the socket closed) at the cap, never buffered whole.
   */
  async #exchange(name: string, request: Parameters<Pool['request']>[0]): Promise<Exchange> {
    const res = await this.#pool.request(request);
    const body = res.body as Readable & AsyncIterable<Buffer>;
    const tooLarge = (): ProtocolError => {
      body.destroy();
      return new ProtocolError(
        this.host,
        name,
        undefined,
        `a body larger than ${megabytes(this.#maxBodyBytes)}, the tracker.maxResponseMegabytes limit`,
      );
    };
    const declared = nonNegativeInt(header(res.headers, 'content-length'));
    if (declared !== undefined && declared > this.#maxBodyBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.#maxBodyBytes) throw tooLarge();
      chunks.push(chunk);
    }
    return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks, size).toString('utf8') };
  }

  /** A wait between attempts; for a read it ends early, with InterruptedError, when the signal aborts. */
  async #pause(ms: number, read: boolean, name: string): Promise<void> {
    const signal = read ? this.#signal : undefined;
    if (!signal) return this.#sleep(ms);
    if (signal.aborted) throw new InterruptedError(this.host, name);
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new InterruptedError(this.host, name));
      this.#onInterrupt.add(onAbort);
    });
    try {
      await Promise.race([this.#sleep(ms), aborted]);
    } finally {
      this.#onInterrupt.delete(onAbort);
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
  async #waitForQuota(read: boolean, name: string): Promise<void> {
    if (this.#rateRemaining !== 0 || this.#rateResetAt === undefined) return;
    const wait = this.#rateResetAt - this.#now();
    if (wait <= 0) return;
    if (wait > this.#maxWaitMs) {
      throw new RateLimitedError(this.host, new Date(this.#rateResetAt).toISOString());
    }
    await this.#pause(wait, read, name);
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
