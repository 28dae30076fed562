import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run as runConsole } from './console.js';
import { run as runCycle } from './cycle.js';
import { run as runExecute } from './execute.js';
import { run as runFetch } from './fetch.js';
import { run as runJournal } from './journal.js';
import { run as runGithubCycle } from './github-cycle.js';
import { loadAverage, machine } from './machine.js';
import { run as runMemory } from './memory.js';
import { run as runScale } from './scale.js';
import { run as runScore } from './score.js';
import { run as runStartup } from './startup.js';
import { run as runTriage } from './triage.js';

/**
 * `npm run bench`: every bench in turn, a table of the headline figures (figure, target, met?),
 * and every figure in bench/results.json. `BENCH_ONLY=console,cycle npm run bench` runs some and
 * replaces only their entries in bench/results.json (each entry says when it was measured).
 */

interface Row {
  readonly bench: string;
  readonly what: string;
  readonly figure: string;
  readonly target: string;
  /** null: no target, the figure is for the record */
  readonly met: boolean | null;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');

/** The compiled binary is what the startup and triage figures are about. */
function build(bench: string): void {
  log(`${bench}: building (tsc -p tsconfig.build.json)`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed');
}

const benches: Record<string, () => Promise<{ figures: unknown; rows: Row[] }>> = {
  async score() {
    const f = await runScore({ log });
    const ref = 'skipped' in f.reference ? null : f.reference;
    return {
      figures: f,
      rows: [
        { bench: 'score', what: `scoreIssue, ${fmt(f.issues)} issues (median pass)`, figure: `${fmt(f.issuesPerSecond)} issues/s (${fmt(f.issuesPerCpuSecond)}/CPU-s)`, target: ref ? `> reference ${fmt(ref.issuesPerSecond)}/s` : '> reference', met: ref ? f.issuesPerSecond > ref.issuesPerSecond : null },
        { bench: 'score', what: 'mismatches with the reference', figure: ref ? `${ref.mismatches}` : 'skipped', target: '0', met: ref ? ref.mismatches === 0 : null },
      ],
    };
  },
  async fetch() {
    const f = await runFetch();
    return {
      figures: f,
      rows: [
        { bench: 'fetch', what: `cold fetch, ${fmt(f.issues)} issues, ${f.latencyMs} ms latency`, figure: `${fmt(f.cold.ms)} ms, ${f.cold.requests} req`, target: `< sequential ${fmt(f.sequential.ms)} ms`, met: f.cold.ms < f.sequential.ms },
        { bench: 'fetch', what: 'warm fetch (nothing changed)', figure: `${fmt(f.warm.ms)} ms, ${f.warm.requests} req`, target: '1 request', met: f.warm.requests === 1 },
      ],
    };
  },
  async 'github-cycle'() {
    const f = await runGithubCycle({ log });
    return {
      figures: f,
      rows: [
        { bench: 'github-cycle', what: `cold cycle on GitHub, ${fmt(f.issues)} issues`, figure: `${fmt(f.cold.ms)} ms, ${f.cold.requests} req`, target: '—', met: null },
        { bench: 'github-cycle', what: `warm cycle on GitHub, ${fmt(f.issues)} issues, unchanged`, figure: `${f.warm.requests} req, ${f.warm.notModified} answered 304, quota used ${f.warmQuota}`, target: '1 request, 304, no quota', met: f.warm.requests === 1 && f.warm.notModified === 1 && f.warmQuota === 0 },
      ],
    };
  },
  async journal() {
    const f = await runJournal();
    const kb = (bytes: number) => `${fmt(Math.round(bytes / 1024))} KB`;
    return {
      figures: f,
      rows: [
        {
          bench: 'journal',
          what: `journal on disk after ${fmt(f.cycles)} cycles, ${fmt(f.dispatches)} dispatches`,
          figure: `${kb(f.compacted.bytes)}, ${fmt(f.compacted.lines)} lines (uncompacted ${kb(f.uncompacted.bytes)})`,
          target: '< 8 MB (4 MB log + checkpoint)',
          met: f.compacted.bytes < 8 * 1024 * 1024,
        },
        { bench: 'journal', what: 'start-up: read and replay it', figure: `${fmt(f.compacted.replayMs)} ms (uncompacted ${fmt(f.uncompacted.replayMs)} ms)`, target: '< 1 s', met: f.compacted.replayMs < 1000 },
      ],
    };
  },
  async cycle() {
    const f = await runCycle({ log });
    return {
      figures: f,
      rows: f.sizes.flatMap((s) => [
        { bench: 'cycle', what: `cold cycle, ${fmt(s.issues)} issues`, figure: `${fmt(s.cold.ms)} ms, ${s.cold.requests} req`, target: `< sequential fetch ${fmt(s.sequential.ms)} ms`, met: s.cold.ms < s.sequential.ms },
        { bench: 'cycle', what: `warm cycle, ${fmt(s.issues)} issues`, figure: `${fmt(s.warm.ms)} ms, ${s.warm.requests} req`, target: '1 request', met: s.warm.requests === 1 },
      ]),
    };
  },
  async execute() {
    const f = await runExecute();
    return {
      figures: f,
      rows: [{ bench: 'execute', what: `${f.dispatches} approvals, ${f.latencyMs} ms latency`, figure: `${fmt(f.ms)} ms, ${f.requests} req, ${f.writes} writes`, target: `< reference floor ${fmt(f.referenceFloorMs)} ms`, met: f.ms < f.referenceFloorMs }],
    };
  },
  async console() {
    const f = await runConsole({ log });
    const t = f.targets;
    return {
      figures: f,
      rows: f.sizes.flatMap((s) => {
        // the target applies to the console as shipped (React's production build)
        const headline = s.issues === t.atIssues && s.react === 'production';
        const rows: Row[] = [
          { bench: 'console', what: `j → frame, ${fmt(s.issues)} issues, median`, figure: `${s.keyFrame.medianMs} ms (CPU ${s.keyFrameCpu.medianMs})`, target: headline ? `≤ ${t.keyMedianMs} ms` : '—', met: headline ? s.keyFrame.medianMs <= t.keyMedianMs : null },
          { bench: 'console', what: `j → frame, ${fmt(s.issues)} issues, p95`, figure: `${s.keyFrame.p95Ms} ms (CPU ${s.keyFrameCpu.p95Ms})`, target: headline ? `≤ ${t.keyP95Ms} ms` : '—', met: headline ? s.keyFrame.p95Ms <= t.keyP95Ms : null },
          { bench: 'console', what: `RSS after 10 s idle, ${fmt(s.issues)} issues (React ${s.react}; ${s.rssMb} MB right after the presses)`, figure: `${s.rssSettledMb} MB`, target: headline ? `≤ ${t.rssMb} MB` : '—', met: headline ? s.rssSettledMb <= t.rssMb : null },
          { bench: 'console', what: `mount → first frame, ${fmt(s.issues)} issues`, figure: `${s.mountMs} ms`, target: '—', met: null },
        ];
        if (s.naive) rows.push({ bench: 'console', what: `naive: all ${fmt(s.issues)} rows rendered once`, figure: `${fmt(s.naive.ms)} ms`, target: '(baseline)', met: null });
        return rows;
      }),
    };
  },
  async startup() {
    build('startup');
    const f = runStartup();
    return {
      figures: f,
      rows: [
        { bench: 'startup', what: 'switchboard --version', figure: `${f.versionMs} ms`, target: `< ${f.versionTargetMs} ms`, met: f.versionMs < f.versionTargetMs },
        { bench: 'startup', what: 'triage --dry-run, 1,000 issues', figure: `${f.triage1000Ms} ms`, target: `< ${f.triageTargetMs} ms`, met: f.triage1000Ms < f.triageTargetMs },
      ],
    };
  },
  async triage() {
    build('triage');
    const f = runTriage({ log });
    const ref = 'skipped' in f.reference ? null : f.reference;
    const ms = (p: { medianWallMs: number; medianCpuMs: number | null }) => `${fmt(p.medianWallMs)} ms${p.medianCpuMs === null ? '' : ` (CPU ${fmt(p.medianCpuMs)})`}`;
    return {
      figures: f,
      rows: [
        { bench: 'triage', what: `triage --dry-run --json --from-file, ${fmt(f.issues)} issues, whole process`, figure: ms(f.switchboard), target: '—', met: null },
        { bench: 'triage', what: 'reference run_cycle.py --score-file, same file, same run', figure: ref ? ms(ref) : 'skipped', target: '—', met: null },
        { bench: 'triage', what: 'ratio, reference ÷ switchboard (wall; CPU)', figure: ref ? `${f.wallRatio}×; ${f.cpuRatio ?? '?'}×` : 'skipped', target: `≥ ${f.targetRatio}×`, met: ref ? (f.wallRatio ?? 0) >= f.targetRatio : null },
        { bench: 'triage', what: 'issues scored differently from the reference', figure: ref ? `${ref.mismatches}` : 'skipped', target: '0', met: ref ? ref.mismatches === 0 : null },
      ],
    };
  },
  async memory() {
    const f = await runMemory({ log });
    return {
      figures: f,
      rows: [
        { bench: 'memory', what: `RSS after ${f.warmupCycles} cycles → after ${fmt(f.cycles)}, ${fmt(f.issues)} issues`, figure: `${f.afterWarmup.rssMb} → ${f.end.rssMb} MB`, target: '—', met: null },
        { bench: 'memory', what: `heap after ${f.warmupCycles} → after ${fmt(f.cycles)} cycles`, figure: `${f.afterWarmup.heapUsedMb} → ${f.end.heapUsedMb} MB`, target: 'no growth', met: f.heapGrowthMb <= Math.max(2, f.afterWarmup.heapUsedMb * 0.1) },
      ],
    };
  },
  async scale() {
    const f = await runScale({ log });
    const n = `${fmt(f.issues)} issues, ${f.repos} repos`;
    return {
      figures: f,
      rows: [
        { bench: 'scale', what: `approve → executing, ${n} (engine)`, figure: `${f.approve.executingMs} ms`, target: `≤ 50 ms (one full plan: ${fmt(f.approve.fullPlanMs)} ms)`, met: f.approve.executingMs <= 50 },
        { bench: 'scale', what: `console j → frame, ${n}, median / p95`, figure: `${f.console.keyFrame.medianMs} / ${f.console.keyFrame.p95Ms} ms`, target: '≤ 16 / ≤ 33 ms', met: f.console.keyFrame.medianMs <= 16 && f.console.keyFrame.p95Ms <= 33 },
        { bench: 'scale', what: `console RSS after 10 s idle, ${n} (compiled)`, figure: `${f.console.rssSettledMb} MB`, target: `≤ 300 MB (empty node ${f.nodeBaselineRssMb} MB)`, met: f.console.rssSettledMb <= 300 },
        { bench: 'scale', what: `warm cycle, ${n}, 20 ms/request (compiled)`, figure: `${fmt(f.headless.warmMedianMs)} ms, ${f.warmRequests} req`, target: `≤ 1 s (cold ${fmt(f.headless.coldMs)} ms, ${f.coldRequests} req)`, met: f.headless.warmMedianMs <= 1000 },
        { bench: 'scale', what: `headless RSS after 10 s idle, ${n} (compiled)`, figure: `${f.headless.rssIdleMb} MB`, target: '≤ 300 MB', met: f.headless.rssIdleMb <= 300 },
      ],
    };
  },
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const names = Object.keys(benches).filter((n) => !only || only.includes(n));
const startedAt = new Date().toISOString();
const loads: Record<string, number> = { start: loadAverage() };
const figures: Record<string, unknown> = {};
const rows: Row[] = [];
const failures: Record<string, string> = {};
for (const name of names) {
  log(`— ${name} (load ${loadAverage()})`);
  const t0 = performance.now();
  try {
    const r = await benches[name]!();
    figures[name] = r.figures;
    rows.push(...r.rows);
  } catch (err) {
    failures[name] = err instanceof Error ? err.message : String(err);
    rows.push({ bench: name, what: 'failed', figure: failures[name]!.slice(0, 60), target: '', met: false });
  }
  loads[name] = loadAverage();
  log(`— ${name}: ${Math.round((performance.now() - t0) / 1000)} s`);
}

const RESULTS = new URL('./results.json', import.meta.url);
interface Entry {
  readonly measuredAt: string;
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly rows: readonly Row[];
  readonly figures: unknown;
}
const previous: Record<string, Entry> =
  only && existsSync(RESULTS) ? ((JSON.parse(readFileSync(RESULTS, 'utf8')) as { benches?: Record<string, Entry> }).benches ?? {}) : {};
const benchesOut: Record<string, Entry> = { ...previous };
for (const name of names) {
  if (figures[name] !== undefined) {
    benchesOut[name] = { measuredAt: startedAt, loadAverage: { before: loads.start ?? 0, after: loads[name] ?? 0 }, rows: rows.filter((r) => r.bench === name), figures: figures[name] };
  }
}

const cells = rows.map((r) => [r.bench, r.what, r.figure, r.target, r.met === null ? '' : r.met ? 'yes' : 'NO']);
const header = ['bench', 'what', 'figure', 'target', 'met'];
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const c of cells) console.log(line(c));

const m = machine();
console.log(`\n${m.nproc} CPUs (${m.cpu}), Node ${m.node}; 1-minute load average ${Object.entries(loads).map(([k, v]) => `${k} ${v}`).join(', ')}`);
const table = Object.keys(benches).flatMap((n) => benchesOut[n]?.rows ?? []);
writeFileSync(RESULTS, `${JSON.stringify({ finishedAt: new Date().toISOString(), machine: m, loadAverage: loads, table, benches: benchesOut, failures }, null, 2)}\n`);
console.log('every figure: bench/results.json');
if (Object.keys(failures).length > 0) process.exitCode = 1;
