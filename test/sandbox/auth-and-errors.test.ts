import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { apiClient } from '../helpers/sandbox-client.js';

describe('authentication and errors', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 6 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('hands out a random sbx_ token and a loopback URL', () => {
    expect(sandbox.token).toMatch(/^sbx_[0-9a-f]{32}$/);
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.repos).toEqual(['demo/api', 'demo/web', 'demo/infra']);
  });

  it('answers 401 with an APIError body when the token is missing or wrong, without echoing it', async () => {
    for (const token of [null, 'sbx_wrong-token-value']) {
      const res = await apiClient(sandbox, token).get('/repos/demo/api/issues');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: expect.any(String), url: `${sandbox.url}/api/swagger` });
      expect(res.text).not.toContain('sbx_wrong');
      expect(res.text).not.toContain(sandbox.token);
    }
  });

  it('accepts the token as `token`, `Bearer` and Basic auth', async () => {
    const anon = apiClient(sandbox, null);
    const basic = Buffer.from(`${sandbox.token}:x-oauth-basic`).toString('base64');
    for (const authorization of [`token ${sandbox.token}`, `Bearer ${sandbox.token}`, `bearer ${sandbox.token}`, `Basic ${basic}`]) {
      const res = await anon.request('GET', '/user', undefined, { Authorization: authorization });
      expect(res.status, authorization.split(' ')[0]).toBe(200);
      expect(res.body.login).toBe('switchboard');
    }
  });

  it('serves /version and /settings/api without a token', async () => {
    const anon = apiClient(sandbox, null);
    expect((await anon.get('/version')).body).toEqual({ version: '1.26.3-sandbox' });
    expect((await anon.get('/settings/api')).body).toMatchObject({ max_response_items: 50, default_paging_num: 30 });
  });

  it('answers 404 for an unknown repo, issue, pull request, comment, collaborator and path', async () => {
    const api = apiClient(sandbox);
    const paths = [
      '/repos/demo/nope',
      '/repos/demo/nope/issues',
      '/repos/demo/api/issues/9999',
      '/repos/demo/api/issues/not-a-number',
      '/repos/demo/api/pulls/1',
      '/repos/demo/api/collaborators/nobody-here/permission',
      '/repos/demo/api/commits/no-such-branch/status',
      '/nothing/here',
    ];
    for (const path of paths) expect((await api.get(path)).status, path).toBe(404);
    expect((await api.patch('/repos/demo/api/issues/comments/99999', { body: 'x' })).status).toBe(404);
  });

  it('reads repo names case-insensitively, as Gitea does', async () => {
    const res = await apiClient(sandbox).get('/repos/Demo/API');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ full_name: 'demo/api', permissions: { admin: true, push: true, pull: true }, has_issues: true, archived: false });
  });

  it('refuses to listen on a non-loopback address unless allowed, and refuses bad names and numbers', async () => {
    await expect(startSandbox({ host: '0.0.0.0' })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    await expect(startSandbox({ repos: ['ok', 'not ok'] })).rejects.toThrow('"not ok" is not a repository name');
    await expect(startSandbox({ port: 70_000 })).rejects.toThrow('port must be a whole number from 0 to 65535');
  });

  it('creates the repos it is given by name, with their owners', async () => {
    const named = await startSandbox({ repos: ['acme/api', 'tools'], issues: 4 });
    try {
      expect(named.repos).toEqual(['acme/api', 'demo/tools']);
      expect((await apiClient(named).get('/repos/acme/api')).body.owner.login).toBe('acme');
    } finally {
      await named.close();
    }
  });
});

describe('collaborator permissions', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 0, repos: 1 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const permission = async (login: string) => (await apiClient(sandbox).get(`/repos/demo/api/collaborators/${login}/permission`)).body;

  it('gives the token user admin, agents write, and seeded authors a mix of write and read', async () => {
    expect(await permission('switchboard')).toMatchObject({ permission: 'admin', role_name: 'admin', user: { login: 'switchboard' } });
    expect((await permission('claude')).permission).toBe('write');
    expect((await permission('kimi-ready')).permission).toBe('write');
    const authors = ['amara', 'bjorn', 'chen', 'dana'];
    const seen = new Set<string>();
    for (const a of authors) seen.add((await permission(a)).permission);
    expect([...seen].sort()).toEqual(['read', 'write']);
  });

  it('follows a permission changed through the store', async () => {
    sandbox.store.setPermission('newcomer', 'read');
    expect((await permission('newcomer')).permission).toBe('read');
    sandbox.store.setPermission('newcomer', 'write');
    expect((await permission('newcomer')).permission).toBe('write');
  });
});
