import { readFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openSwitchboard } from '../../src/wiring.js';
import { eventually } from '../helpers/sandbox-client.js';
import { addReadyIssue, autoConfig, emptySandbox, markersOn, REPO, stateDirs } from '../helpers/switchboard-harness.js';

const dirs = stateDirs();
afterAll(() => dirs.cleanup());

/**
 * A proxy in front of the sandbox that holds the first comment POST for `holdMs` before passing
 * it on: a write that is on the wire when the operator stops switchboard.
 */
async function holdingProxy(target: string, holdMs: number) {
  const seen = { held: false, answeredAt: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hold = !seen.held && req.method === 'POST' && /\/comments$/.test(req.url ?? '');
      if (hold) seen.held = true;
      setTimeout(
        () => {
          const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            if (hold) up.on('end', () => (seen.answeredAt = Date.now()));
          });
          upstream.end(Buffer.concat(chunks));
        },
        hold ? holdMs : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

it('closing while a write is on the wire lets it finish and journals it, and starts no other write', async () => {
  const sandbox = await emptySandbox();
  const proxy = await holdingProxy(sandbox.url, 800);
  try {
    const n = addReadyIssue(sandbox);
    const sb = await openSwitchboard({
      connection: { url: proxy.url, token: sandbox.token, tokenSource: 'test', repos: [REPO] },
      config: autoConfig(),
      stateDir: await dirs.make(),
      env: {},
    });
    const cycle = sb.engine.runCycle();
    await eventually(() => (proxy.seen.held ? true : undefined), 10_000, 'the audit comment to be sent');
    await sb.close();
    const closedAt = Date.now();
    await cycle;

    // the held write was answered before close() returned, and it landed
    expect(proxy.seen.answeredAt).toBeGreaterThan(0);
    expect(proxy.seen.answeredAt).toBeLessThanOrEqual(closedAt);
    expect(markersOn(sandbox, n).map((m) => m.kind)).toEqual(['audit']);
    // no write after it: not assigned, not labelled
    expect(sandbox.store.issue(REPO, n)?.assignees).toEqual([]);
    const journal = (await readFile(join(sb.stateDir, 'journal.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: string });
    const writes = journal.filter((e) => e.type === 'writing' || e.type === 'write').map((e) => `${e.type} ${e.step}`);
    expect(writes).toEqual(['writing audit', 'write audit']);
  } finally {
    await proxy.close();
    await sandbox.close();
  }
});
