import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/core/config.js';
import { startSandbox } from '../src/sandbox/index.js';
import { openSwitchboard } from '../src/wiring.js';
import { bestOf, sequentialFetch } from './fetch.js';
import { loadAverage } from './machine.js';

/**
 * What one engine cycle costs as the backlog grows. A cycle is `engine.runCycle()` of a disarmed
 * `openSwitchboard` (src/wiring.ts) over the embedded sandbox with 20 ms per request: fetch the
 * open issues of one repo, check the authors' permissions, score, propose, and the cycle's
 * bookkeeping — it writes nothing. Cold = the first cycle of a newly opened switchboard (every
 * page); warm = the next one, nothing having changed (the incremental `since` fetch). The
 * baseline is the reference client's loop: page after page, 50 a page, one connection.
 */

export interface CycleSizeFigures {
  readonly issues: number;
  readonly sequential: { readonly requests: number; readonly ms: number };
  /** requests by route as well: the first cycle also reads who the token is, the server's page size and the authors' permissions */
  readonly cold: { readonly requests: number; readonly ms: number; readonly routes: Readonly<Record<string, number>> };
  readonly warm: { readonly requests: number; readonly ms: number; readonly routes: Readonly<Record<string, number>> };
  /** sequential wall time over the cold cycle's */
  readonly speedup: number;
  readonly proposals: number;
  readonly loadAverage: number;
}

export interface CycleBenchFigures {
  readonly bench: 'cycle';
  readonly latencyMs: number;
  readonly pageCap: number;
  readonly sizes: readonly CycleSizeFigures[];
}

export interface CycleBenchOptions {
  readonly sizes?: readonly number[];
  readonly latencyMs?: number;
  readonly log?: (line: string) => void;
}

async function measureSize(issues: number, latencyMs: number): Promise<CycleSizeFigures> {
  const sandbox = await startSandbox({ issues, repos: ['api'], seed: 1, pageCap: 50 });
  const repo = sandbox.repos[0] as string;
  const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  try {
    sandbox.setLatency(latencyMs);
    const load = loadAverage();
    const sequential = await bestOf(1, () => sequentialFetch(sandbox.url, sandbox.token, repo));

    const sb = await openSwitchboard({
      config: parseConfig({}),
      connection: { url: sandbox.url, token: sandbox.token, tokenSource: 'bench', repos: [repo] },
      stateDir,
      env: {},
      onWarning: () => {},
    });
    try {
      sandbox.resetRequestCounts();
      let started = performance.now();
      await sb.engine.runCycle();
      const cold = { requests: sandbox.requestCount(), ms: Math.round(performance.now() - started), routes: sandbox.requests() };
      const snapshot = sb.engine.getSnapshot();
      if (snapshot.backlog.size !== sequential.value.count) {
        throw new Error(`the cycle saw ${snapshot.backlog.size} issues, the sequential fetch ${sequential.value.count}`);
      }
      if (snapshot.lastCycle?.errors.length) throw new Error(`the cycle failed: ${snapshot.lastCycle.errors.join('; ')}`);

      sandbox.resetRequestCounts();
      started = performance.now();
      await sb.engine.runCycle();
      const warm = { requests: sandbox.requestCount(), ms: Math.round(performance.now() - started), routes: sandbox.requests() };
      return {
        issues: snapshot.backlog.size,
        sequential: { requests: sequential.value.requests, ms: sequential.ms },
        cold,
        warm,
        speedup: Math.round((sequential.ms / cold.ms) * 10) / 10,
        proposals: snapshot.proposals.size,
        loadAverage: load,
      };
    } finally {
      await sb.close();
    }
  } finally {
    await sandbox.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

export async function run(options: CycleBenchOptions = {}): Promise<CycleBenchFigures> {
  const sizes = options.sizes ?? [500, 5_000, 20_000];
  const latencyMs = options.latencyMs ?? 20;
  const out: CycleSizeFigures[] = [];
  for (const size of sizes) {
    const figures = await measureSize(size, latencyMs);
    options.log?.(`cycle ${size}: cold ${figures.cold.requests} req ${figures.cold.ms} ms, warm ${figures.warm.requests} req ${figures.warm.ms} ms, sequential ${figures.sequential.requests} req ${figures.sequential.ms} ms`);
    out.push(figures);
  }
  return { bench: 'cycle', latencyMs, pageCap: 50, sizes: out };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv[2]?.split(',').map(Number);
  console.log(JSON.stringify(await run({ ...(sizes ? { sizes } : {}), log: (l) => console.error(l) })));
}
