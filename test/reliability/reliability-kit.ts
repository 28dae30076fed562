import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_AGENTS } from '../../src/core/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { CLI } from '../helpers/cli.js';
import { countKind, IN_PROGRESS, markersOn, type recordChanges, REPO } from '../helpers/switchboard-harness.js';

/** `npm run soak` sets SWITCHBOARD_SOAK=1: the long variants of the reliability suites. */
export const SOAK = process.env.SWITCHBOARD_SOAK === '1';

/** A failure a user reads: one sentence, no object dump, no stack, no token. */
export function checkMessage(message: string, token: string): void {
  expect(message.trim(), 'an empty failure message').not.toBe('');
  expect(message, message).not.toContain('[object Object]');
  expect(message, message).not.toMatch(/\n\s+at |\bat .+\.[cm]?[jt]s:\d+:\d+/);
  expect(message, message).not.toContain(token);
  expect(message, message).not.toMatch(/\bundefined\b|\bnull\b/);
}

/** A config file for a headless run that lets many dispatches go at once (no repo lock, claude takes 100). */
export function writeConfig(path: string, trustedAuthor: string): Promise<void> {
  const config = {
    // GitHub's write pacing is for github.com; the sandbox has no secondary limits.
    tracker: { pacing: false },
    trustedAuthors: [trustedAuthor],
    limits: { repoLock: false, dispatchesPerCycle: 100 },
    agents: DEFAULT_AGENTS.map((a) => (a.id === 'claude' ? { ...a, maxConcurrent: 100 } : a)),
  };
  return writeFile(path, JSON.stringify(config, null, 2));
}

export interface Child {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** `switchboard run --headless --approve all --arm --interval 1s` (the built binary), private home, collected output. */
export function startRun(home: string, env: Record<string, string>, configFile: string, stateDir: string): Child {
  const args = [CLI, '--config', configFile, 'run', '--headless', '--approve', 'all', '--arm', '--interval', '1s', '--state-dir', stateDir];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

/** `p`, or a failure naming `what` after `ms`. */
export async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What each issue got from switchboard: claims, dispatch comments, stand-downs (markers), and how
 * often it was assigned to claude and labelled in progress (tracker notifications). `wrong` lists
 * every issue that is not exactly once; an issue the agent already closed (PR merged) before the
 * last writes needs no dispatch comment or lock any more: those may be missing, never doubled.
 */
export function tallyIssues(sandbox: Sandbox, numbers: readonly number[], changes: ReturnType<typeof recordChanges>) {
  const tally = numbers.map((n) => {
    const markers = markersOn(sandbox, n);
    return {
      issue: n,
      open: sandbox.store.issue(REPO, n)?.state === 'open',
      audit: countKind(markers, 'audit'),
      dispatch: countKind(markers, 'dispatch'),
      standDown: countKind(markers, 'stand-down'),
      assigned: changes.assigned(n, 'claude'),
      labelled: changes.labelled(n, IN_PROGRESS),
    };
  });
  return {
    tally,
    wrong: tally.filter(
      (t) => t.audit !== 1 || t.assigned !== 1 || t.standDown !== 0 || (t.open ? t.dispatch !== 1 || t.labelled !== 1 : t.dispatch > 1 || t.labelled > 1),
    ),
    lost: tally.filter((t) => t.assigned === 0).length,
    duplicated: tally.filter((t) => t.audit > 1 || t.dispatch > 1 || t.assigned > 1 || t.labelled > 1).length,
  };
}
