import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../api-kit.js';
import { createRouter, type Reply } from '../router.js';
import { StoreError } from '../store-error.js';
import { GITHUB_ROUTES, githubError } from './routes.js';
import { etagOf } from './views.js';

/**
 * What makes the sandbox answer like api.github.com around the routes: the primary rate limit
 * and its headers, ETags and 304s, GitHub's error bodies, and its secondary-limit answer.
 * Sources: docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api [D3] and
 * best-practices-for-using-the-rest-api [D2] (github/docs content/rest/using-the-rest-api/*.md).
 */

export const githubRouter = createRouter(GITHUB_ROUTES);

/** An authenticated user's primary limit: 5,000 an hour [D3]. */
export const GITHUB_HOURLY_LIMIT = 5000;

export class GithubDialect {
  #used = 0;
  #windowStart: number;
  readonly #limit: number;
  readonly #now: () => number;
  /** 304s answered (bench, tests) */
  notModified = 0;

  constructor(options: { limit?: number; now: () => number }) {
    this.#limit = options.limit ?? GITHUB_HOURLY_LIMIT;
    this.#now = options.now;
    this.#windowStart = options.now();
  }

  /** The quota headers on every response [D3]: limit, remaining, used, reset (epoch s), resource. */
  #rateHeaders(): Record<string, string> {
    this.#roll();
    return {
      'x-ratelimit-limit': String(this.#limit),
      'x-ratelimit-remaining': String(Math.max(0, this.#limit - this.#used)),
      'x-ratelimit-used': String(this.#used),
      'x-ratelimit-reset': String(Math.ceil((this.#windowStart + 3_600_000) / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  #roll(): void {
    if (this.#now() >= this.#windowStart + 3_600_000) {
      this.#windowStart = this.#now();
      this.#used = 0;
    }
  }

  /** Spent quota: 403 with `x-ratelimit-remaining: 0` [D3]; undefined while requests are left. */
  exhausted(): Reply | undefined {
    this.#roll();
    if (this.#used < this.#limit) return undefined;
    return githubError(403, 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.', this.#rateHeaders());
  }

  /** GET /rate_limit: "does not count against your primary rate limit" [D3]. */
  rateLimitReply(): Reply {
    this.#roll();
    const core = { limit: this.#limit, used: this.#used, remaining: Math.max(0, this.#limit - this.#used), reset: Math.ceil((this.#windowStart + 3_600_000) / 1000) };
    const other = { limit: 30, used: 0, remaining: 30, reset: core.reset };
    return { status: 200, body: { resources: { core, search: other, graphql: { ...core }, code_search: { ...other, limit: 10, remaining: 10 } }, rate: core } };
  }

  /** A secondary limit: 403 with `retry-after` and GitHub's message [D3]. */
  secondaryLimit(retryAfterSeconds: number): Reply {
    return githubError(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { 'retry-after': String(retryAfterSeconds) });
  }

  error(status: number, message: string, headers?: Record<string, string>): Reply {
    return githubError(status, status === 401 ? 'Bad credentials' : message, headers);
  }

  /** HttpError / StoreError from handlers as GitHub's answer; anything else is a sandbox bug (500). */
  replyForError(err: unknown): Reply {
    if (err instanceof HttpError) return githubError(err.status, err.message);
    if (err instanceof StoreError) {
      if (err.kind === 'not-found') return githubError(404, 'Not Found');
      return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'invalid', message: err.message }], documentation_url: 'https://docs.github.com/rest', status: '422' } };
    }
    return githubError(500, `sandbox error: ${err instanceof Error ? err.message : String(err)}`);
  }

  /**
   * Send with GitHub's headers. A GET answer carries an ETag of its body; a request whose
   * `If-None-Match` names it gets 304 with no body, which does not count against the limit [D2].
   */
  send(req: IncomingMessage, res: ServerResponse, reply: Reply & { readonly truncate?: boolean }, authenticated: boolean): void {
    const headers: Record<string, string> = {
      'cache-control': 'private, max-age=60, s-maxage=60',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `SBX:${Math.floor(this.#now()).toString(16)}`,
      'x-content-type-options': 'nosniff',
      date: new Date(this.#now()).toUTCString(),
    };
    let text = reply.body === undefined ? undefined : JSON.stringify(reply.body);
    const etag = req.method === 'GET' && reply.status === 200 && text !== undefined ? etagOf(text) : undefined;
    const weak = (tag: string): string => tag.trim().replace(/^W\//, '');
    const conditional = req.headers['if-none-match'];
    const unchanged = etag !== undefined && typeof conditional === 'string' && conditional.split(',').some((t) => weak(t) === weak(etag) || t.trim() === '*');
    if (authenticated && !unchanged && !req.url?.startsWith('/rate_limit')) this.#used++;
    if (authenticated) Object.assign(headers, this.#rateHeaders());
    for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
    if (etag) headers.etag = etag;
    if (unchanged) {
      this.notModified++;
      res.writeHead(304, headers).end();
      return;
    }
    if (text === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    if (reply.truncate) text = text.slice(0, Math.floor(text.length / 2));
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers).end(text);
  }
}
