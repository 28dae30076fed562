import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, ForbiddenError, MovedError, UnassignableError } from '../../src/adapters/errors.js';
import { createGiteaTracker, type GiteaTracker } from '../../src/adapters/gitea/index.js';
import { IssueGoneError } from '../../src/core/errors.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { apiClient } from '../helpers/sandbox-client.js';

/**
 * What real Gitea/Forgejo servers do that the client must hold against, each against the sandbox
 * over real HTTP (docs/forgejo-differences.md names the server source of each).
 */

const open: { sandbox: Sandbox; trackers: GiteaTracker[] }[] = [];

afterEach(async () => {
  for (const { sandbox, trackers } of open.splice(0)) {
    for (const t of trackers) await t.close();
    await sandbox.close();
  }
});

const READER = { login: 'rita', token: 'tok-reader-rita', permission: 'read' } as const;

async function setup(options: SandboxOptions = {}) {
  const sandbox = await startSandbox({ issues: 12, seed: 5, repos: 1, users: [READER], ...options });
  const trackers: GiteaTracker[] = [];
  const as = (token = sandbox.token): GiteaTracker => {
    const t = createGiteaTracker({ url: sandbox.url, token, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    trackers.push(t);
    return t;
  };
  open.push({ sandbox, trackers });
  const repo = sandbox.repos[0]!;
  const openIssues = () => sandbox.store.issues(repo).filter((i) => i.state === 'open' && !i.pull);
  return { sandbox, tracker: as(), as, repo, api: apiClient(sandbox), openIssues };
}

const labelNames = (s: Sandbox, repo: string, n: number): string[] => s.store.labelsOf(repo, s.store.issue(repo, n)!).map((l) => l.name);

describe('timeline', () => {
  it('a null page and null entries still leave the linked pull requests readable', async () => {
    const { sandbox, tracker, repo, api, openIssues } = await setup();
    const [a, b] = openIssues();
    // No timeline at all: Gitea answers `null`.
    expect((await api.get(`/repos/${repo}/issues/${a!.number}/timeline?page=9`)).text).toBe('null');
    expect(await tracker.linkedPullRequests(repo, a!.number)).toEqual([]);
    const kept = sandbox.store.createPullRequest(repo, { title: `Fix #${b!.number}`, body: '', author: 'claude' });
    const gone = sandbox.store.createPullRequest(repo, { title: `Also #${b!.number}`, body: '', author: 'claude' });
    sandbox.store.deleteIssue(repo, gone.number);
    const page = (await api.get(`/repos/${repo}/issues/${b!.number}/timeline`)).body as unknown[];
    expect(page).toContain(null);
    expect((await tracker.linkedPullRequests(repo, b!.number)).map((p) => p.number)).toEqual([kept.number]);
  });

  it('a reference the pull request dropped (neutered) is not a link', async () => {
    const { sandbox, tracker, repo, api, openIssues } = await setup();
    const issue = openIssues()[0]!;
    const pr = sandbox.store.createPullRequest(repo, { title: 'Work', body: `Fixes #${issue.number}`, author: 'claude' });
    expect((await tracker.linkedPullRequests(repo, issue.number)).map((p) => p.number)).toEqual([pr.number]);
    expect((await api.patch(`/repos/${repo}/issues/${pr.number}`, { body: 'unrelated now' })).status).toBe(201);
    const timeline = (await api.get(`/repos/${repo}/issues/${issue.number}/timeline`)).body as { type: string; ref_action: string }[];
    expect(timeline.filter((e) => e.type === 'pull_ref').map((e) => e.ref_action)).toEqual(['neutered']);
    expect(await tracker.linkedPullRequests(repo, issue.number)).toEqual([]);
  });
});

describe('assignment', () => {
  it('a login that is not assignable is refused before any write', async () => {
    const { sandbox, tracker, repo, openIssues } = await setup();
    const issue = openIssues()[0]!;
    sandbox.resetRequestCounts();
    await expect(tracker.setAssignees(repo, issue.number, [...issue.assignees, 'rita'])).rejects.toThrow(UnassignableError);
    await expect(tracker.setAssignees(repo, issue.number, ['rita'])).rejects.toThrow(/@rita cannot be assigned to issues in demo\/api/);
    expect(sandbox.requestCount('PATCH /repos/{owner}/{repo}/issues/{index}')).toBe(0);
  });

  it('a 500 for an unassignable login is not retried, and the other assignees stay', async () => {
    const { sandbox, tracker, repo, openIssues } = await setup();
    const issue = openIssues()[0]!;
    sandbox.store.editIssue(repo, issue.number, { assignees: ['kimi-ready'] });
    await tracker.setAssignees(repo, issue.number, ['kimi-ready', 'claude']);
    sandbox.store.editIssue(repo, issue.number, { assignees: ['kimi-ready'] });
    // The assignee list said yes a moment ago; now the user lost access (Gitea strips, then 500s).
    sandbox.store.setPermission('claude', 'none');
    sandbox.resetRequestCounts();
    const err = await tracker.setAssignees(repo, issue.number, ['kimi-ready', 'claude']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnassignableError);
    expect((err as Error).message).toBe("@claude cannot be assigned to issues in demo/api: give that user write access to demo/api or fix the agent's assignee");
    // One try, never the outage retries; the other assignee was passed along, so Gitea kept it.
    expect(sandbox.requestCount('PATCH /repos/{owner}/{repo}/issues/{index}')).toBe(1);
    expect(sandbox.store.issue(repo, issue.number)!.assignees).toEqual(['kimi-ready']);
  });
});

describe('renamed repos and owners', () => {
  it('a renamed repo says where it went, for reads and writes, and nothing is written', async () => {
    const { sandbox, tracker, repo, api, openIssues } = await setup();
    const issue = openIssues()[0]!;
    await tracker.fetchBacklog(repo);
    const renamed = await api.patch(`/repos/${repo}`, { name: 'api-v2' });
    expect(renamed.status).toBe(200);
    const raw = await fetch(`${sandbox.url}/api/v1/repos/${repo}/issues?state=open`, { headers: { Authorization: `token ${sandbox.token}` }, redirect: 'manual' });
    expect(raw.status).toBe(301);
    expect(raw.headers.get('location')).toBe('/api/v1/repos/demo/api-v2/issues?state=open');
    await expect(tracker.fetchBacklog(repo, { full: true })).rejects.toThrow('demo/api moved to demo/api-v2: update `repos`');
    const comments = sandbox.store.comments('demo/api-v2', issue.number).length;
    await expect(tracker.postComment(repo, issue.number, 'hello')).rejects.toThrow(MovedError);
    expect(sandbox.store.comments('demo/api-v2', issue.number)).toHaveLength(comments);
  });

  it('a renamed owner answers 307 and says where the repo went', async () => {
    const { tracker, repo, api } = await setup();
    expect((await api.post('/admin/users/demo/rename', { new_username: 'acme' })).status).toBe(204);
    await expect(tracker.fetchBacklog(repo)).rejects.toThrow('demo/api moved to acme/api: update `repos`');
  });
});

describe('org labels', () => {
  it('an org label is used, never duplicated in the repo, and its removal is confirmed', async () => {
    const { sandbox, tracker, repo, openIssues } = await setup();
    const issue = openIssues()[0]!;
    const org = sandbox.store.createOrgLabel('demo', { name: 'triaged', color: '#00aa00' });
    await tracker.addLabels(repo, issue.number, ['triaged']);
    expect(sandbox.store.labels(repo).map((l) => l.name)).not.toContain('triaged');
    expect(sandbox.store.issue(repo, issue.number)!.labelIds).toContain(org.id);
    expect((await tracker.listLabels(repo)).map((l) => l.name)).toContain('triaged');
    await tracker.removeLabel(repo, issue.number, 'triaged');
    expect(labelNames(sandbox, repo, issue.number)).not.toContain('triaged');
  });
});

describe('deleted issues', () => {
  it('the comment endpoints answer 500; the client confirms with a read and says the issue is gone', async () => {
    const { tracker, repo, api, openIssues } = await setup();
    const issue = openIssues()[0]!;
    expect((await tracker.fetchBacklog(repo)).issues.map((i) => i.number)).toContain(issue.number);
    expect((await api.delete(`/repos/${repo}/issues/${issue.number}`)).status).toBe(204);
    expect((await api.get(`/repos/${repo}/issues/${issue.number}/comments`)).status).toBe(500);
    // An incremental fetch never reports a deletion…
    expect((await tracker.fetchBacklog(repo)).issues.map((i) => i.number)).toContain(issue.number);
    const err = await tracker.listComments(repo, issue.number).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IssueGoneError);
    expect((err as Error).message).toBe(`issue demo/api#${issue.number} was deleted`);
    await expect(tracker.postComment(repo, issue.number, 'x')).rejects.toThrow(IssueGoneError);
    // …so the confirmed deletion takes it out of the backlog.
    expect((await tracker.fetchBacklog(repo)).issues.map((i) => i.number)).not.toContain(issue.number);
  });
});

describe('403 causes', () => {
  it('missing write, a locked issue, a blocked user and a missing scope each get their own sentence', async () => {
    const scoped = { login: 'sam', token: 'tok-scoped-sam', permission: 'write', scopes: ['read:issue', 'read:repository'] } as const;
    const { sandbox, as, repo, openIssues } = await setup({ users: [READER, scoped] });
    const [a, b, c] = openIssues();
    const reader = as(READER.token);
    // Readers may comment (Gitea issue_comment.go:389).
    await reader.postComment(repo, a!.number, 'a reader can comment');
    await expect(reader.addLabels(repo, a!.number, ['bug'])).rejects.toThrow(
      `the token user may not label issue demo/api#${a!.number}: it needs write access to issues in demo/api`,
    );
    sandbox.store.lockIssue(repo, b!.number);
    await expect(reader.postComment(repo, b!.number, 'x')).rejects.toThrow(
      `cannot comment on issue demo/api#${b!.number}: the issue is locked and the token user has no write access to issues in demo/api`,
    );
    sandbox.store.block(c!.author, 'rita');
    const blocked = await reader.postComment(repo, c!.number, 'x').catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(ForbiddenError);
    expect((blocked as Error).message).toMatch(/blocked by the issue's author or the owner of demo\/api/);
    await expect(as(scoped.token).postComment(repo, a!.number, 'x')).rejects.toThrow(
      `the token may not comment on issue demo/api#${a!.number}: it lacks the write:issue scope`,
    );
    const refused = await as('not-a-token').fetchBacklog(repo).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AuthError);
    expect((refused as Error).message).toMatch(/^token rejected by /);
  });
});

describe('labels', () => {
  it('a label deleted and recreated behind the index is found again, not silently skipped', async () => {
    const { sandbox, tracker, repo, api, openIssues } = await setup();
    const [a, b] = openIssues();
    await tracker.addLabels(repo, a!.number, ['bug']);
    const old = sandbox.store.labels(repo).find((l) => l.name === 'bug')!;
    expect((await api.delete(`/repos/${repo}/labels/${old.id}`)).status).toBe(204);
    expect((await api.post(`/repos/${repo}/labels`, { name: 'bug', color: '#ee0701' })).status).toBe(201);
    await tracker.addLabels(repo, b!.number, ['bug']);
    expect(labelNames(sandbox, repo, b!.number)).toContain('bug');
  });

  it('a scoped (exclusive) label replaces its sibling and an archived label still applies', async () => {
    const { sandbox, tracker, repo, openIssues } = await setup();
    const issue = openIssues()[0]!;
    sandbox.store.createLabel(repo, { name: 'priority/low', color: '#cccccc', exclusive: true });
    sandbox.store.createLabel(repo, { name: 'priority/high', color: '#ff0000', exclusive: true });
    sandbox.store.createLabel(repo, { name: 'legacy', color: '#999999', isArchived: true });
    await tracker.addLabels(repo, issue.number, ['priority/low']);
    await tracker.addLabels(repo, issue.number, ['priority/high', 'legacy']);
    const names = labelNames(sandbox, repo, issue.number);
    expect(names).toEqual(expect.arrayContaining(['priority/high', 'legacy']));
    expect(names).not.toContain('priority/low');
  });
});

describe('full fetch', () => {
  it('keeps every issue open throughout although one closes between pages', async () => {
    const { sandbox, tracker, repo, openIssues } = await setup({ issues: 30, pageCap: 5 });
    const before = openIssues().map((i) => i.number);
    expect(before.length).toBeGreaterThan(10);
    // Newest first: close the newest open issue the moment page 2 is asked for.
    const victim = Math.max(...before);
    let closed = false;
    sandbox.onRequest((route, url) => {
      if (!closed && route === 'GET /repos/{owner}/{repo}/issues' && url.searchParams.get('page') === '2') {
        closed = true;
        sandbox.store.closeIssue(repo, victim);
      }
    });
    const got = (await tracker.fetchBacklog(repo)).issues.map((i) => i.number);
    expect(closed).toBe(true);
    expect(got.sort((x, y) => x - y)).toEqual(before.filter((n) => n !== victim).sort((x, y) => x - y));
  });
});

describe('repo names', () => {
  it('a repo in another letter case is the same repo: one backlog, fetched in full once', async () => {
    const { tracker, repo, openIssues } = await setup();
    expect((await tracker.fetchBacklog(repo)).mode).toBe('full');
    const again = await tracker.fetchBacklog(repo.toUpperCase());
    expect(again.mode).toBe('incremental');
    expect(again.issues).toHaveLength(openIssues().length);
  });
});

describe('sandbox users', () => {
  it('a read user acts over the same API: it can comment, not label, assign or edit', async () => {
    const { sandbox, repo, openIssues } = await setup();
    const rita = apiClient(sandbox, READER.token);
    const issue = openIssues().find((i) => i.author !== 'rita')!;
    expect((await rita.get('/user')).body.login).toBe('rita');
    expect((await rita.get(`/repos/${repo}`)).body.permissions).toEqual({ admin: false, push: false, pull: true });
    expect((await rita.post(`/repos/${repo}/issues/${issue.number}/comments`, { body: 'hi' })).status).toBe(201);
    expect((await rita.post(`/repos/${repo}/issues/${issue.number}/labels`, { labels: [1] })).status).toBe(403);
    expect((await rita.patch(`/repos/${repo}/issues/${issue.number}`, { title: 'mine now' })).status).toBe(403);
    expect((await rita.post(`/repos/${repo}/labels`, { name: 'x', color: '#000000' })).status).toBe(403);
    expect((await rita.delete(`/repos/${repo}/issues/${issue.number}`)).status).toBe(403);
    expect(sandbox.store.issue(repo, issue.number)!.title).not.toBe('mine now');
  });
});
