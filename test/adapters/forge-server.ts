import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  /** path below /api/v1, without the query */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Reply =
  | { status: number; json?: unknown; raw?: string; headers?: Record<string, string> }
  /** destroy the socket without answering */
  | 'reset';

export type Handler = (req: SeenRequest) => Reply | Promise<Reply>;

export interface TestForge {
  /** forge root; the API is at url + '/api/v1' */
  readonly url: string;
  readonly seen: SeenRequest[];
  /** requests seen matching "METHOD /path" (exact path) or a predicate */
  count(match: string | ((r: SeenRequest) => boolean)): number;
  /** the most requests that were ever being handled at the same time */
  readonly peakConcurrency: () => number;
  close(): Promise<void>;
}

/** A tiny Gitea-shaped server for one test: every request goes to `handler`. */
export async function startForge(handler: Handler): Promise<TestForge> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let active = 0;
  let peak = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      active += 1;
      peak = Math.max(peak, active);
      const url = new URL(req.url ?? '/', 'http://forge.test');
      const request: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/api\/v1/, ''),
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      Promise.resolve(handler(request))
        .then((reply) => {
          active -= 1;
          if (reply === 'reset') {
            req.socket.destroy();
            return;
          }
          const text = reply.raw ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
          res.writeHead(reply.status, {
            'content-type': 'application/json;charset=utf-8',
            ...reply.headers,
          });
          res.end(text);
        })
        .catch((err: unknown) => {
          active -= 1;
          res.writeHead(500);
          res.end(JSON.stringify({ message: String(err) }));
        });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    count: (match) =>
      seen.filter((r) => (typeof match === 'string' ? `${r.method} ${r.path}` === match : match(r))).length,
    peakConcurrency: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A raw Gitea issue as the list endpoint returns it. */
export function rawIssue(
  number: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 10_000 + number,
    number,
    title: `Issue ${number}`,
    body: `Body of ${number}`,
    state: 'open',
    user: { login: 'reporter', id: 7 },
    labels: [],
    assignees: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-02T00:00:00Z',
    html_url: `https://forge.test/acme/api/issues/${number}`,
    pull_request: null,
    ...overrides,
  };
}

/** Serve `/settings/api` with the given page cap; anything else goes to `rest`. */
export function withSettings(maxItems: number, rest: Handler): Handler {
  return (req) =>
    req.method === 'GET' && req.path === '/settings/api'
      ? { status: 200, json: { max_response_items: maxItems, default_paging_num: 30 } }
      : rest(req);
}

/** One page of `items` for a `page`/`limit` request. */
export function pageOf<T>(items: readonly T[], req: SeenRequest): T[] {
  const page = Number(req.query.get('page') ?? '1');
  const limit = Number(req.query.get('limit') ?? '30');
  return items.slice((page - 1) * limit, page * limit);
}

/** A sleep that records what it was asked and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
