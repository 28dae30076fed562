import { type Journal, type JournalCommand, type JournalEntry, JournalEntrySchema } from '../../src/core/engine-ports.js';

/**
 * An in-memory journal. Every entry goes through JSON and the schema, as a JSONL file would, so
 * an entry that would not survive a restart fails here too.
 */
export class FakeJournal implements Journal {
  readonly entries: JournalEntry[] = [];
  private unread: JournalCommand[] = [];
  failAppendWith: Error | null = null;

  async append(entry: JournalEntry): Promise<void> {
    if (this.failAppendWith) throw this.failAppendWith;
    this.entries.push(JournalEntrySchema.parse(JSON.parse(JSON.stringify(entry))));
  }

  async replay(): Promise<JournalEntry[]> {
    this.unread = [];
    return this.entries.map((e) => JournalEntrySchema.parse(JSON.parse(JSON.stringify(e))));
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
