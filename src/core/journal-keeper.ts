import { message } from './engine-effects.js';
import { checkpointEntries } from './engine-facts.js';
import type { Clock } from './ports.js';
import type { Journal, JournalCommand, JournalEntry } from './journal.js';
import type { EngineState } from './engine-state.js';
import type { StepContext } from './engine-events.js';
import { replay } from './engine-step.js';

/**
 * The engine's side of the journal: appends in order, reads of other processes' commands, and
 * compaction. It keeps the state the journal holds (`kept`: the replay of what was written and
 * read, exactly what a restart would rebuild), so a checkpoint taken between two appends is that
 * state — not the live one, which may be ahead of lines still waiting to be written.
 */
export class JournalKeeper {
  private tail: Promise<void> = Promise.resolve();
  /** where a replay starts (the engine before its journal); null until restore() */
  private base: EngineState | null = null;
  private kept: EngineState | null = null;
  /** commands a compaction read, for the next read to hand out */
  private unapplied: JournalCommand[] = [];

  constructor(
    private readonly journal: Journal | undefined,
    private readonly ctx: Omit<StepContext, 'now'>,
    private readonly stamp: { clock: Clock; console: string },
    /** a failed append or compaction is reported, never thrown */
    private readonly report: (message: string) => Promise<void>,
  ) {}

  get enabled(): boolean {
    return this.journal !== undefined;
  }

  /** `state` with the journal replayed into it. Rejects when the journal cannot be read. */
  async restore(state: EngineState): Promise<EngineState> {
    if (!this.journal) return state;
    const restored = replay(state, await this.journal.replay(), this.ctx);
    this.base = state;
    this.kept = restored;
    return restored;
  }

  /** Append after every line before it; compact when the journal says it is due. */
  append(entry: JournalEntry): Promise<void> {
    const journal = this.journal;
    if (!journal) return Promise.resolve();
    return this.chain(async () => {
      try {
        await journal.append(entry);
      } catch (err) {
        await this.report(`could not write the journal: ${message(err)}`);
        return;
      }
      if (this.kept) this.kept = replay(this.kept, [entry], this.ctx);
      if (journal.compactionDue?.()) await this.compact(journal);
    });
  }

  /** Commands other processes appended since the last read (in the chain: a compaction never runs beside it). */
  readCommands(): Promise<JournalCommand[]> {
    const journal = this.journal;
    if (!journal) return Promise.resolve([]);
    let out: JournalCommand[] = [];
    return this.chain(async () => {
      const read = await journal.pendingCommands();
      if (this.kept) this.kept = replay(this.kept, read, this.ctx);
      out = [...this.unapplied.splice(0), ...read];
    }).then(() => out);
  }

  /** Settles when every append asked for so far (and any they led to) has. */
  async settled(): Promise<void> {
    for (let tail = this.tail; ; tail = this.tail) {
      await tail;
      if (tail === this.tail) return;
    }
  }

  private chain(task: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(task);
    return this.tail;
  }

  /**
   * The checkpoint is the kept state (with the commands read meanwhile) as facts; the kept state
   * becomes their replay, which also forgets what a restart would not rebuild (settled proposals
   * beyond the console's history), so it stays bounded too.
   */
  private async compact(journal: Journal): Promise<void> {
    const { base, kept } = this;
    if (!journal.compact || !base || !kept) return;
    let next = kept;
    try {
      const read = await journal.compact((commands) => {
        const entries = checkpointEntries(replay(kept, commands, this.ctx), { at: this.stamp.clock.now().toISOString(), console: this.stamp.console });
        next = replay(base, entries, this.ctx);
        return entries;
      });
      this.kept = next;
      this.unapplied.push(...read);
    } catch (err) {
      await this.report(`could not compact the journal: ${message(err)}`);
    }
  }
}
