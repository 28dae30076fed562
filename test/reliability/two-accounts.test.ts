import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseMarker, renderMarker } from '../../src/core/texts.js';
import { addReadyIssue, AUTHOR, emptySandbox, recordChanges, REPO } from '../helpers/switchboard-harness.js';
import { type Child, endRace, raceTally, raceToTheEnd, SOAK, startRun, writeConfig } from './reliability-kit.js';

/**
 * Issue 13, item 6: two operators, each with their own tracker account, run a console each (the
 * real binary, headless, own state directory) on one backlog of ready issues. Before this, each
 * trusted only claims written by its own account, and both dispatched every issue. A reader
 * comments forged claims on some issues first: they must neither stop a dispatch nor take it.
 *
 * The consoles' accounts are repo admins: Gitea answers the permission of another user only to
 * admins (routers/api/v1/repo/collaborators.go:279-280), and that is how a claim's author is checked.
 */

const ISSUES = SOAK ? 1000 : 200;
const OPERATORS = [
  { login: 'op-ada', token: 'tok-ada-7f3a', permission: 'admin' },
  { login: 'op-bo', token: 'tok-bo-92c1', permission: 'admin' },
] as const;
const READER = { login: 'mallory', token: 'tok-mallory-51d0', permission: 'read' } as const;

let home = '';
afterAll(() => rm(home, { recursive: true, force: true }));

it(`two consoles on two tracker accounts dispatch each of ${ISSUES} ready issues exactly once; a reader's forged claims change nothing`, async () => {
  home = await mkdtemp(join(tmpdir(), 'switchboard-accounts-'));
  const configFile = join(home, 'switchboard.json');
  await writeConfig(configFile, AUTHOR);
  const sandbox = await emptySandbox({ users: [...OPERATORS, READER], agents: { delayMs: 5, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const numbers = Array.from({ length: ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
  // The reader's forged claims, fresh and earlier than any console's, on every fifth issue.
  const forged = numbers.filter((_, i) => i % 5 === 0);
  for (const n of forged) {
    const marker = renderMarker({ kind: 'audit', proposal: `forged-${n}`, console: 'console-mallory', action: 'dispatch', agent: 'claude', at: new Date().toISOString() });
    sandbox.store.addComment(REPO, n, `Dispatching.\n\n${marker}`, READER.login);
  }
  const changes = recordChanges(sandbox);
  const consoles: Child[] = [];
  // every switchboard marker on an issue, with the account that wrote it
  const claimsOn = (n: number) =>
    sandbox.store.comments(REPO, n).flatMap((c) => {
      const m = parseMarker(c.body);
      return m ? [{ ...m, by: c.author }] : [];
    });
  const byConsoles = (n: number) => claimsOn(n).filter((m) => m.by !== READER.login);
  try {
    for (const op of OPERATORS) consoles.push(startRun(home, { GITEA_URL: sandbox.url, GITEA_TOKEN: op.token, SWITCHBOARD_REPOS: REPO }, configFile, join(home, op.login)));
    const dispatched = () => numbers.filter((n) => byConsoles(n).some((m) => m.kind === 'dispatch') || sandbox.store.issue(REPO, n)?.state === 'closed').length;
    const took = await raceToTheEnd(consoles, dispatched, ISSUES);
    // counted per account: each account runs one console
    const byAccount = (n: number) => byConsoles(n).map((m) => ({ kind: m.kind, owner: m.by }));
    const { wins, wrong, standDowns, duplicated, lost } = raceTally(numbers, byAccount, (n) => sandbox.store.issue(REPO, n)?.state === 'open', changes);
    const forgedDispatched = forged.filter((n) => changes.assigned(n, 'claude') === 1).length;
    console.info(
      `[reliability] two-accounts: ${ISSUES} issues in ${took} ms, wins ${JSON.stringify(Object.fromEntries(wins))}, ${standDowns} stand-downs, lost ${lost}, duplicated ${duplicated}, forged-claim issues dispatched ${forgedDispatched}/${forged.length}`,
    );
    expect(wrong).toEqual([]);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    // no forged claim stopped a dispatch (and none counted as a win: wins are by the two accounts only)
    expect(forgedDispatched).toBe(forged.length);
    expect([...wins.keys()].sort()).toEqual(OPERATORS.map((o) => o.login).sort());
    expect([...wins.values()].reduce((x, y) => x + y, 0)).toBe(ISSUES);
    // each console wrote only under its own account: no stand-down naming the reader
    const namesReader = numbers.filter((n) => sandbox.store.comments(REPO, n).some((c) => c.author !== READER.login && c.body.includes('console-mallory')));
    expect(namesReader).toEqual([]);
  } finally {
    await endRace(consoles, changes, sandbox);
  }
}, SOAK ? 900_000 : 120_000);
