import { type Journal, type JournalCommand, type JournalEntry, JournalEntrySchema } from '../../src/core/journal.js';

/**
 * An in-memory journal. Every entry goes through JSON and the schema, as a JSONL file would, so
 * an entry that would not survive a restart fails here too.
 */
export class FakeJournal implements Journal {
  readonly entries: JournalEntry[] = [];
  private unread: JournalCommand[] = [];
  failAppendWith: Error | null = null;
  /** compactions so far */
  compactions = 0;
  private appended = 0;

  /** `compactAfter`: compact once more than this many lines were appended since the last compaction */
  constructor(private readonly compactAfter = Number.POSITIVE_INFINITY) {}

  async append(entry: JournalEntry): Promise<void> {
    if (this.failAppendWith) throw this.failAppendWith;
    this.entries.push(roundTrip(entry));
    this.appended += 1;
  }

  compactionDue(): boolean {
    return this.appended > this.compactAfter;
  }

  /** As the file journal does: the checkpoint's lines, then a log that continues it. */
  async compact(checkpoint: (commands: readonly JournalCommand[]) => readonly JournalEntry[]): Promise<JournalCommand[]> {
    const commands = this.unread;
    this.unread = [];
    const [head, ...rest] = checkpoint(commands);
    if (head?.type !== 'checkpoint') throw new Error('a checkpoint starts with its header');
    this.compactions += 1;
    const generation = this.compactions;
    const lines = [{ ...head, generation, entries: rest.length }, ...rest, { type: 'continues' as const, at: head.at, console: head.console, generation }];
    this.entries.splice(0, this.entries.length, ...lines.map(roundTrip));
    this.appended = 0;
    return commands;
  }

  async replay(): Promise<JournalEntry[]> {
    this.unread = [];
    return this.entries.map(roundTrip);
  }

  async pendingCommands(): Promise<JournalCommand[]> {
    const out = this.unread;
    this.unread = [];
    return out;
  }

  /** what `switchboard approve …` in another process does */
  appendCommand(command: Omit<JournalCommand, 'type' | 'at' | 'commandId'> & { commandId?: string }): void {
    const entry: JournalCommand = {
      type: 'command',
      at: '2026-05-01T10:00:00.000Z',
      commandId: command.commandId ?? `cmd-${this.entries.length + 1}`,
      ...command,
    };
    this.entries.push(entry);
    this.unread.push(entry);
  }

  ofType<T extends JournalEntry['type']>(type: T): Extract<JournalEntry, { type: T }>[] {
    return this.entries.filter((e): e is Extract<JournalEntry, { type: T }> => e.type === type);
  }
}

const roundTrip = (e: JournalEntry): JournalEntry => JournalEntrySchema.parse(JSON.parse(JSON.stringify(e)));
