import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient } from '../helpers/sandbox-client.js';
import { loadGiteaSpec, responseSchema, validate } from '../helpers/swagger-validate.js';

const spec = loadGiteaSpec();

describe('the schema checker', () => {
  const issueList = { type: 'array', items: { $ref: '#/definitions/Issue' } };

  it('accepts a well-formed issue and nulls in optional fields', () => {
    const issue = { number: 7, title: 't', closed_at: null, labels: [{ id: 1, name: 'bug', color: 'ee0701' }], created_at: '2025-01-01T00:00:00Z' };
    expect(validate(spec, issueList, [issue])).toEqual([]);
  });

  it('names the field that has the wrong type, a bad date, an unknown enum value and a misspelt field', () => {
    const bad = { number: '7', created_at: 'yesterday', state: 'merged', labels: [{ id: 1.5 }], titel: 'x' };
    expect(validate(spec, issueList, [bad], { strict: true })).toEqual([
      '$[0].number: expected integer, got string',
      '$[0].created_at: "yesterday" is not a date-time',
      '$[0].state: "merged" is not one of open, closed',
      '$[0].labels[0].id: expected integer, got number',
      '$[0].titel: not in the schema',
    ]);
  });

  it('refuses an object where the spec has an array', () => {
    expect(validate(spec, issueList, { number: 1 })).toEqual(['$: expected array, got object']);
  });
});

describe('every sandbox response matches Gitea 1.26.3\'s response schema', () => {
  let sandbox: Sandbox;
  let api: ReturnType<typeof apiClient>;
  let prNumber: number;
  let headSha: string;
  let labelId: number;
  let commentId: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 12, repos: 1 });
    api = apiClient(sandbox);
    const pr = sandbox.store.createPullRequest('demo/api', { title: 'Fix the session bug', body: 'Fixes #1', author: 'claude', headRef: 'claude/issue-1' });
    prNumber = pr.number;
    headSha = pr.pull!.headSha;
    sandbox.store.setCommitStatus('demo/api', headSha, { state: 'pending', context: 'ci/build' });
    sandbox.store.setCommitStatus('demo/api', headSha, { state: 'success', context: 'ci/lint' });
    labelId = sandbox.store.labels('demo/api')[0]!.id;
    commentId = sandbox.store.addComment('demo/api', 1, 'Looking at it.').id;
    sandbox.store.createOrgLabel('demo', { name: 'team/backend', color: '#0052cc', exclusive: true });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  const cases: [string, string, () => string, (() => unknown) | undefined, number][] = [
    ['/version', 'GET', () => '/version', undefined, 200],
    ['/settings/api', 'GET', () => '/settings/api', undefined, 200],
    ['/user', 'GET', () => '/user', undefined, 200],
    ['/repos/{owner}/{repo}', 'GET', () => '/repos/demo/api', undefined, 200],
    ['/repos/{owner}/{repo}/issues', 'GET', () => '/repos/demo/api/issues?state=all&limit=50', undefined, 200],
    ['/repos/{owner}/{repo}/issues', 'POST', () => '/repos/demo/api/issues', () => ({ title: 'New one', body: 'Details', labels: [labelId], assignees: ['amara'] }), 201],
    ['/repos/{owner}/{repo}/issues/{index}', 'GET', () => '/repos/demo/api/issues/1', undefined, 200],
    ['/repos/{owner}/{repo}/issues/{index}', 'GET', () => `/repos/demo/api/issues/${prNumber}`, undefined, 200],
    ['/repos/{owner}/{repo}/issues/{index}', 'PATCH', () => '/repos/demo/api/issues/2', () => ({ state: 'closed', assignees: ['claude'] }), 201],
    ['/repos/{owner}/{repo}/issues/{index}/comments', 'GET', () => '/repos/demo/api/issues/1/comments', undefined, 200],
    ['/repos/{owner}/{repo}/issues/{index}/comments', 'POST', () => '/repos/demo/api/issues/1/comments', () => ({ body: 'A comment' }), 201],
    ['/repos/{owner}/{repo}/issues/comments/{id}', 'PATCH', () => `/repos/demo/api/issues/comments/${commentId}`, () => ({ body: 'Edited' }), 200],
    ['/repos/{owner}/{repo}/issues/{index}/timeline', 'GET', () => '/repos/demo/api/issues/1/timeline', undefined, 200],
    ['/repos/{owner}/{repo}/labels', 'GET', () => '/repos/demo/api/labels', undefined, 200],
    ['/repos/{owner}/{repo}/labels', 'POST', () => '/repos/demo/api/labels', () => ({ name: 'switchboard:in-progress', color: '#fbca04' }), 201],
    ['/repos/{owner}/{repo}/issues/{index}/labels', 'POST', () => '/repos/demo/api/issues/3/labels', () => ({ labels: ['bug', 'security'] }), 200],
    ['/repos/{owner}/{repo}/issues/{index}/labels/{id}', 'DELETE', () => `/repos/demo/api/issues/3/labels/${labelId}`, undefined, 204],
    ['/repos/{owner}/{repo}/collaborators/{collaborator}/permission', 'GET', () => '/repos/demo/api/collaborators/amara/permission', undefined, 200],
    ['/repos/{owner}/{repo}/pulls', 'GET', () => '/repos/demo/api/pulls?state=all', undefined, 200],
    ['/repos/{owner}/{repo}/pulls/{index}', 'GET', () => `/repos/demo/api/pulls/${prNumber}`, undefined, 200],
    ['/repos/{owner}/{repo}/commits/{ref}/status', 'GET', () => `/repos/demo/api/commits/${headSha}/status`, undefined, 200],
    ['/repos/{owner}/{repo}/commits/{ref}/status', 'GET', () => '/repos/demo/api/commits/claude%2Fissue-1/status', undefined, 200],
    ['/repos/{owner}/{repo}/statuses/{sha}', 'POST', () => `/repos/demo/api/statuses/${headSha}`, () => ({ state: 'failure', context: 'ci/e2e' }), 201],
    ['/repos/{owner}/{repo}', 'PATCH', () => '/repos/demo/api', () => ({}), 200],
    ['/repos/{owner}/{repo}/assignees', 'GET', () => '/repos/demo/api/assignees', undefined, 200],
    ['/orgs/{org}/labels', 'GET', () => '/orgs/demo/labels', undefined, 200],
    ['/repos/{owner}/{repo}/issues/{index}/labels', 'GET', () => '/repos/demo/api/issues/3/labels', undefined, 200],
    ['/repos/{owner}/{repo}/labels/{id}', 'DELETE', () => `/repos/demo/api/labels/${sandbox.store.labels('demo/api').at(-1)!.id}`, undefined, 204],
    ['/repos/{owner}/{repo}/issues/{index}', 'DELETE', () => '/repos/demo/api/issues/12', undefined, 204],
  ];

  it.each(cases)('%s %s', async (specPath, method, path, body, status) => {
    const res = await api.request(method, path(), body?.());
    expect(res.status, res.text).toBe(status);
    const schema = responseSchema(spec, specPath, method, status);
    if (schema === undefined) {
      expect(res.text).toBe('');
      return;
    }
    expect(validate(spec, schema, res.body, { strict: true })).toEqual([]);
  });

  it('the timeline carries a pull_ref entry whose ref_issue is the PR as an issue', async () => {
    const res = await api.get('/repos/demo/api/issues/1/timeline');
    const ref = res.body.find((e: { type: string }) => e.type === 'pull_ref');
    expect(ref.ref_issue).toMatchObject({ number: prNumber, pull_request: { merged: false } });
    expect(ref.ref_action).toBe('closes');
  });
});
