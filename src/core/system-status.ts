import { isLive } from './supervision-types.js';
import type { Config } from './config.js';
import type { EngineSnapshot } from './engine-state.js';
import { sanitize } from './sanitize.js';

/**
 * Seed 004 `GetSystemStatus`: the whole switch in one value, for `switchboard status` and
 * status.json. Pure; the caller passes the snapshot and the config.
 */
export interface AgentLoad {
  readonly id: string;
  readonly name: string;
  /** dispatches running (not completed nor escalated) */
  readonly load: number;
  readonly capacity: number;
}

export interface SystemStatus {
  readonly armed: boolean;
  /** null when cycles run; else why they do not */
  readonly paused: { readonly reason: string } | null;
  readonly dryRun: boolean;
  readonly agents: AgentLoad[];
  readonly nextCycleAt: string | null;
  readonly lastError: { readonly at: string; readonly level: 'warning' | 'error'; readonly message: string } | null;
  /** the tracker's rate-limit state, when it reports one */
  readonly rateLimit: { readonly remaining: number; readonly resetAt: string | null } | null;
}


export function systemStatus(s: EngineSnapshot, config: Pick<Config, 'agents'>): SystemStatus {
  const load = new Map<string, number>();
  for (const d of s.dispatches.values()) if (isLive(d.phase)) load.set(d.agent.id, (load.get(d.agent.id) ?? 0) + 1);
  return {
    armed: s.armed,
    paused: s.paused ? { reason: 'paused by the operator: no cycle runs until it is resumed' } : null,
    dryRun: s.dryRun,
    agents: config.agents
      .filter((a) => a.kind !== 'owner')
      .map((a) => ({ id: a.id, name: sanitize(a.displayName), load: load.get(a.id) ?? 0, capacity: a.maxConcurrent })),
    nextCycleAt: s.paused ? null : s.nextCycleAt,
    lastError: s.lastError === null ? null : { at: s.lastError.at, level: s.lastError.level, message: sanitize(s.lastError.message) },
    rateLimit: s.rateLimit.remaining === undefined ? null : { remaining: s.rateLimit.remaining, resetAt: s.rateLimit.resetAt ?? null },
  };
}

/** The status lines `switchboard status` prints first. */
export function systemStatusLines(st: SystemStatus): string[] {
  const flags = [st.armed ? 'ARMED' : 'disarmed', st.dryRun ? 'dry-run' : '', st.paused ? `paused (${st.paused.reason})` : ''].filter(Boolean);
  const agents = st.agents.map((a) => `${a.name} ${a.load}/${a.capacity}${a.load >= a.capacity ? ' (full)' : ''}`).join(', ');
  const rate = st.rateLimit ? `${st.rateLimit.remaining} requests left${st.rateLimit.resetAt ? `, resets ${st.rateLimit.resetAt}` : ''}` : 'not reported';
  return [
    `State: ${flags.join(', ')}`,
    `Next cycle: ${st.paused ? 'none while paused' : (st.nextCycleAt ?? 'not scheduled')}`,
    `Agents (running/capacity): ${agents || 'none'}`,
    `Last error: ${st.lastError ? `${st.lastError.at} ${st.lastError.level}: ${st.lastError.message}` : 'none'}`,
    `Tracker rate limit: ${rate}`,
  ];
}
