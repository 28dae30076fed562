import { z } from 'zod';
import { firstSignal, runHeadless, warnLine } from '../headless/run.js';
import { launchConsole } from './console-launcher.js';
import { startDemo } from './demo.js';
import { type CommandOptions, flag } from './cli-options.js';
import { NOT_A_TTY } from './open-console.js';
import { UsageError } from '../core/errors.js';
import { terminal } from '../adapters/terminal-output.js';

/** `--issues`, `--seed` and `--kind` are parsed by commander (whole numbers, choices); these type them. */
export const DEMO_OPTIONS = {
  headless: flag,
  json: flag,
  issues: z.number().int(),
  seed: z.number().int(),
  kind: z.enum(['gitea', 'github']).optional(),
};

export type DemoFlags = CommandOptions<typeof DEMO_OPTIONS>;

/** `switchboard demo`: the sandbox and the engine on it, in the console or headless, until SIGINT. */
export async function demoCommand(f: DemoFlags): Promise<number> {
  const headless = f.headless === true;
  if (!headless && !process.stdout.isTTY) throw new UsageError(NOT_A_TTY.replace('switchboard run --headless', 'switchboard demo --headless'));
  const json = f.json === true;
  const now = () => new Date();
  const err = terminal.err;
  const signal = firstSignal();
  try {
    // In the console, warnings go to the state dir's log: nothing else may write under Ink.
    const demo = await startDemo({ headless, issues: f.issues, seed: f.seed, json, kind: f.kind, ...(headless ? { onWarning: (t: string) => err(warnLine(t, now(), json)) } : {}) });
    const { sandbox } = demo;
    if (!headless) {
      try {
        return await launchConsole(demo.switchboard, {
          trackerName: `${sandbox.dialect === 'github' ? 'github ' : ''}sandbox ${new URL(sandbox.url).host}`,
          repos: sandbox.repos,
          trackerUrl: sandbox.url,
          noColor: f.color === false,
          altScreen: f.altScreen !== false,
          mouse: f.mouse === true,
          interrupted: signal.promise,
        });
      } finally {
        await demo.stop();
      }
    }
    err(`switchboard demo: sandbox tracker at ${sandbox.url} (${sandbox.repos.join(', ')}), simulated agents, armed, every proposal approved. Stop with Ctrl-C.`);
    return await runHeadless(
      { engine: demo.switchboard.engine, stateDir: demo.switchboard.stateDir, close: () => demo.stop() },
      { json, colour: !json && process.stdout.isTTY === true && f.color !== false && !process.env.NO_COLOR },
      { out: terminal.out, err, now, interrupted: signal.promise, beforeAbort: (say) => signal.beforeAbort(say) },
    );
  } finally {
    signal.dispose();
  }
}
