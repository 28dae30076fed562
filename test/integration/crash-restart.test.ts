import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../src/core/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import {
  addReadyIssue,
  AUTHOR,
  connectionTo,
  countKind,
  emptySandbox,
  labelsOf,
  markersOn,
  open,
  recordChanges,
  REPO,
  stateDirs,
  IN_PROGRESS,
} from '../helpers/switchboard-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CRASHER = fileURLToPath(new URL('./fixtures/crash-after-writes.ts', import.meta.url));
const CONFIG: ConfigInput = { armed: true, autoApprove: [{ when: {} }], trustedAuthors: [AUTHOR], limits: { repoLock: false } };

/** Run a switchboard in a child process that SIGKILLs itself after `writes` writes on issue `number`. */
function crashAfter(sandbox: Sandbox, stateDir: string, number: number, writes: number): Promise<{ signal: string | null; output: string }> {
  const { url, token, ...kind } = connectionTo(sandbox);
  const args = { ...(('kind' in kind) ? { kind: kind.kind } : {}), url, token, repo: REPO, stateDir, config: CONFIG, number, writes };
  const child = spawn(process.execPath, ['--import', 'tsx', CRASHER, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the crashing switchboard ran past 15 s: ${output}`));
    }, 15_000);
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      clearTimeout(limit);
      resolve({ signal, output });
    });
  });
}

const dirs = stateDirs();
afterAll(() => dirs.cleanup());

describe('a switchboard killed in the middle of a dispatch', () => {
  it.each([
    [1, 'the audit comment'],
    [2, 'the assignee'],
    [3, 'the dispatch comment'],
    [4, 'the in-progress label'],
  ])('finishes the job exactly once after a restart when killed right after write %i (%s)', async (writes) => {
    const sandbox = await emptySandbox();
    try {
      const first = addReadyIssue(sandbox);
      const second = addReadyIssue(sandbox, '[bug] Logout fails on an expired session');
      const changes = recordChanges(sandbox);
      const stateDir = await dirs.make();

      const crash = await crashAfter(sandbox, stateDir, first, writes);
      expect(crash.signal, crash.output).toBe('SIGKILL');
      // the crash left the issue part-way (or, after the last write, unjournaled)
      expect(countKind(markersOn(sandbox, first), 'audit')).toBe(1);
      expect(countKind(markersOn(sandbox, first), 'dispatch')).toBe(writes >= 3 ? 1 : 0);
      expect(labelsOf(sandbox, first).includes(IN_PROGRESS)).toBe(writes === 4);

      const sb = await open(sandbox, stateDir, { config: parseConfig(CONFIG) });
      try {
        await sb.engine.start();
      } finally {
        await sb.close();
      }

      for (const n of [first, second]) {
        const markers = markersOn(sandbox, n);
        expect({ issue: n, audit: countKind(markers, 'audit'), dispatch: countKind(markers, 'dispatch'), standDown: countKind(markers, 'stand-down') }).toEqual({
          issue: n,
          audit: 1,
          dispatch: 1,
          standDown: 0,
        });
        expect(sandbox.store.issue(REPO, n)?.assignees).toEqual(['claude']);
        expect(changes.assigned(n, 'claude')).toBe(1);
        expect(changes.labelled(n, IN_PROGRESS)).toBe(1);
        expect(labelsOf(sandbox, n)).toContain(IN_PROGRESS);
      }
      expect([...sb.engine.getSnapshot().dispatches.values()].map((d) => [d.number, d.phase]).sort()).toEqual([
        [first, 'assigned'],
        [second, 'assigned'],
      ]);
      const journal = await readFile(join(stateDir, 'journal.jsonl'), 'utf8');
      expect(journal.match(/"type":"executed"/g)).toHaveLength(2);
      changes.stop();
    } finally {
      await sandbox.close();
    }
  });
});
