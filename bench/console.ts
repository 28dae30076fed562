import { EventEmitter } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderToString } from 'ink';
import { createElement } from 'react';
import { DEFAULT_PROFILE } from '../src/core/profile.js';
import { issueFromGitea } from '../src/adapters/gitea/issue.js';
import type { Issue } from '../src/core/issue.js';
import { scoreIssue } from '../src/core/scoring.js';
import { BacklogPane } from '../src/ui/BacklogPane.js';
import { renderConsole } from '../src/ui/index.js';
import { backlogRows } from '../src/ui/views.js';
import { world } from '../test/fakes/engine-world.js';
import { FakeClock } from '../test/fakes/fake-clock.js';
import { benchChild, gc, lastJson, mb, printBaseline } from './child.js';
import { generateRawIssues } from './generate-issues.js';
import { loadAverage, machine, type Machine } from './machine.js';

/**
 * The operator console at scale: a real Engine (over the in-memory fake tracker) holding N
 * scored issues and N/5 actionable proposals, the real Console mounted with `renderConsole` on a
 * fake 120×40 TTY, and
 *
 * - mount: `renderConsole` → first frame written (rows built, sorted, windowed, laid out);
 * - snapshot → frame, from the engine publishing a new snapshot to the next frame: pause/resume
 *   (same backlog and proposals) and reject (a new proposals map); the engine's own share of a
 *   reject is reported apart;
 * - `j` → frame: a `j` written to stdin → the next frame written to stdout, 500 presses, one
 *   every 40 ms at most (a key held down repeats at ~25–30 Hz; Ink draws at most 30 frames/s,
 *   so presses closer together than 34 ms wait for Ink's frame throttle, not for us); wall
 *   clock, and CPU time of the process (which other load on the machine does not inflate);
 * - RSS after a full gc with the console mounted, and the heap;
 * - the baseline: the same backlog table rendered once with every row (no windowing).
 *
 * Each size runs in its own child process (`node --expose-gc --import tsx`) so one size's garbage
 * does not count against the next; the child's RSS includes tsx's loader, measured on its own as
 * `tsxBaselineRssMb`. React is loaded as the shipped console loads it — the production build
 * (src/commands/console-launcher.ts sets NODE_ENV for the import) — and 10k is measured again with
 * React's development build, to show what that choice is worth.
 */

export interface Quantiles {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly samples: number;
}

export interface ConsoleSizeFigures {
  readonly issues: number;
  /** proposals the Proposals pane lists (dispatch and flag; skips are not listed) */
  readonly proposals: number;
  /** all proposals the engine holds, skips included */
  readonly proposalsTotal: number;
  readonly setupMs: number;
  readonly mountMs: number;
  /** pause/resume → next frame: a new snapshot, same backlog and proposals */
  readonly flagFrame: Quantiles;
  /** reject a pending proposal → next frame: a new proposals map */
  readonly proposalFrame: Quantiles;
  /** reject → snapshot published: the engine's share (median), not the console's */
  readonly rejectEngineMs: number;
  /** React's build: the console ships with production; development is measured for comparison */
  readonly react: 'development' | 'production';
  /** performance.measure entries left in the timeline (React's development build adds them) */
  readonly perfMeasures: number;
  readonly keyFrame: { readonly medianMs: number; readonly p95Ms: number; readonly maxMs: number; readonly presses: number };
  /** CPU time of this process (GC threads included) from the press to the frame: what other load on the machine does not inflate */
  readonly keyFrameCpu: Quantiles;
  /** after a full gc, console mounted, engine and fake tracker alive */
  /** right after the key presses, after a full gc */
  readonly rssMb: number;
  /** after 10 s idle with the console mounted: what a console being read holds */
  readonly rssSettledMb: number;
  readonly heapUsedMb: number;
  /** the largest RSS seen during the run (setup included) */
  readonly peakRssMb: number;
  /** every row rendered, once (renderToString of the backlog table at full height); null when skipped */
  readonly naive: { readonly ms: number; readonly lines: number; readonly rssAfterMb: number } | null;
}

export interface ConsoleBenchFigures {
  readonly bench: 'console';
  readonly terminal: '120x40';
  readonly sizes: readonly ConsoleSizeFigures[];
  readonly targets: { readonly atIssues: 10_000; readonly keyMedianMs: 16; readonly keyP95Ms: 33; readonly rssMb: 200 };
  /** RSS of an empty script under the same `node --expose-gc --import tsx` */
  readonly tsxBaselineRssMb: number;
  readonly machine: Machine;
  readonly loadAverage: readonly number[];
}

export interface ConsoleBenchOptions {
  readonly sizes?: readonly number[];
  readonly presses?: number;
  /** sizes up to this get the naive all-rows baseline too */
  readonly naiveUpTo?: number;
  /** sizes measured a second time with React's development build */
  readonly developmentAt?: readonly number[];
  readonly log?: (line: string) => void;
}

const FIXED_NOW = Date.parse('2026-05-01T10:00:00Z');
const COLUMNS = 120;
const ROWS = 40;
const PACE_MS = 40;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (ms: number): number => Math.round(ms * 100) / 100;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** A terminal for Ink: 120×40, a TTY, every write timed. A frame is one synchronous burst of writes. */
class FakeTty extends EventEmitter {
  readonly isTTY = true;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  writes = 0;
  lastWriteAt = 0;
  /** what was written since the last nextFrame() */
  frame = '';
  private waiter: ((at: number) => void) | null = null;
  write = (chunk: string | Uint8Array): boolean => {
    this.writes++;
    this.lastWriteAt = performance.now();
    this.frame += String(chunk);
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      // the rest of the frame is written in the same tick: resolve with its last write
      setImmediate(() => w(this.lastWriteAt));
    }
    return true;
  };
  /** the time of the last write of the next frame */
  nextFrame(timeoutMs = 120_000): Promise<number> {
    this.frame = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame was written')), timeoutMs);
      this.waiter = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }
}

/** Ink's stdin in raw mode: 'readable', then read() until null. */
class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** N generated issues in acme/api, of which `proposals` are actionable (the rest assigned to someone: a skip). */
function backlog(count: number, proposals: number): Issue[] {
  const issues = generateRawIssues(count, 7, { repo: 'acme/api' }).map((raw) => issueFromGitea(raw, 'acme/api'));
  const now = new Date(FIXED_NOW);
  const actionable: number[] = [];
  issues.forEach((issue, i) => {
    const s = scoreIssue(issue, DEFAULT_PROFILE, now);
    if (s.ready && s.type !== 'philosophy' && issue.assignees.length === 0) actionable.push(i);
  });
  // Keep `proposals` of them, spread over the backlog; the others get an assignee.
  const keep = new Set<number>();
  for (let k = 0; k < Math.min(proposals, actionable.length); k++) keep.add(actionable[Math.floor((k * actionable.length) / proposals)]!);
  return issues.map((issue, i) => (actionable.includes(i) && !keep.has(i) ? { ...issue, assignees: ['someone'] } : issue));
}

async function measure(count: number, presses: number, naive: boolean): Promise<ConsoleSizeFigures> {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 50);
  const t0 = performance.now();
  const w = world({ issues: backlog(count, Math.round(count / 5)), clock: new FakeClock(new Date(FIXED_NOW)), config: { limits: { dispatchesPerCycle: 1_000_000 } } });
  await w.engine.runCycle();
  w.events.length = 0;
  const snapshot = w.engine.getSnapshot();
  const listed = [...snapshot.proposals.values()].filter((p) => p.action !== 'skip').length;
  const setupMs = performance.now() - t0;
  gc();

  const stdout = new FakeTty();
  const stdin = new FakeStdin();
  const mountStart = performance.now();
  const first = stdout.nextFrame();
  const app = renderConsole(w.engine, {
    trackerName: 'gitea',
    repos: w.config.repos,
    agents: w.config.agents,
    now: () => FIXED_NOW,
    noColor: true,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
  });
  const mountMs = (await first) - mountStart;
  await sleep(200);

  // A new snapshot with the same backlog and proposals (pause/resume: a flag in the header).
  // Timed from the engine publishing the snapshot (its subscribers called) to the frame: the
  // console's share. The engine's share (command → snapshot) is reported apart.
  const published = () => {
    let at = 0;
    const off = w.engine.subscribe(() => {
      at ||= performance.now();
    });
    return () => {
      off();
      return at;
    };
  };
  const flagTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(PACE_MS);
    const frame = stdout.nextFrame();
    const snap = published();
    if (i % 2 === 0) w.engine.pause();
    else w.engine.resume();
    const end = await frame;
    flagTimes.push(end - snap());
  }
  // A new proposals map (reject a pending proposal): backlog rows re-marked, proposal rows rebuilt.
  const pending = [...snapshot.proposals.values()].filter((p) => p.action !== 'skip' && p.status === 'proposed').slice(0, 20);
  const proposalTimes: number[] = [];
  const engineTimes: number[] = [];
  for (const p of pending) {
    await sleep(PACE_MS);
    const frame = stdout.nextFrame();
    const snap = published();
    const start = performance.now();
    void w.engine.reject(p.id);
    const end = await frame;
    const at = snap();
    proposalTimes.push(end - at);
    engineTimes.push(at - start);
  }
  await sleep(PACE_MS);

  const keyTimes: number[] = [];
  const keyCpu: number[] = [];
  for (let i = 0; i < presses; i++) {
    const frame = stdout.nextFrame();
    const cpu = process.cpuUsage();
    const start = performance.now();
    stdin.write('j');
    const at = await frame;
    const used = process.cpuUsage(cpu);
    keyTimes.push(at - start);
    keyCpu.push((used.user + used.system) / 1000);
    const wait = PACE_MS - (performance.now() - start);
    if (wait > 0) await sleep(wait);
  }
  if (!stdout.frame.includes('›')) throw new Error('the last frame shows no selection');

  gc();
  sample();
  const mem = process.memoryUsage();
  // A burst of frames leaves V8 with pages it hands back once the console is idle: measure again
  // after 10 s of the operator reading the screen (a gc each second).
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    gc();
  }
  const settled = process.memoryUsage();
  app.unmount();
  app.cleanup();

  let naiveFigures: ConsoleSizeFigures['naive'] = null;
  if (naive) {
    const rows = backlogRows(snapshot, '', 'score');
    const started = performance.now();
    const out = renderToString(
      createElement(BacklogPane, { snapshot, rows, sort: 'score', filter: '', focused: true, width: COLUMNS, height: rows.length + 2, selectedId: rows[0]?.id ?? null, offset: 0 }),
      { columns: COLUMNS },
    );
    const ms = performance.now() - started;
    sample();
    naiveFigures = { ms: Math.round(ms), lines: out.split('\n').length, rssAfterMb: mb(process.memoryUsage.rss()) };
  }
  clearInterval(sampler);
  return {
    issues: snapshot.backlog.size,
    proposals: listed,
    proposalsTotal: snapshot.proposals.size,
    setupMs: Math.round(setupMs),
    mountMs: round(mountMs),
    flagFrame: { medianMs: round(quantile(flagTimes, 0.5)), p95Ms: round(quantile(flagTimes, 0.95)), samples: flagTimes.length },
    proposalFrame: { medianMs: round(quantile(proposalTimes, 0.5)), p95Ms: round(quantile(proposalTimes, 0.95)), samples: proposalTimes.length },
    rejectEngineMs: round(quantile(engineTimes, 0.5)),
    react: process.env.NODE_ENV === 'production' ? 'production' : 'development',
    perfMeasures: performance.getEntriesByType('measure').length,
    keyFrame: { medianMs: round(quantile(keyTimes, 0.5)), p95Ms: round(quantile(keyTimes, 0.95)), maxMs: round(Math.max(...keyTimes)), presses },
    keyFrameCpu: { medianMs: round(quantile(keyCpu, 0.5)), p95Ms: round(quantile(keyCpu, 0.95)), samples: keyCpu.length },
    rssMb: mb(mem.rss),
    rssSettledMb: mb(settled.rss),
    heapUsedMb: mb(mem.heapUsed),
    peakRssMb: mb(peak),
    naive: naiveFigures,
  };
}

const SELF = fileURLToPath(import.meta.url);

export async function run(options: ConsoleBenchOptions = {}): Promise<ConsoleBenchFigures> {
  const sizes = options.sizes ?? [1_000, 10_000, 50_000];
  const presses = options.presses ?? 500;
  const naiveUpTo = options.naiveUpTo ?? 10_000;
  const developmentAt = options.developmentAt ?? [10_000];
  const log = options.log ?? (() => {});
  const loads = [loadAverage()];
  const tsxBaseline = lastJson<{ rssMb: number }>(await benchChild(SELF, ['--baseline']));
  const results: ConsoleSizeFigures[] = [];
  const runs = [...sizes.map((size) => ({ size, react: 'production' as const })), ...developmentAt.map((size) => ({ size, react: 'development' as const }))];
  for (const { size, react } of runs) {
    loads.push(loadAverage());
    const figures = lastJson<ConsoleSizeFigures>(await benchChild(SELF, ['--child', String(size), String(presses), size <= naiveUpTo && react === 'production' ? 'naive' : ''], react === 'production' ? 'production' : 'development'));
    log(`console ${size} (React ${react}): key median ${figures.keyFrame.medianMs} ms, p95 ${figures.keyFrame.p95Ms} ms, rss ${figures.rssMb} MB, after 10 s idle ${figures.rssSettledMb} MB`);
    results.push(figures);
  }
  return {
    bench: 'console',
    terminal: '120x40',
    sizes: results,
    targets: { atIssues: 10_000, keyMedianMs: 16, keyP95Ms: 33, rssMb: 200 },
    tsxBaselineRssMb: tsxBaseline.rssMb,
    machine: machine(),
    loadAverage: loads,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === '--baseline') {
    printBaseline();
  } else if (mode === '--child') {
    console.log(JSON.stringify(await measure(Number(a), Number(b), c === 'naive')));
    process.exit(0);
  } else {
    const sizes = mode ? mode.split(',').map(Number) : undefined;
    console.log(JSON.stringify(await run({ ...(sizes ? { sizes } : {}), log: (l) => console.error(l) })));
  }
}
