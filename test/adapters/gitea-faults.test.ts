import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  ForbiddenError,
  ProtocolError,
  RateLimitedError,
  UnavailableError,
} from '../../src/adapters/errors.js';
import { createGiteaTracker, type GiteaTracker, type GiteaTrackerOptions } from '../../src/adapters/gitea/index.js';
import {
  type Handler,
  pageOf,
  rawIssue,
  recordingSleep,
  type Reply,
  type SeenRequest,
  startForge,
  type TestForge,
  withSettings,
} from './forge-server.js';

const TOKEN = 'tok-5f2c9a71e0d84b36';
const open: { forge: TestForge; tracker: GiteaTracker }[] = [];

afterEach(async () => {
  for (const { forge, tracker } of open.splice(0)) {
    await tracker.close();
    await forge.close();
  }
});

async function setup(handler: Handler, options: Partial<GiteaTrackerOptions> = {}) {
  const forge = await startForge(handler);
  const tracker = createGiteaTracker({ url: forge.url, token: TOKEN, sleep: recordingSleep().sleep, ...options });
  open.push({ forge, tracker });
  return { forge, tracker };
}

/** A deterministic 0..1 value per string, so a fault plan does not depend on request order. */
function hashUnit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000;
}

/** 30% of requests fail: half with a 5xx, half with a reset connection; decided per request and try. */
function flaky(rest: Handler, faults = { count: 0 }): Handler {
  const tries = new Map<string, number>();
  return async (req) => {
    const key = `${req.method} ${req.path}?${req.query.toString()}#${req.body}`;
    const attempt = (tries.get(key) ?? 0) + 1;
    tries.set(key, attempt);
    const roll = hashUnit(`${key}/${attempt}`);
    const reply = await rest(req);
    // Writes fail *after* being applied, the case where sending again would duplicate them.
    if (roll >= 0.3) return reply;
    faults.count += 1;
    return roll < 0.15 ? { status: roll < 0.075 ? 502 : 503, json: { message: 'upstream hiccup' } } : 'reset';
  };
}

const ISSUES = Array.from({ length: 437 }, (_, i) => rawIssue(437 - i));

const REPOS = ['acme/api', 'acme/web', 'acme/cli', 'acme/docs', 'acme/infra'];

const listIssues: Handler = (req) =>
  REPOS.some((repo) => req.path === `/repos/${repo}/issues`)
    ? { status: 200, json: pageOf(ISSUES, req), headers: { 'x-total-count': String(ISSUES.length) } }
    : { status: 404, json: { message: 'not found' } };

describe('reads survive a flaky forge', () => {
  it('with 30% 5xx and resets full fetches return exactly the open issues, or UnavailableError after the budget', async () => {
    const faults = { count: 0 };
    const { forge, tracker } = await setup(withSettings(50, flaky(listIssues, faults)), { retry: { attempts: 4 } });
    const results = await Promise.all(REPOS.map((repo) => tracker.fetchBacklog(repo).catch((err: unknown) => err)));
    expect(faults.count).toBeGreaterThan(10);
    const tries = new Map<string, number>();
    for (const r of forge.seen) tries.set(`${r.path}?${r.query}`, (tries.get(`${r.path}?${r.query}`) ?? 0) + 1);
    for (const result of results) {
      if (result instanceof Error) {
        expect(result).toBeInstanceOf(UnavailableError);
        expect(Math.max(...tries.values())).toBe(4);
      } else {
        expect((result as { issues: { number: number }[] }).issues.map((i) => i.number)).toEqual(
          ISSUES.map((i) => i.number),
        );
      }
    }
  });

  it('a read that keeps failing gives UnavailableError naming host and endpoint after 4 attempts', async () => {
    const { forge, tracker } = await setup(withSettings(50, () => ({ status: 503, json: { message: 'down' } })));
    const err = await tracker.getIssue('acme/api', 7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toBe(
      `${new URL(forge.url).host} unavailable: GET /repos/{owner}/{repo}/issues/{index} failed (HTTP 503 after 4 attempts)`,
    );
    expect(forge.count('GET /repos/acme/api/issues/7')).toBe(4);
  });

  it('waits between retries with full-jitter exponential backoff', async () => {
    const { sleep, waits } = recordingSleep();
    const { tracker } = await setup(() => 'reset', {
      sleep,
      random: () => 0.5,
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 },
    });
    await expect(tracker.currentUser()).rejects.toBeInstanceOf(UnavailableError);
    expect(waits).toEqual([50, 100, 150]);
  });
});

describe('writes are never sent twice', () => {
  it('under 30% faults no POST reaches the server twice, and each call settles', async () => {
    let nextId = 1;
    const labels = [{ id: 1, name: 'bug', color: 'ee0701' }];
    const applied: Handler = (req) => {
      if (req.method === 'POST' && req.path === '/repos/acme/api/labels') {
        const { name, color } = JSON.parse(req.body) as { name: string; color: string };
        const label = { id: 100 + nextId++, name, color: color.replace('#', '') };
        labels.push(label);
        return { status: 201, json: label };
      }
      if (req.method === 'GET' && req.path === '/repos/acme/api/labels') return { status: 200, json: labels };
      if (req.method === 'POST' && req.path.endsWith('/comments')) {
        return { status: 201, json: { id: nextId++, body: JSON.parse(req.body).body, user: { login: 'bot' } } };
      }
      if (req.method === 'POST' && req.path.endsWith('/labels')) return { status: 200, json: labels };
      if (req.method === 'POST' && req.path === '/repos/acme/api/issues') {
        return { status: 201, json: rawIssue(900 + nextId++, { title: JSON.parse(req.body).title }) };
      }
      return { status: 404, json: {} };
    };
    const { forge, tracker } = await setup(withSettings(50, flaky(applied)));
    const calls: Promise<unknown>[] = [];
    for (let n = 1; n <= 30; n++) calls.push(tracker.postComment('acme/api', n, `audit ${n}`));
    for (let n = 1; n <= 10; n++) calls.push(tracker.createIssue('acme/api', `new ${n}`, ''));
    for (let n = 1; n <= 10; n++) calls.push(tracker.addLabels('acme/api', n, ['bug', `area-${n % 3}`]));
    const outcomes = await Promise.allSettled(calls);

    const posts = forge.seen.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.body}`);
    expect(posts.length).toBeGreaterThan(40);
    expect(new Set(posts).size).toBe(posts.length);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(UnavailableError);
    }
    expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
  });
});

describe('a rejected token', () => {
  it('401 gives AuthError with the clear sentence and no token anywhere in the error', async () => {
    const forge = await startForge((req: SeenRequest): Reply => ({
      status: 401,
      json: { message: `invalid token ${String(req.headers.authorization)}`, url: 'x' },
    }));
    const tracker = createGiteaTracker({
      url: forge.url.replace('http://', 'http://admin:hunter2secret@'),
      token: TOKEN,
    });
    open.push({ forge, tracker });
    const host = new URL(forge.url).host;

    const err = await tracker.currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    expect(e.message).toBe(`token rejected by ${host}: check GITEA_TOKEN`);
    expect(tracker.displayName).toBe(host);
    for (const text of [JSON.stringify(e), e.message, String(e.stack), String(e.cause), String(e.hint)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('hunter2secret');
    }
    expect(forge.seen[0]?.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it('a 403 for a missing scope is not "token rejected": it names the scope, the action and the host', async () => {
    const { tracker, forge } = await setup(() => ({
      status: 403,
      json: { message: 'token does not have at least one of required scope(s), required=[read:issue], token scope=read:user' },
    }));
    const err = await tracker.listComments('acme/api', 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toBe(`the token may not read the comments of issue acme/api#3: it lacks the read:issue scope; create a token with it for ${new URL(forge.url).host}`);
  });

  it('a 403 for a prohibited account is "token rejected"', async () => {
    const { tracker } = await setup(() => ({
      status: 403,
      json: { message: 'This account is prohibited from signing in, please contact your site administrator.' },
    }));
    const err = await tracker.listComments('acme/api', 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).hint).toContain('prohibited');
  });

  it('a network failure does not leak the token through its cause', async () => {
    const forge = await startForge(() => ({ status: 200 }));
    const url = forge.url;
    await forge.close(); // nothing listens there now
    const tracker = createGiteaTracker({ url, token: TOKEN, sleep: recordingSleep().sleep });
    open.push({ forge: { ...forge, close: async () => undefined }, tracker });
    const err = await tracker.currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('ECONNREFUSED after 4 attempts');
    for (const text of [JSON.stringify(err), String((err as Error).stack), String((err as Error).cause)]) {
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe('an unexpected body', () => {
  it('malformed JSON gives ProtocolError naming the endpoint', async () => {
    const { tracker } = await setup(withSettings(50, () => ({ status: 200, raw: '[{"number": 1,' })));
    const err = await tracker.fetchBacklog('acme/api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain('GET /repos/{owner}/{repo}/issues');
    expect((err as Error).message).toContain('malformed JSON');
  });

  it('a field of the wrong type gives ProtocolError naming the endpoint and the field', async () => {
    const page = [rawIssue(5), rawIssue(4), rawIssue(3), rawIssue(2, { number: '2' }), rawIssue(1)];
    const { tracker } = await setup(withSettings(50, () => ({ status: 200, json: page })));
    const err = await tracker.fetchBacklog('acme/api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toBe(
      'GET /repos/{owner}/{repo}/issues returned an unexpected body: [3].number should be number',
    );
  });

  it('a value outside what we understand names the field and the accepted values', async () => {
    const { tracker } = await setup(() => ({ status: 200, json: { permission: 'superuser' } }));
    await expect(tracker.permission('acme/api', 'alice')).rejects.toThrow(
      'GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission returned an unexpected body: permission should be one of',
    );
  });
});

describe('rate limits', () => {
  it('429 with Retry-After: 2 waits about two seconds, then succeeds', async () => {
    let calls = 0;
    const forge = await startForge(() =>
      ++calls === 1
        ? { status: 429, json: { message: 'slow down' }, headers: { 'retry-after': '2' } }
        : { status: 200, json: { login: 'switchboard-bot' } },
    );
    const tracker = createGiteaTracker({ url: forge.url, token: TOKEN }); // the real clock and sleep
    open.push({ forge, tracker });
    const started = performance.now();
    await expect(tracker.currentUser()).resolves.toBe('switchboard-bot');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_800);
    expect(forge.count('GET /user')).toBe(2);
  });

  it('Retry-After as an HTTP date is measured against the server clock', async () => {
    const { sleep, waits } = recordingSleep();
    let calls = 0;
    const { tracker } = await setup(
      () =>
        ++calls === 1
          ? {
              status: 429,
              headers: { date: 'Wed, 01 Jan 2031 00:00:00 GMT', 'retry-after': 'Wed, 01 Jan 2031 00:00:05 GMT' },
            }
          : { status: 200, json: { login: 'bot' } },
      { sleep },
    );
    await tracker.currentUser();
    expect(waits).toEqual([5_000]);
  });

  it('a wait beyond the cap throws RateLimitedError with the retry time instead of waiting', async () => {
    const { sleep, waits } = recordingSleep();
    const now = Date.parse('2026-03-01T12:00:00Z');
    const { tracker } = await setup(
      () => ({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) } }),
      { sleep, now: () => now },
    );
    const err = await tracker.currentUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAt).toBe('2026-03-01T12:10:00.000Z');
    expect(waits).toEqual([]);
    expect(tracker.rateLimit()).toEqual({ remaining: 0, resetAt: '2026-03-01T12:10:00.000Z' });
  });

  it('a POST that is rate limited is handed back, not sent again', async () => {
    const { forge, tracker } = await setup(() => ({ status: 429, headers: { 'retry-after': '1' } }));
    await expect(tracker.postComment('acme/api', 1, 'hello')).rejects.toBeInstanceOf(RateLimitedError);
    expect(forge.count('POST /repos/acme/api/issues/1/comments')).toBe(1);
  });
});

describe('bounded concurrency', () => {
  const slow =
    (ms: number, rest: Handler): Handler =>
    async (req) => {
      await new Promise((r) => setTimeout(r, ms));
      return rest(req);
    };

  it('a 20-page fetch keeps at most 4 page requests in flight', async () => {
    const issues = Array.from({ length: 1_000 }, (_, i) => rawIssue(1_000 - i));
    const { forge, tracker } = await setup(
      withSettings(
        50,
        slow(25, (req) => ({ status: 200, json: pageOf(issues, req), headers: { 'x-total-count': '1000' } })),
      ),
    );
    const fetched = await tracker.fetchBacklog('acme/api');
    expect(fetched.issues).toHaveLength(1_000);
    expect(forge.peakConcurrency()).toBe(4);
  });

  it('twelve repos fetched together keep at most 3 repos (of one page each) in flight with repoConcurrency 3', async () => {
    const { forge, tracker } = await setup(
      withSettings(
        50,
        slow(25, (req) => ({ status: 200, json: pageOf([rawIssue(1)], req), headers: { 'x-total-count': '1' } })),
      ),
      { repoConcurrency: 3 },
    );
    const repos = Array.from({ length: 12 }, (_, i) => `acme/r${i}`);
    const fetched = await Promise.all(repos.map((repo) => tracker.fetchBacklog(repo)));
    expect(fetched.map((f) => f.issues.length)).toEqual(repos.map(() => 1));
    expect(forge.peakConcurrency()).toBe(3);
  });

  it('at most 4 writes are in flight however many are started', async () => {
    const { forge, tracker } = await setup(
      slow(25, (req) => ({ status: 201, json: { id: 1, body: JSON.parse(req.body).body } })),
    );
    await Promise.all(Array.from({ length: 12 }, (_, n) => tracker.postComment('acme/api', n + 1, 'x')));
    expect(forge.count((r) => r.method === 'POST')).toBe(12);
    expect(forge.peakConcurrency()).toBe(4);
  });
});
