import { startSupervision } from '../../src/core/supervision.js';
import type { AgentRef, Supervised, WatchPhase } from '../../src/core/supervision-types.js';

const AGENTS: Record<string, AgentRef> = {
  claude: { id: 'claude', kind: 'tracker', login: 'claude', label: null },
  kimi: { id: 'kimi', kind: 'tracker', login: 'kimi-ready', label: 'kimi-ready' },
};

/** A supervised dispatch for tests: started now, then the fields given. */
export function supervised(o: { id?: string; repo?: string; number?: number; agentId?: string; phase?: WatchPhase; at?: Date } & Partial<Supervised> = {}): Supervised {
  const { id = 'p-1', repo = 'acme/api', number = 1, agentId = 'claude', phase = 'assigned', at = new Date('2026-05-01T10:00:00Z'), ...rest } = o;
  const agent = AGENTS[agentId] ?? { id: agentId, kind: 'http', login: null, label: null };
  return { ...startSupervision({ proposalId: id, repo, number, agent }, at), accepted: phase !== 'dispatching', phase, ...rest };
}
