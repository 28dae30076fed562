import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGiteaTracker, type GiteaTracker } from '../../src/adapters/gitea/index.js';
import { checkReadiness } from '../../src/adapters/readiness.js';
import { readinessGate } from '../../src/core/policy.js';
import { type Agent, AgentSchema } from '../../src/core/routing.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const agent = (o: Record<string, unknown>): Agent => AgentSchema.parse({ displayName: String(o.id), maxConcurrent: 1, ...o });
const noTracker = { permission: async () => 'write' as const };

async function server(answer: Parameters<typeof loopbackServer>[0]): Promise<LoopbackServer> {
  const s = await loopbackServer(answer);
  cleanup.push(() => s.close());
  return s;
}

describe('readiness before dispatch (seed 004)', () => {
  it('an http agent is ready when its health URL answers 2xx; an error, a redirect or silence is not ready', async () => {
    const ok = await server((_req, res) => res.writeHead(204).end());
    const down = await server((_req, res) => res.writeHead(503).end('busy'));
    const moved = await server((_req, res) => res.writeHead(302, { location: `${ok.url}/` }).end());
    const silent = await server(() => undefined);
    const agents = [
      agent({ id: 'ok', kind: 'http', endpoint: `${ok.url}/run`, healthUrl: `${ok.url}/health` }),
      agent({ id: 'down', kind: 'http', endpoint: `${down.url}/run`, healthUrl: `${down.url}/health`, readiness: 'block' }),
      agent({ id: 'moved', kind: 'http', endpoint: `${moved.url}/run`, healthUrl: `${moved.url}/health` }),
      agent({ id: 'silent', kind: 'http', endpoint: `${silent.url}/run`, healthUrl: `${silent.url}/health` }),
      agent({ id: 'unchecked', kind: 'http', endpoint: `${ok.url}/run` }),
    ];
    const facts = await checkReadiness(agents, { tracker: noTracker, repos: [], timeoutMs: 300 });
    expect(Object.fromEntries(facts)).toEqual({ ok: { healthOk: true }, down: { healthOk: false }, moved: { healthOk: false }, silent: { healthOk: false } });
    // what the operator sees: a blocking gate for the agent in block mode
    expect(readinessGate(agents[1]!, facts.get('down')).gate).toEqual({ kind: 'agent-not-ready', detail: "down's health URL does not answer" });
  });

  it("a command agent: its program on PATH or as a path, and its working directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sb-ready-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const path = dirname(process.execPath);
    const agents = [
      agent({ id: 'node', kind: 'command', command: ['node', '{prompt}'], cwd: dir }),
      agent({ id: 'abs', kind: 'command', command: [process.execPath], cwd: join(dir, 'missing') }),
      agent({ id: 'ghost', kind: 'command', command: ['no-such-agent-program-7f3a', '{prompt}'], cwd: '/srv/{repo}' }),
    ];
    const facts = await checkReadiness(agents, { tracker: noTracker, repos: [], path });
    expect(Object.fromEntries(facts)).toEqual({
      node: { binaryOnPath: true, cwdExists: true },
      abs: { binaryOnPath: true, cwdExists: false },
      // a per-repo working directory is checked at dispatch, not here
      ghost: { binaryOnPath: false },
    });
  });

  it('a tracker agent is ready when its login can be assigned in every enrolled repo (the sandbox over HTTP)', async () => {
    const sandbox: Sandbox = await startSandbox({ repos: ['acme/api'], issues: 0 });
    const tracker: GiteaTracker = createGiteaTracker({ url: sandbox.url, token: sandbox.token, retry: { baseDelayMs: 5 } });
    cleanup.push(async () => {
      await tracker.close();
      await sandbox.close();
    });
    const agents = [
      agent({ id: 'claude', kind: 'tracker', assignee: 'claude' }),
      agent({ id: 'nobody', kind: 'tracker', assignee: 'no-such-login' }),
      agent({ id: 'kimi', kind: 'tracker', label: 'kimi-ready' }),
    ];
    const facts = await checkReadiness(agents, { tracker, repos: ['acme/api'] });
    expect(Object.fromEntries(facts)).toEqual({ claude: { assignable: true }, nobody: { assignable: false } });
  });
});
