import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Marker } from '../../src/core/texts.js';
import { eventually } from '../helpers/sandbox-client.js';
import { addReadyIssue, AUTHOR, emptySandbox, IN_PROGRESS, markersOn, recordChanges, REPO, sandboxEnv } from '../helpers/switchboard-harness.js';
import { bounded, type Child, SOAK, startRun, writeConfig } from './reliability-kit.js';

/**
 * Two headless processes (the real binary), each with its own state directory, armed and
 * approving everything on one tracker full of ready bugs: every issue is dispatched exactly once,
 * by one of them; the other stands down when it loses a race for an issue.
 */

// GitHub's dialect takes writes one at a time per token, as GitHub asks: the same race at fewer issues.
const GITHUB = process.env.SWITCHBOARD_SANDBOX_DIALECT === 'github';
const ISSUES = SOAK ? 2000 : GITHUB ? 200 : 500;

let home = '';
afterAll(() => rm(home, { recursive: true, force: true }));

it(`two consoles in two processes dispatch each of ${ISSUES} ready issues exactly once`, async () => {
  home = await mkdtemp(join(tmpdir(), 'switchboard-two-'));
  const configFile = join(home, 'switchboard.json');
  await writeConfig(configFile, AUTHOR);
  // agents finish fast, so capacity frees up and every issue gets its turn within a few cycles
  const sandbox = await emptySandbox({ agents: { delayMs: 5, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const env = sandboxEnv(sandbox);
  const numbers = Array.from({ length: ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
  const changes = recordChanges(sandbox);
  const consoles: Child[] = [];
  try {
    consoles.push(startRun(home, env, configFile, join(home, 'a')), startRun(home, env, configFile, join(home, 'b')));
    const dispatched = () => numbers.filter((n) => markersOn(sandbox, n).some((m) => m.kind === 'dispatch') || sandbox.store.issue(REPO, n)?.state === 'closed').length;
    const started = Date.now();
    await eventually(() => (dispatched() === ISSUES ? true : undefined), SOAK ? 600_000 : 60_000, `every issue to be dispatched (${dispatched()} so far)`);
    const took = Date.now() - started;
    // one more cycle each, to see that nothing is dispatched again once the backlog is done
    await new Promise((r) => setTimeout(r, 2500));
    for (const c of consoles) c.child.kill('SIGTERM');
    const ends = await Promise.all(consoles.map((c) => bounded(c.exited, 20_000, 'a console to stop on SIGTERM')));
    expect(ends.map((e) => e.code), consoles.map((c) => c.output().slice(-1500)).join('\n---\n')).toEqual([0, 0]);

    const wins = new Map<string, number>();
    let standDowns = 0;
    const wrong: unknown[] = [];
    for (const n of numbers) {
      const markers = markersOn(sandbox, n);
      const of = (kind: Marker['kind']) => markers.filter((m) => m.kind === kind);
      const open = sandbox.store.issue(REPO, n)?.state === 'open';
      const [claim] = of('audit');
      const t = { issue: n, claims: of('audit').length, dispatches: of('dispatch').length, assigned: changes.assigned(n, 'claude'), labelled: changes.labelled(n, IN_PROGRESS) };
      // a loser's claim becomes a stand-down; the winner's claim, dispatch and action are one each
      const ok =
        t.claims === 1 &&
        t.assigned === 1 &&
        (open ? t.dispatches === 1 && t.labelled === 1 : t.dispatches <= 1 && t.labelled <= 1) &&
        of('dispatch').every((m) => m.console === claim?.console) &&
        of('stand-down').every((m) => m.console !== claim?.console);
      if (!ok) wrong.push(t);
      standDowns += of('stand-down').length;
      if (claim) wins.set(claim.console, (wins.get(claim.console) ?? 0) + 1);
    }
    const duplicated = numbers.filter((n) => changes.assigned(n, 'claude') > 1 || markersOn(sandbox, n).filter((m) => m.kind === 'dispatch').length > 1).length;
    const lost = numbers.filter((n) => changes.assigned(n, 'claude') === 0).length;
    console.info(`[reliability] two-processes: ${ISSUES} issues in ${took} ms, wins ${JSON.stringify([...wins.values()])}, ${standDowns} stand-downs, lost ${lost}, duplicated ${duplicated}`);
    expect(wrong).toEqual([]);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect([...wins.values()].reduce((x, y) => x + y, 0)).toBe(ISSUES);
    // both really worked the backlog
    expect(wins.size).toBe(2);
  } finally {
    for (const c of consoles) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
    changes.stop();
    await sandbox.close();
  }
}, SOAK ? 900_000 : 90_000);
