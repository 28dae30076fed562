import { afterAll, expect, it } from 'vitest';
import { DEFAULT_AGENTS } from '../../src/core/config.js';
import type { Marker } from '../../src/core/texts.js';
import type { Switchboard } from '../../src/wiring.js';
import { addReadyIssue, autoConfig, emptySandbox, markersOn, open, recordChanges, stateDirs, IN_PROGRESS } from '../helpers/switchboard-harness.js';

const ISSUES = 300;
const dirs = stateDirs();
afterAll(() => dirs.cleanup());

it('two consoles on one tracker dispatch each of 300 ready issues exactly once, the later claimant standing down', async () => {
  // Agents finish fast, so capacity frees up and every issue gets its turn within a few cycles.
  // Two consoles on one token spend about 4,900 of GitHub's 5,000 counted requests an hour on this
  // race (measured on the GitHub dialect); a run that crossed the line would stop mid-claim for the
  // rest of the hour. This test is about the claim, so the quota is out of its way; running out of
  // it mid-race is two-consoles-quota.test.ts's.
  const sandbox = await emptySandbox({ rateLimit: 100_000, agents: { delayMs: 5, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const consoles: Switchboard[] = [];
  try {
    const numbers = Array.from({ length: ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
    const changes = recordChanges(sandbox);
    const config = autoConfig({
      agents: DEFAULT_AGENTS.map((a) => (a.id === 'claude' ? { ...a, maxConcurrent: 100 } : a)),
      limits: { repoLock: false, dispatchesPerCycle: 1000 },
    });
    for (let i = 0; i < 2; i++) consoles.push(await open(sandbox, await dirs.make(), { config }));
    const [a, b] = consoles as [Switchboard, Switchboard];
    expect(a.consoleId).not.toBe(b.consoleId);

    const dispatched = () => numbers.filter((n) => markersOn(sandbox, n).some((m) => m.kind === 'dispatch')).length;
    // A deadline, not a speed target: the GitHub dialect on a loaded machine needs up to ~50 s.
    const deadline = Date.now() + 100_000;
    for (let round = 0; round < 12 && dispatched() < ISSUES && Date.now() < deadline; round++) {
      await Promise.all([a.engine.runCycle(), b.engine.runCycle()]);
    }

    const wins = new Map<string, number>();
    let standDowns = 0;
    for (const n of numbers) {
      const markers = markersOn(sandbox, n);
      const of = (kind: Marker['kind']) => markers.filter((m) => m.kind === kind);
      const [dispatch, ...extra] = of('dispatch');
      expect({ issue: n, dispatches: of('dispatch').length, claims: of('audit').length }).toEqual({ issue: n, dispatches: 1, claims: 1 });
      expect(extra).toEqual([]);
      expect(of('audit')[0]?.console).toBe(dispatch?.console);
      for (const s of of('stand-down')) expect(s.console).not.toBe(dispatch?.console);
      standDowns += of('stand-down').length;
      expect(changes.assigned(n, 'claude')).toBe(1);
      expect(changes.labelled(n, IN_PROGRESS)).toBe(1);
      wins.set(dispatch!.console, (wins.get(dispatch!.console) ?? 0) + 1);
    }
    // Both fetched the same backlog at the same moment, so they did race for issues.
    expect(standDowns).toBeGreaterThan(0);
    expect([...wins.values()].reduce((x, y) => x + y, 0)).toBe(ISSUES);
    changes.stop();
  } finally {
    for (const c of consoles) await c.close();
    await sandbox.close();
  }
}, 120_000);
