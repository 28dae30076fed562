import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A headless engine over a large sandbox backlog, driven by runCycle() with churn every cycle
 * (edits, a close, a new issue: incremental refresh, supersede, proposal history), measured in a
 * child `node --expose-gc` process. See RELIABILITY.md, "Memory".
 */

const SOAK = process.env.SWITCHBOARD_SOAK === '1';
// CI: 1,500 issues (the first cycle over 5,000 alone takes ~35 s on 2 cores: see RELIABILITY.md)
const CYCLES = SOAK ? 1000 : 100;
const ISSUES = SOAK ? 5000 : 1500;
const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));

interface Figures {
  cycles: number;
  issues: number;
  churned: number;
  events: number;
  proposals: number;
  seconds: number;
  warmMb: number;
  lastMb: number;
  growthMb: number;
  peakMb: number;
  heapMb: number;
}

function probe(cycles: number, issues: number, timeoutMs: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(cycles), String(issues)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`memory probe exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line) as Figures);
    });
  });
}

describe('memory under a long run', () => {
  it(`${CYCLES} cycles over ${ISSUES} issues with churn: RSS after warm-up grows by at most 10 MB`, async () => {
    const f = await probe(CYCLES, ISSUES, SOAK ? 590_000 : 58_000);
    console.log(`memory: ${JSON.stringify(f)}`);
    expect(f.cycles).toBe(CYCLES);
    expect(f.churned).toBe(CYCLES * 4);
    expect(f.growthMb).toBeLessThanOrEqual(10);
  }, SOAK ? 600_000 : 60_000);
});
