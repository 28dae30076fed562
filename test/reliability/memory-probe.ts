/**
 * The memory suite's workload, run in its own `node --expose-gc` process so RSS is this
 * engine's alone and a full GC can be forced before every sample. Prints one JSON line.
 * Usage: tsx memory-probe.ts <cycles> <issues>
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { openSwitchboard } from '../../src/wiring.js';

const cycles = Number(process.argv[2] ?? 100);
const issues = Number(process.argv[3] ?? 5000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const REPO = 'demo/api';
const sandbox = await startSandbox({ repos: ['api'], issues, seed: 11, agents: true });
sandbox.store.setPermission('alice', 'write');
const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-memory-'));
const sb = await openSwitchboard({
  connection: { url: sandbox.url, token: sandbox.token, tokenSource: 'test', repos: [REPO] },
  config: parseConfig({ armed: true, autoApprove: [{ when: { tier: 'P0' } }], trustedAuthors: ['alice'], limits: { repoLock: false, dispatchesPerCycle: 3 } }),
  stateDir,
  env: {},
  onWarning: () => {},
});
let events = 0;
sb.engine.onEvent(() => events++);

const rss = (): number => {
  gc();
  return process.memoryUsage().rss;
};
const samples: number[] = [];
let churned = 0;
const started = Date.now();
try {
  for (let c = 1; c <= cycles; c++) {
    // churn: edit two issues, close one, create one (and re-open what was closed earlier)
    const open = sandbox.store.issues(REPO).filter((i) => i.state === 'open' && !i.pull);
    const pick = (k: number) => open[(c * 7919 + k * 104_729) % open.length];
    const a = pick(1);
    const b = pick(2);
    const d = pick(3);
    if (a) sandbox.store.editIssue(REPO, a.number, { body: `${a.body}\nedit ${c}` }, 'alice');
    if (b) sandbox.store.editIssue(REPO, b.number, { title: `${b.title.slice(0, 60)} (${c})` }, 'alice');
    if (d) sandbox.store.closeIssue(REPO, d.number, 'alice');
    sandbox.store.createIssue(REPO, {
      title: `[bug] churn ${c} fails in src/x.py`,
      body: 'The handler in src/auth/login.py crashes: def check() must return False.\n\n## Acceptance criteria\n- [ ] it must fail with 401\n- [ ] test_x passes',
      author: 'alice',
    });
    churned += 4;
    await sb.engine.runCycle();
    samples.push(rss());
  }
  const snapshot = sb.engine.getSnapshot();
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  const warm = median(samples.slice(8, 12));
  const last = median(samples.slice(-5));
  process.stdout.write(
    `${JSON.stringify({
      cycles,
      issues,
      churned,
      events,
      proposals: snapshot.proposals.size,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      warmMb: Math.round(warm / 1e5) / 10,
      lastMb: Math.round(last / 1e5) / 10,
      growthMb: Math.round((last - warm) / 1e5) / 10,
      peakMb: Math.round(Math.max(...samples) / 1e5) / 10,
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
    })}\n`,
  );
} finally {
  await sb.close();
  await sandbox.close();
  await rm(stateDir, { recursive: true, force: true });
}
