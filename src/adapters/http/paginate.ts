import { ListTooLongError } from '../errors.js';
import { mapBounded } from './limits.js';

export interface Page<T> {
  readonly items: readonly T[];
  /** the server's X-Total-Count, when it sent one we can trust */
  readonly total: number | undefined;
  readonly serverTime: number | undefined;
}

export interface Paged<T> {
  readonly items: T[];
  /** the server clock of the first page's response */
  readonly serverTime: number | undefined;
}

/** Enough for 100,000 issues in one repo (config `tracker.maxIssuesPerRepo`). */
export const DEFAULT_MAX_LIST_ITEMS = 100_000;

export interface PageOptions {
  /** the page size asked for */
  readonly limit: number;
  readonly concurrency: number;
  /** the most items one list may hold; past it the read stops with ListTooLongError */
  readonly maxItems?: number;
  /** what the list is, for that error: "the issues of repo acme/api" */
  readonly subject?: string;
  /** the setting that raises the cap, named in that error */
  readonly setting?: string;
}

/**
 * Read every page of a `page`/`limit` list. With a total from the first page the remaining pages
 * are fetched concurrently (at most `concurrency` in flight) and assembled in order; without one
 * pages are followed one by one until a short page.
 *
 * Bounded against a hostile server: a claimed total past `maxItems` fails before a page more is
 * asked for (nothing is allocated for it), and items are counted as pages arrive, so endless full
 * pages, or pages longer than asked for, stop at the cap.
 */
export async function fetchAllPages<T>(fetchPage: (page: number) => Promise<Page<T>>, options: PageOptions): Promise<Paged<T>> {
  const cap = options.maxItems ?? DEFAULT_MAX_LIST_ITEMS;
  let overflow: ListTooLongError | undefined;
  const tooLong = (claimed: number | undefined): ListTooLongError =>
    (overflow ??= new ListTooLongError(options.subject ?? 'a list', cap, claimed, options.setting ?? 'tracker.maxIssuesPerRepo'));
  let received = 0;
  const counted = async (n: number): Promise<Page<T>> => {
    // once over the cap, pages still queued in mapBounded end at once instead of being fetched
    if (overflow) throw overflow;
    const page = await fetchPage(n);
    received += page.items.length;
    if (received > cap) throw tooLong(undefined);
    return page;
  };

  const first = await counted(1);
  const items = [...first.items];
  if (first.total !== undefined) {
    if (first.total > cap) throw tooLong(first.total);
    // A server capping `limit` below what we asked sends shorter pages: count pages by what came.
    const pageSize =
      first.items.length > 0 && first.items.length < options.limit && first.total > first.items.length
        ? first.items.length
        : options.limit;
    const pageCount = Math.ceil(first.total / pageSize);
    const rest = Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => i + 2);
    const pages = await mapBounded(rest, options.concurrency, counted);
    for (const page of pages) items.push(...page.items);
    return { items, serverTime: first.serverTime };
  }
  let last = first;
  for (let n = 2; last.items.length >= options.limit && last.items.length > 0; n++) {
    last = await counted(n);
    items.push(...last.items);
  }
  return { items, serverTime: first.serverTime };
}
