import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/core/config.js';
import { Engine } from '../src/core/engine.js';
import type { Issue } from '../src/core/issue.js';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { FakeTracker } from '../test/fakes/fake-tracker.js';

/**
 * The engine's own time for one approve on a large backlog: an in-memory tracker (no network), a
 * first cycle to plan the backlog, then `approve` of one proposal, disarmed (planning only) and
 * armed (planning plus the writes, answered at once). Median of `rounds` approvals each.
 */

export interface ApproveBenchResult {
  readonly bench: 'approve';
  readonly issues: number;
  readonly firstCycleMs: number;
  readonly disarmedApproveMs: number;
  readonly armedApproveMs: number;
}

const BODY = 'The handler in src/auth/login.py crashes: def check_password() should return False.\n\n## Acceptance criteria\n- [ ] the request must fail with 401';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(options: { issues?: number; rounds?: number } = {}): Promise<ApproveBenchResult> {
  const count = options.issues ?? 10_000;
  const rounds = options.rounds ?? 7;
  const result: Record<'disarmed' | 'armed', number[]> = { disarmed: [], armed: [] };
  let firstCycleMs = 0;
  for (const armed of [false, true]) {
    const clock = new FakeClock();
    const tracker = new FakeTracker(() => clock.now());
    for (let n = 1; n <= count; n++) {
      const issue: Issue = {
        repo: 'acme/api', number: n, title: `[bug] Login fails on empty password, case ${n}`, body: BODY, labels: [], assignees: [], author: 'alice',
        authorTrusted: undefined, createdAt: '2026-04-28T09:00:00Z', updatedAt: '2026-04-30T09:00:00Z', state: 'open', url: `https://fake.example/acme/api/issues/${n}`,
      };
      tracker.seed(issue);
    }
    const config = parseConfig({ repos: ['acme/api'], trustedAuthors: ['alice'], armed, limits: { repoLock: false, dispatchesPerCycle: 1000 } });
    const engine = new Engine({ config, tracker, clock, consoleId: 'bench', selfLogin: tracker.selfLogin });
    let t = performance.now();
    await engine.runCycle();
    firstCycleMs = Math.max(firstCycleMs, performance.now() - t);
    const ids = [...engine.getSnapshot().proposals.values()].filter((p) => p.action === 'dispatch').map((p) => p.id);
    for (let i = 0; i < rounds; i++) {
      t = performance.now();
      await engine.approve(ids[i * 13] ?? '');
      result[armed ? 'armed' : 'disarmed'].push(performance.now() - t);
    }
    await engine.stop();
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return { bench: 'approve', issues: count, firstCycleMs: r(firstCycleMs), disarmedApproveMs: r(median(result.disarmed)), armedApproveMs: r(median(result.armed)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run())}\n`);
}
