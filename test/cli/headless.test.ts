import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, isolatedHome, startCli, waitFor } from './harness.js';

let sandbox: Sandbox;
const home = isolatedHome();

beforeAll(async () => {
  sandbox = await startSandbox({ issues: 24, seed: 3, token: 'sbx_headless_secret_token_0123456789' });
});
afterAll(async () => {
  await sandbox.close();
});

const env = () => ({ GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: sandbox.repos.join(',') });
let dirs = 0;
const freshState = () => join(home.dir, `state-${++dirs}`);

// The documented schema (docs/headless-events.md), checked line by line.
const base = { v: z.literal(1), ts: z.iso.datetime(), level: z.enum(['info', 'warn', 'error']) };
const EventLine = z.discriminatedUnion('event', [
  z.object({ ...base, event: z.literal('cycle-started'), cycle: z.number().int() }),
  z.object({
    ...base,
    event: z.literal('cycle-finished'),
    cycle: z.number().int(),
    durationMs: z.number(),
    backlog: z.number(),
    proposals: z.number(),
    approved: z.number(),
    executed: z.number(),
    dispatches: z.number(),
    writes: z.number(),
    errors: z.array(z.string()),
  }),
  ...(['proposal-added', 'proposal-changed'] as const).map((event) =>
    z.object({
      ...base,
      event: z.literal(event),
      proposal: z.string(),
      issue: z.string().regex(/^[^/]+\/[^#]+#\d+$/),
      action: z.enum(['dispatch', 'flag', 'skip']),
      agent: z.string().nullable(),
      status: z.string(),
      reason: z.string(),
      gates: z.array(z.string()),
      approvedBy: z.string().nullable(),
      waiting: z.string().nullable(),
      outcome: z.string().nullable(),
    }),
  ),
  z.object({ ...base, event: z.literal('write-made'), method: z.string(), what: z.string(), path: z.string(), issue: z.string(), proposal: z.string().nullable(), dryRun: z.boolean() }),
  z.object({ ...base, event: z.literal('dispatch-changed'), proposal: z.string(), issue: z.string(), agent: z.string(), state: z.string(), previousState: z.string().nullable(), attempt: z.number(), note: z.string() }),
  z.object({ ...base, event: z.literal('error'), message: z.string() }),
  z.object({ ...base, event: z.enum(['armed', 'disarmed', 'paused', 'resumed']) }),
  z.object({ ...base, event: z.literal('dry-run'), on: z.boolean() }),
]);

describe('switchboard run --headless', () => {
  it('--once --json prints one documented NDJSON event per line and exits 0 after a clean cycle', async () => {
    const r = await cli(home, ['run', '--headless', '--once', '--json', '--state-dir', freshState()], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const events = lines.map((line) => EventLine.parse(JSON.parse(line)));
    expect(events[0]?.event).toBe('cycle-started');
    expect(events.at(-1)?.event).toBe('cycle-finished');
    expect(events.filter((e) => e.event === 'proposal-added').length).toBeGreaterThan(5);
    expect(r.stdout).not.toContain(sandbox.token);
  });

  it('human lines carry time, level and event, one per line', async () => {
    const r = await cli(home, ['run', '--headless', '--once', '--dry-run', '--state-dir', freshState()], env());
    expect(r.code).toBe(0);
    for (const line of r.stdout.trim().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO |WARN |ERROR) \S/);
  });

  it('--once exits 1 when the cycle had errors', async () => {
    const r = await cli(home, ['run', '--headless', '--once', '--repo', 'demo/nope', '--state-dir', freshState()], env());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cycle 1: .*; 1 error: /);
  });

  it('a renamed repo is an error event saying where it went', async () => {
    const moved = await startSandbox({ issues: 3, seed: 4 });
    try {
      moved.store.renameRepo('demo/web', 'web-next');
      const r = await cli(home, ['run', '--headless', '--once', '--repo', 'demo/web', '--state-dir', freshState()], { GITEA_URL: moved.url, GITEA_TOKEN: moved.token });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/ERROR could not fetch demo\/web: demo\/web moved to demo\/web-next: update `repos`\n/);
    } finally {
      await moved.close();
    }
  });

  it('a tracker that is down at start is a warning and the engine keeps retrying; SIGINT exits 0', async () => {
    const run = startCli(home, ['run', '--headless', '--state-dir', freshState()], { GITEA_URL: 'http://127.0.0.1:9', GITEA_TOKEN: 'sbx_any', SWITCHBOARD_REPOS: 'demo/api' });
    await waitFor(() => (/the engine keeps retrying/.test(run.stderr()) ? true : undefined), 15_000, 'the retry warning');
    expect(run.stderr()).toMatch(/WARN {2}127\.0\.0\.1:9 unavailable: .*; the engine keeps retrying/);
    await waitFor(() => (/cycle 1: .*1 error/.test(run.stdout()) ? true : undefined), 15_000, 'a failed first cycle');
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 40_000);

  it('a bad --interval is exit 2 with one sentence', async () => {
    const r = await cli(home, ['run', '--headless', '--interval', '500ms'], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('switchboard: --interval takes a duration from 1s to 7d, like 30s, 15m or 1h, not "500ms".');
  });

  it('--arm without enrolled repos is exit 2 saying how to enrol', async () => {
    const r = await cli(home, ['run', '--headless', '--arm'], { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot arm: no repositories are enrolled/);
  });

  it('a wrong token is exit 3 with one sentence and never the token', async () => {
    const r = await cli(home, ['run', '--headless', '--once', '--state-dir', freshState()], { ...env(), GITEA_TOKEN: 'sbx_wrong_headless_secret_77' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/token rejected/);
    expect(r.stderr + r.stdout).not.toContain('sbx_wrong_headless_secret_77');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('SIGTERM during a cycle exits 0 with the journal intact', async () => {
    const state = freshState();
    sandbox.setLatency(40);
    try {
      const run = startCli(home, ['run', '--headless', '--approve', 'all', '--arm', '--interval', '1h', '--state-dir', state], env());
      await waitFor(() => (/wrote /.test(run.stdout()) ? true : undefined), 10_000, 'a first write');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const journal = readFileSync(join(state, 'journal.jsonl'), 'utf8').trim().split('\n');
      expect(journal.length).toBeGreaterThan(1);
      for (const line of journal) expect(() => JSON.parse(line)).not.toThrow();
      const status = JSON.parse(readFileSync(join(state, 'status.json'), 'utf8'));
      expect(status.running).toBe(false);
    } finally {
      sandbox.setLatency(0);
    }
  });

  it('an approve from a second shell is executed by the running engine within 2 s', async () => {
    const state = freshState();
    const run = startCli(home, ['run', '--headless', '--approve', 'manual', '--arm', '--interval', '1h', '--state-dir', state], env());
    try {
      const proposal = await waitFor(
        () => {
          try {
            const status = JSON.parse(readFileSync(join(state, 'status.json'), 'utf8'));
            return status.proposals.find((p: { status: string; action: string; gates: string[] }) => p.status === 'proposed' && p.action === 'dispatch' && p.gates.length === 0) as
              | { id: string; issue: string }
              | undefined;
          } catch {
            return undefined;
          }
        },
        10_000,
        'a clear proposal in status.json',
      );
      const r = await cli(home, ['approve', proposal.id.slice(0, 6), '--state-dir', state]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/queued approve/);
      const approvedAt = Date.now();
      const [repo, number] = proposal.issue.split('#') as [string, string];
      await waitFor(
        () => (sandbox.store.comments(repo, Number(number)).some((c) => c.body.includes(proposal.id)) ? true : undefined),
        2000,
        'the audit comment in the sandbox',
      );
      expect(Date.now() - approvedAt).toBeLessThan(2000);
    } finally {
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
    }
  });

  it('never loads ink or react', () => {
    // A loader hook refuses ink and react: importing the headless path must still succeed.
    const hooks = join(home.dir, 'no-ink-hooks.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {
        if (/^(ink|react)(\\/|$)/.test(specifier)) throw new Error('headless loaded ' + specifier);
        return next(specifier, context);
      }`,
    );
    const register = `import { register } from 'node:module'; import { pathToFileURL } from 'node:url'; register(pathToFileURL(${JSON.stringify(hooks)}));`;
    const importing = (target: string) =>
      spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', `await import(${JSON.stringify(target)}); console.log('ok');`], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...home.env },
      });
    for (const module of ['commands/run.js', 'headless/run.js', 'commands/demo-command.js']) {
      const r = importing(fileURLToPath(new URL(`../../dist/${module}`, import.meta.url)));
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('ok');
    }
    // the hook does catch ink when something imports it
    const control = importing('ink');
    expect(control.status).not.toBe(0);
    expect(control.stderr).toMatch(/headless loaded ink/);
  });
});
