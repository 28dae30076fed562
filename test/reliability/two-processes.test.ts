import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { addReadyIssue, AUTHOR, emptySandbox, markersOn, recordChanges, REPO, sandboxEnv } from '../helpers/switchboard-harness.js';
import { type Child, endRace, raceTally, raceToTheEnd, SOAK, startRun, writeConfig } from './reliability-kit.js';

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
    const took = await raceToTheEnd(consoles, dispatched, ISSUES);
    const byConsole = (n: number) => markersOn(sandbox, n).map((m) => ({ kind: m.kind, owner: m.console }));
    const { wins, wrong, standDowns, duplicated, lost } = raceTally(numbers, byConsole, (n) => sandbox.store.issue(REPO, n)?.state === 'open', changes);
    console.info(`[reliability] two-processes: ${ISSUES} issues in ${took} ms, wins ${JSON.stringify([...wins.values()])}, ${standDowns} stand-downs, lost ${lost}, duplicated ${duplicated}`);
    expect(wrong).toEqual([]);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect([...wins.values()].reduce((x, y) => x + y, 0)).toBe(ISSUES);
    // both really worked the backlog
    expect(wins.size).toBe(2);
  } finally {
    await endRace(consoles, changes, sandbox);
  }
}, SOAK ? 900_000 : 90_000);
