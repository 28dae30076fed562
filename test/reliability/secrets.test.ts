import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { openSwitchboard } from '../../src/wiring.js';
import { cli, isolatedHome, startCli, waitFor } from '../cli/harness.js';
import type { CliResult } from '../helpers/cli.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

/**
 * Every CLI command, the real binary, with recognisable secrets in play: the tracker token and an
 * http agent's signing secret must never appear in any output, file, event or error. See
 * RELIABILITY.md, "Secrets".
 */

const TOKEN = 'sbx_SECRET_canary_7f3a9c';
const WRONG_TOKEN = 'sbx_SECRET_canary_wrong_3e8d';
const HMAC = 'SB_HMAC_canary_51d2';
const CANARIES = [TOKEN, WRONG_TOKEN, HMAC];
// the parts of a canary that would still give it away if it were cut or re-encoded
const FRAGMENTS = ['canary_7f3a9c', 'canary_wrong_3e8d', 'canary_51d2', Buffer.from(TOKEN).toString('base64').slice(0, 16)];

let sandbox: Sandbox;
let agentServer: LoopbackServer;
const home = isolatedHome();
let configFile: string;
const outputs: { what: string; text: string }[] = [];
let checked = 0;

function clean(what: string, text: string): void {
  checked++;
  for (const c of [...CANARIES, ...FRAGMENTS]) expect(text, `${what} leaks ${c}`).not.toContain(c);
}
function record(what: string, r: CliResult): CliResult {
  outputs.push({ what, text: r.stdout + r.stderr });
  clean(`${what} (stdout)`, r.stdout);
  clean(`${what} (stderr)`, r.stderr);
  return r;
}

const env = (over: Record<string, string> = {}) => ({
  GITEA_URL: sandbox.url,
  GITEA_TOKEN: TOKEN,
  SWITCHBOARD_REPOS: 'demo/api',
  SB_AGENT_SECRET: HMAC,
  ...over,
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

beforeAll(async () => {
  sandbox = await startSandbox({ issues: 24, seed: 5, token: TOKEN, agents: true });
  sandbox.store.setPermission('alice', 'write');
  agentServer = await loopbackServer((_req, res) => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'run-1' }));
  });
  configFile = join(home.dir, 'switchboard.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      agents: [
        { id: 'hooky', displayName: 'Hooky', kind: 'http', endpoint: `${agentServer.url}/run`, secretEnv: 'SB_AGENT_SECRET', maxConcurrent: 50 },
        { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready' },
        { id: 'owner', displayName: 'Owner', kind: 'owner' },
      ],
      roles: { coding: 'hooky', research: 'kimi', owner: 'owner' },
      limits: { repoLock: false },
    }),
    { mode: 0o600 },
  );
});

afterAll(async () => {
  await agentServer.close();
  await sandbox.close();
  rmSync(home.dir, { recursive: true, force: true });
});

describe('secrets never leak', () => {
  const state = () => join(home.dir, 'state');

  it('through every command of the real binary, its files and its errors', async () => {
    const base = ['--config', configFile];
    record('triage live', await cli(home, [...base, 'triage', '--json', '--repo', 'demo/api'], env()));
    const run = record('run --headless --once --json', await cli(home, [...base, 'run', '--headless', '--once', '--json', '--arm', '--approve', 'all', '--state-dir', state()], env(), 30_000));
    expect(run.code, run.stderr).toBe(0);
    // it did real work: wrote to the tracker and signed a request to the http agent
    expect(run.stdout).toMatch(/write-made/);
    expect(agentServer.received.length).toBeGreaterThan(0);
    for (const req of agentServer.received) clean('the http agent request', JSON.stringify(req.headers) + req.body.toString('utf8'));

    record('run --headless (manual, pending proposals)', await cli(home, [...base, 'run', '--headless', '--once', '--state-dir', join(home.dir, 'state2')], env(), 30_000));
    const status = record('status', await cli(home, ['status', '--state-dir', join(home.dir, 'state2')], env()));
    expect(status.code).toBe(0);
    const statusJson = record('status --json', await cli(home, ['status', '--json', '--state-dir', join(home.dir, 'state2')], env()));
    const pending = (JSON.parse(statusJson.stdout) as { proposals: { id: string; status: string }[] }).proposals.find((p) => p.status === 'proposed');
    expect(pending).toBeDefined();
    const approve = record('approve', await cli(home, ['approve', (pending as { id: string }).id.slice(0, 8), '--state-dir', join(home.dir, 'state2')], env()));
    expect(approve.code, approve.stderr).toBe(0);
    record('approve (unknown id)', await cli(home, ['approve', 'ffffff', '--state-dir', join(home.dir, 'state2')], env()));

    record('config show', await cli(home, [...base, 'config', 'show'], env()));
    record('config get', await cli(home, [...base, 'config', 'get', 'agents'], env()));
    record('config set', await cli(home, [...base, 'config', 'set', 'intervalSeconds', '600'], env()));
    record('config set token (refused)', await cli(home, [...base, 'config', 'set', 'token', TOKEN], env()));

    const doctor = record('doctor', await cli(home, [...base, 'doctor', '--state-dir', state()], env()));
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    const failing = record('doctor (wrong token)', await cli(home, [...base, 'doctor', '--state-dir', state()], env({ GITEA_TOKEN: WRONG_TOKEN })));
    expect(failing.code).not.toBe(0);
    record('doctor --json (dead tracker)', await cli(home, [...base, 'doctor', '--json', '--state-dir', state()], env({ GITEA_URL: 'http://127.0.0.1:9' }), 60_000));

    const wrong = record('run (wrong token)', await cli(home, [...base, 'run', '--headless', '--once', '--state-dir', join(home.dir, 'state3')], env({ GITEA_TOKEN: WRONG_TOKEN })));
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/token/);
    const dead = record('run (dead tracker)', await cli(home, [...base, 'run', '--headless', '--once', '--state-dir', join(home.dir, 'state4')], env({ GITEA_URL: 'http://127.0.0.1:9' }), 60_000));
    expect(dead.code).not.toBe(0);
    record('triage (wrong token)', await cli(home, ['triage', '--json', '--repo', 'demo/api'], env({ GITEA_TOKEN: WRONG_TOKEN })));
    record('triage (token in the URL)', await cli(home, ['triage', '--json', '--repo', 'demo/api'], env({ GITEA_URL: `http://user:${TOKEN}@127.0.0.1:9` }), 60_000));

    // demo --headless for a few seconds, with the canaries in its environment
    const demo = startCli(home, ['demo', '--headless', '--issues', '12', '--seed', '4', '--state-dir', join(home.dir, 'demo-state')], env());
    try {
      await waitFor(() => (/cycle-finished|cycle \d+: \d+ pending/.test(demo.stdout()) ? true : undefined), 15_000, 'a demo cycle');
    } finally {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
    record('demo --headless', { code: 0, stdout: demo.stdout(), stderr: demo.stderr() });

    // sandbox --print-env prints the sandbox's own token, on purpose, and never the one in the environment
    const sb = startCli(home, ['sandbox', '--print-env', '--issues', '3'], env());
    try {
      await waitFor(() => (/GITEA_TOKEN='\S+/.test(sb.stdout()) ? true : undefined), 10_000, 'the sandbox env lines');
    } finally {
      sb.child.kill('SIGINT');
      await sb.exited;
    }
    expect(sb.stdout()).toMatch(/^export GITEA_TOKEN='sbx_/m);
    record('sandbox --print-env', { code: 0, stdout: sb.stdout(), stderr: sb.stderr() });

    // every file any of it wrote: state dirs (switchboard.log, journal, status.json, agent logs), config, data
    const files = filesUnder(home.dir);
    expect(files.some((f) => f.endsWith('journal.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('status.json'))).toBe(true);
    for (const f of files) clean(f, readFileSync(f, 'utf8'));
    console.log(`secrets: ${outputs.length} command outputs and ${files.length} files checked (${checked} texts) for ${CANARIES.length} canaries`);
  }, 55_000);

  it('the token file: 0600 is read (and never printed), 0644 is refused with a sentence', async () => {
    const tokenFile = join(home.dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const withFile = join(home.dir, 'with-token-file.json');
    writeFileSync(withFile, JSON.stringify({ tracker: { url: sandbox.url, tokenFile } }), { mode: 0o600 });
    const noTokenEnv = { GITEA_URL: sandbox.url, SWITCHBOARD_REPOS: 'demo/api' };
    const ok = record('triage with a 0600 token file', await cli(home, ['--config', withFile, 'triage', '--json'], noTokenEnv));
    expect(ok.code, ok.stderr).toBe(0);
    record('config show with a token file', await cli(home, ['--config', withFile, 'config', 'show'], noTokenEnv));
    chmodSync(tokenFile, 0o644);
    const refused = record('triage with a 0644 token file', await cli(home, ['--config', withFile, 'triage', '--json'], noTokenEnv));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/token file .* is readable by others; run: chmod 600/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('config, state and log files are private: files 0600, the state dir 0700', async () => {
    const fresh = isolatedHome();
    try {
      const init = await cli(fresh, ['config', 'init', '--url', sandbox.url, '--repo', 'demo/api', '--owner', 'alice', '--agent', 'claude'], {});
      expect(init.code, init.stderr).toBe(0);
      const path = (await cli(fresh, ['config', 'path'])).stdout.trim();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const stateDir = join(fresh.dir, 'st');
      const r = await cli(fresh, ['run', '--headless', '--once', '--state-dir', stateDir], env(), 30_000);
      expect(r.code, r.stderr).toBe(0);
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
      for (const f of filesUnder(stateDir)) expect(statSync(f).mode & 0o077, `${f} is private`).toBe(0);
    } finally {
      rmSync(fresh.dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('in process: snapshots, events and error messages carry neither canary', async () => {
    const stateDir = join(home.dir, 'inproc');
    const events: unknown[] = [];
    const sb = await openSwitchboard({
      connection: { url: sandbox.url, token: TOKEN, tokenSource: 'GITEA_TOKEN', repos: ['demo/api'] },
      config: parseConfig({ ...JSON.parse(readFileSync(configFile, 'utf8')), armed: true, autoApprove: [{ when: {} }], trustedAuthors: ['alice'] }),
      stateDir,
      env: { SB_AGENT_SECRET: HMAC },
    });
    try {
      sb.engine.onEvent((e) => events.push(e));
      await sb.engine.runCycle();
      await sb.engine.runCycle();
      const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x instanceof Set ? [...x] : x));
      clean('snapshot', json(sb.engine.getSnapshot()));
      clean('events', json(events));
      expect(events.length).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
    // in process the console's warnings go to switchboard.log in the state dir
    for (const f of filesUnder(stateDir)) clean(f, readFileSync(f, 'utf8'));
    // a rejected token and a dead tracker, in process: the error says what, never the token
    for (const connection of [
      { url: sandbox.url, token: WRONG_TOKEN, tokenSource: 'GITEA_TOKEN', repos: ['demo/api'] },
      { url: 'http://127.0.0.1:9', token: TOKEN, tokenSource: 'GITEA_TOKEN', repos: ['demo/api'] },
    ]) {
      const errors: string[] = [];
      try {
        const bad = await openSwitchboard({ connection, config: parseConfig({}), stateDir: join(home.dir, `inproc-${errors.length}-${connection.token.length}`), env: {}, tracker: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } } });
        bad.engine.onEvent((e) => errors.push(JSON.stringify(e)));
        await bad.engine.runCycle().catch((err: unknown) => errors.push(String(err), (err as Error).stack ?? ''));
        errors.push(JSON.stringify(bad.engine.getSnapshot(), (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x)));
        await bad.close();
      } catch (err) {
        errors.push(String(err), (err as Error).stack ?? '');
      }
      expect(errors.join('\n')).toMatch(/token|refused|ECONNREFUSED|reach|unreachable|connect/i);
      clean(`in-process error (${connection.url})`, errors.join('\n'));
    }
  });
});
