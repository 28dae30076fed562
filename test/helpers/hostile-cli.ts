import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI } from './cli.js';
import { type HostileOptions, type HostileServer, type Hostility, hostileServer } from './hostile-server.js';

/**
 * The built binary run against a hostile server (test/helpers/hostile-server.ts), timed, with
 * its peak RSS: GNU time's %M when /usr/bin/time is GNU, else /proc/PID/status VmHWM polled.
 */

export const LIMIT_MS = 60_000;
export const RSS_LIMIT_MB = 400;
export const TOKEN = 'tok_hostile_0123456789abcdef';

/** HOME, config files and state dirs of the runs; the caller removes it (removeRunDir). */
export const dir = mkdtempSync(join(tmpdir(), 'switchboard-hostile-'));
export const removeRunDir = (): void => rmSync(dir, { recursive: true, force: true });

/** Each test with its own server, closed whatever happens. */
export async function withServer(kind: Hostility, options: HostileOptions, test: (server: HostileServer) => Promise<void>): Promise<void> {
  const server = await hostileServer(kind, options);
  try {
    await test(server);
  } finally {
    await server.close();
  }
}

export function configFile(name: string, tracker: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ tracker }));
  return file;
}

const gnuTime = ((): boolean => {
  if (!existsSync('/usr/bin/time')) return false;
  try {
    return readFileSync('/usr/bin/time').includes('maximum resident set size');
  } catch {
    return false;
  }
})();

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly rssMb: number;
}

/**
 * Run the binary; `signalWhen` sends a signal once it returns true (polled). A run that is
 * signalled is not wrapped in GNU time, so the signal reaches switchboard itself.
 */
export function run(
  args: readonly string[],
  server: HostileServer,
  o: { signalWhen?: () => boolean; signal?: NodeJS.Signals; signalDelayMs?: number; onSignal?: () => void } = {},
): Promise<Run> {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const argv = [CLI, ...args];
  const wrapped = gnuTime && !o.signalWhen;
  const [cmd, cmdArgs] = wrapped ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...argv]] : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, cmdArgs as string[], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', GITEA_URL: server.url, GITEA_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let peakKb = 0;
    let signalled = false;
    const poll = setInterval(() => {
      if (!wrapped && child.pid !== undefined) {
        try {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
        } catch {
          // gone between polls
        }
      }
      if (o.signalWhen && !signalled && o.signalWhen()) {
        signalled = true;
        setTimeout(() => {
          o.onSignal?.();
          child.kill(o.signal ?? 'SIGINT');
        }, o.signalDelayMs ?? 500);
      }
    }, 20);
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchboard ${args.join(' ')} still running after ${LIMIT_MS + 10_000} ms`));
    }, LIMIT_MS + 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      if (wrapped) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        peakKb = Number(lines.at(-1));
        // GNU time notes a non-zero exit on a line of its own before the figure
        const exited = lines.find((l) => l.startsWith('Command exited with non-zero status'));
        code = exited ? Number(exited.split(' ').at(-1)) : code;
      }
      resolve({ code, stdout, stderr, ms: Date.now() - started, rssMb: Math.round(peakKb / 1024) });
    });
  });
}

export function expectOneSentence(r: Run, sentence: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^switchboard: /);
  expect(lines[0]).toMatch(sentence);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+|internal error/);
  expect(r.stderr).not.toContain(TOKEN);
  expect(r.stdout).toBe('');
}

export const record = (what: string, r: Run) => console.log(`hostile ${what}: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.rssMb} MB`);

