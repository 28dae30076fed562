import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECKPOINT_FILE, JOURNAL_FILE } from './journal-file.js';

/**
 * How the engine answered a command another process appended: it journals the fact it made with
 * the command's id (an approval, a dispatch transition…) or a `command-failed` line with the
 * sentence it refused it with. Only lines naming the id are parsed, so waiting stays cheap on a
 * journal of any size.
 */
export type CommandAnswer = { readonly kind: 'applied' } | { readonly kind: 'failed'; readonly message: string } | { readonly kind: 'unanswered' };

/** The journal's size now: where to start looking for the answer to a command about to be appended. */
export const journalSize = (dir: string): Promise<number> => stat(join(dir, JOURNAL_FILE)).then((s) => s.size, () => 0);

async function readFrom(path: string, start: number): Promise<{ text: string; size: number } | null> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const { size } = await file.stat();
    if (size <= start) return { text: '', size };
    const buf = Buffer.alloc(size - start);
    await file.read(buf, 0, buf.length, start);
    // only complete lines: a line still being written is read on the next look
    const end = buf.lastIndexOf(0x0a) + 1;
    return { text: buf.subarray(0, end).toString('utf8'), size: start + end };
  } finally {
    await file.close();
  }
}

function answerIn(text: string, commandId: string): CommandAnswer | null {
  for (const line of text.split('\n')) {
    if (!line.includes(commandId)) continue;
    let entry: { type?: unknown; commandId?: unknown; message?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.commandId !== commandId || entry.type === 'command') continue;
    if (entry.type === 'command-failed') return { kind: 'failed', message: typeof entry.message === 'string' ? entry.message : 'refused' };
    return { kind: 'applied' };
  }
  return null;
}

/**
 * Wait up to `timeoutMs` for the engine's answer to command `commandId`, reading the journal from
 * byte `from` on. A compaction in between (the journal shorter than where we were) is looked
 * through from its checkpoint and its new start.
 */
export async function awaitCommandAnswer(dir: string, commandId: string, o: { from: number; timeoutMs: number; pollMs?: number }): Promise<CommandAnswer> {
  const deadline = Date.now() + o.timeoutMs;
  let offset = o.from;
  for (;;) {
    const read = await readFrom(join(dir, JOURNAL_FILE), offset);
    if (read && read.size < offset) {
      offset = 0;
      const checkpoint = await readFrom(join(dir, CHECKPOINT_FILE), 0);
      const found = checkpoint ? answerIn(checkpoint.text, commandId) : null;
      if (found) return found;
      continue;
    }
    if (read) {
      const found = answerIn(read.text, commandId);
      if (found) return found;
      offset = read.size;
    }
    if (Date.now() >= deadline) return { kind: 'unanswered' };
    await sleep(Math.min(o.pollMs ?? 150, Math.max(1, deadline - Date.now())));
  }
}
