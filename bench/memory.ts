import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseConfig } from '../src/core/config.js';
import { startSandbox } from '../src/sandbox/index.js';
import { openSwitchboard } from '../src/wiring.js';
import { benchChild, gc, lastJson, mb, printBaseline } from './child.js';
import { loadAverage } from './machine.js';

/**
 * Headless memory over many cycles: a disarmed `openSwitchboard` (src/wiring.ts) in a child
 * process (`node --expose-gc --import tsx`) runs `engine.runCycle()` back to back against a
 * 5,000-issue sandbox in this process, which churns meanwhile: every 100 ms one issue is edited,
 * every 500 ms one is opened and one closed, so cycles see changes, supersede proposals and the
 * backlog stays at ~5,000. RSS and heap are read after a full gc at the end of the warm-up and
 * every `every` cycles after it.
 */

export interface MemorySample {
  readonly cycle: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

export interface MemoryBenchFigures {
  readonly bench: 'memory';
  readonly issues: number;
  readonly cycles: number;
  readonly warmupCycles: number;
  readonly afterWarmup: MemorySample;
  readonly end: MemorySample;
  readonly samples: readonly MemorySample[];
  /** end minus after warm-up */
  readonly rssGrowthMb: number;
  readonly heapGrowthMb: number;
  readonly cycleMedianMs: number;
  readonly churn: { readonly edited: number; readonly opened: number; readonly closed: number };
  /** RSS of an empty script under the same `node --expose-gc --import tsx` */
  readonly tsxBaselineRssMb: number;
  readonly loadAverage: readonly number[];
}

export interface MemoryBenchOptions {
  readonly issues?: number;
  readonly cycles?: number;
  readonly warmupCycles?: number;
  readonly every?: number;
  readonly log?: (line: string) => void;
}


function sample(cycle: number): MemorySample {
  gc();
  const m = process.memoryUsage();
  return { cycle, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) };
}

async function child(url: string, token: string, repo: string, cycles: number, warmup: number, every: number) {
  const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const sb = await openSwitchboard({
    config: parseConfig({}),
    connection: { url, token, tokenSource: 'bench', repos: [repo] },
    stateDir,
    env: {},
    onWarning: () => {},
  });
  const samples: MemorySample[] = [];
  const times: number[] = [];
  try {
    for (let c = 1; c <= cycles; c++) {
      const t0 = performance.now();
      await sb.engine.runCycle();
      times.push(performance.now() - t0);
      const errors = sb.engine.getSnapshot().lastCycle?.errors ?? [];
      if (errors.length > 0) throw new Error(`cycle ${c} failed: ${errors.join('; ')}`);
      if (c === warmup || (c > warmup && (c - warmup) % every === 0) || c === cycles) samples.push(sample(c));
      if (c % every === 0) process.stderr.write(`memory: cycle ${c}, rss ${mb(process.memoryUsage.rss())} MB\n`);
    }
  } finally {
    await sb.close();
    await rm(stateDir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { samples, cycleMedianMs: Math.round(times[Math.floor(times.length / 2)] ?? 0), issues: sb.engine.getSnapshot().backlog.size };
}

const SELF = fileURLToPath(import.meta.url);

export async function run(options: MemoryBenchOptions = {}): Promise<MemoryBenchFigures> {
  const issues = options.issues ?? 5_000;
  const cycles = options.cycles ?? 1_000;
  const warmupCycles = options.warmupCycles ?? 50;
  const every = options.every ?? 100;
  const loads = [loadAverage()];
  const baseline = lastJson<{ rssMb: number }>(await benchChild(SELF, ['--baseline']));
  const sandbox = await startSandbox({ issues, repos: ['api'], seed: 1 });
  const repo = sandbox.repos[0] as string;
  const churn = { edited: 0, opened: 0, closed: 0 };
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    const open = sandbox.store.issues(repo).filter((i) => i.state === 'open' && i.pull === null);
    const pick = open[(tick * 7919) % open.length];
    if (pick) {
      sandbox.store.editIssue(repo, pick.number, { body: `${pick.body}\n\nedited (${tick})` });
      churn.edited++;
    }
    if (tick % 5 === 0) {
      sandbox.store.createIssue(repo, { title: `[bug] Churn issue ${tick}: the export crashes`, body: 'Steps: run export.\n\n- [ ] must not crash' });
      churn.opened++;
      const oldest = open[0];
      if (oldest) {
        sandbox.store.closeIssue(repo, oldest.number);
        churn.closed++;
      }
    }
  }, 100);
  try {
    const out = lastJson<{ samples: MemorySample[]; cycleMedianMs: number; issues: number }>(
      await benchChild(SELF, ['--child', sandbox.url, sandbox.token, repo, String(cycles), String(warmupCycles), String(every)]),
    );
    loads.push(loadAverage());
    const afterWarmup = out.samples[0]!;
    const end = out.samples.at(-1)!;
    options.log?.(`memory: rss ${afterWarmup.rssMb} MB after ${warmupCycles} cycles, ${end.rssMb} MB after ${cycles}`);
    return {
      bench: 'memory',
      issues: out.issues,
      cycles,
      warmupCycles,
      afterWarmup,
      end,
      samples: out.samples,
      rssGrowthMb: Math.round((end.rssMb - afterWarmup.rssMb) * 10) / 10,
      heapGrowthMb: Math.round((end.heapUsedMb - afterWarmup.heapUsedMb) * 10) / 10,
      cycleMedianMs: out.cycleMedianMs,
      churn,
      tsxBaselineRssMb: baseline.rssMb,
      loadAverage: loads,
    };
  } finally {
    clearInterval(timer);
    await sandbox.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--baseline') {
    printBaseline();
  } else if (mode === '--child') {
    const [url, token, repo, cycles, warmup, every] = rest as [string, string, string, string, string, string];
    console.log(JSON.stringify(await child(url, token, repo, Number(cycles), Number(warmup), Number(every))));
    process.exit(0);
  } else {
    const cycles = mode ? Number(mode) : undefined;
    console.log(JSON.stringify(await run({ ...(cycles ? { cycles, every: Math.max(10, Math.floor(cycles / 10)) } : {}), log: (l) => console.error(l) })));
  }
}
