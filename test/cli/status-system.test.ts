import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

const home = isolatedHome();

describe('switchboard status: the system (seed 004 GetSystemStatus)', () => {
  it('prints armed/disarmed, paused with its reason, dry-run, agent load against capacity, next cycle, last error, rate limit', async () => {
    const dir = join(home.dir, 'state');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const system = {
      armed: false,
      paused: { reason: 'paused by the operator: no cycle runs until it is resumed' },
      dryRun: true,
      agents: [{ id: 'claude', name: 'Claude Code', load: 1, capacity: 2 }],
      nextCycleAt: null,
      lastError: { at: '2026-01-01T00:01:00.000Z', level: 'warning', message: 'acme/api: HTTP 502' },
      rateLimit: { remaining: 7, resetAt: null },
    };
    const status = { v: 1, pid: 1, running: true, updatedAt: '2026-01-01T00:00:00.000Z', armed: false, dryRun: true, cycle: 3, nextCycleAt: null, proposals: [], dispatches: [], system };
    writeFileSync(join(dir, 'status.json'), JSON.stringify(status), { mode: 0o600 });
    const r = await cli(home, ['status', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('State: disarmed, dry-run, paused (paused by the operator: no cycle runs until it is resumed)');
    expect(r.stdout).toContain('Next cycle: none while paused');
    expect(r.stdout).toContain('Agents (running/capacity): Claude Code 1/2');
    expect(r.stdout).toContain('Last error: 2026-01-01T00:01:00.000Z warning: acme/api: HTTP 502');
    expect(r.stdout).toContain('Tracker rate limit: 7 requests left');
    const json = JSON.parse((await cli(home, ['status', '--json', '--state-dir', dir])).stdout);
    expect(json.system).toMatchObject({ armed: false, dryRun: true, paused: { reason: expect.stringContaining('operator') } });
  });
});
