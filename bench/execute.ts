import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_AGENTS, parseConfig } from '../src/core/config.js';
import { parseMarker } from '../src/core/texts.js';
import { startSandbox } from '../src/sandbox/index.js';
import { openSwitchboard } from '../src/wiring.js';

export interface ExecuteBenchResult {
  readonly bench: 'execute';
  readonly dispatches: number;
  readonly latencyMs: number;
  readonly ms: number;
  readonly requests: number;
  readonly writes: number;
  /** the reference loop's floor: 0.5 s asleep after every executed decision, before any request */
  readonly referenceFloorMs: number;
}

const BODY = [
  'The handler in src/auth/login.py crashes: def check_password() should return False.',
  '',
  '## Acceptance criteria',
  '- [ ] the request must fail with 401',
  '- [ ] test_login_empty_password passes',
].join('\n');

export interface ExecuteBenchOptions {
  readonly dispatches?: number;
  readonly latencyMs?: number;
}

/**
 * Approve `dispatches` ready bugs while disarmed, then time `arm()`: from there it is only the
 * executor's work — audit comment, claim check, assignee, dispatch comment, in-progress label.
 */
export async function run(options: ExecuteBenchOptions = {}): Promise<ExecuteBenchResult> {
  const dispatches = options.dispatches ?? 50;
  const latencyMs = options.latencyMs ?? 20;
  const sandbox = await startSandbox({ repos: ['api'], issues: 0, seed: 1 });
  const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const repo = 'demo/api';
  sandbox.store.setPermission('alice', 'write');
  for (let i = 1; i <= dispatches; i++) {
    sandbox.store.createIssue(repo, { title: `[bug] Login fails on empty password, case ${i}`, body: BODY, author: 'alice' });
  }
  const config = parseConfig({
    autoApprove: [{ when: {} }],
    trustedAuthors: ['alice'],
    agents: DEFAULT_AGENTS.map((a) => (a.id === 'claude' ? { ...a, maxConcurrent: 100 } : a)),
    limits: { repoLock: false, dispatchesPerCycle: dispatches },
  });
  const sb = await openSwitchboard({ config, connection: { url: sandbox.url, token: sandbox.token, tokenSource: 'bench', repos: [repo] }, stateDir, env: {} });
  try {
    sandbox.setLatency(latencyMs);
    await sb.engine.runCycle();
    const approved = [...sb.engine.getSnapshot().proposals.values()].filter((p) => p.status === 'approved').length;
    if (approved !== dispatches) throw new Error(`expected ${dispatches} approved proposals, found ${approved}`);

    sandbox.resetRequestCounts();
    let writes = 0;
    const unsubscribe = sb.engine.onEvent((e) => {
      if (e.type === 'write-made') writes++;
    });
    const started = performance.now();
    await sb.engine.arm();
    const ms = Math.round(performance.now() - started);
    unsubscribe();

    const done = sandbox.store
      .issues(repo)
      .filter((i) => sandbox.store.comments(repo, i.number).some((c) => parseMarker(c.body)?.kind === 'dispatch')).length;
    if (done !== dispatches) throw new Error(`only ${done} of ${dispatches} issues were dispatched`);
    return { bench: 'execute', dispatches, latencyMs, ms, requests: sandbox.requestCount(), writes, referenceFloorMs: dispatches * 500 };
  } finally {
    await sb.close();
    await sandbox.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run()));
}
