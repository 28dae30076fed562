import type { Config } from './config.js';
import type { Agent } from './routing.js';
import type { AgentRef, WatchPolicy } from './supervision-types.js';

/** What watching needs to know of a registered agent; owners are never dispatched to. */
export function agentRef(agent: Agent): AgentRef | null {
  if (agent.kind === 'owner') return null;
  // A label agent acts as the login named like its label (the reference's kimi-ready convention).
  // A mention agent acts as the login it is mentioned by (`@claude` → claude).
  const mentioned = agent.mention?.startsWith('@') ? agent.mention.slice(1).replace(/\[bot\]$/, '') : null;
  const login = agent.kind === 'tracker' ? (agent.assignee ?? agent.label ?? mentioned) : null;
  return { id: agent.id, kind: agent.kind, login, label: agent.kind === 'tracker' && !agent.assignee ? (agent.label ?? null) : null };
}

/** The watch policy for a dispatch to `agent`, from config and switchboard's own login. */
export function watchPolicy(config: Config, agent: Agent, selfLogin: string): WatchPolicy {
  const w = config.watch;
  return {
    selfLogin,
    trusted: new Set(config.trustedAuthors),
    inProgressLabel: config.labels.inProgress,
    stallMinutes: w.stallMinutes,
    timeoutMinutes: agent.timeoutMinutes,
    repeatThreshold: w.repeatThreshold,
    maxRetries: w.maxRetries,
    retryBackoffSeconds: w.retryBackoffSeconds,
    maxFixForward: w.maxFixForward,
    maxHops: w.maxHops,
    closeOnMerge: w.closeOnMerge,
    deployContext: w.deployContext ?? null,
    retryNextAgent: w.retryNextAgent,
    agents: config.agents.map(agentRef).filter((a): a is AgentRef => a !== null),
  };
}
