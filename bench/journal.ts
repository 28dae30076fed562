import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appendCommand, CHECKPOINT_FILE, FileJournal, JOURNAL_FILE } from '../src/adapters/journal-file.js';
import { parseConfig } from '../src/core/config.js';
import { Engine } from '../src/core/engine.js';
import { initialState } from '../src/core/engine-state.js';
import { replay } from '../src/core/engine-step.js';
import { profileFromConfig } from '../src/core/triage.js';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { FakeTracker } from '../test/fakes/fake-tracker.js';
import { readyBug, readyResearch } from '../test/fakes/issues.js';

/**
 * The journal over a long run: an armed engine on an in-memory tracker, with the real file
 * journal, for `cycles` cycles. Every few cycles a ready bug arrives (auto-approved and
 * dispatched) and a research issue arrives that an operator approves from another process
 * (`appendCommand`, as `switchboard approve` does); agents close issues a few cycles after they
 * got them. Then the journal's size on disk, and a restart's time to read and replay it — with
 * compaction (the defaults) and without it.
 */

export interface JournalBenchResult {
  readonly bench: 'journal';
  readonly cycles: number;
  readonly dispatches: number;
  readonly compacted: { readonly bytes: number; readonly lines: number; readonly replayMs: number; readonly soakSeconds: number };
  readonly uncompacted: { readonly bytes: number; readonly lines: number; readonly replayMs: number; readonly soakSeconds: number };
}

const EVERY = 5;

async function soak(cycles: number, compaction: boolean): Promise<{ bytes: number; lines: number; replayMs: number; soakSeconds: number; dispatches: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-bench-journal-'));
  try {
    const clock = new FakeClock();
    const tracker = new FakeTracker(() => clock.now());
    const config = parseConfig({
      repos: ['acme/api'],
      trustedAuthors: ['alice'],
      armed: true,
      intervalSeconds: 60,
      autoApprove: [{ when: { tier: 'P0', type: 'bug' } }],
      limits: { repoLock: false, dispatchesPerCycle: 100 },
    });
    const off = Number.POSITIVE_INFINITY;
    const journal = new FileJournal(dir, compaction ? {} : { compactBytes: off, compactEntries: off });
    const engine = new Engine({ config, tracker, clock, consoleId: 'bench', selfLogin: tracker.selfLogin, journal, commandPollMs: 1000 });
    const t0 = performance.now();
    await engine.start();
    let number = 0;
    const closeAt = new Map<number, number>();
    for (let cycle = 1; cycle <= cycles; cycle++) {
      if (cycle % EVERY === 0) {
        tracker.seed(readyBug({ number: ++number, title: `[bug] Login fails on empty password, case ${number}`, updatedAt: clock.now().toISOString() }));
        tracker.seed(readyResearch({ number: ++number, updatedAt: clock.now().toISOString() }));
      }
      // the operator approves the research proposal from another process
      const research = [...engine.getSnapshot().proposals.values()].find((p) => p.status === 'proposed' && p.action === 'dispatch');
      if (research) await appendCommand(dir, { command: 'approve', proposalId: research.id }, clock.now());
      for (const d of engine.getSnapshot().dispatches.values()) if (!closeAt.has(d.number)) closeAt.set(d.number, cycle + 3);
      for (const [n, at] of closeAt) if (at === cycle) tracker.edit('acme/api', n, { state: 'closed', updatedAt: clock.now().toISOString() });
      // one interval: the command poll and the cycle both fall due
      await clock.advance(config.intervalSeconds * 1000);
      await engine.runCycle();
    }
    await engine.stop();
    await journal.close();
    const soakSeconds = (performance.now() - t0) / 1000;
    const size = async (f: string) => stat(join(dir, f)).then((s) => s.size, () => 0);
    const bytes = (await size(JOURNAL_FILE)) + (await size(CHECKPOINT_FILE));
    const t = performance.now();
    // start-up's own part, as Engine.start does it: read the journal, fold it through step
    const entries = await new FileJournal(dir).replay();
    replay(initialState({ consoleId: 'bench', armed: false, dryRun: false }), entries, { config, profile: profileFromConfig(config) });
    const replayMs = performance.now() - t;
    return { bytes, lines: entries.length, replayMs, soakSeconds, dispatches: closeAt.size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(options: { cycles?: number } = {}): Promise<JournalBenchResult> {
  const cycles = options.cycles ?? 10_000;
  const r = (x: number) => Math.round(x * 10) / 10;
  const with_ = await soak(cycles, true);
  const without = await soak(cycles, false);
  const shape = (x: typeof with_) => ({ bytes: x.bytes, lines: x.lines, replayMs: r(x.replayMs), soakSeconds: r(x.soakSeconds) });
  return { bench: 'journal', cycles, dispatches: with_.dispatches, compacted: shape(with_), uncompacted: shape(without) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cycles = Number(process.argv[2] ?? 10_000);
  process.stdout.write(`${JSON.stringify(await run({ cycles }))}\n`);
}
