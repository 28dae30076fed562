import { describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { apiClient } from '../helpers/sandbox-client.js';
import { cli, isolatedHome } from './harness.js';

/**
 * `switchboard doctor` against the sandbox's GitHub dialect, over real HTTP with the built CLI:
 * the token, its scopes or permissions, the rate limit, repo access, each agent assignable.
 */

const home = isolatedHome();

const env = (sandbox: Sandbox, token = sandbox.token): Record<string, string> => ({
  SWITCHBOARD_TRACKER: 'github',
  GITHUB_API_URL: sandbox.apiUrl,
  GITHUB_TOKEN: token,
  SWITCHBOARD_REPOS: 'demo/api',
});

async function withGithub(options: SandboxOptions, run: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox({ dialect: 'github', repos: ['api'], issues: 3, seed: 2, ...options });
  try {
    await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe('switchboard doctor on GitHub', () => {
  it('every check is ✓: token, its permissions, rate limit, repo, labels, each agent assignable', async () => {
    await withGithub({}, async (sandbox) => {
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], env(sandbox));
      expect(r.stdout.split('\n').filter((l) => l.startsWith('✗'))).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✓ token accepted: 127\.0\.0\.1:\d+ answers; signed in as switchboard/);
      expect(r.stdout).toContain('✓ token permissions: fine-grained or app token');
      expect(r.stdout).toMatch(/✓ rate limit: \d+ of 5000 requests left this hour \(resets \d{4}-/);
      expect(r.stdout).toContain('✓ repo demo/api: exists and the token user can label, assign and comment');
      expect(r.stdout).toContain('✓ assignable claude in demo/api: claude can be assigned issues');
      expect(r.stdout).toMatch(/✓ labels demo\/api/);
      expect(r.stdout).not.toContain(sandbox.token);
    });
  });

  it('a classic token without a write scope, a reader, and an agent that cannot be assigned are each ✗ with the fix', async () => {
    await withGithub({ users: [{ login: 'rita', token: 'tok-gh-rita', permission: 'read', scopes: ['read:org', 'gist'] }] }, async (sandbox) => {
      sandbox.store.setPermission('claude', 'read');
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], env(sandbox, 'tok-gh-rita'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✓ token accepted: .* signed in as rita/);
      expect(r.stdout).toContain('✗ token scopes: classic token with read:org, gist: cannot write issues\n    fix: give the token the repo scope');
      expect(r.stdout).toContain('✗ repo demo/api: the token user can read but not triage issues\n    fix: give the token user triage or write access to demo/api');
      expect(r.stdout).toContain('✗ assignable claude in demo/api: claude cannot be assigned issues in demo/api; GitHub would drop the assignment silently');
    });
  });

  it("a classic token with the repo scope is ✓; a spent rate limit is ✗ with when it comes back", async () => {
    await withGithub({ rateLimit: 3, users: [{ login: 'wendy', token: 'tok-gh-wendy', permission: 'write', scopes: ['repo', 'read:org'] }] }, async (sandbox) => {
      // Two of the three requests this hour are gone before doctor asks; its GET /user takes the last.
      const other = apiClient(sandbox, 'tok-gh-wendy');
      for (let i = 0; i < 2; i++) expect((await other.get('/repos/demo/api')).status).toBe(200);
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], env(sandbox, 'tok-gh-wendy'));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✓ token scopes: classic token with repo, read:org');
      expect(r.stdout).toMatch(/✗ rate limit: no requests left of 3; resets \d{4}-\d\d-\d\dT[\d:.]+Z\n\s+fix: wait for the reset/);
    });
  });

  it('a bad token is ✗ and says where the token comes from, without printing it', async () => {
    await withGithub({}, async (sandbox) => {
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], env(sandbox, 'ghp_not_the_token'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✗ token accepted: .*GITHUB_TOKEN/);
      expect(r.stdout).not.toContain('ghp_not_the_token');
    });
  });
});
