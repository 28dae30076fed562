import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src/core/config.js';
import { startSandbox } from '../src/sandbox/index.js';
import { openSwitchboard } from '../src/wiring.js';

/**
 * What polling an unchanged GitHub repo costs. Disarmed engine cycles (`engine.runCycle()`)
 * against the sandbox's GitHub dialect with 20 ms per request: cold = the first cycle (every
 * `link` page); first incremental = the next (a new `since` URL, answered 200); warm = the one
 * after, nothing having changed: the same URL with `If-None-Match`, which GitHub answers 304
 * without counting it against the rate limit.
 */

export interface GithubCycleFigures {
  readonly bench: 'github-cycle';
  readonly issues: number;
  readonly cold: Step;
  readonly incremental: Step;
  readonly warm: Step;
  /** quota the warm cycle used (x-ratelimit-remaining before − after) */
  readonly warmQuota: number;
}

interface Step {
  readonly requests: number;
  readonly notModified: number;
  readonly ms: number;
}

export async function run(options: { issues?: number; log?: (line: string) => void } = {}): Promise<GithubCycleFigures> {
  const issues = options.issues ?? 2_000;
  const sandbox = await startSandbox({ dialect: 'github', issues, repos: ['api'], seed: 1 });
  const stateDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-gh-'));
  try {
    sandbox.setLatency(20);
    const repo = sandbox.repos[0] as string;
    const sb = await openSwitchboard({
      config: parseConfig({ tracker: { kind: 'github' } }),
      connection: { kind: 'github', url: sandbox.apiUrl, token: sandbox.token, tokenSource: 'bench', repos: [repo] },
      stateDir,
      env: {},
      onWarning: () => {},
    });
    try {
      const step = async (): Promise<Step> => {
        sandbox.resetRequestCounts();
        const before = sandbox.notModifiedCount();
        const started = performance.now();
        await sb.engine.runCycle();
        const errors = sb.engine.getSnapshot().lastCycle?.errors ?? [];
        if (errors.length > 0) throw new Error(`the cycle failed: ${errors.join('; ')}`);
        return { requests: sandbox.requestCount(), notModified: sandbox.notModifiedCount() - before, ms: Math.round(performance.now() - started) };
      };
      const cold = await step();
      const incremental = await step();
      const quotaBefore = sb.tracker.rateLimit().remaining ?? 0;
      const warm = await step();
      const warmQuota = quotaBefore - (sb.tracker.rateLimit().remaining ?? 0);
      const figures: GithubCycleFigures = { bench: 'github-cycle', issues: sb.engine.getSnapshot().backlog.size, cold, incremental, warm, warmQuota };
      options.log?.(`github cycle ${figures.issues}: cold ${cold.requests} req ${cold.ms} ms, first incremental ${incremental.requests} req, warm ${warm.requests} req (${warm.notModified} answered 304) ${warm.ms} ms, quota used ${warmQuota}`);
      return figures;
    } finally {
      await sb.close();
    }
  } finally {
    await sandbox.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run({ log: (l) => console.error(l) })));
}
