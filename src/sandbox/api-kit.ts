import type { z } from 'zod';
import { DEFAULT_PAGING_NUM } from './options.js';
import type { Reply } from './router.js';
import { formatTime } from './state.js';
import { StoreError } from './store-error.js';
import type { ViewContext } from './views.js';

/** What a handler gets besides its path parameters. */
export interface HandlerContext extends ViewContext {
  readonly query: URLSearchParams;
  /** the parsed JSON body; undefined when there was none */
  readonly body: unknown;
  /** the request URL made absolute on the server's URL (Gitea builds Link from ROOT_URL) */
  readonly requestUrl: URL;
  readonly pageCap: number;
  /** the login the request's token belongs to */
  readonly actor: string;
}

/** Gitea's APIError body. */
export const errorReply = (ctx: Pick<ViewContext, 'baseUrl'>, status: number, message: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { message, url: `${ctx.baseUrl}/api/swagger` },
  ...(headers ? { headers } : {}),
});

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** 403 from `ctx.Status(403)`: Gitea sends no body at all */
    readonly bodyless = false,
  ) {
    super(message);
  }
}

/** A moved repo or owner: Gitea answers with the new path (services/context/repo.go:398-421). */
export class RedirectError extends Error {
  constructor(
    readonly status: 301 | 307,
    readonly location: string,
  ) {
    super(`moved to ${location}`);
  }
}

const STORE_STATUS: Record<StoreError['kind'], number> = { 'not-found': 404, invalid: 422, precondition: 412, internal: 500, forbidden: 403 };

/** Map what a handler threw to Gitea's answer; anything else is a sandbox bug (500). */
export function replyForError(ctx: Pick<ViewContext, 'baseUrl'>, err: unknown): Reply {
  if (err instanceof HttpError) return err.bodyless ? { status: err.status } : errorReply(ctx, err.status, err.message);
  if (err instanceof RedirectError) return { status: err.status, headers: { Location: err.location } };
  if (err instanceof StoreError) return errorReply(ctx, STORE_STATUS[err.kind], err.message);
  return errorReply(ctx, 500, `sandbox error: ${err instanceof Error ? err.message : String(err)}`);
}

/** Validate a JSON body like Gitea's binding does: a wrong shape is 422. */
export function parseBody<T>(ctx: HandlerContext, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(ctx.body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new HttpError(422, `${field}: ${issue?.message ?? 'invalid'}`);
}

export interface Page {
  readonly page: number;
  readonly limit: number;
}

/** Gitea's ToCorrectPageSize: limit <= 0 → 30, limit > cap → cap; page < 1 → 1. */
export function pageOf(ctx: HandlerContext): Page {
  const int = (name: string): number => {
    const n = Number.parseInt(ctx.query.get(name) ?? '', 10);
    return Number.isFinite(n) ? n : 0;
  };
  const limit = int('limit');
  return {
    page: Math.max(1, int('page')),
    limit: limit <= 0 ? Math.min(DEFAULT_PAGING_NUM, ctx.pageCap) : Math.min(limit, ctx.pageCap),
  };
}

export const slicePage = <T>(items: readonly T[], p: Page): T[] => items.slice((p.page - 1) * p.limit, p.page * p.limit);

/**
 * X-Total-Count, and with `link` Gitea's Link header: next, last, first, prev, each the request
 * URL with `page` replaced (query keys sorted, as Go's url.Values.Encode writes them).
 */
export function listHeaders(ctx: HandlerContext, total: number, p: Page, link: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'X-Total-Count': String(total) };
  if (!link) return headers;
  const pages = total === 0 ? 1 : Math.ceil(total / p.limit);
  const current = Math.min(p.page, pages);
  const to = (page: number, rel: string): string => {
    const u = new URL(ctx.requestUrl);
    u.searchParams.set('page', String(page));
    u.searchParams.sort();
    return `<${u.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (current < pages) links.push(to(current + 1, 'next'), to(pages, 'last'));
  if (current > 1) links.push(to(1, 'first'), to(current - 1, 'prev'));
  if (links.length > 0) headers.Link = links.join(',');
  return headers;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i;

/**
 * A `since`/`before` query value as a timestamp string comparable with stored ones (Gitea keeps
 * whole seconds); undefined when absent; 422 when it is not RFC 3339.
 */
export function timeParam(ctx: HandlerContext, name: string): string | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const ms = RFC3339.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) throw new HttpError(422, `${name}: "${raw}" is not an RFC 3339 time`);
  return formatTime(new Date(Math.floor(ms / 1000) * 1000));
}

/** Keep what was updated in [since, before], both ends included as in Gitea. */
export function updatedWithin(ctx: HandlerContext): (item: { readonly updatedAt: string }) => boolean {
  const since = timeParam(ctx, 'since');
  const before = timeParam(ctx, 'before');
  return (item) => (since === undefined || item.updatedAt >= since) && (before === undefined || item.updatedAt <= before);
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});
