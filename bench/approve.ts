import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/core/config.js';
import { Engine } from '../src/core/engine.js';
import { planProposals } from '../src/core/planner.js';
import { profileFromConfig } from '../src/core/triage.js';
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
  readonly repos: number;
  readonly disarmedApproveMs: number;
  readonly armedApproveMs: number;
  /** armed: approve called → the proposal shown executing (its writes then run in its lane) */
  readonly executingMs: number;
  /** the baseline, same run: one plan of the whole backlog (an approve made 2–3 before incremental planning) */
  readonly fullPlanMs: number;
}

const BODY = 'The handler in src/auth/login.py crashes: def check_password() should return False.\n\n## Acceptance criteria\n- [ ] the request must fail with 401';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function run(options: { issues?: number; repos?: number; rounds?: number } = {}): Promise<ApproveBenchResult> {
  const count = options.issues ?? 10_000;
  const repoCount = options.repos ?? 1;
  const repos = Array.from({ length: repoCount }, (_, i) => (repoCount === 1 ? 'acme/api' : `acme/r${i + 1}`));
  const rounds = options.rounds ?? 7;
  const result: Record<'disarmed' | 'armed' | 'executing' | 'plan', number[]> = { disarmed: [], armed: [], executing: [], plan: [] };
  let firstCycleMs = 0;
  for (const armed of [false, true]) {
    const clock = new FakeClock();
    const tracker = new FakeTracker(() => clock.now());
    for (let n = 1; n <= count; n++) {
      const repo = repos[n % repoCount] as string;
      const issue: Issue = {
        repo, number: n, title: `[bug] Login fails on empty password, case ${n}`, body: BODY, labels: [], assignees: [], author: 'alice',
        authorTrusted: undefined, createdAt: '2026-04-28T09:00:00Z', updatedAt: '2026-04-30T09:00:00Z', state: 'open', url: `https://fake.example/${repo}/issues/${n}`,
      };
      tracker.seed(issue);
    }
    const config = parseConfig({
      repos,
      trustedAuthors: ['alice'],
      armed,
      limits: { repoLock: repoCount > 1, dispatchesPerCycle: 1000 },
      agents: [{ id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture'], maxConcurrent: 100 }, { id: 'owner', displayName: 'Owner', kind: 'owner', strengths: ['triage'], maxConcurrent: 100 }],
      roles: { coding: 'claude', research: 'claude', owner: 'owner' },
    });
    const engine = new Engine({ config, tracker, clock, consoleId: 'bench', selfLogin: tracker.selfLogin });
    let t = performance.now();
    await engine.runCycle();
    firstCycleMs = Math.max(firstCycleMs, performance.now() - t);
    // One proposal per repo, so a repo lock taken by one approval does not hold the next back.
    const byRepo = new Map<string, string>();
    for (const p of engine.getSnapshot().proposals.values()) if (p.action === 'dispatch' && !byRepo.has(p.repo)) byRepo.set(p.repo, p.id);
    const firstIds = [...byRepo.values()];
    const ids = firstIds.length > rounds ? firstIds : [...engine.getSnapshot().proposals.values()].filter((p) => p.action === 'dispatch').map((p) => p.id);
    if (!armed) {
      // The baseline: the whole backlog planned once, as every approve did (2–3 times) before.
      const s = engine.getState();
      for (let i = 0; i < 3; i++) {
        t = performance.now();
        planProposals({ config, profile: profileFromConfig(config), backlog: s.snapshot.backlog, previous: new Map(s.snapshot.proposals), dispatches: s.snapshot.dispatches, armed, executedThisCycle: 0 });
        result.plan.push(performance.now() - t);
      }
    }
    for (let i = 0; i < rounds; i++) {
      const id = ids[firstIds.length > rounds ? i : i * 13] ?? '';
      let executingAt = 0;
      const unsubscribe = engine.subscribe(() => {
        if (executingAt === 0 && engine.getSnapshot().proposals.get(id)?.status === 'executing') executingAt = performance.now();
      });
      t = performance.now();
      await engine.approve(id);
      result[armed ? 'armed' : 'disarmed'].push(performance.now() - t);
      unsubscribe();
      if (armed) result.executing.push(executingAt - t);
    }
    await engine.stop();
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    bench: 'approve',
    issues: count,
    repos: repoCount,
    firstCycleMs: r(firstCycleMs),
    disarmedApproveMs: r(median(result.disarmed)),
    armedApproveMs: r(median(result.armed)),
    executingMs: r(median(result.executing)),
    fullPlanMs: r(median(result.plan)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [issues, repos] = (process.argv[2] ?? '').split(',').map(Number);
  process.stdout.write(`${JSON.stringify(await run({ ...(issues ? { issues } : {}), ...(repos ? { repos } : {}) }))}\n`);
}
