import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { cli, isolatedHome } from './harness.js';

const home = isolatedHome();

describe('switchboard doctor', () => {
  it('against the sandbox every check is ✓ and the exit is 0', async () => {
    const sandbox = await startSandbox({ issues: 6, seed: 2 });
    try {
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: sandbox.repos.join(',') });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
      for (const name of ['config', 'tracker reachable', 'token accepted', 'repo demo/api', 'labels demo/api', 'state dir']) {
        expect(lines.some((l) => l.startsWith(`✓ ${name}:`))).toBe(true);
      }
      expect(r.stdout).not.toContain(sandbox.token);
    } finally {
      await sandbox.close();
    }
  });

  it('against a stopped sandbox the tracker check is ✗ with the fix and the exit is not 0', async () => {
    const sandbox = await startSandbox({ issues: 1 });
    const { url, token } = sandbox;
    await sandbox.close();
    const r = await cli(home, ['doctor', '--json', '--state-dir', home.stateDir], { GITEA_URL: url, GITEA_TOKEN: token, SWITCHBOARD_REPOS: 'demo/api' });
    expect(r.code).not.toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    const tracker = doc.checks.find((c: { name: string }) => c.name === 'tracker reachable');
    expect(tracker).toMatchObject({ ok: false, fix: expect.stringMatching(/check that 127\.0\.0\.1:\d+ is up/) });
  });

  it('a command agent that is not on PATH is ✗ with the fix', async () => {
    const sandbox = await startSandbox({ issues: 1 });
    try {
      const config = `${home.dir}/agents.json`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        config,
        JSON.stringify({
          agents: [
            { id: 'bot', displayName: 'Bot', kind: 'command', command: ['definitely-not-installed-xyz', '{issue}'] },
            { id: 'owner', displayName: 'Owner', kind: 'owner' },
          ],
          roles: { coding: 'bot', research: 'bot', owner: 'owner' },
        }),
      );
      const r = await cli(home, ['--config', config, 'doctor', '--state-dir', home.stateDir], { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: 'demo/api' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✗ agent bot: definitely-not-installed-xyz is not on PATH\n\s+fix: install/);
    } finally {
      await sandbox.close();
    }
  });

  it('the write check is what the server enforces for switchboard\'s writes: a reader is ✗, and the agent login must be assignable', async () => {
    const sandbox = await startSandbox({ issues: 2, users: [{ login: 'rita', token: 'tok-doctor-rita', permission: 'read' }] });
    try {
      sandbox.store.setPermission('claude', 'read');
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], { GITEA_URL: sandbox.url, GITEA_TOKEN: 'tok-doctor-rita', SWITCHBOARD_REPOS: 'demo/api' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✗ repo demo/api: the token user can comment on issues but not label or assign them (read)\n    fix: give rita write access to issues in demo/api');
      expect(r.stdout).toContain('✗ assignees demo/api: @claude cannot be assigned to issues');
    } finally {
      await sandbox.close();
    }
  });

  it('a renamed repo is ✗ with where it went', async () => {
    const sandbox = await startSandbox({ issues: 2 });
    try {
      sandbox.store.renameRepo('demo/api', 'api-v2');
      const r = await cli(home, ['doctor', '--state-dir', home.stateDir], { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: 'demo/api' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✗ repo demo/api: demo/api moved to demo/api-v2: update `repos`');
    } finally {
      await sandbox.close();
    }
  });
});
