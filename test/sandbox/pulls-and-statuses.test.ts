import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommitStatusState, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

describe('pull requests, the timeline and commit statuses', () => {
  const clock = manualClock();
  let sandbox: Sandbox;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 0, repos: 1, now: clock.now });
    api = apiClient(sandbox);
    for (const title of ['Login fails on empty password', 'Session expires too early', 'Docs typo']) {
      sandbox.store.createIssue('demo/api', { title });
    }
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('puts a pull_ref entry on the timeline of each issue a PR references, and bumps those issues', async () => {
    clock.advance(120);
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'Fix login', body: 'Fixes #1\n\nSee also #2.', author: 'claude', headRef: 'claude/issue-1' });
    const one = await api.get('/repos/demo/api/issues/1/timeline');
    expect(one.body).toEqual([
      expect.objectContaining({ type: 'pull_ref', ref_action: 'closes', user: expect.objectContaining({ login: 'claude' }), ref_issue: expect.objectContaining({ number: pr.number, pull_request: expect.objectContaining({ merged: false }) }) }),
    ]);
    const two = await api.get('/repos/demo/api/issues/2/timeline');
    expect(two.body.map((e: { type: string; ref_action: string }) => [e.type, e.ref_action])).toEqual([['pull_ref', 'none']]);
    // An empty timeline page is JSON null in Gitea (a nil Go slice).
    expect((await api.get('/repos/demo/api/issues/3/timeline')).text).toBe('null');
    expect((await api.get('/repos/demo/api/issues/1')).body.updated_at).toBe(pr.createdAt);
  });

  it('mixes comments into the timeline in order', async () => {
    sandbox.store.addComment('demo/api', 3, 'First');
    clock.advance(1);
    sandbox.store.addComment('demo/api', 3, 'Second');
    const res = await api.get('/repos/demo/api/issues/3/timeline');
    expect(res.body.map((e: { type: string; body: string }) => `${e.type}:${e.body}`)).toEqual(['comment:First', 'comment:Second']);
  });

  it('serves a pull request with its head, base and state, and lists PRs by state', async () => {
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'Tidy docs', body: 'Fixes #3', author: 'amara' });
    const res = await api.get(`/repos/demo/api/pulls/${pr.number}`);
    expect(res.body).toMatchObject({
      number: pr.number,
      state: 'open',
      merged: false,
      head: { sha: pr.pull!.headSha, ref: pr.pull!.headRef, label: pr.pull!.headRef },
      base: { ref: 'main' },
      html_url: `${sandbox.url}/demo/api/pulls/${pr.number}`,
      updated_at: pr.updatedAt,
    });
    const open = await api.get('/repos/demo/api/pulls');
    expect(open.headers.get('x-total-count')).toBe('2');
    expect(open.body.map((p: { number: number }) => p.number)).toEqual([pr.number, pr.number - 1]);
    const paged = await api.get('/repos/demo/api/pulls?limit=1');
    expect(paged.headers.get('link')).toContain('rel="next"');
  });

  it('merging a PR closes the issues it fixes and shows merged on both endpoints', async () => {
    const pr = sandbox.store.pulls('demo/api')[0]!;
    sandbox.store.mergePullRequest('demo/api', pr.number, 'claude');
    const pull = await api.get(`/repos/demo/api/pulls/${pr.number}`);
    expect(pull.body).toMatchObject({ state: 'closed', merged: true, merged_by: { login: 'claude' } });
    const asIssue = await api.get(`/repos/demo/api/issues/${pr.number}`);
    expect(asIssue.body.pull_request).toMatchObject({ merged: true });
    expect((await api.get('/repos/demo/api/issues/1')).body.state).toBe('closed');
    expect((await api.get('/repos/demo/api/issues/2')).body.state).toBe('open');
    expect((await api.get('/repos/demo/api/pulls?state=closed')).body.map((p: { number: number }) => p.number)).toEqual([pr.number]);
  });

  const combined: [string, [string, CommitStatusState][], string][] = [
    ['no statuses', [], 'pending'],
    ['pending and success', [['build', 'pending'], ['lint', 'success']], 'pending'],
    ['all success or skipped', [['build', 'success'], ['lint', 'skipped']], 'success'],
    ['any failure', [['build', 'success'], ['lint', 'failure']], 'failure'],
    ['any error', [['build', 'error'], ['lint', 'success']], 'failure'],
    ['any warning', [['build', 'warning'], ['lint', 'success']], 'failure'],
    ['only the latest status per context', [['build', 'failure'], ['build', 'success']], 'success'],
  ];

  it.each(combined)('combines %s into %s', async (_, statuses, state) => {
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'CI check', body: '', author: 'claude' });
    const sha = pr.pull!.headSha;
    for (const [context, s] of statuses) sandbox.store.setCommitStatus('demo/api', sha, { state: s, context });
    const res = await api.get(`/repos/demo/api/commits/${sha}/status`);
    const contexts = new Set(statuses.map(([c]) => c)).size;
    expect(res.body).toMatchObject({ state, sha, total_count: contexts });
    expect(res.headers.get('x-total-count')).toBe(String(contexts));
    const byBranch = await api.get(`/repos/demo/api/commits/${encodeURIComponent(pr.pull!.headRef)}/status`);
    expect(byBranch.body.sha).toBe(sha);
  });

  it('accepts a new commit status over the API (201)', async () => {
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'More CI', body: '', author: 'claude' });
    const res = await api.post(`/repos/demo/api/statuses/${pr.pull!.headSha}`, { state: 'failure', context: 'ci/e2e', description: 'e2e failed' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'failure', context: 'ci/e2e' });
    expect((await api.get(`/repos/demo/api/commits/${pr.pull!.headSha.slice(0, 10)}/status`)).body.state).toBe('failure');
  });
});
