import type { Styled } from '../adapters/terminal-output.js';
import type { AutoApproveRule, Config } from '../core/config.js';
import type { Engine, EngineEvent } from '../core/engine.js';
import { HeadlessLog } from './format-event.js';
import { statusWriter } from './status-file.js';

export { firstSignal } from './first-signal.js';

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
  /** colour the level words (a TTY, and neither NO_COLOR nor --no-color) */
  readonly colour?: boolean | undefined;
}

export interface HeadlessIo {
  /** a line, or one the output path coloured itself (the level word on a terminal) */
  readonly out: (line: string | Styled) => void;
  readonly err: (line: string) => void;
  readonly now: () => Date;
  /** resolves on the first SIGINT/SIGTERM; a second one exits at once (130) */
  readonly interrupted?: Promise<void>;
  /** register what to say when a second signal aborts (firstSignal's `beforeAbort`) */
  readonly beforeAbort?: (say: () => void) => void;
}

export function warnLine(text: string, now: Date, json: boolean): string {
  return logLine('warn', text, now, json);
}

/** A line of the run itself (not an engine event), in the log's shape: `warning` or `notice` in NDJSON. */
export function logLine(level: 'info' | 'warn', text: string, now: Date, json: boolean): string {
  const ts = now.toISOString();
  if (json) return JSON.stringify({ v: 1, ts, level, event: level === 'warn' ? 'warning' : 'notice', message: text });
  return `${ts.slice(0, 19).replace('T', ' ')} ${level.toUpperCase().padEnd(5)} ${text}`;
}

/** The issues whose write sequence has begun and not finished. */
function writing(engine: Pick<Engine, 'getSnapshot'>): string[] {
  return [...engine.getSnapshot().proposals.values()].filter((p) => p.status === 'executing').map((p) => p.issueKey);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the first Ctrl-C says: the wait that follows is the writes finishing, not a hang. */
export function stoppingMessage(engine: Pick<Engine, 'getSnapshot'>): string {
  const n = writing(engine).length;
  return n === 0 ? 'stopping — Ctrl-C again to abort' : `stopping after ${plural(n, 'write')} in progress — Ctrl-C again to abort`;
}

/** What the second Ctrl-C says before exiting: what was left half-done, and that it is not lost. */
export function abortMessage(engine: Pick<Engine, 'getSnapshot'>): string {
  const open = writing(engine);
  if (open.length === 0) return 'aborted; nothing was half-done.';
  return `aborted with ${plural(open.length, 'write sequence')} half-done (${open.join(', ')}); the next start resumes ${open.length === 1 ? 'it' : 'them'} from the journal.`;
}

/** Run until interrupted (or one cycle with `once`); the exit code. */
export async function runHeadless(sb: HeadlessSwitchboard, o: HeadlessOptions, io: HeadlessIo): Promise<number> {
  const { engine } = sb;
  const json = o.json === true;
  const log = new HeadlessLog({ json, colour: !json && o.colour === true });
  const print = (e: EngineEvent): void => {
    const line = log.line(e, io.now());
    if (line !== null) io.out(line);
  };

  const status = statusWriter(engine, sb.stateDir, { onError: (text) => io.err(warnLine(text, io.now(), json)), now: io.now, config: sb.config });
  const offEvents = engine.onEvent(print);

  // the engine's timers are unref'd; this process lives until it is told to stop
  const keepAlive = o.once ? null : setInterval(() => undefined, 1 << 30);
  io.beforeAbort?.(() => io.err(warnLine(abortMessage(engine), io.now(), json)));
  const interrupted = io.interrupted?.then(() => io.err(logLine('info', stoppingMessage(engine), io.now(), json)));
  try {
    if (o.arm) await engine.arm();
    const started = engine.start();
    if (o.once) {
      await Promise.race([started, interrupted ?? new Promise(() => undefined)]);
    } else {
      await started;
      await (interrupted ?? new Promise(() => undefined));
    }
    // The last status is written while the state dir is still there (the demo removes its own
    // on close), after the engine has stopped: `running: false` is then true.
    await engine.stop();
    await status.stop();
    await sb.close();
    const errors = engine.getSnapshot().lastCycle?.errors ?? [];
    return o.once && errors.length > 0 ? 1 : 0;
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    offEvents();
    await status.stop();
    await sb.close();
  }
}
