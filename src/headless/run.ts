import type { AutoApproveRule, Config } from '../core/config.js';
import type { Engine, EngineEvent } from '../core/engine.js';
import { formatEvent } from './format-event.js';
import { statusOf, writeStatus } from './status-file.js';

/**
 * The engine without Ink: events become log lines (or NDJSON), the queue goes to status.json,
 * and approvals come from rules or from `switchboard approve` in another shell.
 * Nothing here (or below it) may import ink or react.
 */

export const APPROVE_MODES = ['manual', 'rules', 'all'] as const;
export type ApproveMode = (typeof APPROVE_MODES)[number];

const CATCH_ALL: AutoApproveRule = { when: {}, agent: undefined };

/**
 * The config the headless engine runs with: `manual` drops auto-approve rules, `all` adds a
 * catch-all. `armed` from the file never arms at start: arming is an explicit act (`--arm`).
 */
export function headlessConfig(config: Config, o: { approve: ApproveMode; dryRun?: boolean | undefined }): Config {
  const autoApprove = o.approve === 'manual' ? [] : o.approve === 'all' ? [...config.autoApprove, CATCH_ALL] : config.autoApprove;
  return { ...config, autoApprove, armed: false, dryRun: o.dryRun === true || config.dryRun };
}

export interface HeadlessSwitchboard {
  readonly engine: Engine;
  readonly stateDir: string;
  /** for the agents' capacity in status.json */
  readonly config?: Pick<Config, 'agents'>;
  close(): Promise<void>;
}

export interface HeadlessOptions {
  readonly once?: boolean | undefined;
  readonly json?: boolean | undefined;
  readonly arm?: boolean | undefined;
}

export interface HeadlessIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly now: () => Date;
  /** resolves on the first SIGINT/SIGTERM; a second one exits at once (130) */
  readonly interrupted?: Promise<void>;
}

const STATUS_THROTTLE_MS = 250;

export function warnLine(text: string, now: Date, json: boolean): string {
  const ts = now.toISOString();
  return json ? JSON.stringify({ v: 1, ts, level: 'warn', event: 'warning', message: text }) : `${ts.slice(0, 19).replace('T', ' ')} WARN  ${text}`;
}

/** Run until interrupted (or one cycle with `once`); the exit code. */
export async function runHeadless(sb: HeadlessSwitchboard, o: HeadlessOptions, io: HeadlessIo): Promise<number> {
  const { engine } = sb;
  const json = o.json === true;
  const lastDispatch = new Map<string, string>();
  const print = (e: EngineEvent): void => {
    // the engine may re-emit an unchanged dispatch; the log shows changes only
    if (e.type === 'dispatch-changed') {
      const key = `${e.dispatch.state}|${e.dispatch.attempt}|${e.dispatch.agentId}`;
      if (lastDispatch.get(e.dispatch.proposalId) === key) return;
      lastDispatch.set(e.dispatch.proposalId, key);
    }
    io.out(formatEvent(e, io.now(), json));
  };

  let statusTimer: NodeJS.Timeout | null = null;
  let statusWrite: Promise<void> = Promise.resolve();
  let running = true;
  const saveStatus = (): Promise<void> => {
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = null;
    const status = statusOf(engine.getSnapshot(), io.now(), running, sb.config);
    statusWrite = statusWrite
      .then(() => writeStatus(sb.stateDir, status))
      .catch((err: unknown) => io.err(warnLine(`could not write status.json: ${(err as Error).message}`, io.now(), json)));
    return statusWrite;
  };
  const offEvents = engine.onEvent((e) => {
    print(e);
    if (e.type === 'cycle-finished') void saveStatus();
  });
  const offSnapshot = engine.subscribe(() => {
    statusTimer ??= setTimeout(() => void saveStatus(), STATUS_THROTTLE_MS);
  });

  // the engine's timers are unref'd; this process lives until it is told to stop
  const keepAlive = o.once ? null : setInterval(() => undefined, 1 << 30);
  try {
    if (o.arm) await engine.arm();
    const started = engine.start();
    if (o.once) {
      await Promise.race([started, io.interrupted ?? new Promise(() => undefined)]);
    } else {
      await started;
      await (io.interrupted ?? new Promise(() => undefined));
    }
    await sb.close();
    running = false;
    await saveStatus();
    const errors = engine.getSnapshot().lastCycle?.errors ?? [];
    return o.once && errors.length > 0 ? 1 : 0;
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    if (statusTimer) clearTimeout(statusTimer);
    offEvents();
    offSnapshot();
    await sb.close();
  }
}

/**
 * The first SIGINT/SIGTERM resolves (the caller stops the engine: the write in progress
 * finishes); a second exits at once with 130.
 */
export function firstSignal(onSecond: () => void = () => process.exit(130)): { promise: Promise<void>; dispose(): void } {
  let hits = 0;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const handler = (): void => {
    hits += 1;
    if (hits === 1) resolve();
    else onSecond();
  };
  // While the loop owns the signals it alone decides: conf's atomic-write helper (when-exit)
  // re-raises a signal it sees, which would count here as a second one and kill the process.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const others = signals.map((sig) => {
    const listeners = process.listeners(sig);
    process.removeAllListeners(sig);
    process.on(sig, handler);
    return listeners;
  });
  return {
    promise,
    dispose() {
      signals.forEach((sig, i) => {
        process.off(sig, handler);
        for (const l of others[i] ?? []) process.on(sig, l);
      });
    },
  };
}
