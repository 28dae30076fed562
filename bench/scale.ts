import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { type ApproveBenchResult, run as runApprove } from './approve.js';
import { mb } from './child.js';
import type { ConsoleSizeFigures } from './console.js';
import { loadAverage } from './machine.js';

/**
 * Issue 16's scale goals at 50,000 open issues across 50 repos, each next to its baseline from
 * the same run:
 * - approve → executing, engine time (bench/approve.ts over the in-memory tracker); baseline: one
 *   plan of the whole backlog, which an approve made 2–3 times before incremental planning;
 * - console key → frame and RSS after 10 s idle (bench/console.ts's child), on compiled
 *   JavaScript: the child is bundled with esbuild and run by plain `node`, not tsx;
 * - a warm cycle and the headless RSS after 10 s idle: a disarmed `openSwitchboard` in a plain
 *   `node` child (bundled the same way) against the sandbox in this process, 20 ms a request;
 *   baseline: the cold cycle of the same run. The RSS of an empty `node` is given beside.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', '_build');
const ISSUES = 50_000;
const REPOS = 50;

export interface ScaleFigures {
  readonly bench: 'scale';
  readonly issues: number;
  readonly repos: number;
  readonly approve: ApproveBenchResult;
  readonly console: Pick<ConsoleSizeFigures, 'keyFrame' | 'keyFrameCpu' | 'mountMs' | 'rssMb' | 'rssSettledMb'>;
  readonly headless: ChildFigures;
  readonly warmRequests: number;
  readonly coldRequests: number;
  readonly nodeBaselineRssMb: number;
  readonly loadAverage: readonly number[];
}

export interface ChildFigures {
  readonly coldMs: number;
  readonly warmMs: readonly number[];
  readonly warmMedianMs: number;
  /** the child's CPU time (user + system) in each warm cycle: the machine is shared */
  readonly warmCpuMs: readonly number[];
  readonly warmCpuMedianMs: number;
  readonly backlog: number;
  readonly rssMb: number;
  readonly rssIdleMb: number;
  readonly heapIdleMb: number;
}

/** Bundle a bench for plain `node` (dependencies stay in node_modules). */
function bundle(entry: string, out: string): string {
  const file = join(OUT, out);
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${file}`, '--log-level=warning'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`could not bundle ${entry}`);
  return file;
}

function node(args: readonly string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--expose-gc', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
}

async function lastLine(p: ReturnType<typeof spawn>): Promise<string> {
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`)))));
  return out.trim().split('\n').at(-1) ?? '';
}


export async function run(options: { log?: (line: string) => void } = {}): Promise<ScaleFigures> {
  const log = options.log ?? (() => {});
  const loads = [loadAverage()];
  // SCALE_SKIP=approve,console re-runs only the headless part (the skipped figures are 0).
  const skip = new Set(process.env.SCALE_SKIP?.split(',') ?? []);
  const approve = skip.has('approve') ? ({ bench: 'approve', issues: 0, repos: 0, firstCycleMs: 0, disarmedApproveMs: 0, armedApproveMs: 0, executingMs: 0, fullPlanMs: 0 } as const) : await runApprove({ issues: ISSUES, repos: REPOS, rounds: 5 });
  log(`scale: approve at ${ISSUES}: executing ${approve.executingMs} ms, disarmed ${approve.disarmedApproveMs} ms, armed ${approve.armedApproveMs} ms, full plan ${approve.fullPlanMs} ms`);

  const consoleJs = bundle('bench/console.ts', 'console.mjs');
  const scaleJs = bundle('bench/scale-child.ts', 'scale-child.mjs');
  const baseline = node(['-e', 'globalThis.gc(); console.log(process.memoryUsage.rss())']);
  const nodeBaselineRssMb = mb(Number(await lastLine(baseline)));

  loads.push(loadAverage());
  const noConsole = { keyFrame: { medianMs: 0, p95Ms: 0, maxMs: 0, presses: 0 }, keyFrameCpu: { medianMs: 0, p95Ms: 0, samples: 0 }, mountMs: 0, rssMb: 0, rssSettledMb: 0 };
  const c = skip.has('console') ? noConsole : (JSON.parse(await lastLine(node([consoleJs, '--child', String(ISSUES), '300', ''], { NODE_ENV: 'production' }))) as ConsoleSizeFigures);
  log(`scale: console at ${ISSUES}: key median ${c.keyFrame.medianMs} ms, p95 ${c.keyFrame.p95Ms} ms, RSS after idle ${c.rssSettledMb} MB`);

  loads.push(loadAverage());
  const sandbox = await startSandbox({ issues: ISSUES, repos: REPOS, seed: 1, pageCap: 50 });
  try {
    sandbox.setLatency(20);
    sandbox.resetRequestCounts();
    const p = node([scaleJs, sandbox.url, sandbox.token, sandbox.repos.join(',')]);
    const said = createInterface({ input: p.stdout! })[Symbol.asyncIterator]();
    let coldRequests = 0;
    let warmRequests = 0;
    const answer = (async () => {
      for (;;) {
        const { value, done } = await said.next();
        if (done) throw new Error('the headless child ended early');
        if (value === 'cold') {
          coldRequests = sandbox.requestCount();
          sandbox.resetRequestCounts();
          p.stdin?.write('go\n');
        } else if (value === 'warm') {
          warmRequests = Math.round(sandbox.requestCount() / 3);
          p.stdin?.write('go\n');
        } else if (value.startsWith('{')) {
          return JSON.parse(value) as ChildFigures;
        }
      }
    })();
    const headless = await answer;
    await new Promise((r) => p.on('close', r));
    log(`scale: headless at ${ISSUES}: cold ${headless.coldMs} ms (${coldRequests} req), warm ${headless.warmMedianMs} ms wall, ${headless.warmCpuMedianMs} ms CPU (${warmRequests} req), RSS after idle ${headless.rssIdleMb} MB`);
    loads.push(loadAverage());
    return {
      bench: 'scale',
      issues: ISSUES,
      repos: REPOS,
      approve,
      console: { keyFrame: c.keyFrame, keyFrameCpu: c.keyFrameCpu, mountMs: c.mountMs, rssMb: c.rssMb, rssSettledMb: c.rssSettledMb },
      headless,
      warmRequests,
      coldRequests,
      nodeBaselineRssMb,
      loadAverage: loads,
    };
  } finally {
    await sandbox.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run({ log: (l) => console.error(l) })));
}
