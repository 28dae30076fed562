import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

/**
 * The GitHub dialect's repository comment listing and who may write what, as api.github.com
 * does: issues/list-comments-for-repo, and the repository roles table (github/docs
 * data/tables/repository-roles.yml) with the OpenAPI notes on issues/create and issues/update.
 */

const READER = { login: 'rita', token: 'tok-rita', permission: 'read' } as const;
const WRITER = { login: 'wendy', token: 'tok-wendy', permission: 'write' } as const;

describe('the GitHub dialect: repository comments and permissions', () => {
  const clock = manualClock();
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ dialect: 'github', repos: ['api'], issues: 0, now: clock.now, users: [READER, WRITER] });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists the comments of issues and pull requests, by id or by update, since a time, paged with link', async () => {
    const api = apiClient(sandbox);
    const a = sandbox.store.createIssue('demo/api', { title: 'a', body: 'a', author: 'alice' });
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'Fix', body: 'Fixes #1', author: 'alice' });
    const first = sandbox.store.addComment('demo/api', a.number, 'first', 'alice');
    clock.advance(60);
    const cut = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    sandbox.store.addComment('demo/api', pr.number, 'on the pull request', 'alice');
    clock.advance(1);
    sandbox.store.editComment('demo/api', first.id, 'first, edited');

    const all = await api.get<{ body: string; issue_url: string; html_url: string }[]>('/repos/demo/api/issues/comments');
    expect(all.status).toBe(200);
    expect(all.body.map((c) => c.body)).toEqual(['first, edited', 'on the pull request']);
    // Every pull request is an issue: its comment has an issue_url, and its page is /pull/N.
    expect(all.body[1]?.issue_url).toMatch(new RegExp(`/repos/demo/api/issues/${pr.number}$`));
    expect(all.body[1]?.html_url).toMatch(new RegExp(`/demo/api/pull/${pr.number}#issuecomment-`));
    const byUpdate = await api.get<{ body: string }[]>(`/repos/demo/api/issues/comments?sort=updated&direction=asc&since=${cut}`);
    expect(byUpdate.body.map((c) => c.body)).toEqual(['on the pull request', 'first, edited']);
    const paged = await api.get<{ body: string }[]>('/repos/demo/api/issues/comments?per_page=1');
    expect(paged.body).toHaveLength(1);
    expect(paged.headers.get('link')).toMatch(/page=2>; rel="next"/);
    const bad = await api.get<{ message: string }>('/repos/demo/api/issues/comments?since=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe('Validation Failed');
  });

  it("a reader may not edit someone else's issue body or comment (403); the author and a writer may", async () => {
    const n = sandbox.store.createIssue('demo/api', { title: 'dashboard', body: '- [ ] one', author: sandbox.login }).number;
    const refused = await apiClient(sandbox, READER.token).patch<{ message: string; documentation_url: string }>(`/repos/demo/api/issues/${n}`, { body: '- [x] one' });
    expect(refused.status).toBe(403);
    expect(refused.body.documentation_url).toMatch(/docs\.github\.com/);
    expect(sandbox.store.issue('demo/api', n)?.body).toBe('- [ ] one');
    expect((await apiClient(sandbox, WRITER.token).patch(`/repos/demo/api/issues/${n}`, { body: '- [x] one' })).status).toBe(200);
    expect((await apiClient(sandbox).patch(`/repos/demo/api/issues/${n}`, { body: '- [ ] one' })).status).toBe(200);
    const c = sandbox.store.addComment('demo/api', n, 'by the owner');
    expect((await apiClient(sandbox, READER.token).patch(`/repos/demo/api/issues/comments/${c.id}`, { body: 'hers' })).status).toBe(403);
    expect((await apiClient(sandbox, WRITER.token).patch(`/repos/demo/api/issues/comments/${c.id}`, { body: 'a writer' })).status).toBe(200);
  });

  it("writes as the token's user: comments and issues are theirs, and a reader's labels and assignees are dropped", async () => {
    const reader = apiClient(sandbox, READER.token);
    expect((await reader.get<{ login: string }>('/user')).body.login).toBe('rita');
    const made = await reader.post<{ number: number; user: { login: string }; labels: unknown[]; assignees: unknown[] }>('/repos/demo/api/issues', { title: 'mine', labels: ['bug'], assignees: ['wendy'] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ user: { login: 'rita' }, labels: [], assignees: [] });
    const said = await reader.post<{ user: { login: string } }>(`/repos/demo/api/issues/${made.body.number}/comments`, { body: '/switchboard approve' });
    expect(said.body.user.login).toBe('rita');
    // Her own issue she may edit; an assignee change from her is silently dropped.
    const edited = await reader.patch<{ body: string; assignees: unknown[] }>(`/repos/demo/api/issues/${made.body.number}`, { body: 'edited', assignees: ['wendy'] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ body: 'edited', assignees: [] });
  });
});
