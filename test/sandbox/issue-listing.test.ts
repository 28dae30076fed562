import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

interface ListedIssue {
  number: number;
  state: string;
  created_at: string;
  updated_at: string;
  labels: { name: string }[];
  pull_request: unknown;
}

const links = (header: string | null): Record<string, string> =>
  Object.fromEntries(
    (header ?? '')
      .split(',')
      .filter(Boolean)
      .map((part) => {
        const m = /<([^>]+)>; rel="(\w+)"/.exec(part);
        return [m?.[2] ?? '?', m?.[1] ?? '?'];
      }),
  );

describe('listing issues', () => {
  const clock = manualClock();
  let sandbox: Sandbox;
  let api: ReturnType<typeof apiClient>;
  let openCount: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ repos: 1, issues: 120, now: clock.now });
    api = apiClient(sandbox);
    openCount = sandbox.store.issues('demo/api').filter((i) => i.state === 'open').length;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('caps a page at 50 however large the limit, and says the total and the next and last pages', async () => {
    const res = await api.get<ListedIssue[]>('/repos/demo/api/issues?limit=100');
    expect(openCount).toBe(120);
    expect(res.body).toHaveLength(50);
    expect(res.headers.get('x-total-count')).toBe('120');
    const rel = links(res.headers.get('link'));
    expect(Object.keys(rel).sort()).toEqual(['last', 'next']);
    expect(rel.next).toBe(`${sandbox.url}/api/v1/repos/demo/api/issues?limit=100&page=2`);
    expect(rel.last).toBe(`${sandbox.url}/api/v1/repos/demo/api/issues?limit=100&page=3`);
  });

  it('links the last page back to the first and previous pages', async () => {
    const res = await api.get<ListedIssue[]>('/repos/demo/api/issues?limit=50&page=3&state=open');
    expect(res.body).toHaveLength(20);
    const rel = links(res.headers.get('link'));
    expect(Object.keys(rel).sort()).toEqual(['first', 'prev']);
    expect(rel.prev).toBe(`${sandbox.url}/api/v1/repos/demo/api/issues?limit=50&page=2&state=open`);
  });

  it('uses 30 per page when limit is missing or not positive', async () => {
    expect((await api.get('/repos/demo/api/issues')).body).toHaveLength(30);
    expect((await api.get('/repos/demo/api/issues?limit=0')).body).toHaveLength(30);
    expect((await api.get('/repos/demo/api/issues?limit=-5')).body).toHaveLength(30);
  });

  it('walks every open issue once by following Link next, newest-created first', async () => {
    const seen: ListedIssue[] = [];
    let url: string | undefined = '/repos/demo/api/issues?limit=50';
    for (let guard = 0; url && guard < 10; guard++) {
      const res: { body: ListedIssue[]; headers: Headers } = await api.get<ListedIssue[]>(url);
      seen.push(...res.body);
      const next: string | undefined = links(res.headers.get('link')).next;
      url = next?.slice(`${sandbox.url}/api/v1`.length);
    }
    expect(new Set(seen.map((i) => i.number)).size).toBe(120);
    const created = seen.map((i) => i.created_at);
    expect(created).toEqual([...created].sort().reverse());
    expect(seen.map((i) => i.number)).toEqual([...seen.map((i) => i.number)].sort((a, b) => b - a));
  });

  it('answers an empty page past the end', async () => {
    const res = await api.get('/repos/demo/api/issues?page=99&limit=50');
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-total-count')).toBe('120');
  });

  it('filters by state', async () => {
    const closed = sandbox.store.issues('demo/api').filter((i) => i.state === 'closed').length;
    expect(closed).toBeGreaterThan(0);
    const res = await api.get<ListedIssue[]>('/repos/demo/api/issues?state=closed&limit=50');
    expect(Number(res.headers.get('x-total-count'))).toBe(closed);
    expect(res.body.every((i) => i.state === 'closed')).toBe(true);
    const all = await api.get('/repos/demo/api/issues?state=all');
    expect(Number(all.headers.get('x-total-count'))).toBe(120 + closed);
    const unknown = await api.get('/repos/demo/api/issues?state=whatever');
    expect(unknown.headers.get('x-total-count')).toBe('120');
  });

  it('separates pull requests from issues with type', async () => {
    const prs = sandbox.store.pulls('demo/api').length;
    expect(prs).toBeGreaterThan(0);
    const pulls = await api.get<ListedIssue[]>('/repos/demo/api/issues?state=all&type=pulls&limit=50');
    expect(pulls.body).toHaveLength(prs);
    expect(pulls.body.every((i) => i.pull_request !== null)).toBe(true);
    const issues = await api.get<ListedIssue[]>('/repos/demo/api/issues?state=all&type=issues&limit=50');
    expect(Number(issues.headers.get('x-total-count'))).toBe(sandbox.store.issues('demo/api').length - prs);
    expect(issues.body.every((i) => i.pull_request === null)).toBe(true);
  });

  it('filters by labels: all named labels must be present, unknown names are dropped', async () => {
    const withBoth = sandbox.store
      .issues('demo/api')
      .filter((i) => i.state === 'open')
      .filter((i) => ['bug', 'security'].every((n) => sandbox.store.labelsOf('demo/api', i).some((l) => l.name === n)));
    expect(withBoth.length).toBeGreaterThan(0);
    const both = await api.get<ListedIssue[]>('/repos/demo/api/issues?labels=bug,security&limit=50');
    expect(both.body.map((i) => i.number).sort((a, b) => a - b)).toEqual(withBoth.map((i) => i.number));
    const bug = await api.get('/repos/demo/api/issues?labels=bug&limit=50');
    const bugAndUnknown = await api.get('/repos/demo/api/issues?labels=bug,no-such-label&limit=50');
    expect(bugAndUnknown.headers.get('x-total-count')).toBe(bug.headers.get('x-total-count'));
    expect(Number(bug.headers.get('x-total-count'))).toBeGreaterThan(withBoth.length);
    const onlyUnknown = await api.get('/repos/demo/api/issues?labels=no-such-label');
    expect(onlyUnknown.headers.get('x-total-count')).toBe('120');
  });

  it('keeps with since only what was updated at or after it', async () => {
    clock.advance(3600);
    sandbox.store.addComment('demo/api', 5, 'bump');
    const since = clock.now().toISOString();
    const res = await api.get<ListedIssue[]>(`/repos/demo/api/issues?since=${encodeURIComponent(since)}`);
    expect(res.body.map((i) => i.number)).toEqual([5]);
    const offset = await api.get<ListedIssue[]>(`/repos/demo/api/issues?since=${encodeURIComponent('2025-03-01T12:00:00+01:00')}`);
    expect(offset.body.map((i) => i.number)).toEqual([5]);
  });

  it('rejects a since that is not RFC 3339 with 422', async () => {
    expect((await api.get('/repos/demo/api/issues?since=yesterday')).status).toBe(422);
  });
});

describe('listing without pagination headers', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ repos: 1, issues: 70, omitTotalCount: true, pageCap: 25 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('omits X-Total-Count and Link but still pages at the configured cap', async () => {
    const api = apiClient(sandbox);
    const res = await api.get('/repos/demo/api/issues?limit=100');
    expect(res.headers.get('x-total-count')).toBeNull();
    expect(res.headers.get('link')).toBeNull();
    expect(res.body).toHaveLength(25);
    expect((await api.get('/settings/api')).body.max_response_items).toBe(25);
    expect((await api.get('/repos/demo/api/labels')).headers.get('x-total-count')).toBeNull();
  });
});
