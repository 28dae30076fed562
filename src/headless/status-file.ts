import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Engine } from '../core/engine.js';
import type { EngineSnapshot } from '../core/engine-state.js';
import type { Config } from '../core/config.js';
import { sanitize } from '../core/sanitize.js';
import { isLive, type Supervised } from '../core/supervision-types.js';
import { systemStatus } from '../core/system-status.js';

/**
 * `status.json` in the state directory: what the running (or last) engine had in its queue, for
 * `switchboard status` and for resolving short proposal ids in `approve`/`reject`/`reroute`.
 */

export const STATUS_FILE = 'status.json';

const ProposalLine = z.object({
  id: z.string(),
  issue: z.string(),
  title: z.string(),
  action: z.string(),
  agent: z.string().nullable(),
  status: z.string(),
  waiting: z.string().nullable(),
  reason: z.string(),
  /** what stops it now: disarmed, untrusted-author, repo-locked, … */
  gates: z.array(z.string()),
  /** the rejection note; absent in files written before it existed */
  note: z.string().nullable().optional(),
});
const DispatchLine = z.object({
  proposal: z.string(),
  issue: z.string(),
  agent: z.string(),
  /** the lifecycle phase (supervision-types.ts WATCH_PHASES) */
  state: z.string(),
  attempt: z.number(),
  /** absent in files written before ended dispatches were listed: those listed only live ones */
  live: z.boolean().optional(),
  pr: z.number().nullable().optional(),
  /** the escalation's cause and why, while it stands */
  escalation: z.string().nullable().optional(),
  acknowledgedBy: z.string().nullable().optional(),
});

/** Seed 004 GetSystemStatus (system-status.ts); optional so an older status.json still reads. */
const SystemSchema = z.object({
  armed: z.boolean(),
  paused: z.object({ reason: z.string() }).nullable(),
  dryRun: z.boolean(),
  agents: z.array(z.object({ id: z.string(), name: z.string(), load: z.number(), capacity: z.number() })),
  nextCycleAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), level: z.enum(['warning', 'error']), message: z.string() }).nullable(),
  rateLimit: z.object({ remaining: z.number(), resetAt: z.string().nullable() }).nullable(),
});

export const StatusSchema = z.object({
  v: z.literal(1),
  pid: z.number(),
  running: z.boolean(),
  updatedAt: z.string(),
  armed: z.boolean(),
  dryRun: z.boolean(),
  cycle: z.number(),
  nextCycleAt: z.string().nullable(),
  proposals: z.array(ProposalLine),
  dispatches: z.array(DispatchLine),
  system: SystemSchema.optional(),
});
export type Status = z.output<typeof StatusSchema>;

export function statusOf(s: EngineSnapshot, now: Date, running: boolean, config?: Pick<Config, 'agents'>): Status {
  return {
    system: systemStatus(s, config ?? { agents: [] }),
    v: 1,
    pid: process.pid,
    running,
    updatedAt: now.toISOString(),
    armed: s.armed,
    dryRun: s.dryRun,
    cycle: s.cycle,
    nextCycleAt: s.nextCycleAt,
    proposals: [...s.proposals.values()]
      .filter((p) => p.action !== 'skip' && ['proposed', 'approved', 'executing', 'failed', 'rejected'].includes(p.status))
      .map((p) => ({
        id: p.id,
        issue: p.issueKey,
        title: sanitize(s.backlog.get(p.issueKey)?.displayTitle ?? ''),
        action: p.action,
        agent: p.agentId,
        status: p.status,
        waiting: p.waiting === null ? null : sanitize(p.waiting),
        reason: sanitize(p.reason),
        gates: p.blockedBy.map((g) => g.kind),
        note: p.note === null ? null : sanitize(p.note),
      })),
    // ended ones too: `switchboard dispatch ack|retry` names an escalated dispatch by its id
    dispatches: [...s.dispatches.values()].map((x) => dispatchLine(x)),
  };
}

function dispatchLine(d: Supervised): Status['dispatches'][number] {
  return {
    proposal: d.proposalId,
    issue: `${d.repo}#${d.number}`,
    agent: d.agent.id,
    state: d.phase,
    attempt: d.attempt,
    live: isLive(d.phase),
    pr: d.pr?.number ?? null,
    escalation: d.escalation ? sanitize(`${d.escalation.cause}: ${d.escalation.why}`) : null,
    acknowledgedBy: d.escalation?.acknowledgedBy ?? null,
  };
}

/** Atomic: written aside, then renamed over, so a reader never sees half a file. */
export async function writeStatus(dir: string, status: Status): Promise<void> {
  const path = join(dir, STATUS_FILE);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The last status written in `dir`, or null when none is known (or it is unreadable). */
export async function readStatus(dir: string): Promise<Status | null> {
  const text = await readFile(join(dir, STATUS_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = StatusSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface StatusWriter {
  /** write the status now (after any write in progress) */
  flush(): Promise<void>;
  /** the last status, `running: false`, and no more writes */
  stop(): Promise<void>;
}

const STATUS_THROTTLE_MS = 250;

/**
 * Keep status.json current for an engine: after each cycle, and at most every 250 ms while the
 * snapshot changes. Headless mode and the console both own their state dir this way.
 */
export function statusWriter(
  engine: Pick<Engine, 'subscribe' | 'onEvent' | 'getSnapshot'>,
  dir: string,
  o: {
    readonly onError?: ((text: string) => void) | undefined;
    readonly now?: () => Date;
    /** the agents' capacity for the system status */
    readonly config?: Pick<Config, 'agents'> | undefined;
  } = {},
): StatusWriter {
  const now = o.now ?? (() => new Date());
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let running = true;
  let stopped = false;
  const save = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const status = statusOf(engine.getSnapshot(), now(), running, o.config);
    chain = chain
      .then(() => writeStatus(dir, status))
      .catch((err: unknown) => o.onError?.(`could not write status.json: ${(err as Error).message}`));
    return chain;
  };
  const offEvents = engine.onEvent((e) => {
    if (e.type === 'cycle-finished' && !stopped) void save();
  });
  const offSnapshot = engine.subscribe(() => {
    if (!stopped) timer ??= setTimeout(() => void save(), STATUS_THROTTLE_MS);
  });
  void save();
  return {
    flush: save,
    async stop() {
      if (stopped) return chain;
      stopped = true;
      offEvents();
      offSnapshot();
      running = false;
      return save();
    },
  };
}
