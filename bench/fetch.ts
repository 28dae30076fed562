import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { createGiteaTracker } from '../src/adapters/gitea/index.js';

export interface FetchBenchResult {
  readonly bench: 'fetch';
  readonly issues: number;
  readonly latencyMs: number;
  readonly sequential: { requests: number; ms: number };
  readonly cold: { requests: number; ms: number; concurrency: number };
  readonly coldDefault: { requests: number; ms: number; concurrency: number };
  readonly warm: { requests: number; ms: number };
  readonly speedup: number;
}

/**
 * The reference client's loop (`fetch_open_issues` in the Python seed): limit 50, one page at a
 * time until a short page, over one keep-alive connection like httpx's AsyncClient.
 */
export async function sequentialFetch(url: string, token: string, repo: string): Promise<{ count: number; requests: number }> {
  const agent = new Agent({ connections: 1 });
  let count = 0;
  let requests = 0;
  try {
    for (let page = 1; ; page++) {
      requests += 1;
      const res = await request(`${url}/api/v1/repos/${repo}/issues?state=open&type=issues&limit=50&page=${page}`, {
        headers: { authorization: `token ${token}`, accept: 'application/json' },
        dispatcher: agent,
      });
      const batch = (await res.body.json()) as unknown[];
      count += batch.length;
      if (batch.length < 50) break;
    }
  } finally {
    await agent.close();
  }
  return { count, requests };
}

/** Best of `runs` wall times: the least disturbed by whatever else the machine is doing. */
export async function bestOf<T>(runs: number, task: () => Promise<T>): Promise<{ value: T; ms: number }> {
  let best: { value: T; ms: number } | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const value = await task();
    const ms = Math.round(performance.now() - started);
    if (!best || ms < best.ms) best = { value, ms };
  }
  return best as { value: T; ms: number };
}

/** A cold fetch: a new tracker, so it reads /settings/api and every page. */
async function coldFetch(url: string, token: string, repo: string, concurrency: number) {
  const tracker = createGiteaTracker({ url, token, concurrency });
  try {
    return await tracker.fetchBacklog(repo);
  } finally {
    await tracker.close();
  }
}

export interface FetchBenchOptions {
  readonly issues?: number;
  readonly latencyMs?: number;
  /** pages in flight for the headline cold fetch (the adapter's default, 4, is measured too) */
  readonly concurrency?: number;
  readonly runs?: number;
}

export async function run(options: FetchBenchOptions = {}): Promise<FetchBenchResult> {
  const issues = options.issues ?? 5_000;
  const latencyMs = options.latencyMs ?? 20;
  const concurrency = options.concurrency ?? 8;
  const runs = options.runs ?? 2;
  // The tracker runs in its own process, as a real forge would: in this process it would take
  // the client's CPU and the concurrent fetch would measure the two fighting over one core.
  const sandbox = await sandboxProcess(['--issues', String(issues), '--repos', '1', '--latency', String(latencyMs), '--seed', '1']);
  const { url, token } = sandbox;
  const repo = sandbox.repos[0] as string;
  try {
    const sequential = await bestOf(runs, () => sequentialFetch(url, token, repo));
    const coldDefault = await bestOf(runs, () => coldFetch(url, token, repo, 4));
    const cold = await bestOf(runs, () => coldFetch(url, token, repo, concurrency));

    const tracker = createGiteaTracker({ url, token, concurrency });
    await tracker.fetchBacklog(repo);
    const warm = await bestOf(runs * 2, () => tracker.fetchBacklog(repo));
    await tracker.close();

    if (cold.value.issues.length !== sequential.value.count || warm.value.issues.length !== cold.value.issues.length) {
      throw new Error(`the fetches disagree: ${cold.value.issues.length}, ${warm.value.issues.length} and ${sequential.value.count} issues`);
    }
    return {
      bench: 'fetch',
      issues: cold.value.issues.length,
      latencyMs,
      sequential: { requests: sequential.value.requests, ms: sequential.ms },
      cold: { requests: cold.value.requests, ms: cold.ms, concurrency },
      coldDefault: { requests: coldDefault.value.requests, ms: coldDefault.ms, concurrency: 4 },
      warm: { requests: warm.value.requests, ms: warm.ms },
      speedup: Math.round((sequential.ms / cold.ms) * 10) / 10,
    };
  } finally {
    await sandbox.close();
  }
}

/** `switchboard sandbox --print-env` in a child process (builds dist/ first if needed). */
async function sandboxProcess(args: readonly string[]): Promise<{ url: string; token: string; repos: string[]; close(): Promise<void> }> {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const child = spawn(process.execPath, [cli, 'sandbox', '--print-env', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const env: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the sandbox did not start within 30 s')), 30_000);
    child.on('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (const m of buffer.matchAll(/^(GITEA_URL|GITEA_TOKEN|SWITCHBOARD_REPOS)=(.*)$/gm)) env[m[1]!] = m[2]!;
      if (env.GITEA_URL && env.GITEA_TOKEN && env.SWITCHBOARD_REPOS) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    url: env.GITEA_URL!,
    token: env.GITEA_TOKEN!,
    repos: env.SWITCHBOARD_REPOS!.split(','),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(JSON.stringify(result));
}
