import { afterEach, describe, expect, it } from 'vitest';
import { createGiteaTracker, type GiteaTracker, type GiteaTrackerOptions } from '../../src/adapters/gitea/index.js';
import { type Handler, pageOf, rawIssue, type SeenRequest, startForge, type TestForge } from './forge-server.js';

const open: { forge: TestForge; tracker: GiteaTracker }[] = [];

afterEach(async () => {
  for (const { forge, tracker } of open.splice(0)) {
    await tracker.close();
    await forge.close();
  }
});

/**
 * A small stateful Gitea: one repo's issues, its own clock (sent as `Date`), `state`, `type` and
 * `since` filtering, newest-created first, and a page cap like MaxResponseItems.
 */
class IssueStore {
  clock = Date.parse('2031-05-04T10:00:00Z');
  readonly issues = new Map<number, Record<string, unknown>>();
  constructor(
    count: number,
    readonly options: { cap: number; totalHeader: boolean; settings?: boolean },
  ) {
    for (let n = 1; n <= count; n++) this.issues.set(n, rawIssue(n, { updated_at: '2031-01-01T00:00:00Z' }));
  }

  stamp(): string {
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }

  edit(number: number, changes: Record<string, unknown>): void {
    this.issues.set(number, { ...this.issues.get(number), ...changes, updated_at: this.stamp() });
  }

  add(number: number, changes: Record<string, unknown> = {}): void {
    this.issues.set(number, rawIssue(number, { created_at: this.stamp(), updated_at: this.stamp(), ...changes }));
  }

  handler: Handler = (req: SeenRequest) => {
    const headers: Record<string, string> = { date: new Date(this.clock).toUTCString() };
    if (req.path === '/settings/api') {
      return this.options.settings === false
        ? { status: 500, json: { message: 'no' }, headers }
        : { status: 200, json: { max_response_items: this.options.cap }, headers };
    }
    if (req.path !== '/repos/acme/api/issues') return { status: 404, json: {}, headers };
    const state = req.query.get('state') ?? 'open';
    const since = req.query.get('since');
    const matching = [...this.issues.values()]
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => req.query.get('type') !== 'issues' || i.pull_request == null)
      .filter((i) => since === null || Date.parse(String(i.updated_at)) >= Date.parse(since))
      .sort((a, b) => Number(b.number) - Number(a.number));
    const limit = Math.min(Number(req.query.get('limit') ?? 30), this.options.cap);
    const page = Number(req.query.get('page') ?? 1);
    if (this.options.totalHeader) headers['x-total-count'] = String(matching.length);
    return { status: 200, json: matching.slice((page - 1) * limit, page * limit), headers };
  };
}

async function setup(store: IssueStore, options: Partial<GiteaTrackerOptions> = {}) {
  const forge = await startForge(store.handler);
  const tracker = createGiteaTracker({ url: forge.url, token: 'tok-backlog-test', ...options });
  open.push({ forge, tracker });
  return { forge, tracker };
}

const issuePages = (forge: TestForge) =>
  forge.seen.filter((r) => r.path === '/repos/acme/api/issues').map((r) => Number(r.query.get('page')));

describe('pagination', () => {
  it('with X-Total-Count every page is read once and assembled newest first', async () => {
    const store = new IssueStore(237, { cap: 50, totalHeader: true });
    const { forge, tracker } = await setup(store);
    const fetched = await tracker.fetchBacklog('acme/api');
    expect(fetched.issues.map((i) => i.number)).toEqual(Array.from({ length: 237 }, (_, i) => 237 - i));
    expect(fetched.mode).toBe('full');
    expect(fetched.requests).toBe(1 + 5); // settings + 5 pages
    expect(issuePages(forge).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(forge.seen.every((r) => r.path !== '/repos/acme/api/issues' || r.query.get('limit') === '50')).toBe(true);
    expect(forge.seen[1]?.query.get('state')).toBe('open');
    expect(forge.seen[1]?.query.get('type')).toBe('issues');
  });

  it('without X-Total-Count pages are followed until a short page', async () => {
    const store = new IssueStore(120, { cap: 50, totalHeader: false });
    const { forge, tracker } = await setup(store);
    const fetched = await tracker.fetchBacklog('acme/api');
    expect(fetched.issues).toHaveLength(120);
    expect(issuePages(forge)).toEqual([1, 2, 3]);
  });

  it('without X-Total-Count an exact multiple of the page size costs one empty page', async () => {
    const store = new IssueStore(100, { cap: 50, totalHeader: false });
    const { forge, tracker } = await setup(store);
    expect((await tracker.fetchBacklog('acme/api')).issues).toHaveLength(100);
    expect(issuePages(forge)).toEqual([1, 2, 3]);
  });

  it('uses the server page cap from /settings/api as the page size', async () => {
    const store = new IssueStore(70, { cap: 20, totalHeader: true });
    const { forge, tracker } = await setup(store);
    expect((await tracker.fetchBacklog('acme/api')).issues).toHaveLength(70);
    expect(issuePages(forge).sort()).toEqual([1, 2, 3, 4]);
    expect(forge.count('GET /settings/api')).toBe(1);
    await tracker.fetchBacklog('acme/api', { full: true });
    expect(forge.count('GET /settings/api')).toBe(1); // read once per tracker
  });

  it('when the settings cannot be read, pages of 50 still get everything from a server capping lower', async () => {
    const store = new IssueStore(95, { cap: 30, totalHeader: true, settings: false });
    const { forge, tracker } = await setup(store, { retry: { attempts: 1 } });
    expect((await tracker.fetchBacklog('acme/api')).issues).toHaveLength(95);
    expect(issuePages(forge).sort()).toEqual([1, 2, 3, 4]);
  });

  it('pull requests never enter the backlog', async () => {
    const store = new IssueStore(3, { cap: 50, totalHeader: true });
    store.add(4, { pull_request: { merged: false } });
    const { tracker } = await setup(store);
    expect((await tracker.fetchBacklog('acme/api')).issues.map((i) => i.number)).toEqual([3, 2, 1]);
  });
});

describe('incremental refresh', () => {
  it('a steady cycle with nothing changed costs one request and returns the same backlog', async () => {
    const store = new IssueStore(180, { cap: 50, totalHeader: true });
    const { forge, tracker } = await setup(store);
    const first = await tracker.fetchBacklog('acme/api');
    store.clock += 30_000;
    forge.seen.length = 0;
    const second = await tracker.fetchBacklog('acme/api');
    expect(second.mode).toBe('incremental');
    expect(second.requests).toBe(1);
    expect(forge.seen).toHaveLength(1);
    expect(second.issues).toEqual(first.issues);
  });

  it('asks for everything updated since the server time of the last fetch minus a minute', async () => {
    const store = new IssueStore(10, { cap: 50, totalHeader: true });
    // The local clock is years behind the server's: only the server's `Date` may count.
    const { forge, tracker } = await setup(store, { now: () => Date.parse('2020-01-01T00:00:00Z') });
    await tracker.fetchBacklog('acme/api');
    store.clock += 45_000;
    await tracker.fetchBacklog('acme/api');
    const last = forge.seen.at(-1);
    expect(last?.query.get('since')).toBe('2031-05-04T09:59:00Z');
    expect(last?.query.get('state')).toBe('all');
    expect(last?.query.get('type')).toBe('issues');
  });

  it('sees an edit, a new issue and a close, and the closed issue leaves the backlog', async () => {
    const store = new IssueStore(60, { cap: 50, totalHeader: true });
    const { tracker } = await setup(store);
    await tracker.fetchBacklog('acme/api');
    store.clock += 120_000;
    store.edit(12, { title: 'Login fails on empty password' });
    store.edit(30, { state: 'closed' });
    store.add(61, { title: 'A new one' });
    const next = await tracker.fetchBacklog('acme/api');
    expect(next.mode).toBe('incremental');
    expect(next.requests).toBe(1);
    const numbers = next.issues.map((i) => i.number);
    expect(numbers).toHaveLength(60);
    expect(numbers[0]).toBe(61);
    expect(numbers).not.toContain(30);
    expect(next.issues.find((i) => i.number === 12)?.title).toBe('Login fails on empty password');
  });

  it('a change just before the last fetch answered is still picked up (the overlap)', async () => {
    const store = new IssueStore(5, { cap: 50, totalHeader: true });
    const { tracker } = await setup(store);
    const stale = { ...store.issues.get(2) };
    await tracker.fetchBacklog('acme/api');
    // Written 20 s before our read answered, but committed too late to be in it.
    store.issues.set(2, { ...stale, title: 'late commit', updated_at: new Date(store.clock - 20_000).toISOString() });
    store.clock += 60_000;
    const next = await tracker.fetchBacklog('acme/api');
    expect(next.issues.find((i) => i.number === 2)?.title).toBe('late commit');
  });

  it('{ full: true } reads every page again and drops what incremental fetches cannot see', async () => {
    const store = new IssueStore(75, { cap: 50, totalHeader: true });
    const { tracker } = await setup(store);
    await tracker.fetchBacklog('acme/api');
    store.issues.delete(40); // deleted issues never show up in `since` results
    store.clock += 60_000;
    expect((await tracker.fetchBacklog('acme/api')).issues.map((i) => i.number)).toContain(40);
    const full = await tracker.fetchBacklog('acme/api', { full: true });
    expect(full.mode).toBe('full');
    expect(full.requests).toBe(2);
    expect(full.issues.map((i) => i.number)).not.toContain(40);
  });

  it('two fetches of one repo at once do not interleave: the second is incremental on the first', async () => {
    const store = new IssueStore(30, { cap: 50, totalHeader: true });
    const { tracker } = await setup(store);
    const [a, b] = await Promise.all([tracker.fetchBacklog('acme/api'), tracker.fetchBacklog('acme/api')]);
    expect(a.mode).toBe('full');
    expect(b.mode).toBe('incremental');
    expect(b.issues).toEqual(a.issues);
  });

  it('a failed incremental fetch leaves the last backlog to build on', async () => {
    const store = new IssueStore(8, { cap: 50, totalHeader: true });
    let down = false;
    const forge = await startForge((req) => (down ? { status: 502 } : store.handler(req)));
    const tracker = createGiteaTracker({ url: forge.url, token: 'tok-backlog-test', retry: { attempts: 1 } });
    open.push({ forge, tracker });
    await tracker.fetchBacklog('acme/api');
    down = true;
    await expect(tracker.fetchBacklog('acme/api')).rejects.toThrow('HTTP 502');
    down = false;
    store.clock += 10_000;
    store.edit(3, { title: 'changed while we were failing' });
    const next = await tracker.fetchBacklog('acme/api');
    expect(next.mode).toBe('incremental');
    expect(next.issues.find((i) => i.number === 3)?.title).toBe('changed while we were failing');
  });
});

describe('issues as the engine sees them', () => {
  it('normalizes labels, assignees, author and repo', async () => {
    const forge = await startForge((req) =>
      req.path === '/settings/api'
        ? { status: 200, json: { max_response_items: 50 } }
        : {
            status: 200,
            json: pageOf(
              [
                rawIssue(9, {
                  labels: [{ id: 1, name: 'bug' }],
                  assignees: [{ login: 'claude' }],
                  user: { login: 'alice' },
                }),
              ],
              req,
            ),
          },
    );
    const tracker = createGiteaTracker({ url: forge.url, token: 'tok-backlog-test' });
    open.push({ forge, tracker });
    const [issue] = (await tracker.fetchBacklog('acme/api')).issues;
    expect(issue).toMatchObject({
      repo: 'acme/api',
      number: 9,
      labels: ['bug'],
      assignees: ['claude'],
      author: 'alice',
      state: 'open',
      url: 'https://forge.test/acme/api/issues/9',
    });
  });
});
