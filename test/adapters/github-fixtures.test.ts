import { createRequire } from 'node:module';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubTracker, UNPACED } from '../../src/adapters/github/index.js';
import { json, type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

/**
 * Parsing held to recordings of the real api.github.com that no one here wrote:
 * @octokit/fixtures' normalized scenarios, replayed by a loopback server (its links pointed back
 * at it). Each recording is answered by method and path (plus `page`), as it was recorded.
 */

const require = createRequire(import.meta.url);

interface Recording {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly response: unknown;
  readonly headers: Record<string, string>;
}

const scenario = (name: string): Recording[] => require(`@octokit/fixtures/scenarios/api.github.com/${name}/normalized-fixture.json`) as Recording[];

const servers: LoopbackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Replay recordings; `rename` maps a path we ask for onto the recorded one. */
async function replay(recordings: readonly Recording[], rename: (path: string) => string = (p) => p): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  let base = '';
  const server = await loopbackServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    asked.push(`${req.method} ${u.pathname}${u.search}`);
    const path = rename(u.pathname);
    const page = u.searchParams.get('page');
    const hit = recordings.find((r) => {
      const rec = new URL(r.path, 'http://x');
      return r.method.toUpperCase() === req.method && rec.pathname === path && (rec.searchParams.get('page') ?? '1') === (page ?? '1');
    });
    if (!hit) return json(res, 404, { message: 'Not Found' });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    for (const name of ['link', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-limit', 'location', 'etag']) {
      const v = hit.headers[name];
      if (v !== undefined) headers[name] = v.replaceAll('https://api.github.com', base);
    }
    const body = hit.response === undefined || hit.response === '' ? '' : JSON.stringify(hit.response).replaceAll('https://api.github.com', base);
    res.writeHead(hit.status, headers).end(body);
  });
  servers.push(server);
  base = server.url;
  return { url: server.url, asked };
}

const tracker = (url: string) => createGithubTracker({ url, token: 'fixture-token', pacing: UNPACED, retryBaseMs: 5, attempts: 1 });

describe('GitHub adapter on recorded api.github.com responses (@octokit/fixtures)', () => {
  it('reads a paginated issue list by following its recorded link headers, pull requests dropped', async () => {
    const recordings = scenario('paginate-issues');
    const { url, asked } = await replay(recordings);
    const t = tracker(url);
    try {
      const { issues, requests } = await t.fetchBacklog('octokit-fixture-org/paginate-issues');
      const recorded = recordings.flatMap((r) => r.response as { number: number; pull_request?: unknown; state: string }[]);
      const expected = recorded.filter((i) => i.pull_request == null && i.state === 'open').map((i) => i.number);
      expect(issues.map((i) => i.number).sort((a, b) => a - b)).toEqual([...new Set(expected)].sort((a, b) => a - b));
      expect(requests).toBe(recordings.length);
      // pages after the first are exactly the recorded `rel="next"` URLs
      expect(asked.slice(1).every((a) => /page=\d/.test(a))).toBe(true);
      expect(issues[0]?.authorTrusted).toBeTypeOf('boolean');
      expect(t.rateLimit().remaining).toBeTypeOf('number');
    } finally {
      await t.close();
    }
  });

  it('reads recorded labels, colours with their #', async () => {
    const { url } = await replay(scenario('labels'));
    const t = tracker(url);
    try {
      const labels = await t.listLabels('octokit-fixture-org/labels');
      expect(labels.length).toBeGreaterThan(0);
      expect(labels.every((l) => /^#[0-9a-f]{6}$/i.test(l.color))).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("turns GitHub's recorded validation error into one sentence with the field", async () => {
    const { url } = await replay(scenario('errors'));
    const t = tracker(url);
    try {
      const created = (await t.api.write('POST /repos/{owner}/{repo}/labels', { owner: 'octokit-fixture-org', repo: 'errors', name: 'foo', color: 'invalid' }, z.unknown(), 'repo octokit-fixture-org/errors').then(() => new Error('accepted'), (e: unknown) => e)) as Error;
      expect(created.message).toBe('127.0.0.1 rejected POST /repos/{owner}/{repo}/labels with HTTP 422: Validation Failed (color invalid)'.replace('127.0.0.1', new URL(url).host));
    } finally {
      await t.close();
    }
  });

  it('reports a renamed repository (recorded 301) with its new name', async () => {
    const { url } = await replay(scenario('rename-repository'));
    const t = tracker(url);
    try {
      const err = (await t.repoPermissions('octokit-fixture-org/rename-repository').then(() => new Error('accepted'), (e: unknown) => e)) as Error;
      expect(err.message).toBe(`repository octokit-fixture-org/rename-repository was renamed or transferred on ${new URL(url).host} to octokit-fixture-org/rename-repository-newname: update repos`);
    } finally {
      await t.close();
    }
  });

  it('adds labels by name and reads the recorded answer', async () => {
    const recordings = scenario('add-labels-to-issue');
    const { url } = await replay([
      ...recordings,
      // the scenario has no label listing; an empty one makes the adapter create nothing first
      { method: 'get', path: '/repos/octokit-fixture-org/add-labels-to-issue/labels', status: 200, response: [], headers: {} },
      ...['Foo', 'bAr', 'baZ'].map((name) => ({ method: 'post', path: '/repos/octokit-fixture-org/add-labels-to-issue/labels', status: 201, response: { id: 1, name, color: 'ededed' }, headers: {} })),
    ]);
    const t = tracker(url);
    try {
      await expect(t.addLabels('octokit-fixture-org/add-labels-to-issue', 1, ['Foo', 'bAr', 'baZ'])).resolves.toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
