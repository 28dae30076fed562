import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateRawIssues, issuesToJson } from './generate-issues.js';
import { loadAverage, machine, type Machine } from './machine.js';

/**
 * End to end, whole process: `switchboard triage --dry-run --json --from-file` (the built
 * dist/cli.js) and the reference's `run_cycle.py --score-file` on the same 20,000 generated issues
 * (~1 KB bodies), in alternating rounds of one run each, in the same bench run. Reported: median
 * wall-clock and CPU time (user+system of the child) of each, their ratio, and the issues whose
 * score, type, P0, blocked or ready differ between the two outputs. With `BASELINE_CLI` (the
 * dist/cli.js of an earlier build), that build runs in the same rounds too, for a before/after
 * measured under the same load.
 */

export interface ProcessFigures {
  readonly wallMs: readonly number[];
  /** null where the platform does not say (CPU time of children comes from /proc) */
  readonly cpuMs: readonly (number | null)[];
  readonly medianWallMs: number;
  readonly medianCpuMs: number | null;
}

export interface TriageBenchFigures {
  readonly bench: 'triage';
  readonly issues: number;
  readonly bodyBytes: number;
  readonly seed: number;
  readonly rounds: number;
  readonly fileBytes: number;
  readonly switchboard: ProcessFigures;
  readonly reference: (ProcessFigures & { readonly mismatches: number }) | { readonly skipped: string };
  /** the earlier build given as BASELINE_CLI, same file, same rounds; its output must be identical */
  readonly baseline?: ProcessFigures & { readonly cli: string; readonly sameOutput: boolean };
  /** reference ÷ switchboard; null when the reference was skipped */
  readonly wallRatio: number | null;
  readonly cpuRatio: number | null;
  /** the issue's goal: the reference's time at least this many times switchboard's */
  readonly targetRatio: 8;
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly machine: Machine;
}

export interface TriageBenchOptions {
  readonly count?: number;
  readonly seed?: number;
  readonly bodyBytes?: number;
  readonly rounds?: number;
  readonly referenceDir?: string;
  readonly python?: string;
  /** an earlier build's dist/cli.js to run in the same rounds */
  readonly baselineCli?: string;
  readonly log?: (line: string) => void;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** User+system CPU ms of the waited-for children of this process so far (Linux /proc), or null. */
function childrenCpuMs(): number | null {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of the whole line, in clock ticks (100 a second on Linux).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

interface Run {
  wallMs: number;
  cpuMs: number | null;
  stdout: string;
}

function timed(command: string, args: string[], env?: NodeJS.ProcessEnv): Run {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}: ${String(r.stderr).slice(0, 300)}`);
  return { wallMs, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, stdout: r.stdout };
}

function figures(runs: readonly Run[]): ProcessFigures {
  const cpu = runs.map((r) => r.cpuMs);
  const known = cpu.filter((c): c is number => c !== null);
  return {
    wallMs: runs.map((r) => Math.round(r.wallMs)),
    cpuMs: cpu.map((c) => (c === null ? null : Math.round(c))),
    medianWallMs: Math.round(median(runs.map((r) => r.wallMs))),
    medianCpuMs: known.length === runs.length ? Math.round(median(known)) : null,
  };
}

function referenceProblem(dir: string, python: string): string | null {
  if (!existsSync(join(dir, 'run_cycle.py'))) return `no reference at ${join(dir, 'run_cycle.py')}`;
  if (!existsSync(python)) return `no ${python}`;
  if (spawnSync(python, ['-c', 'import httpx'], { stdio: 'ignore' }).status !== 0) return `${python} cannot import httpx (apt-get install python3-httpx)`;
  return null;
}

interface Row {
  number: number;
  score: number;
  type: string;
  p0: boolean;
  blocked: boolean;
  ready: boolean;
}

/** Issues whose score, type, P0, blocked or ready differ between the two outputs. */
function mismatches(ours: string, theirs: string): number {
  const a = (JSON.parse(ours) as { issues: Row[] }).issues;
  const b = (JSON.parse(theirs) as { scores: { number: number; score: number; issue_type: string; is_p0: boolean; is_blocked: boolean; ready: boolean }[] }).scores;
  const byNumber = new Map(b.map((s) => [s.number, s]));
  let n = Math.abs(a.length - b.length);
  for (const s of a) {
    const r = byNumber.get(s.number);
    if (!r || r.score !== s.score || r.issue_type !== s.type || r.is_p0 !== s.p0 || r.is_blocked !== s.blocked || r.ready !== s.ready) n++;
  }
  return n;
}

export function run(options: TriageBenchOptions = {}): TriageBenchFigures {
  const count = options.count ?? 20_000;
  const seed = options.seed ?? 42;
  const bodyBytes = options.bodyBytes ?? 1024;
  const rounds = options.rounds ?? 3;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = options.referenceDir ?? process.env.REFERENCE_DIR ?? join(ROOT, 'bench', 'reference-python');
  const python = options.python ?? process.env.REFERENCE_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: npm run build first');

  const tmp = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    const file = join(tmp, 'issues.json');
    writeFileSync(file, issuesToJson(generateRawIssues(count, seed, { bodyBytes })));
    const fileBytes = readFileSync(file).length;
    // A home of its own: the per-user config of whoever runs the bench must not change the figures.
    const env = { PATH: process.env.PATH ?? '', HOME: tmp, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), NO_COLOR: '1' };
    const problem = referenceProblem(dir, python);
    const loadBefore = loadAverage();
    const ours: Run[] = [];
    const theirs: Run[] = [];
    const before: Run[] = [];
    const baselineCli = options.baselineCli ?? process.env.BASELINE_CLI;
    const triageArgs = ['triage', '--dry-run', '--json', '--from-file', file, '--now', '2026-03-20T10:00:00Z'];
    for (let round = 0; round < rounds; round++) {
      ours.push(timed(process.execPath, [CLI, ...triageArgs], env));
      if (baselineCli) before.push(timed(process.execPath, [baselineCli, ...triageArgs], env));
      if (problem === null) theirs.push(timed(python, [join(dir, 'run_cycle.py'), '--score-file', file]));
    }
    const after = loadAverage();
    const sb = figures(ours);
    const reference = problem === null ? { ...figures(theirs), mismatches: mismatches(ours.at(-1)!.stdout, theirs.at(-1)!.stdout) } : { skipped: problem };
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((a / b) * 10) / 10);
    const result: TriageBenchFigures = {
      bench: 'triage',
      issues: count,
      bodyBytes,
      seed,
      rounds,
      fileBytes,
      switchboard: sb,
      reference,
      wallRatio: 'skipped' in reference ? null : ratio(reference.medianWallMs, sb.medianWallMs),
      cpuRatio: 'skipped' in reference ? null : ratio(reference.medianCpuMs, sb.medianCpuMs),
      targetRatio: 8,
      loadAverage: { before: loadBefore, after },
      ...(baselineCli ? { baseline: { ...figures(before), cli: baselineCli, sameOutput: before.at(-1)!.stdout === ours.at(-1)!.stdout } } : {}),
      machine: machine(),
    };
    const cpu = (f: ProcessFigures) => (f.medianCpuMs === null ? '' : `, CPU ${f.medianCpuMs} ms`);
    log(`switchboard triage --dry-run --json --from-file, ${count} issues (${(fileBytes / 1e6).toFixed(1)} MB): ${sb.medianWallMs} ms${cpu(sb)} (median of ${rounds})`);
    if ('skipped' in reference) log(`reference: skipped (${reference.skipped})`);
    else {
      log(`reference run_cycle.py --score-file, same file: ${reference.medianWallMs} ms${cpu(reference)}`);
      log(`ratio (reference ÷ switchboard): wall ${result.wallRatio}×, CPU ${result.cpuRatio ?? '?'}× (goal ≥ 8×); score mismatches ${reference.mismatches} of ${count}; load ${loadBefore} → ${after}`);
    }
    if (result.baseline) {
      const b = result.baseline;
      const vsRef = 'skipped' in reference ? '' : `; reference ÷ baseline: wall ${ratio(reference.medianWallMs, b.medianWallMs)}×, CPU ${ratio(reference.medianCpuMs, b.medianCpuMs) ?? '?'}×`;
      log(`baseline ${b.cli}: ${b.medianWallMs} ms${cpu(b)}${vsRef}; same output: ${b.sameOutput ? 'yes' : 'NO'}`);
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 20_000);
  const f = run({ count });
  if ((!('skipped' in f.reference) && f.reference.mismatches > 0) || f.baseline?.sameOutput === false) process.exitCode = 1;
}
