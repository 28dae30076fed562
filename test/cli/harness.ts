import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { CLI, type CliResult, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/sandbox-client.js';

// Homes are made at any depth (inside tests too); the file that imported this removes them.
const homes: string[] = [];
afterAll(() => {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A private home for one test file: config, data and state never touch the real user's. */
export function isolatedHome(): { env: Record<string, string>; stateDir: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  homes.push(dir);
  return {
    dir,
    stateDir: join(dir, 'state'),
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'xstate') },
  };
}

export function cli(home: { env: Record<string, string> }, args: readonly string[], env: Record<string, string> = {}, timeoutMs?: number): Promise<CliResult> {
  return runCli(args, { env: { ...home.env, ...env }, ...(timeoutMs ? { timeoutMs } : {}) });
}

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Start the binary in the background (the headless loop), collecting its output. */
export function startCli(home: { env: Record<string, string> }, args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...home.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Poll until `check` returns a value (the sandbox tests' helper, with the label first). */
export const waitFor = <T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> =>
  eventually(check, timeoutMs, what);
