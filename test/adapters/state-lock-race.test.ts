import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';

/**
 * The state lock under a precise interleaving, which a busy machine produces now and then: our
 * link finds the lock taken, its holder releases it, and takes it again before we act on what we
 * read. fs/promises is wrapped so the test can be the other process at exactly those points.
 */
const hooks: { afterLinkFails?: () => Promise<void>; afterReadMissed?: (path: string) => Promise<void> } = {};

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    link: async (from: string, to: string) => {
      try {
        return await fs.link(from, to);
      } catch (err) {
        const hook = hooks.afterLinkFails;
        hooks.afterLinkFails = undefined;
        await hook?.();
        throw err;
      }
    },
    open: async (...args: Parameters<typeof fs.open>) => {
      try {
        return await fs.open(...args);
      } catch (err) {
        const hook = hooks.afterReadMissed;
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && hook) {
          hooks.afterReadMissed = undefined;
          await hook(String(args[0]));
        }
        throw err;
      }
    },
  };
});

const { COMMANDS_LOCK_FILE, withStateLock } = await import('../../src/adapters/journal-file.js');

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a lock released and taken again while we looked at it is not taken from its new holder', async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-lock-race-'));
  const lock = join(dir, COMMANDS_LOCK_FILE);
  // another process (alive: this one's pid) holds the commands lock
  const other = (nonce: string) => `${JSON.stringify({ pid: process.pid, nonce })}\n`;
  await writeFile(lock, other('first'), { mode: 0o600 });
  // … lets go of it right after our link failed, and takes it again (its next compaction) right
  // after we found it gone, before we act on that
  let otherHolds = true;
  hooks.afterLinkFails = () => rm(lock, { force: true }).then(() => void (otherHolds = false));
  hooks.afterReadMissed = async (path) => {
    if (path !== lock) return;
    await writeFile(lock, other('second'), { mode: 0o600, flag: 'wx' });
    otherHolds = true;
  };
  // the other holder finishes a little later
  const released = new Promise<void>((resolve) =>
    setTimeout(() => {
      otherHolds = false;
      void rm(lock, { force: true }).then(() => resolve());
    }, 300),
  );
  let ranBesideTheOther: boolean | null = null;
  await withStateLock(dir, COMMANDS_LOCK_FILE, 'the journal', async () => {
    ranBesideTheOther = otherHolds;
  });
  await released;
  // our task ran only once the other holder was done: never beside it
  expect(ranBesideTheOther).toBe(false);
});
