import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/adapters/gitea/endpoints.js';
import { InterruptedError, ListTooLongError, ProtocolError, UnavailableError } from '../../src/adapters/errors.js';
import { fetchAllPages, HttpClient, type HttpClientOptions, type Page } from '../../src/adapters/http/index.js';
import { json, type LoopbackServer, loopbackServer, type Received } from '../helpers/loopback-server.js';

const TOKEN = 'tok_limits_0123456789abcdef';
const servers: LoopbackServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(answer: (req: Received, res: ServerResponse) => void): Promise<LoopbackServer> {
  const server = await loopbackServer(answer);
  servers.push(server);
  return server;
}

function client(server: LoopbackServer, options: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    origin: server.url,
    host: new URL(server.url).host,
    apiPath: '/api/v1',
    token: TOKEN,
    tokenSource: 'GITEA_TOKEN',
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    ...options,
  });
  clients.push(c);
  return c;
}

const listIssues = (c: HttpClient) => c.call(ENDPOINTS.listIssues, { params: { owner: 'o', repo: 'r' }, subject: 'repo o/r' });
const issue = (n: number) => ({ number: n, title: `t${n}` });

/** Headers at once, then a byte every `everyMs`, for ever. */
function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('[');
  const timer = setInterval(() => res.write(' '), everyMs);
  res.on('close', () => clearInterval(timer));
}

describe('pagination against a server that never stops', () => {
  const pageOf = (n: number, size: number, total?: number): Page<number> => ({
    items: Array.from({ length: size }, (_, i) => (n - 1) * size + i),
    total,
    serverTime: undefined,
  });

  it('a claimed total past the cap ends after the first page, naming the claim and the setting', async () => {
    const asked: number[] = [];
    const read = fetchAllPages(
      async (n) => {
        asked.push(n);
        return pageOf(n, 50, 2_000_000_000);
      },
      { limit: 50, concurrency: 4, maxItems: 1000, subject: 'the issues of repo o/r' },
    );
    await expect(read).rejects.toThrow(
      'the issues of repo o/r run past 1000 items (the server claims 2000000000), so switchboard stopped reading at its tracker.maxIssuesPerRepo limit',
    );
    expect(asked).toEqual([1]);
  });

  it('endless full pages without a total stop one page past the cap', async () => {
    let asked = 0;
    const read = fetchAllPages(
      async (n) => {
        asked += 1;
        return pageOf(n, 50);
      },
      { limit: 50, concurrency: 4, maxItems: 1000 },
    );
    await expect(read).rejects.toBeInstanceOf(ListTooLongError);
    await expect(read).rejects.toThrow(/kept sending full pages/);
    expect(asked).toBe(21);
  });

  it('pages longer than asked for, under a modest total, stop at the cap and the queued pages are not fetched', async () => {
    let asked = 0;
    const read = fetchAllPages(
      async (n) => {
        asked += 1;
        return pageOf(n, 400, 1000);
      },
      { limit: 50, concurrency: 2, maxItems: 1000 },
    );
    await expect(read).rejects.toBeInstanceOf(ListTooLongError);
    // 1000 / 50 = 20 pages were due; the third page of 400 crosses the cap and the rest end unasked
    expect(asked).toBeLessThanOrEqual(4);
  });

  it('a list exactly at the cap is read whole', async () => {
    const read = await fetchAllPages(async (n) => pageOf(n, 50, 1000), { limit: 50, concurrency: 4, maxItems: 1000 });
    expect(read.items).toHaveLength(1000);
    expect(read.items[999]).toBe(999);
  });
});

describe('one request has an overall deadline', () => {
  it('a body dripped a byte at a time is cut at the deadline, with one sentence, and not asked again', async () => {
    const server = await serve((_, res) => drip(res, 50));
    const started = Date.now();
    const err = await listIssues(client(server, { timeouts: { requestMs: 400 } })).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(
      `${new URL(server.url).host} unavailable: GET /repos/{owner}/{repo}/issues failed (no complete answer within 0.4 s, the tracker.requestTimeoutSeconds limit)`,
    );
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(3000);
    expect(server.received).toHaveLength(1);
  });

  it('a write cut at its deadline says it may have been applied', async () => {
    const server = await serve(() => undefined);
    const c = client(server, { timeouts: { requestMs: 300 } });
    const err = await c
      .call(ENDPOINTS.createComment, { params: { owner: 'o', repo: 'r', index: 1 }, body: { body: 'hi' }, subject: 'issue o/r#1' })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/within 0\.3 s, the tracker\.requestTimeoutSeconds limit; not retried because the request may have been applied/);
    expect(server.received).toHaveLength(1);
  });

  it('a quick answer is not affected', async () => {
    const server = await serve((_, res) => json(res, 200, [issue(1)]));
    const res = await listIssues(client(server, { timeouts: { requestMs: 400 } }));
    expect(res.data.map((i) => i.number)).toEqual([1]);
  });
});

describe('a response body has a size cap', () => {
  const CAP = 1024 * 1024;

  it('a streamed body past the cap is abandoned at the cap, not read to its end', async () => {
    let written = 0;
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.from(`${JSON.stringify(issue(1))},`.repeat(1000));
      let closed = false;
      res.on('close', () => (closed = true));
      res.write('[');
      const pump = (): void => {
        while (!closed && written < 200 * CAP) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!closed) res.end('{"number":1}]');
      };
      pump();
    });
    const err = await listIssues(client(server, { maxResponseBytes: CAP })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toBe(
      `GET /repos/{owner}/{repo}/issues on ${new URL(server.url).host} returned a body larger than 1 MB, the tracker.maxResponseMegabytes limit`,
    );
    await new Promise((r) => setTimeout(r, 100));
    // socket buffers hold a few MB at most: nowhere near the 200 MB on offer
    expect(written).toBeLessThan(20 * CAP);
    expect(server.received).toHaveLength(1);
  });

  it('a declared Content-Length past the cap fails before any of the body is read', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * CAP) });
      res.write('[');
    });
    const err = await listIssues(client(server, { maxResponseBytes: CAP })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/larger than 1 MB/);
  });

  it('a body at the cap is read', async () => {
    const body = JSON.stringify([{ ...issue(1), body: 'x'.repeat(CAP - 200) }]);
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const res = await listIssues(client(server, { maxResponseBytes: body.length }));
    expect(res.data[0]?.body).toHaveLength(CAP - 200);
  });
});

describe('a signal abandons reads, never writes', () => {
  it('a stuck read ends at once with InterruptedError, and later reads are not sent', async () => {
    const server = await serve((_, res) => drip(res, 1000));
    const stop = new AbortController();
    const c = client(server, { signal: stop.signal });
    const stuck = listIssues(c).catch((e: unknown) => e);
    while (server.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    stop.abort();
    const err = await stuck;
    expect(Date.now() - started).toBeLessThan(500);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toBe(`interrupted: stopped waiting for ${new URL(server.url).host} (GET /repos/{owner}/{repo}/issues)`);
    await expect(listIssues(c)).rejects.toBeInstanceOf(InterruptedError);
    expect(server.received).toHaveLength(1);
  });

  it('a write in flight when the signal comes finishes and returns what the server said', async () => {
    const server = await serve((_, res) => {
      setTimeout(() => json(res, 201, { id: 7, body: 'hi' }), 300);
    });
    const stop = new AbortController();
    const c = client(server, { signal: stop.signal });
    const write = c.call(ENDPOINTS.createComment, { params: { owner: 'o', repo: 'r', index: 1 }, body: { body: 'hi' }, subject: 'issue o/r#1' });
    while (server.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    expect((await write).data.id).toBe(7);
  });

  it('many reads at once on one signal: no listener-leak warning, and all of them end at the signal', async () => {
    const server = await serve((_, res) => drip(res, 1000));
    const stop = new AbortController();
    const c = client(server, { signal: stop.signal, connections: 32 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const reads = Array.from({ length: 30 }, () => listIssues(c).catch((e: unknown) => e));
      while (server.received.length < 30) await new Promise((r) => setTimeout(r, 10));
      stop.abort();
      const errors = await Promise.all(reads);
      expect(errors.every((e) => e instanceof InterruptedError)).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a retry wait of a read ends at the signal too', async () => {
    const server = await serve((_, res) => json(res, 503, { message: 'busy' }));
    const stop = new AbortController();
    const c = client(server, { signal: stop.signal, retry: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 0.99 });
    const read = listIssues(c).catch((e: unknown) => e);
    while (server.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await read).toBeInstanceOf(InterruptedError);
    expect(server.received).toHaveLength(1);
  });
});
