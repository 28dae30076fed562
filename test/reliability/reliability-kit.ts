import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_AGENTS } from '../../src/core/config.js';
import { CLI } from '../helpers/cli.js';

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
