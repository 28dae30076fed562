import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

describe('changing issues', () => {
  const clock = manualClock();
  let sandbox: Sandbox;
  let api: ReturnType<typeof apiClient>;
  const labelId = (name: string): number => sandbox.store.labels('demo/web').find((l) => l.name === name)!.id;

  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 30, now: clock.now });
    api = apiClient(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('replaces the assignee set with PATCH (201) and clears it with []', async () => {
    const set = await api.patch('/repos/demo/web/issues/2', { assignees: ['amara', 'claude'] });
    expect(set.status).toBe(201);
    expect(set.body.assignees.map((u: { login: string }) => u.login)).toEqual(['amara', 'claude']);
    expect(set.body.assignee.login).toBe('amara');
    const replaced = await api.patch('/repos/demo/web/issues/2', { assignees: ['chen'] });
    expect(replaced.body.assignees.map((u: { login: string }) => u.login)).toEqual(['chen']);
    const cleared = await api.patch('/repos/demo/web/issues/2', { assignees: [] });
    expect(cleared.body.assignees).toEqual([]);
    expect(cleared.body.assignee).toBeNull();
  });

  it('answers an unknown or unassignable login with 500, as Gitea does, after stripping the others (≤ 1.26)', async () => {
    const before = (await api.get('/repos/demo/web/issues/2')).body.assignees.map((u: { login: string }) => u.login);
    const unknown = await api.patch('/repos/demo/web/issues/2', { assignees: ['no-such-user'] });
    expect(unknown.status).toBe(500);
    // An unknown login fails before anything changes…
    expect((await api.get('/repos/demo/web/issues/2')).body.assignees.map((u: { login: string }) => u.login)).toEqual(before);
    // …a reader on a public repo can be assigned (repo_permission.go:572-581)…
    expect((await api.patch('/repos/demo/web/issues/2', { assignees: ['chen', 'bjorn'] })).status).toBe(201);
    expect((await api.patch('/repos/demo/web/issues/2', { assignees: ['chen'] })).status).toBe(201);
    // …and one who cannot see the repo fails after the assignees not passed were removed.
    sandbox.store.setPermission('bjorn', 'none');
    expect((await api.patch('/repos/demo/web/issues/2', { assignees: ['bjorn'] })).status).toBe(500);
    expect((await api.get('/repos/demo/web/issues/2')).body.assignees).toEqual([]);
    sandbox.store.setPermission('bjorn', 'read');
  });

  it('closes and reopens with state, setting and clearing closed_at', async () => {
    const closed = await api.patch('/repos/demo/web/issues/3', { state: 'closed' });
    expect(closed.body).toMatchObject({ state: 'closed', closed_at: clock.now().toISOString().replace('.000', '') });
    const reopened = await api.patch('/repos/demo/web/issues/3', { state: 'open' });
    expect(reopened.body).toMatchObject({ state: 'open', closed_at: null });
  });

  it('creates an issue (201) with label ids and assignees, authored by the token user', async () => {
    const before = sandbox.store.issues('demo/web').length;
    const res = await api.post('/repos/demo/web/issues', { title: 'Crash on save', body: '## Steps\n1. save', labels: [labelId('bug')], assignees: ['claude'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      number: before + 1,
      title: 'Crash on save',
      state: 'open',
      user: { login: 'switchboard' },
      labels: [{ name: 'bug', color: 'ee0701' }],
      assignees: [{ login: 'claude' }],
      pull_request: null,
      repository: { full_name: 'demo/web', name: 'web', owner: 'demo' },
    });
    expect((await api.post('/repos/demo/web/issues', { body: 'no title' })).status).toBe(422);
  });

  it('posts, lists and edits comments', async () => {
    const posted = await api.post('/repos/demo/web/issues/4/comments', { body: 'Looking into it.' });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ body: 'Looking into it.', user: { login: 'switchboard' } });
    const list = await api.get('/repos/demo/web/issues/4/comments');
    expect(list.body.at(-1).id).toBe(posted.body.id);
    expect(list.headers.get('x-total-count')).toBe(String(list.body.length));
    expect(list.headers.get('link')).toBeNull();
    const edited = await api.patch(`/repos/demo/web/issues/comments/${posted.body.id}`, { body: 'Fixed in #9.' });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe('Fixed in #9.');
    expect((await api.get('/repos/demo/web/issues/4')).body.comments).toBe(list.body.length);
    expect(sandbox.store.comments('demo/web', 4).at(-1)?.body).toBe('Fixed in #9.');
    expect((await api.post('/repos/demo/web/issues/4/comments', {})).status).toBe(422);
  });

  it('lists only comments updated since a time', async () => {
    clock.advance(60);
    const edited = sandbox.store.addComment('demo/web', 6, 'late comment');
    const res = await api.get(`/repos/demo/web/issues/6/comments?since=${edited.createdAt}`);
    expect(res.body.map((c: { id: number }) => c.id)).toEqual([edited.id]);
  });

  it('creates labels like Gitea: colour without #, 3-digit colours expanded, bad colours 422, duplicates allowed', async () => {
    const a = await api.post('/repos/demo/web/labels', { name: 'switchboard:in-progress', color: '#FBCA04' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: 'switchboard:in-progress', color: 'fbca04' });
    const b = await api.post('/repos/demo/web/labels', { name: 'switchboard:in-progress', color: 'abc' });
    expect(b.body.color).toBe('aabbcc');
    expect(b.body.id).not.toBe(a.body.id);
    expect((await api.post('/repos/demo/web/labels', { name: 'x', color: 'not-a-colour' })).status).toBe(422);
    expect((await api.post('/repos/demo/web/labels', { name: 'x' })).status).toBe(422);
    const list = await api.get('/repos/demo/web/labels?limit=50');
    expect(list.headers.get('x-total-count')).toBe(String(sandbox.store.labels('demo/web').length));
    expect(list.headers.get('link')).toBeNull();
    expect(list.body.filter((l: { name: string }) => l.name === 'switchboard:in-progress')).toHaveLength(2);
  });

  it('adds labels by id or by name and answers with every label on the issue', async () => {
    const issue = sandbox.store.createIssue('demo/web', { title: 'Label me', labels: ['documentation'] });
    const byId = await api.post(`/repos/demo/web/issues/${issue.number}/labels`, { labels: [labelId('bug')] });
    expect(byId.status).toBe(200);
    expect(byId.body.map((l: { name: string }) => l.name)).toEqual(['bug', 'documentation']);
    const byName = await api.post(`/repos/demo/web/issues/${issue.number}/labels`, { labels: ['security', 'no-such-label'] });
    expect(byName.body.map((l: { name: string }) => l.name)).toEqual(['bug', 'documentation', 'security']);
    expect((await api.post(`/repos/demo/web/issues/${issue.number}/labels`, { labels: ['bug', labelId('bug')] })).status).toBe(400);
  });

  it('removes a label (204); a label not on the issue is a no-op, an unknown id is 422', async () => {
    const issue = sandbox.store.createIssue('demo/web', { title: 'Unlabel me', labels: ['bug', 'security'] });
    const path = `/repos/demo/web/issues/${issue.number}/labels`;
    expect((await api.delete(`${path}/${labelId('bug')}`)).status).toBe(204);
    expect((await api.get(path)).body.map((l: { name: string }) => l.name)).toEqual(['security']);
    expect((await api.delete(`${path}/${labelId('bug')}`)).status).toBe(204);
    expect((await api.delete(`${path}/999999`)).status).toBe(422);
    const otherRepoLabel = sandbox.store.labels('demo/api')[0]!.id;
    expect((await api.delete(`${path}/${otherRepoLabel}`)).status).toBe(404);
  });

  const changes: [string, (n: number) => Promise<unknown>][] = [
    ['an added label', (n) => api.post(`/repos/demo/web/issues/${n}/labels`, { labels: ['question'] })],
    ['a removed label', (n) => api.delete(`/repos/demo/web/issues/${n}/labels/${labelId('bug')}`)],
    ['a new assignee', (n) => api.patch(`/repos/demo/web/issues/${n}`, { assignees: ['amara'] })],
    ['a comment', (n) => api.post(`/repos/demo/web/issues/${n}/comments`, { body: 'hi' })],
    ['closing', (n) => api.patch(`/repos/demo/web/issues/${n}`, { state: 'closed' })],
    ['a new title', (n) => api.patch(`/repos/demo/web/issues/${n}`, { title: 'Renamed' })],
  ];

  it.each(changes)('bumps updated_at on %s', async (_, change) => {
    const issue = sandbox.store.createIssue('demo/web', { title: 'Watch me', labels: ['bug'] });
    const before = (await api.get(`/repos/demo/web/issues/${issue.number}`)).body.updated_at;
    clock.advance(90);
    await change(issue.number);
    const after = (await api.get(`/repos/demo/web/issues/${issue.number}`)).body.updated_at;
    expect(Date.parse(after) - Date.parse(before)).toBe(90_000);
  });

  it('does not bump updated_at when nothing changed', async () => {
    const issue = sandbox.store.createIssue('demo/web', { title: 'Still', labels: ['bug'] });
    clock.advance(90);
    await api.post(`/repos/demo/web/issues/${issue.number}/labels`, { labels: ['bug'] });
    await api.patch(`/repos/demo/web/issues/${issue.number}`, { state: 'open' });
    expect((await api.get(`/repos/demo/web/issues/${issue.number}`)).body.updated_at).toBe(issue.createdAt);
  });
});
