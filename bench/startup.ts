import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Startup cost of the built binary: `switchboard --version`, and `triage --dry-run --from-file` on
 * 1,000 generated issues (made from the example backlog). Median of 10 runs each; build first.
 */

export interface StartupBenchResult {
  readonly bench: 'startup';
  readonly runs: number;
  readonly versionMs: number;
  readonly versionTargetMs: 150;
  readonly triage1000Ms: number;
  readonly triageTargetMs: 600;
}

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** `count` raw Gitea issues in one repo, cycled from examples/backlog.json with fresh numbers. */
export function generateIssues(count: number): unknown[] {
  const example = JSON.parse(readFileSync(new URL('../examples/backlog.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>[]>;
  const templates = Object.values(example).flat();
  return Array.from({ length: count }, (_, i) => {
    const t = templates[i % templates.length]!;
    return { ...t, number: i + 1, title: `${String(t.title)} (${i + 1})`, html_url: `https://git.example.com/acme/bench/issues/${i + 1}` };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`switchboard ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

export function run(runs = 10): StartupBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), NO_COLOR: '1' };
    const file = join(dir, 'issues.json');
    writeFileSync(file, JSON.stringify(generateIssues(1000)));
    const version = Array.from({ length: runs }, () => time(['--version'], env));
    const triage = Array.from({ length: runs }, () => time(['triage', '--dry-run', '--json', '--from-file', file, '--repo', 'acme/bench'], env));
    return {
      bench: 'startup',
      runs,
      versionMs: Math.round(median(version)),
      versionTargetMs: 150,
      triage1000Ms: Math.round(median(triage)),
      triageTargetMs: 600,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(run()));
}
