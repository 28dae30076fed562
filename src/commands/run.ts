import { parseDuration } from '../adapters/settings.js';
import { RateLimitedError, UnavailableError } from '../adapters/errors.js';
import { UsageError } from '../core/errors.js';
import { type ApproveMode, APPROVE_MODES, firstSignal, headlessConfig, runHeadless, warnLine } from '../headless/run.js';
import { openSwitchboard } from '../wiring.js';
import { terminal } from '../adapters/terminal-output.js';
import { type CommandOptions, flag, readWith } from './cli-options.js';
import { loadSettings } from './globals.js';

export function approveMode(value: string | undefined): ApproveMode {
  const mode = value ?? 'manual';
  if (!(APPROVE_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--approve takes manual, rules or all, not "${mode}".`);
  }
  return mode as ApproveMode;
}

export const RUN_OPTIONS = {
  headless: flag,
  once: flag,
  json: flag,
  approve: readWith(approveMode).default('manual'),
  arm: flag,
  dryRun: flag,
  /** in seconds */
  interval: readWith((text) => parseDuration(text, '--interval')).optional(),
};

export type RunOptions = CommandOptions<typeof RUN_OPTIONS>;

/** `switchboard run --headless`: the engine without Ink until SIGINT/SIGTERM (or one cycle). */
export async function runCommand(o: RunOptions): Promise<number> {
  if (!o.headless) {
    throw new UsageError('run needs --headless; for the interactive console run switchboard without a command.');
  }
  const { approve } = o;
  const loaded = loadSettings(o, { intervalSeconds: o.interval });
  if (o.arm && loaded.connection.repos.length === 0) {
    throw new UsageError('cannot arm: no repositories are enrolled.', 'pass --repo owner/name, set SWITCHBOARD_REPOS, or run switchboard config set repos \'["owner/name"]\'');
  }
  const json = o.json === true;
  const now = () => new Date();
  const err = terminal.err;
  const signal = firstSignal();
  try {
    const sb = await openSwitchboard({
      config: headlessConfig(loaded.config, { approve, dryRun: o.dryRun }),
      connection: loaded.connection,
      stateDir: o.stateDir,
      onWarning: (text) => err(warnLine(text, now(), json)),
    });
    try {
      // a signal while this first read is stuck closes the switchboard, which abandons the read
      void signal.promise.then(() => sb.close());
      // A wrong token is one sentence and its exit code, not a log of failing cycles. A tracker
      // that is down or busy is weather: a long-running engine says so and keeps retrying.
      await sb.tracker.currentUser();
    } catch (e) {
      if (o.once || !(e instanceof UnavailableError || e instanceof RateLimitedError)) {
        await sb.close();
        throw e;
      }
      err(warnLine(`${e.message}; the engine keeps retrying (failed cycles back off, up to a few minutes apart).`, now(), json));
    }
    const colour = !json && process.stdout.isTTY === true && o.color !== false && !process.env.NO_COLOR;
    return await runHeadless(sb, { once: o.once, json, arm: o.arm, colour }, {
      out: terminal.out,
      err,
      now,
      interrupted: signal.promise,
      beforeAbort: (say) => signal.beforeAbort(say),
    });
  } finally {
    signal.dispose();
  }
}
