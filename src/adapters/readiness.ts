import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { request } from 'undici';
import { NotFoundError } from './errors.js';
import type { ReadinessFacts } from '../core/policy.js';
import type { Tracker } from '../core/ports.js';
import type { Agent } from '../core/routing.js';

/**
 * Seed 004's readiness check, per agent, before its work is proposed: an http agent's health URL
 * answers 2xx; a command agent's program is on PATH (or is an executable path) and its working
 * directory exists; a tracker agent's login can be assigned in every enrolled repo. The facts go
 * to the planner (`readinessGate`); nothing here decides.
 */

export interface ReadinessOptions {
  readonly tracker: Pick<Tracker, 'permission'>;
  readonly repos: readonly string[];
  /** where a bare program name is looked up; process.env.PATH by default */
  readonly path?: string;
  readonly timeoutMs?: number;
}

export async function checkReadiness(agents: readonly Agent[], o: ReadinessOptions): Promise<Map<string, ReadinessFacts>> {
  const out = new Map<string, ReadinessFacts>();
  for (const agent of agents) {
    const facts = await checkAgent(agent, o);
    if (facts) out.set(agent.id, facts);
  }
  return out;
}

async function checkAgent(agent: Agent, o: ReadinessOptions): Promise<ReadinessFacts | null> {
  switch (agent.kind) {
    case 'http':
      return agent.healthUrl ? { healthOk: await answers(agent.healthUrl, o.timeoutMs ?? 5000) } : null;
    case 'command': {
      const program = agent.command?.[0];
      // A working directory naming {repo} is one per repo: checked at dispatch, not here.
      const cwd = agent.cwd === undefined || agent.cwd.includes('{repo}') ? undefined : await isDir(expandHome(agent.cwd));
      return {
        ...(program !== undefined && !program.includes('{') ? { binaryOnPath: await onPath(program, o.path ?? process.env.PATH ?? '') } : {}),
        ...(cwd !== undefined ? { cwdExists: cwd } : {}),
      };
    }
    case 'tracker': {
      const login = agent.assignee;
      // A label agent is not assigned: there is nothing to check.
      if (!login) return null;
      for (const repo of o.repos) {
        // Gitea lets anyone with read on pull requests be assigned (gitea-behaviour.md #3); "none" cannot be.
        // A login the forge does not know (404) cannot be assigned; any other failure leaves it unknown.
        const permission = await o.tracker.permission(repo, login).catch((err: unknown) => (err instanceof NotFoundError ? ('none' as const) : null));
        if (permission === null) return {};
        if (permission === 'none') return { assignable: false };
      }
      return { assignable: true };
    }
    case 'owner':
      return null;
    default: {
      const never: never = agent.kind;
      return never;
    }
  }
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await request(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    // The body is never read: a health check needs the status only, and a hostile one cannot fill memory.
    await res.body.dump({ limit: 0 }).catch(() => undefined);
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}

const expandHome = (dir: string): string => resolve(dir === '~' || dir.startsWith('~/') ? join(homedir(), dir.slice(1)) : dir);

const isDir = (dir: string): Promise<boolean> => stat(dir).then((s) => s.isDirectory(), () => false);

const executable = (file: string): Promise<boolean> =>
  stat(file).then((s) => s.isFile() && access(file, constants.X_OK).then(() => true, () => false), () => false);

/** Is `program` an executable file: a path as given, or a bare name found in one of `path`'s directories. */
export async function onPath(program: string, path: string): Promise<boolean> {
  if (isAbsolute(program) || program.includes('/')) return executable(resolve(program));
  for (const dir of path.split(delimiter).filter(Boolean)) {
    if (await executable(join(dir, program))) return true;
  }
  return false;
}
