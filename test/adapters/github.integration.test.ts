import { afterEach, describe, expect, it } from 'vitest';
import { createGithubTracker, type GithubTracker, UNPACED } from '../../src/adapters/github/index.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';

/** The GitHub adapter against the sandbox's GitHub dialect, over real HTTP. */

const FAST = { pacing: UNPACED, retryBaseMs: 5 };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function world(o: { issues?: number; rateLimit?: number; users?: SandboxOptions['users'] } = {}): Promise<{ sandbox: Sandbox; tracker: GithubTracker }> {
  const sandbox = await startSandbox({ dialect: 'github', repos: ['api'], issues: o.issues ?? 0, ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}), ...(o.users ? { users: o.users } : {}) });
  open.push(sandbox);
  sandbox.store.setPermission('alice', 'write');
  sandbox.store.setPermission('mallory', 'read');
  const tracker = createGithubTracker({ url: sandbox.apiUrl, token: sandbox.token, ...FAST });
  open.push(tracker);
  return { sandbox, tracker };
}

describe('GitHub tracker', () => {
  it('costs one request answered 304 for a warm fetch of an unchanged repo', async () => {
    const { sandbox, tracker } = await world({ issues: 30 });
    const first = await tracker.fetchBacklog('demo/api');
    expect(first.issues.length).toBeGreaterThan(0);
    await tracker.fetchBacklog('demo/api');
    sandbox.resetRequestCounts();
    const before = sandbox.notModifiedCount();
    const warm = await tracker.fetchBacklog('demo/api');
    expect(warm.requests).toBe(1);
    expect(sandbox.requestCount()).toBe(1);
    expect(sandbox.notModifiedCount() - before).toBe(1);
    expect(warm.issues).toEqual((await tracker.fetchBacklog('demo/api')).issues);
  });

  it('follows link pages, drops pull requests, and sees a change after the 304s', async () => {
    const { sandbox, tracker } = await world();
    for (let i = 0; i < 230; i++) sandbox.store.createIssue('demo/api', { title: `issue ${i}`, author: 'alice' });
    sandbox.store.createPullRequest('demo/api', { title: 'Fix #3', body: 'Fixes #3', author: 'alice' });
    const full = await tracker.fetchBacklog('demo/api');
    expect(full.issues).toHaveLength(230);
    expect(full.requests).toBe(3);
    expect(full.issues.every((i) => i.title.startsWith('issue'))).toBe(true);
    await tracker.fetchBacklog('demo/api');
    sandbox.store.closeIssue('demo/api', 5);
    const after = await tracker.fetchBacklog('demo/api');
    expect(after.issues.map((i) => i.number)).not.toContain(5);
    expect(after.issues).toHaveLength(229);
  });

  it('reads trust from author_association without asking for permissions', async () => {
    const { sandbox, tracker } = await world();
    sandbox.store.createIssue('demo/api', { title: 'from a collaborator', author: 'alice' });
    sandbox.store.createIssue('demo/api', { title: 'from a reader', author: 'mallory' });
    const { issues } = await tracker.fetchBacklog('demo/api');
    expect(Object.fromEntries(issues.map((i) => [i.author, i.authorTrusted]))).toEqual({ alice: true, mallory: false });
    expect(sandbox.requestCount('GET /repos/{owner}/{repo}/collaborators/{username}/permission')).toBe(0);
  });

  it('writes comments, labels and assignees and refuses an unassignable login before writing', async () => {
    const { sandbox, tracker } = await world();
    const n = sandbox.store.createIssue('demo/api', { title: 'work', author: 'alice' }).number;
    const c = await tracker.postComment('demo/api', n, 'hello');
    await tracker.editComment('demo/api', c.id, 'hello again');
    await tracker.addLabels('demo/api', n, ['needs-human']);
    await tracker.removeLabel('demo/api', n, 'needs-human');
    await tracker.removeLabel('demo/api', n, 'never-there');
    await tracker.setAssignees('demo/api', n, ['alice']);
    await expect(tracker.setAssignees('demo/api', n, ['mallory'])).rejects.toThrow(/mallory cannot be assigned/);
    const issue = sandbox.store.issue('demo/api', n);
    expect(issue?.assignees).toEqual(['alice']);
    expect(sandbox.store.comments('demo/api', n).map((x) => x.body)).toEqual(['hello again']);
    expect(sandbox.store.labels('demo/api').map((l) => l.name)).toContain('needs-human');
  });

  it('reads repo comments since a time, newest window cut, pull requests left out, and a quiet repo costs a 304', async () => {
    const { sandbox, tracker } = await world();
    const n = sandbox.store.createIssue('demo/api', { title: 'work', author: 'alice' }).number;
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'Fix', body: 'Fixes #1', author: 'alice' }).number;
    sandbox.store.addComment('demo/api', n, '/switchboard approve', 'alice');
    sandbox.store.addComment('demo/api', pr, '/switchboard approve', 'alice');
    const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const first = await tracker.listRepoComments('demo/api', since);
    expect(first.comments.map((c) => [c.number, c.author, c.body])).toEqual([[n, 'alice', '/switchboard approve']]);
    expect(first.serverTime).toMatch(/^\d{4}-/);
    // Asked again a little later: the same URL as before, answered 304, nothing counted.
    sandbox.resetRequestCounts();
    const before = sandbox.notModifiedCount();
    const later = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const quiet = await tracker.listRepoComments('demo/api', later);
    expect(sandbox.requestCount()).toBe(1);
    expect(sandbox.notModifiedCount() - before).toBe(1);
    // The wider window's older comment is cut to what was asked.
    expect(quiet.comments).toEqual([]);
    sandbox.store.addComment('demo/api', n, 'a new one', 'mallory');
    const changed = await tracker.listRepoComments('demo/api', since);
    expect(changed.comments.map((c) => c.body)).toEqual(['/switchboard approve', 'a new one']);
  });

  it("edits an issue body it wrote; a reader's token is refused with 403 as GitHub does", async () => {
    const { sandbox, tracker } = await world({ users: [{ login: 'rita', token: 'tok-rita', permission: 'read' }] });
    const dash = await tracker.createIssue('demo/api', 'switchboard dashboard', '- [ ] one');
    expect((await tracker.editIssueBody('demo/api', dash.number, '- [ ] one\n- [ ] two')).body).toBe('- [ ] one\n- [ ] two');
    const reader = createGithubTracker({ url: sandbox.apiUrl, token: 'tok-rita', ...FAST });
    open.push(reader);
    await expect(reader.editIssueBody('demo/api', dash.number, '- [x] one')).rejects.toThrow(/may not PATCH .*push access/);
    expect(sandbox.store.issue('demo/api', dash.number)?.body).toBe('- [ ] one\n- [ ] two');
    // Her own issue she may edit.
    const own = sandbox.store.createIssue('demo/api', { title: 'mine', body: 'a', author: 'rita' });
    expect((await reader.editIssueBody('demo/api', own.number, 'b')).body).toBe('b');
  });

  it('links pull requests from cross-references and reads CI from statuses and check runs', async () => {
    const { sandbox, tracker } = await world();
    const n = sandbox.store.createIssue('demo/api', { title: 'bug', author: 'alice' }).number;
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'fix', body: `Fixes #${n}`, author: 'claude' });
    const [linked] = await tracker.linkedPullRequests('demo/api', n);
    expect(linked).toMatchObject({ number: pr.number, state: 'open', merged: false, author: 'claude', fromFork: false });
    const sha = linked?.headSha ?? '';
    expect(await tracker.combinedStatus('demo/api', sha)).toMatchObject({ state: 'pending', total: 0 });
    sandbox.store.setCommitStatus('demo/api', sha, { state: 'success', context: 'lint', creator: 'alice' });
    expect(await tracker.combinedStatus('demo/api', sha)).toMatchObject({ state: 'success', total: 1 });
    // The agent's CI is a check run (GitHub Actions): a failing one fails CI though the statuses pass.
    sandbox.store.setCommitStatus('demo/api', sha, { state: 'failure', context: 'test', creator: 'claude' });
    expect(await tracker.combinedStatus('demo/api', sha)).toMatchObject({ state: 'failure', total: 2 });
  });

  it('tells a bad token, a spent rate limit and a missing repo apart, and keeps the rate-limit state', async () => {
    const { sandbox, tracker } = await world({ rateLimit: 2 });
    await tracker.currentUser();
    expect(tracker.rateLimit().remaining).toBe(1);
    expect(tracker.rateLimit().resetAt).toMatch(/^\d{4}-/);
    // A 304 costs nothing (GitHub's conditional requests): the quota is still 1.
    await tracker.currentUser();
    expect(tracker.rateLimit().remaining).toBe(1);
    await expect(tracker.getIssue('demo/nope', 1)).rejects.toThrow(/issue demo\/nope#1 not found/);
    await expect(tracker.listLabels('demo/api')).rejects.toThrow(/rate limiting requests; retry after/);
    expect(tracker.rateLimit().remaining).toBe(0);
    const bad = createGithubTracker({ url: sandbox.apiUrl, token: 'wrong', ...FAST });
    open.push(bad);
    const err = (await bad.currentUser().then(() => new Error("accepted"), (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/token rejected by .*: check GITHUB_TOKEN/);
    expect(err.message).not.toContain(sandbox.token);
  });

  it('sends nothing while the quota is spent, asks GET /rate_limit still, and goes on after the reset', async () => {
    let now = Date.parse('2026-03-02T10:00:00Z');
    const sandbox = await startSandbox({ dialect: 'github', repos: ['api'], issues: 0, rateLimit: 2, now: () => new Date(now) });
    open.push(sandbox);
    const tracker = createGithubTracker({ url: sandbox.apiUrl, token: sandbox.token, ...FAST, now: () => now });
    open.push(tracker);
    await tracker.listLabels('demo/api');
    await tracker.getIssue('demo/api', 1).catch(() => undefined);
    expect(tracker.rateLimit().remaining).toBe(0);
    const sent = sandbox.requestCount();
    for (let i = 0; i < 5; i++) await expect(tracker.listLabels('demo/api')).rejects.toThrow('is rate limiting requests; retry after 2026-03-02T11:00:00.000Z');
    expect(sandbox.requestCount()).toBe(sent);
    // doctor's look at the quota does not count against it, so it is not held back.
    expect(await tracker.quota()).toMatchObject({ remaining: 0 });
    expect(sandbox.requestCount()).toBe(sent + 1);
    now += 3_600_000;
    expect((await tracker.listLabels('demo/api')).map((l) => l.name)).toContain('bug');
    expect(tracker.rateLimit()).toMatchObject({ remaining: 2, resetAt: '2026-03-02T12:00:00.000Z' });
  });
});
