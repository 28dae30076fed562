import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';

// runCli passes HOME on: the binary reads the per-user config under it, never the real user's.
process.env.HOME = mkdtempSync(join(tmpdir(), 'switchboard-home-'));
const home = process.env.HOME;
afterAll(() => rmSync(home, { recursive: true, force: true }));

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ issues: 60, seed: 7, token: 'sbx_live_preview_token_0123456789' });
});
afterAll(async () => {
  await sandbox.close();
});

const env = () => ({ GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token });

describe('switchboard triage --dry-run against a live tracker', () => {
  it('fetches every enrolled repo and prints the same document as for a file', async () => {
    const r = await runCli(['triage', '--dry-run', '--json', '--repo', 'demo/api', '--repo', 'demo/web'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const open = ['demo/api', 'demo/web'].reduce(
      (n, repo) => n + sandbox.store.issues(repo).filter((i) => i.state === 'open' && i.pull === null).length,
      0,
    );
    expect(doc.issues).toHaveLength(open);
    expect(new Set(doc.issues.map((i: { repo: string }) => i.repo))).toEqual(new Set(['demo/api', 'demo/web']));
    expect(doc.proposals).toHaveLength(open);
    // --repo enrols the repos for the preview: only the kill switch and trust gate what acts.
    const gates = new Set(doc.proposals.flatMap((p: { blockedBy: { kind: string }[] }) => p.blockedBy.map((g) => g.kind)));
    expect(gates.has('repo-not-enrolled')).toBe(false);
    expect(gates.has('disarmed')).toBe(true);
  });

  it('writes nothing to the tracker', async () => {
    sandbox.resetRequestCounts();
    await runCli(['triage', '--dry-run', '--json', '--repo', 'demo/infra'], { env: env() });
    const writes = Object.entries(sandbox.requests()).filter(([route]) => !route.startsWith('GET '));
    expect(writes).toEqual([]);
    expect(sandbox.requestCount()).toBeGreaterThan(0);
  });

  it('a wrong token is exit 3 with one sentence that never shows the token', async () => {
    const r = await runCli(['triage', '--json', '--repo', 'demo/api'], { env: { GITEA_URL: sandbox.url, GITEA_TOKEN: 'sbx_wrong_secret_value_42' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/token rejected by 127\.0\.0\.1:\d+: check GITEA_TOKEN/);
    expect(r.stderr + r.stdout).not.toContain('sbx_wrong_secret_value_42');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a tracker that is down is one sentence and a non-zero exit', async () => {
    const r = await runCli(['triage', '--json', '--repo', 'demo/api'], { env: { GITEA_URL: 'http://127.0.0.1:9', GITEA_TOKEN: 'x' }, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:9/);
  }, 60_000);

  it('no token says which variable to set', async () => {
    const r = await runCli(['triage', '--json', '--url', sandbox.url, '--repo', 'demo/api']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token for 127\.0\.0\.1:\d+: set GITEA_TOKEN/);
  });

  it('no token on GitHub names the variables GitHub is read with, not GITEA_TOKEN', async () => {
    const r = await runCli(['triage', '--json', '--url', sandbox.url, '--repo', 'demo/api'], { env: { SWITCHBOARD_TRACKER: 'github' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token for 127\.0\.0\.1:\d+: set GITHUB_TOKEN or GH_TOKEN/);
    expect(r.stderr).not.toMatch(/GITEA_TOKEN/);
  });

  it('a renamed repo is one sentence saying where it went and a non-zero exit', async () => {
    const moved = await startSandbox({ issues: 4, seed: 3 });
    try {
      moved.store.renameRepo('demo/api', 'api-v2');
      const r = await runCli(['triage', '--dry-run', '--json', '--repo', 'demo/api'], { env: { GITEA_URL: moved.url, GITEA_TOKEN: moved.token } });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim()).toBe('switchboard: demo/api moved to demo/api-v2: update `repos`');
    } finally {
      await moved.close();
    }
  });
});
