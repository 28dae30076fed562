import { UsageError } from '../core/errors.js';
import { firstSignal } from '../headless/run.js';
import { openSwitchboard } from '../wiring.js';
import { launchConsole } from './console-launcher.js';
import { type GlobalOptions, loadSettings } from './globals.js';

export const NOT_A_TTY =
  'the console needs a terminal, and stdout is not one; run switchboard run --headless for the same engine with log lines.';

/** Plain `switchboard`: the console on the configured tracker (read-only when nothing is enrolled). */
export async function openConsole(g: GlobalOptions): Promise<number> {
  if (!process.stdout.isTTY) throw new UsageError(NOT_A_TTY);
  const loaded = loadSettings(g);
  const { connection } = loaded;
  const switchboard = await openSwitchboard({
    // arming needs an explicit act in the console; config "armed" alone never arms
    config: { ...loaded.config, armed: false },
    connection,
    stateDir: g.stateDir,
    bell: process.stdout,
  });
  const signal = firstSignal();
  try {
    return await launchConsole(switchboard, {
      noColor: g.color === false,
      altScreen: g.altScreen !== false,
      mouse: g.mouse === true,
      interrupted: signal.promise,
      trackerName: `${loaded.config.tracker.kind} ${connection.url ? new URL(connection.url).host : ''}`.trim(),
      repos: connection.repos,
      ...(connection.url !== undefined ? { trackerUrl: connection.url } : {}),
      ...(connection.repos.length === 0
        ? { readOnlyBanner: 'Read-only: no repositories are enrolled. Enrol with switchboard config set repos \'["owner/name"]\' or --repo owner/name.' }
        : {}),
    });
  } finally {
    signal.dispose();
    await switchboard.close();
  }
}
