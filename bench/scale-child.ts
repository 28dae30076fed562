import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { parseConfig } from '../src/core/config.js';
import { openSwitchboard } from '../src/wiring.js';
import { gc, mb } from './child.js';
import type { ChildFigures } from './scale.js';

/**
 * bench/scale.ts's headless child, bundled and run by plain `node`: a disarmed switchboard over
 * the parent's sandbox. Apart from scale.ts so the bundle holds no other bench's entry point.
 */

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The headless child: cold cycle, then (told by the parent on stdin) three warm ones, then idle. */
export async function child(url: string, token: string, repos: readonly string[]): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-scale-'));
  const sb = await openSwitchboard({ config: parseConfig({}), connection: { url, token, tokenSource: 'bench', repos }, stateDir, env: {}, onWarning: () => {} });
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  try {
    let t = performance.now();
    await sb.engine.runCycle();
    const coldMs = performance.now() - t;
    const errors = sb.engine.getSnapshot().lastCycle?.errors ?? [];
    if (errors.length > 0) throw new Error(`the cold cycle failed: ${errors.join('; ')}`);
    console.log('cold');
    await lines.next();
    const warmMs: number[] = [];
    const warmCpuMs: number[] = [];
    // SCALE_CPU_PROFILE=file.cpuprofile: a CPU profile of the warm cycles (not committed).
    const profile = process.env.SCALE_CPU_PROFILE ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post('Profiler.enable');
      await profile.post('Profiler.start');
    }
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const cpu = process.cpuUsage();
      await sb.engine.runCycle();
      warmMs.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      warmCpuMs.push((used.user + used.system) / 1000);
    }
    if (profile) writeFileSync(process.env.SCALE_CPU_PROFILE!, JSON.stringify((await profile.post('Profiler.stop')).profile));
    console.log('warm');
    await lines.next();
    gc();
    const rssMb = mb(process.memoryUsage.rss());
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      gc();
    }
    const m = process.memoryUsage();
    // SCALE_HEAP_SNAPSHOT=file.heapsnapshot: the heap after idle, to sum by constructor (not committed).
    if (process.env.SCALE_HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.SCALE_HEAP_SNAPSHOT);
    const r = (x: number) => Math.round(x);
    const figures: ChildFigures = { coldMs: r(coldMs), warmMs: warmMs.map(r), warmMedianMs: r(median(warmMs)), warmCpuMs: warmCpuMs.map(r), warmCpuMedianMs: r(median(warmCpuMs)), backlog: sb.engine.getSnapshot().backlog.size, rssMb, rssIdleMb: mb(m.rss), heapIdleMb: mb(m.heapUsed) };
    console.log(JSON.stringify(figures));
  } finally {
    await sb.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}


const [url, token, repos] = process.argv.slice(2);
if (!url || !token || !repos) throw new Error('usage: scale-child URL TOKEN REPOS');
await child(url, token, repos.split(','));
// A keep-alive socket or timer left by close() must not keep the bench waiting.
process.exit(0);
