import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { appendCommand, FileJournal } from '../../src/adapters/journal-file.js';
import { JournalEntrySchema } from '../../src/core/journal.js';
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

const homes: string[] = [];
afterAll(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));

it(`finishes every approved dispatch exactly once across ${KILLS} SIGKILLs and restarts of the real binary`, () => crashAndRestart(KILLS, {}), SOAK ? 3_600_000 : 90_000);

// A journal compacted every other line: much of the time is compaction, so kills land in it.
const COMPACTING_KILLS = SOAK ? 300 : 15;
it(
  `with the journal compacted every other line, loses and repeats nothing across ${COMPACTING_KILLS} SIGKILLs, during compactions too`,
  () => crashAndRestart(COMPACTING_KILLS, { SWITCHBOARD_JOURNAL_COMPACT_ENTRIES: '1' }),
  SOAK ? 3_600_000 : 90_000,
);

const COMPACTION_KILLS = SOAK ? 300 : 25;
it(`a process that does nothing but append and compact, SIGKILLed ${COMPACTION_KILLS} times, loses no line it wrote and no command appended beside it`, async () => {
  const home = await mkdtemp(join(tmpdir(), 'switchboard-compact-kill-'));
  homes.push(home);
  const dir = join(home, 'state');
  await mkdir(dir, { mode: 0o700 });
  const dist = (f: string) => pathToFileURL(join(process.cwd(), 'dist', f)).href;
  // the engine's own journal keeper over the file journal, compacting after every other line
  const script = `
    const { FileJournal } = await import('${dist('adapters/journal-file.js')}');
    const { JournalKeeper } = await import('${dist('core/journal-keeper.js')}');
    const { parseConfig } = await import('${dist('core/config.js')}');
    const { initialState } = await import('${dist('core/engine-state.js')}');
    const { profileFromConfig } = await import('${dist('core/triage.js')}');
    const config = parseConfig({});
    const keeper = new JournalKeeper(new FileJournal(process.argv[1], { compactEntries: 1 }), { config, profile: profileFromConfig(config) },
      { clock: { now: () => new Date() }, console: 'box-1' }, async (m) => { process.stderr.write(m + '\\n'); process.exit(3); });
    const state = await keeper.restore(initialState({ consoleId: 'box-1', armed: false, dryRun: false }));
    let n = state.snapshot.proposals.size;
    for (;;) {
      n += 1;
      const proposal = { id: 'p-' + n, repo: 'acme/api', number: n, action: 'dispatch', agentId: 'claude', reason: 'P0 bug', updatedAt: '2026-05-01T09:00:00Z' };
      await keeper.append({ type: 'approved', at: new Date().toISOString(), console: 'box-1', proposal, approvedBy: 'operator' });
      process.stdout.write(n + '\\n');
    }`;
  const rnd = createRandom(7);
  let written = 0;
  let halfDone = 0;
  const commands: string[] = [];
  for (let k = 0; k < COMPACTION_KILLS; k++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    // once it writes, let it run a little while another process appends a command
    await eventually(() => (out.includes('\n') ? true : undefined), 20_000, `the compacting process to start: ${err}`);
    commands.push((await appendCommand(dir, { command: 'approve', proposalId: `p-${k}` })).commandId);
    await new Promise((r) => setTimeout(r, 5 + rnd.next() * 60));
    child.kill('SIGKILL');
    expect(await bounded(exited, 10_000, 'the compacting process to die'), err).toBe('SIGKILL');
    const reported = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    written = Math.max(written, ...reported);
    if (await midCompaction(dir)) halfDone += 1;
    // every line it said it wrote, and every command, is in what a restart replays
    const entries = await new FileJournal(dir).replay();
    const restored = replay(initialState({ consoleId: 'box-1', armed: false, dryRun: false }), entries, ctx);
    const approvedNow = [...restored.snapshot.proposals.values()].filter((p) => p.status === 'approved').length;
    expect(approvedNow, err).toBeGreaterThanOrEqual(written);
    expect([...restored.pendingCommands.keys()].sort()).toEqual([...commands].sort());
  }
  console.info(`[reliability] kills during compaction: ${COMPACTION_KILLS} SIGKILLs, ${halfDone} left a compaction half done, ${written} lines written, ${commands.length} commands, none lost`);
  expect(written).toBeGreaterThan(COMPACTION_KILLS);
}, SOAK ? 3_600_000 : 120_000);

const replayConfig = parseConfig({});
const ctx = { config: replayConfig, profile: profileFromConfig(replayConfig) };

async function crashAndRestart(KILLS: number, extraEnv: Record<string, string>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
  homes.push(home);
  const compacting = Object.keys(extraEnv).length > 0;
  const stateDir = join(home, 'state');
  const configFile = join(home, 'switchboard.json');
  await writeConfig(configFile, AUTHOR);
  const sandbox = await emptySandbox({ agents: { delayMs: 300, outcomes: { complete: 1, failCi: 0, stall: 0, never: 0 } } });
  const env = { ...sandboxEnv(sandbox), ...extraEnv };
  const changes = recordChanges(sandbox);
  const rnd = createRandom(2024);
  const numbers = Array.from({ length: INITIAL_ISSUES }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
  let running: Child | null = null;
  try {
    const killedAfter: number[] = [];
    let midCompactions = 0;
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
      if (compacting && (await midCompaction(stateDir))) midCompactions += 1;
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
    const checkpoint = compacting ? (await readFile(join(stateDir, 'checkpoint.jsonl'), 'utf8')).split('\n').filter((l) => l.trim() !== '') : [];
    const generation = checkpoint.length > 0 ? (JSON.parse(checkpoint[0] ?? '{}') as { generation?: number }).generation ?? 0 : 0;
    const lines = [...checkpoint, ...text.split('\n').filter((l) => l.trim() !== '')];
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
    if (compacting) expect(entries.length).toBeLessThanOrEqual(lines.length - unreadable.length);
    else expect(entries.length).toBe(lines.length - unreadable.length);

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
      `[reliability] crash-restart${compacting ? ` (compacting: ${generation} compactions, ${midCompactions} kills left one half done)` : ''}: ${KILLS} SIGKILLs (after ${Math.min(...killedAfter)}–${Math.max(...killedAfter)} ms), ${numbers.length} issues, ` +
        `${lines.length} journal lines, ${unreadable.length} torn, ${approved.size} approvals (${open.length} without an end line, ${startedNotEnded.length} of them started, issue closed by its agent), lost ${lost}, duplicated ${duplicated}`,
    );
    expect(wrong).toEqual([]);
    expect({ lost, duplicated, forgotten: forgotten.map((p) => p.id) }).toEqual({ lost: 0, duplicated: 0, forgotten: [] });
    expect(unfinished.map((p) => p.id)).toEqual([]);
    expect(unreadable.length).toBeLessThanOrEqual(KILLS);
    for (const line of unreadable) expect(line.length, 'a torn line is a prefix of one entry').toBeLessThan(100_000);
    if (compacting) expect(generation, 'the journal was compacted').toBeGreaterThan(0);
    // a compacted journal keeps live approvals only; the tracker tally above proves the rest
    else expect(approved.size).toBeGreaterThanOrEqual(numbers.length);
  } finally {
    if (running) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    changes.stop();
    await sandbox.close();
  }
}

/** A kill left a compaction half done: a temporary file, or a checkpoint the log does not continue yet. */
async function midCompaction(stateDir: string): Promise<boolean> {
  // A kill during start-up (a loaded machine) may come before the state dir exists: nothing half done.
  const names = await readdir(stateDir).catch(() => [] as string[]);
  if (names.some((n) => n.endsWith('.jsonl.tmp'))) return true;
  if (!names.includes('checkpoint.jsonl')) return false;
  const first = (text: string): { type?: string; generation?: number } => {
    try {
      return JSON.parse(text.slice(0, text.indexOf('\n'))) as { type?: string; generation?: number };
    } catch {
      return {};
    }
  };
  const checkpoint = first(await readFile(join(stateDir, 'checkpoint.jsonl'), 'utf8'));
  const log = first(await readFile(join(stateDir, 'journal.jsonl'), 'utf8').catch(() => ''));
  return log.type !== 'continues' || log.generation !== checkpoint.generation;
}
