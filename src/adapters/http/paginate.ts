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

/**
 * Read every page of a `page`/`limit` list. With a total from the first page the remaining pages
 * are fetched concurrently (at most `concurrency` in flight) and assembled in order; without one
 * pages are followed one by one until a short page.
 */
export async function fetchAllPages<T>(
  fetchPage: (page: number) => Promise<Page<T>>,
  options: { readonly limit: number; readonly concurrency: number },
): Promise<Paged<T>> {
  const first = await fetchPage(1);
  const items = [...first.items];
  if (first.total !== undefined) {
    // A server capping `limit` below what we asked sends shorter pages: count pages by what came.
    const pageSize =
      first.items.length > 0 && first.items.length < options.limit && first.total > first.items.length
        ? first.items.length
        : options.limit;
    const pageCount = Math.ceil(first.total / pageSize);
    const rest = Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => i + 2);
    const pages = await mapBounded(rest, options.concurrency, (n) => fetchPage(n));
    for (const page of pages) items.push(...page.items);
    return { items, serverTime: first.serverTime };
  }
  let last = first;
  for (let n = 2; last.items.length >= options.limit && last.items.length > 0; n++) {
    last = await fetchPage(n);
    items.push(...last.items);
  }
  return { items, serverTime: first.serverTime };
}
