import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { issueFromGitea } from '../src/adapters/gitea/issue.js';
import { DEFAULT_PROFILE, scoreIssue, type Issue, type ScoredIssue } from '../src/core/index.js';
import { generateRawIssues } from './generate-issues.js';

/**
 * Scoring throughput: `scoreIssue` over 100,000 generated issues with ~1 KB bodies on one core,
 * then the reference Python's `score_issue` over the same file, and a check that both agree on
 * score, type, P0, blocked and ready for every issue.
 */

export interface ScoreBenchOptions {
  readonly count?: number;
  readonly seed?: number;
  readonly bodyBytes?: number;
  /** timed passes over all issues; the median is reported */
  readonly passes?: number;
  readonly referenceDir?: string;
  readonly python?: string;
  readonly log?: (line: string) => void;
}

export interface ReferenceFigures {
  readonly ms: number;
  readonly issuesPerSecond: number;
  /** issues whose score, type, P0, blocked or ready differ from ours */
  readonly mismatches: number;
}

export interface ScoreBenchFigures {
  readonly bench: 'score';
  readonly issues: number;
  readonly bodyBytes: number;
  readonly seed: number;
  /** median pass */
  readonly ms: number;
  readonly issuesPerSecond: number;
  readonly bestIssuesPerSecond: number;
  /** per CPU-second of this process (median pass): the figure least skewed by a busy machine */
  readonly issuesPerCpuSecond: number;
  readonly passesMs: readonly number[];
  readonly passesCpuMs: readonly number[];
  readonly node: string;
  readonly cpu: string;
  /** 1-minute load average when the timing started: other work on the machine skews figures */
  readonly loadAverage: number;
  readonly reference: ReferenceFigures | { readonly skipped: string };
}

const NOW = new Date('2026-03-20T10:00:00Z');

/** One pass: wall-clock ms, and CPU ms of this process (which other load on the machine does not inflate). */
function timePass(issues: readonly Issue[]): { ms: number; cpuMs: number; scored: ScoredIssue[] } {
  const scored: ScoredIssue[] = new Array(issues.length);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < issues.length; i++) scored[i] = scoreIssue(issues[i]!, DEFAULT_PROFILE, NOW);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, scored };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface ReferenceScore {
  number: number;
  score: number;
  issue_type: string;
  is_p0: boolean;
  is_blocked: boolean;
  ready: boolean;
}

function runReference(raw: readonly unknown[], scored: readonly ScoredIssue[], dir: string, python: string): ReferenceFigures | { skipped: string } {
  const script = join(dir, 'run_cycle.py');
  if (!existsSync(script)) return { skipped: `no reference at ${script}` };
  if (!existsSync(python)) return { skipped: `no ${python}` };
  if (spawnSync(python, ['-c', 'import httpx'], { stdio: 'ignore' }).status !== 0) {
    return { skipped: `${python} cannot import httpx` };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  try {
    const file = join(tmp, 'issues.json');
    writeFileSync(file, JSON.stringify(raw));
    const run = spawnSync(python, [script, '--score-file', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (run.status !== 0) return { skipped: `reference exited with ${run.status}: ${run.stderr.slice(0, 200)}` };
    const out = JSON.parse(run.stdout) as { score_ms: number; scores: ReferenceScore[] };
    let mismatches = 0;
    out.scores.forEach((r, i) => {
      const s = scored[i];
      if (!s || s.issue.number !== r.number || s.score !== r.score || s.type !== r.issue_type || s.p0 !== r.is_p0 || s.blocked !== r.is_blocked || s.ready !== r.ready) {
        mismatches++;
      }
    });
    mismatches += Math.abs(scored.length - out.scores.length);
    return { ms: out.score_ms, issuesPerSecond: Math.round(raw.length / (out.score_ms / 1000)), mismatches };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(options: ScoreBenchOptions = {}): Promise<ScoreBenchFigures> {
  const count = options.count ?? 100_000;
  const seed = options.seed ?? 42;
  const bodyBytes = options.bodyBytes ?? 1024;
  const passes = options.passes ?? 5;
  const log = options.log ?? ((line: string) => console.log(line));

  const raw = generateRawIssues(count, seed, { bodyBytes });
  const loadAverage = Math.round(loadavg()[0]! * 100) / 100;
  const issues = raw.map((r, i) => issueFromGitea(r, 'bench/backlog', i));

  // Warm up so the timed passes measure optimised code, not the JIT.
  timePass(issues.slice(0, Math.min(issues.length, 20_000)));
  const passesMs: number[] = [];
  const passesCpuMs: number[] = [];
  let scored: ScoredIssue[] = [];
  for (let p = 0; p < passes; p++) {
    const pass = timePass(issues);
    passesMs.push(Math.round(pass.ms * 10) / 10);
    passesCpuMs.push(Math.round(pass.cpuMs * 10) / 10);
    scored = pass.scored;
  }
  const ms = median(passesMs);
  const issuesPerSecond = Math.round(count / (ms / 1000));
  const bestIssuesPerSecond = Math.round(count / (Math.min(...passesMs) / 1000));
  const issuesPerCpuSecond = Math.round(count / (median(passesCpuMs) / 1000));
  log(
    `switchboard scoreIssue: ${count} issues (~${bodyBytes} B bodies) in ${ms.toFixed(1)} ms = ` +
      `${issuesPerSecond.toLocaleString('en-US')} issues/s (median of ${passes}; best ${bestIssuesPerSecond.toLocaleString('en-US')}; load ${loadAverage})`,
  );
  log(`switchboard scoreIssue per CPU-second of this process: ${issuesPerCpuSecond.toLocaleString('en-US')} issues/s`);

  const reference = runReference(raw, scored, options.referenceDir ?? process.env.REFERENCE_DIR ?? fileURLToPath(new URL('reference-python', import.meta.url)), options.python ?? process.env.REFERENCE_PYTHON ?? '/usr/bin/python3');
  if ('skipped' in reference) {
    log(`reference: skipped (${reference.skipped})`);
  } else {
    log(`reference score_issue: ${count} issues in ${reference.ms.toFixed(1)} ms = ${reference.issuesPerSecond.toLocaleString('en-US')} issues/s`);
    log(`mismatches (score/type/p0/blocked/ready): ${reference.mismatches} of ${count}`);
  }
  const figures: ScoreBenchFigures = {
    bench: 'score',
    issues: count,
    bodyBytes,
    seed,
    ms,
    issuesPerSecond,
    bestIssuesPerSecond,
    issuesPerCpuSecond,
    passesMs,
    passesCpuMs,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverage,
    reference,
  };
  log(JSON.stringify(figures));
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run();
  if (!('skipped' in figures.reference) && figures.reference.mismatches > 0) process.exitCode = 1;
}
