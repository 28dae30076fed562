import { afterAll, expect, it } from 'vitest';
import { DEFAULT_AGENTS } from '../../src/core/config.js';
import type { Switchboard } from '../../src/wiring.js';
import { addReadyIssue, autoConfig, countKind, emptySandbox, markersOn, offsetClock, open, stateDirs } from '../helpers/switchboard-harness.js';

/**
 * Two consoles on one GitHub token race for issues until the hour's quota is spent. Spent, they
 * stop asking (GitHub: wait until x-ratelimit-reset); after the reset they finish every issue
 * exactly once, the claims cut short by the quota included. GitHub-only: Gitea has no quota.
 */

const ISSUES = 30;
const dirs = stateDirs();
afterAll(() => dirs.cleanup());

it('two consoles that spend the GitHub quota mid-race send nothing until its reset, then dispatch each issue exactly once', async () => {
  const clock = offsetClock();
  // About 16 counted requests an issue for the whole race (measured): 300 runs out part-way.
  const sandbox = await emptySandbox({ dialect: 'github', rateLimit: 300, now: () => clock.now(), agents: { delayMs: 5, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const consoles: Switchboard[] = [];
  try {
    const numbers = Array.from({ length: ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
    const config = autoConfig({
      agents: DEFAULT_AGENTS.map((a) => (a.id === 'claude' ? { ...a, maxConcurrent: 100 } : a)),
      limits: { repoLock: false, dispatchesPerCycle: 1000 },
    });
    for (let i = 0; i < 2; i++) consoles.push(await open(sandbox, await dirs.make(), { config, clock, github: { now: () => clock.now().getTime() } }));
    const [a, b] = consoles as [Switchboard, Switchboard];
    const round = () => Promise.all([a.engine.runCycle(), b.engine.runCycle()]);
    const dispatched = () => numbers.filter((n) => markersOn(sandbox, n).some((m) => m.kind === 'dispatch')).length;
    const spent = () => consoles.every((c) => c.engine.getSnapshot().rateLimit.remaining === 0);

    for (let i = 0; i < 10 && !spent(); i++) await round();
    expect(spent()).toBe(true);
    expect(dispatched()).toBeLessThan(ISSUES);
    const sent = sandbox.requestCount();
    await round();
    await round();
    expect(sandbox.requestCount()).toBe(sent);
    expect(a.engine.getSnapshot().lastError?.message).toMatch(/is rate limiting requests; retry after/);

    clock.advanceMinutes(61);
    for (let i = 0; i < 12 && dispatched() < ISSUES; i++) await round();

    for (const n of numbers) {
      const markers = markersOn(sandbox, n);
      expect({ issue: n, dispatches: countKind(markers, 'dispatch'), claims: countKind(markers, 'audit') }).toEqual({ issue: n, dispatches: 1, claims: 1 });
      const winner = markers.find((m) => m.kind === 'dispatch')?.console;
      expect(markers.find((m) => m.kind === 'audit')?.console).toBe(winner);
      for (const m of markers.filter((x) => x.kind === 'stand-down')) expect(m.console).not.toBe(winner);
    }
  } finally {
    for (const c of consoles) await c.close();
    await sandbox.close();
  }
}, 60_000);
