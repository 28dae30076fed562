import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkpointEntries, persistedView } from '../../src/core/engine-facts.js';
import type { JournalEntry } from '../../src/core/journal.js';
import { initialState } from '../../src/core/engine-state.js';
import { replay } from '../../src/core/engine-step.js';
import { profileFromConfig } from '../../src/core/triage.js';
import { P0_BUG_RULE, world } from '../fakes/engine-world.js';
import { FakeJournal } from '../fakes/fake-journal.js';
import { readyBug, readyResearch, vagueIssue } from '../fakes/issues.js';

/**
 * The journal is the engine's persisted events; a restart folds it through `step`. For random
 * sequences of operator actions, cycles, agent activity, issue edits and tracker failures, the
 * replay of every prefix of the journal must give what the live engine knew at that point.
 */

type Op =
  | { kind: 'cycle' }
  | { kind: 'approve' | 'reject'; pick: number }
  | { kind: 'reroute'; pick: number; agent: 'claude' | 'kimi' | 'hooky' }
  | { kind: 'arm' | 'disarm' }
  | { kind: 'agent-comment' | 'close' | 'edit'; number: number }
  | { kind: 'fail'; method: 'postComment' | 'setAssignees' | 'addLabels' }
  | { kind: 'advance'; minutes: number };

const NUMBERS = [1, 2, 3, 4, 5];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ kind: 'cycle' as const }),
  fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const), pick: fc.nat(10) }),
  fc.record({ kind: fc.constant('reroute' as const), pick: fc.nat(10), agent: fc.constantFrom('claude' as const, 'kimi' as const, 'hooky' as const) }),
  fc.record({ kind: fc.constantFrom('arm' as const, 'disarm' as const) }),
  fc.record({ kind: fc.constantFrom('agent-comment' as const, 'close' as const, 'edit' as const), number: fc.constantFrom(...NUMBERS) }),
  fc.record({ kind: fc.constant('fail' as const), method: fc.constantFrom('postComment' as const, 'setAssignees' as const, 'addLabels' as const) }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 90 }) }),
);

let edits = 0;

/** One operation on the world, as an operator, an agent, the forge or time would do it. */
async function perform(w: ReturnType<typeof world>, o: Op): Promise<void> {
  const live = () => [...w.engine.getSnapshot().proposals.values()].filter((p) => p.status !== 'superseded' && p.status !== 'executed');
  const picked = 'pick' in o ? live()[o.pick % Math.max(1, live().length)] : undefined;
  const quiet = (p: Promise<void>) => p.catch(() => undefined);
  switch (o.kind) {
    case 'cycle':
      await w.engine.runCycle();
      break;
    case 'approve':
      if (picked) await quiet(w.engine.approve(picked.id));
      break;
    case 'reject':
      if (picked) await quiet(w.engine.reject(picked.id, 'no'));
      break;
    case 'reroute':
      if (picked) await quiet(w.engine.reroute(picked.id, o.agent));
      break;
    case 'arm':
      await w.engine.arm();
      break;
    case 'disarm':
      await w.engine.disarm();
      break;
    case 'agent-comment':
      w.tracker.seedComment('acme/api', o.number, { author: 'claude', body: `working on it (${edits++})` });
      break;
    case 'close':
      w.tracker.edit('acme/api', o.number, { state: 'closed' });
      break;
    case 'edit':
      w.tracker.edit('acme/api', o.number, { body: `${readyBug({ number: o.number }).body}\n\nedit ${edits++}`, updatedAt: `2026-05-01T1${edits % 10}:00:00Z` });
      break;
    case 'fail':
      w.tracker.failNext(o.method, new Error(`${o.method} answered 500`));
      break;
    case 'advance':
      await w.clock.advance(o.minutes * 60_000);
      break;
  }
}

describe('journal replay', () => {
  it('replaying any prefix of the journal through step gives the state the live engine had then', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.boolean(), async (ops, autoApprove) => {
        const w = world({
          config: { armed: false, ...(autoApprove ? { autoApprove: [P0_BUG_RULE] } : {}), watch: { stallMinutes: 30, maxRetries: 1 } },
          issues: [readyBug({ number: 1 }), readyBug({ number: 2 }), readyResearch({ number: 3 }), vagueIssue({ number: 4 }), readyBug({ number: 5, title: '[bug] blocked by #9' })],
        });
        const points: { length: number; view: ReturnType<typeof persistedView> }[] = [];
        await w.engine.runCycle();
        for (const o of ops) {
          await perform(w, o);
          points.push({ length: w.journal.entries.length, view: persistedView(w.engine.getState()) });
        }
        await w.engine.stop();
        const entries = await w.journal.replay();
        const start = initialState({ consoleId: 'replayer', armed: false, dryRun: false });
        const ctx = { config: w.config, profile: profileFromConfig(w.config) };
        for (const { length, view } of points) expect(persistedView(replay(start, entries.slice(0, length), ctx))).toEqual(view);
        // a checkpoint taken at any point rebuilds what the journal up to there rebuilds
        for (const { length } of points) {
          const full = replay(start, entries.slice(0, length), ctx);
          const rebuilt = replay(start, checkpointEntries(full, { at: '2026-05-02T00:00:00.000Z', console: 'replayer' }), ctx);
          expect(persistedView(rebuilt)).toEqual(persistedView(full));
          expect(rebuilt.ownConsoles).toEqual(full.ownConsoles);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('with the journal compacted every few lines, the checkpoint and the log after it replay to what the live engine knew', async () => {
    let compactions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), fc.boolean(), fc.integer({ min: 1, max: 8 }), async (ops, autoApprove, every) => {
        const journal = new FakeJournal(every);
        const w = world({
          journal,
          config: { armed: false, ...(autoApprove ? { autoApprove: [P0_BUG_RULE] } : {}), watch: { stallMinutes: 30, maxRetries: 1 } },
          issues: [readyBug({ number: 1 }), readyBug({ number: 2 }), readyResearch({ number: 3 }), vagueIssue({ number: 4 }), readyBug({ number: 5, title: '[bug] blocked by #9' })],
        });
        const start = initialState({ consoleId: 'replayer', armed: false, dryRun: false });
        const ctx = { config: w.config, profile: profileFromConfig(w.config) };
        await w.engine.start();
        const points: { entries: JournalEntry[]; view: ReturnType<typeof persistedView> }[] = [];
        for (const o of ops) {
          await perform(w, o);
          points.push({ entries: await journal.replay(), view: persistedView(w.engine.getState()) });
        }
        await w.engine.stop();
        compactions += journal.compactions;
        for (const { entries, view } of points) expect(persistedView(replay(start, entries, ctx))).toEqual(view);
      }),
      { numRuns: 30 },
    );
    expect(compactions).toBeGreaterThan(0);
  }, 120_000);
});
