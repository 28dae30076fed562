import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.js';
import type { Supervised, WatchPhase } from '../../src/core/supervision-types.js';
import { supervised } from '../fakes/supervised.js';
import { initialSnapshot } from '../../src/core/engine-state.js';
import { systemStatus, systemStatusLines } from '../../src/core/system-status.js';
import { statusOf, StatusSchema } from '../../src/headless/status-file.js';

const dispatch = (id: string, agentId: string, phase: WatchPhase): Supervised => supervised({ id, agentId, phase });
const config = parseConfig({});
const base = initialSnapshot({ consoleId: 'c', armed: true, dryRun: false });

describe('system status (seed 004 GetSystemStatus)', () => {
  it('reports armed, dry-run, per-agent load against capacity, next cycle, last error and the rate limit', () => {
    const snap = {
      ...base,
      dryRun: true,
      nextCycleAt: '2026-01-01T00:15:00.000Z',
      dispatches: new Map([['a', dispatch('a', 'claude', 'working')], ['b', dispatch('b', 'claude', 'ci_running')], ['c', dispatch('c', 'kimi', 'completed')]]),
      lastError: { at: '2026-01-01T00:01:00.000Z', level: 'error' as const, message: 'acme/api: HTTP 502\u001b[31m' },
      rateLimit: { remaining: 42, resetAt: '2026-01-01T01:00:00Z' },
    };
    const st = systemStatus(snap, config);
    expect(st).toMatchObject({ armed: true, paused: null, dryRun: true, nextCycleAt: '2026-01-01T00:15:00.000Z', rateLimit: { remaining: 42, resetAt: '2026-01-01T01:00:00Z' } });
    expect(st.agents).toEqual([
      { id: 'claude', name: 'Claude Code', load: 2, capacity: 2 },
      { id: 'kimi', name: 'Kimi', load: 0, capacity: 2 },
    ]);
    expect(st.lastError?.message).toBe('acme/api: HTTP 502');
    expect(systemStatusLines(st)).toEqual([
      'State: ARMED, dry-run',
      'Next cycle: 2026-01-01T00:15:00.000Z',
      'Agents (running/capacity): Claude Code 2/2 (full), Kimi 0/2',
      'Last error: 2026-01-01T00:01:00.000Z error: acme/api: HTTP 502',
      'Tracker rate limit: 42 requests left, resets 2026-01-01T01:00:00Z',
    ]);
  });

  it('paused says why and that no cycle is coming; no rate limit reported says so', () => {
    const st = systemStatus({ ...base, armed: false, paused: true, nextCycleAt: '2026-01-01T00:15:00.000Z' }, config);
    expect(st.paused?.reason).toMatch(/paused by the operator/);
    expect(st.nextCycleAt).toBeNull();
    expect(st.rateLimit).toBeNull();
    expect(systemStatusLines(st)).toEqual(expect.arrayContaining(['Next cycle: none while paused', 'Tracker rate limit: not reported']));
    expect(systemStatusLines(st)[0]).toMatch(/^State: disarmed, paused \(paused by the operator/);
  });

  it('status.json carries it, and a status.json without it still reads', () => {
    const status = statusOf(base, new Date('2026-01-01T00:00:00Z'), true, config);
    expect(StatusSchema.parse(status).system?.agents.map((a) => a.id)).toEqual(['claude', 'kimi']);
    const { system: _dropped, ...older } = status;
    expect(StatusSchema.safeParse(older).success).toBe(true);
  });
});
