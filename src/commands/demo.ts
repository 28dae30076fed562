import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../core/config.js';
import { headlessConfig } from '../headless/run.js';
import type { Sandbox } from '../sandbox/index.js';
import { openSwitchboard, type Switchboard } from '../wiring.js';

export interface DemoOptions {
  readonly headless: boolean;
  readonly issues?: number | undefined;
  readonly seed?: number | undefined;
  readonly json?: boolean | undefined;
  /** seconds between cycles (default 5) */
  readonly intervalSeconds?: number | undefined;
  /** simulated agents' step delay (default 400 ms, so dispatches finish within a minute) */
  readonly agentDelayMs?: number | undefined;
  readonly onWarning?: (text: string) => void;
  /** which API the sandbox speaks (default gitea) */
  readonly kind?: 'gitea' | 'github' | undefined;
}

export interface Demo {
  readonly switchboard: Switchboard;
  readonly sandbox: Sandbox;
  stop(): Promise<void>;
}

/**
 * Watch times short enough that within a few minutes every ending shows: a quiet agent is retried
 * on the next agent after 30 s, a refusal after 5 s; fix-forwards and escalations as configured.
 */
export const DEMO_WATCH = { stallMinutes: 0.5, maxRetries: 1, retryNextAgent: true, retryBackoffSeconds: 5 } as const;

/**
 * The zero-setup demo: a loopback sandbox tracker with a seeded backlog and simulated agents, a
 * temp state dir, its repos enrolled, trust by repo permission, armed for the sandbox only.
 * Headless, every proposal is approved by a catch-all rule; in the console the operator approves.
 * Nothing of the user's config, state or token is read.
 */
export async function startDemo(o: DemoOptions): Promise<Demo> {
  const { DEMO_AGENT_OUTCOMES, startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    issues: o.issues ?? 40,
    seed: o.seed ?? 1,
    agents: { delayMs: o.agentDelayMs ?? 400, outcomes: DEMO_AGENT_OUTCOMES },
    dialect: o.kind ?? 'gitea',
  });
  const github = sandbox.dialect === 'github';
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-demo-'));
  let switchboard: Switchboard;
  try {
    // The sandbox has no secondary limits: GitHub's write pacing would only slow the demo down.
    const tracker = github ? { kind: 'github', url: sandbox.apiUrl, pacing: false } : { url: sandbox.url };
    const base = parseConfig({ tracker, repos: [...sandbox.repos], intervalSeconds: o.intervalSeconds ?? 5, watch: DEMO_WATCH });
    switchboard = await openSwitchboard({
      config: headlessConfig(base, { approve: o.headless ? 'all' : 'manual' }),
      connection: { ...(github ? { kind: 'github' as const } : {}), url: sandbox.apiUrl.replace(/\/api\/v1$/, ''), token: sandbox.token, tokenSource: 'the demo sandbox', repos: sandbox.repos },
      stateDir: dir,
      env: { PATH: process.env.PATH ?? '' },
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    });
  } catch (err) {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  await switchboard.engine.arm();
  let stopped: Promise<void> | null = null;
  return {
    switchboard,
    sandbox,
    stop: () =>
      (stopped ??= (async () => {
        try {
          await switchboard.close();
        } finally {
          await sandbox.close();
          await rm(dir, { recursive: true, force: true });
        }
      })()),
  };
}
