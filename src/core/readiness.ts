import type { Gate } from './policy.js';
import type { Agent } from './routing.js';

/**
 * What a readiness check found about an agent (seed 004); undefined means not checked. http: its
 * health URL answered; command: its binary is on PATH and its cwd exists; tracker: its login is
 * assignable in the repo.
 */
export interface ReadinessFacts {
  readonly healthOk?: boolean;
  readonly binaryOnPath?: boolean;
  readonly cwdExists?: boolean;
  readonly assignable?: boolean;
}

/** What is wrong with an agent before dispatch, in words; empty when nothing known is wrong. */
export function readinessProblems(agent: Agent, facts: ReadinessFacts): string[] {
  const out: string[] = [];
  switch (agent.kind) {
    case 'http':
      if (facts.healthOk === false) out.push(`${agent.displayName}'s health URL does not answer`);
      break;
    case 'command':
      if (facts.binaryOnPath === false) out.push(`${agent.displayName}'s command is not on PATH`);
      if (facts.cwdExists === false) out.push(`${agent.displayName}'s working directory does not exist`);
      break;
    case 'tracker':
      if (facts.assignable === false) out.push(`@${agent.assignee ?? agent.label ?? agent.id} cannot be assigned here`);
      break;
    case 'owner':
      break;
    default: {
      const never: never = agent.kind;
      return never;
    }
  }
  return out;
}

/** The readiness gate: a gate in `block` mode, a warning in `warn` mode, nothing when ready. */
export function readinessGate(agent: Agent, facts: ReadinessFacts | undefined): { gate: Gate | null; warning: string | null } {
  const problems = facts ? readinessProblems(agent, facts) : [];
  if (problems.length === 0) return { gate: null, warning: null };
  const detail = problems.join('; ');
  return agent.readiness === 'block' ? { gate: { kind: 'agent-not-ready', detail }, warning: null } : { gate: null, warning: detail };
}

