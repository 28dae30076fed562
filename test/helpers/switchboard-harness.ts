import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../src/core/ports.js';
import { type ConfigInput, parseConfig } from '../../src/core/config.js';
import { type Marker, parseMarker } from '../../src/core/texts.js';
import type { Sandbox, SandboxDialect, SandboxOptions, StoreChange } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { openSwitchboard, type OpenOptions, type Switchboard } from '../../src/wiring.js';
import { UNPACED } from '../../src/adapters/github/index.js';
import { readyBug } from '../fakes/issues.js';

/** The fixtures' ready P0 bug text (score 9); a test's `title` says what it is about. */
export const READY_BODY = readyBug({ number: 1 }).body;

export const REPO = 'demo/api';
export const AUTHOR = 'alice';
export const IN_PROGRESS = 'switchboard:in-progress';

/**
 * Which API the sandbox speaks in the engine suites: vitest runs them once per dialect (the
 * `github` project in vitest.config.ts sets SWITCHBOARD_SANDBOX_DIALECT).
 */
export const DIALECT: SandboxDialect = process.env.SWITCHBOARD_SANDBOX_DIALECT === 'github' ? 'github' : 'gitea';

/** The environment that points the switchboard CLI at a sandbox, in its dialect. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return sandbox.dialect === 'github'
    ? { SWITCHBOARD_TRACKER: 'github', GITHUB_API_URL: sandbox.apiUrl, GITHUB_TOKEN: sandbox.token, SWITCHBOARD_REPOS: REPO }
    : { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: REPO };
}

/** A sandbox with one empty repo, `demo/api`, and a trusted author. */
export async function emptySandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ repos: ['api'], issues: 0, dialect: DIALECT, ...options });
  sandbox.store.setPermission(AUTHOR, 'write');
  return sandbox;
}

export function addReadyIssue(sandbox: Sandbox, title = '[bug] Login fails on empty password'): number {
  return sandbox.store.createIssue(REPO, { title, body: READY_BODY, author: AUTHOR }).number;
}

/** Armed, one repo, every proposal approved by rule: what "let it run" looks like. */
export function autoConfig(over: ConfigInput = {}) {
  return parseConfig({ armed: true, autoApprove: [{ when: {} }], trustedAuthors: [AUTHOR], ...over });
}

/** Temp state directories, each removed by `cleanup`. */
export function stateDirs() {
  const made: string[] = [];
  return {
    async make(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'switchboard-it-'));
      made.push(dir);
      return dir;
    },
    async cleanup(): Promise<void> {
      await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/** The connection to a sandbox, in its dialect. */
export const connectionTo = (sandbox: Sandbox, repos: readonly string[] = [REPO]) =>
  sandbox.dialect === 'github'
    ? { kind: 'github' as const, url: sandbox.apiUrl, token: sandbox.token, tokenSource: 'test', repos }
    : { url: sandbox.url, token: sandbox.token, tokenSource: 'test', repos };

/**
 * A switchboard on the sandbox. Gitea client tuning in `tracker` is carried over to the GitHub
 * adapter's equivalents, and GitHub's write pacing is off (the sandbox has no secondary limits).
 */
export function open(sandbox: Sandbox, stateDir: string, over: Partial<OpenOptions> & Pick<OpenOptions, 'config'>): Promise<Switchboard> {
  const t = over.tracker;
  const github: OpenOptions['github'] = {
    pacing: UNPACED,
    retryBaseMs: t?.retry?.baseDelayMs ?? 10,
    ...(t?.retry?.attempts !== undefined ? { attempts: t.retry.attempts } : {}),
    ...(t?.timeouts?.headersMs !== undefined ? { timeoutMs: t.timeouts.headersMs } : {}),
    ...(t?.maxRateLimitWaitMs !== undefined ? { maxRateLimitWaitMs: t.maxRateLimitWaitMs } : {}),
    ...over.github,
  };
  return openSwitchboard({
    connection: connectionTo(sandbox),
    stateDir,
    env: {},
    ...over,
    github,
  });
}

/** The real clock, plus an offset a test moves forward to reach timeouts without waiting for them. */
export function offsetClock(): Clock & { advanceMinutes(m: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const t = setTimeout(fn, Math.max(0, ms));
      t.unref();
      return t;
    },
    clearTimeout: (h: TimerHandle) => clearTimeout(h as NodeJS.Timeout),
    advanceMinutes(m: number) {
      offset += m * 60_000;
    },
  };
}

/** switchboard's own markers on an issue, oldest first (the sandbox login is switchboard's). */
export function markersOn(sandbox: Sandbox, number: number, repo = REPO): Marker[] {
  return sandbox.store
    .comments(repo, number)
    .filter((c) => c.author === sandbox.login)
    .flatMap((c) => parseMarker(c.body) ?? []);
}

export const countKind = (markers: readonly Marker[], kind: Marker['kind']): number => markers.filter((m) => m.kind === kind).length;

export const labelsOf = (sandbox: Sandbox, number: number, repo = REPO): string[] => {
  const issue = sandbox.store.issue(repo, number);
  return issue ? sandbox.store.labelsOf(repo, issue).map((l) => l.name) : [];
};

/** Every assignment and labelling the tracker announced, per issue: what notifies a human. */
export function recordChanges(sandbox: Sandbox) {
  const changes: Exclude<StoreChange, { kind: 'changed' }>[] = [];
  const stop = sandbox.store.onChange((c) => {
    if (c.kind !== 'changed') changes.push(c);
  });
  return {
    stop,
    assigned: (number: number, login: string) => changes.filter((c) => c.kind === 'assigned' && c.number === number && c.logins.includes(login)).length,
    labelled: (number: number, label: string) => changes.filter((c) => c.kind === 'labelled' && c.number === number && c.labels.includes(label)).length,
  };
}

/**
 * Registers `afterEach` to close what a test opened, last opened first (switchboards before the
 * servers they talk to); returns `track`, which registers one thing and gives it back.
 */
export function closedAfterEach(afterEach: (fn: () => Promise<void>) => void): <T extends { close(): Promise<void> }>(x: T) => T {
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const x of closers.splice(0).reverse()) await x.close();
  });
  return (x) => {
    closers.push(x);
    return x;
  };
}
