import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

/** `GET /repos/{o}/{r}/issues/comments` as Gitea lists it (routers/api/v1/repo/issue_comment.go:234-320). */
describe('a repository comment listing', () => {
  const clock = manualClock();
  let sandbox: Sandbox;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    sandbox = await startSandbox({ repos: ['api'], issues: 0, now: clock.now });
    api = apiClient(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists every issue comment oldest first, since a time, with the issue each is on', async () => {
    const a = sandbox.store.createIssue('demo/api', { title: 'a', body: 'a', author: 'alice' });
    const b = sandbox.store.createIssue('demo/api', { title: 'b', body: 'b', author: 'alice' });
    sandbox.store.addComment('demo/api', b.number, 'first', 'alice');
    clock.advance(60);
    const cut = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    sandbox.store.addComment('demo/api', a.number, 'second', 'alice');
    sandbox.store.addComment('demo/api', b.number, 'third', 'alice');

    const all = await api.get<{ body: string; issue_url: string }[]>('/repos/demo/api/issues/comments');
    expect(all.status).toBe(200);
    expect(all.body.map((c) => c.body)).toEqual(['first', 'second', 'third']);
    expect(all.body[0]?.issue_url).toMatch(new RegExp(`/demo/api/issues/${b.number}$`));
    // models/issues/comment.go:1089-1090: updated at or after `since`.
    const since = await api.get<{ body: string }[]>(`/repos/demo/api/issues/comments?since=${cut}`);
    expect(since.body.map((c) => c.body)).toEqual(['second', 'third']);
    // Paged (issue_comment.go:296).
    const page = await api.get<{ body: string }[]>('/repos/demo/api/issues/comments?limit=2&page=2');
    expect(page.body.map((c) => c.body)).toEqual(['third']);
  });

  it("a reader cannot change another's issue body; its author and a writer can", async () => {
    const reader = await startSandbox({ repos: ['api'], issues: 0, users: [{ login: 'rita', token: 'tok-rita', permission: 'read' }, { login: 'wendy', token: 'tok-wendy', permission: 'write' }] });
    try {
      const n = reader.store.createIssue('demo/api', { title: 'ours', body: 'ours', author: reader.login }).number;
      // routers/api/v1/repo/issue.go:773-783
      expect((await apiClient(reader, 'tok-rita').patch(`/repos/demo/api/issues/${n}`, { body: 'hers' })).status).toBe(403);
      expect(reader.store.issue('demo/api', n)?.body).toBe('ours');
      expect((await apiClient(reader, 'tok-wendy').patch(`/repos/demo/api/issues/${n}`, { body: 'a writer' })).status).toBe(201);
      expect((await apiClient(reader).patch(`/repos/demo/api/issues/${n}`, { body: 'the author' })).status).toBe(201);
    } finally {
      await reader.close();
    }
  });
});
