import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FileJournal } from '../../src/adapters/journal-file.js';
import { JournalEntrySchema } from '../../src/core/engine-ports.js';
import { parseConfig } from '../../src/core/config.js';
import { initialState } from '../../src/core/engine-state.js';
import { replay } from '../../src/core/engine-step.js';
import { profileFromConfig } from '../../src/core/triage.js';
import { createRandom } from '../../src/sandbox/index.js';
import { readStatus } from '../../src/headless/status-file.js';
import { eventually } from '../helpers/sandbox-client.js';
import { addReadyIssue, AUTHOR, emptySandbox, recordChanges, REPO, sandboxEnv } from '../helpers/switchboard-harness.js';
import { bounded, type Child, SOAK, startRun, tallyIssues, writeConfig } from './reliability-kit.js';

/**
 * The real binary, armed and approving everything, SIGKILLed at seeded random moments and
 * restarted on the same state directory each time, while new ready issues keep arriving and
 * simulated agents work the ones it dispatched. A last run settles; then every dispatched issue
 * must carry exactly one claim, one agent action and one in-progress label, and the journal must
 * replay with nothing approved forgotten.
 */

const KILLS = SOAK ? 500 : 20;
const INITIAL_ISSUES = 6;

let home = '';
afterAll(() => rm(home, { recursive: true, force: true }));

it(`finishes every approved dispatch exactly once across ${KILLS} SIGKILLs and restarts of the real binary`, async () => {
  home = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
  const stateDir = join(home, 'state');
  const configFile = join(home, 'switchboard.json');
  await writeConfig(configFile, AUTHOR);
  const sandbox = await emptySandbox({ agents: { delayMs: 300, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const env = sandboxEnv(sandbox);
  const changes = recordChanges(sandbox);
  const rnd = createRandom(2024);
  const numbers = Array.from({ length: INITIAL_ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
  let running: Child | null = null;
  try {
    const killedAfter: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      if (rnd.next() < 0.6) numbers.push(addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${numbers.length + 1}`));
      running = startRun(home, env, configFile, stateDir);
      // anywhere from start-up to a couple of cycles in
      const after = Math.round(100 + rnd.next() * 1900);
      killedAfter.push(after);
      await new Promise((r) => setTimeout(r, after));
      running.child.kill('SIGKILL');
      const { signal } = await bounded(running.exited, 10_000, 'a SIGKILLed switchboard to exit');
      // it may have refused to start (it must not): SIGKILL is the only acceptable ending
      expect(signal, running.output()).toBe('SIGKILL');
      running = null;
    }

    // a last run, left alone, settles everything (the stale lock of the last kill is taken over)
    const last = startRun(home, env, configFile, stateDir);
    running = last;
    const settled = async () => {
      const status = await readStatus(stateDir);
      const assigned = numbers.every((n) => sandbox.store.issue(REPO, n)?.assignees.includes('claude'));
      const busy = status?.proposals.filter((p) => ['approved', 'executing', 'failed'].includes(p.status)) ?? [{}];
      return status !== null && status.cycle >= 2 && assigned && busy.length === 0 ? true : undefined;
    };
    await eventually(settled, 30_000, `the last run to settle: ${last.output().slice(-2000)}`);
    last.child.kill('SIGTERM');
    const end = await bounded(last.exited, 15_000, 'the last run to stop on SIGTERM');
    running = null;
    expect(end.code, last.output()).toBe(0);

    // exactly once per issue
    const { wrong, lost, duplicated } = tallyIssues(sandbox, numbers, changes);

    // the journal replays: only lines torn by a kill may be unreadable, and replay skips them
    const text = await readFile(join(stateDir, 'journal.jsonl'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const unreadable = lines.filter((l) => {
      try {
        return !JournalEntrySchema.safeParse(JSON.parse(l)).success;
      } catch {
        return true;
      }
    });
    const entries = await new FileJournal(stateDir).replay();
    const config = parseConfig({});
    const restored = replay(initialState({ consoleId: 'replay', armed: false, dryRun: false }), entries, { config, profile: profileFromConfig(config) }).snapshot;
    expect(entries.length).toBe(lines.length - unreadable.length);

    // nothing approved was forgotten: each approval ended executed or failed, or was superseded by
    // a newer proposal for the same issue that did the work (one claim on the issue, see above)
    const approved = new Map(entries.flatMap((e) => (e.type === 'approved' ? [[e.proposal.id, e.proposal] as const] : [])));
    const ended = new Set(entries.flatMap((e) => (e.type === 'executed' || e.type === 'failed' ? [e.proposalId] : [])));
    const open = [...approved.values()].filter((p) => !ended.has(p.id));
    const forgotten = open.filter((p) => !sandbox.store.issue(REPO, p.number)?.assignees.includes('claude'));
    // started but never journaled as ended: only where the agent finished and closed the issue
    // before the restarted engine got back to it (it supersedes them then, unjournaled)
    const startedNotEnded = [...restored.proposals.values()].filter((p) => p.started && p.status === 'approved');
    const unfinished = startedNotEnded.filter((p) => sandbox.store.issue(REPO, p.number)?.state !== 'closed' || !sandbox.store.issue(REPO, p.number)?.assignees.includes('claude'));

    console.info(
      `[reliability] crash-restart: ${KILLS} SIGKILLs (after ${Math.min(...killedAfter)}–${Math.max(...killedAfter)} ms), ${numbers.length} issues, ` +
        `${lines.length} journal lines, ${unreadable.length} torn, ${approved.size} approvals (${open.length} without an end line, ${startedNotEnded.length} of them started, issue closed by its agent), lost ${lost}, duplicated ${duplicated}`,
    );
    expect(wrong).toEqual([]);
    expect({ lost, duplicated, forgotten: forgotten.map((p) => p.id) }).toEqual({ lost: 0, duplicated: 0, forgotten: [] });
    expect(unfinished.map((p) => p.id)).toEqual([]);
    expect(unreadable.length).toBeLessThanOrEqual(KILLS);
    for (const line of unreadable) expect(line.length, 'a torn line is a prefix of one entry').toBeLessThan(100_000);
    expect(approved.size).toBeGreaterThanOrEqual(numbers.length);
  } finally {
    if (running) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    changes.stop();
    await sandbox.close();
  }
}, SOAK ? 3_600_000 : 90_000);
