import type { ServerResponse } from 'node:http';
import { type LoopbackServer, json, loopbackServer } from './loopback-server.js';

/**
 * A forge that answers the issue list (and everything else) in a way meant to hold or swamp a
 * client. Plain Node http over loopback: nothing here is a real Gitea behaviour, it is the
 * opposite — what a broken or hostile server could do.
 *
 * - `endless-pages`: every page full, no X-Total-Count, for ever
 * - `huge-total`: a full first page and `X-Total-Count: 2000000000`
 * - `drip`: 200 and headers at once, then one byte of body every `dripMs`, on every request
 * - `huge-body`: a 300 MB JSON array streamed without Content-Length (chunked), with backpressure
 */
export type Hostility = 'endless-pages' | 'huge-total' | 'drip' | 'huge-body';

export interface HostileServer extends LoopbackServer {
  /** issue-list requests answered so far */
  readonly pagesServed: () => number;
  /** body bytes written by the huge-body answers so far */
  readonly bytesServed: () => number;
}

export const HUGE_BODY_BYTES = 300 * 1024 * 1024;

const issue = (n: number) => ({
  number: n,
  title: `Issue ${n}: something to do`,
  body: `Steps to reproduce and what is expected. `.repeat(5),
  state: 'open',
  labels: [{ id: 1, name: 'bug' }],
  assignees: [],
  user: { login: 'alice' },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-02T00:00:00Z',
  html_url: `http://forge.invalid/o/r/issues/${n}`,
});

const page = (pageNo: number, limit: number) => Array.from({ length: limit }, (_, i) => issue((pageNo - 1) * limit + i + 1));

function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('[');
  const timer = setInterval(() => res.write(' '), everyMs);
  res.on('close', () => clearInterval(timer));
}

function hugeBody(res: ServerResponse, served: { bytes: number }): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const one = JSON.stringify(issue(1));
  const chunk = Buffer.from(`${Array.from({ length: 64 }, () => one).join(',')},`);
  let closed = false;
  res.on('close', () => (closed = true));
  res.write('[');
  const pump = (): void => {
    while (!closed && served.bytes < HUGE_BODY_BYTES) {
      served.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!closed) res.end(`${one}]`);
  };
  pump();
}

export interface HostileOptions {
  /** drip: the gap between two body bytes */
  readonly dripMs?: number;
  /** drip: only the issue lists drip; /user and /settings/api answer at once */
  readonly dripIssuesOnly?: boolean;
}

export async function hostileServer(kind: Hostility, options: HostileOptions = {}): Promise<HostileServer> {
  let pages = 0;
  const served = { bytes: 0 };
  const server = await loopbackServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const issues = /\/repos\/[^/]+\/[^/]+\/issues$/.test(url.pathname);
    if (kind === 'drip' && (issues || !options.dripIssuesOnly)) return drip(res, options.dripMs ?? 2000);
    if (url.pathname.endsWith('/settings/api')) return json(res, 200, { max_response_items: 50 });
    if (url.pathname.endsWith('/user')) return json(res, 200, { login: 'switchboard-bot' });
    if (!issues) return json(res, 404, { message: 'not found' });
    pages += 1;
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const pageNo = Number(url.searchParams.get('page') ?? 1);
    switch (kind) {
      case 'endless-pages':
        return json(res, 200, page(pageNo, limit));
      case 'huge-total':
        res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': '2000000000' });
        return void res.end(JSON.stringify(page(pageNo, limit)));
      case 'huge-body':
        return hugeBody(res, served);
      case 'drip':
        return;
    }
  });
  return { ...server, pagesServed: () => pages, bytesServed: () => served.bytes };
}
