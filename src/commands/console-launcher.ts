import { OperationError } from '../core/errors.js';
import type { Switchboard } from '../wiring.js';

export interface ConsoleOptions {
  /** "gitea git.example.com", "sandbox 127.0.0.1:4123" */
  readonly trackerName: string;
  readonly repos: readonly string[];
  /** shown when nothing is enrolled: the console is read-only and says how to enrol */
  readonly readOnlyBanner?: string;
}

/**
 * Open the interactive console on a ready Switchboard; resolves with the exit code when the
 * operator quits. The only door from the CLI to the Ink UI, so the headless path never loads it.
 * The integrator replaces this body with:
 *   const { renderConsole } = await import('../ui/index.js');
 *   return renderConsole(switchboard, options);
 */
export async function launchConsole(switchboard: Switchboard, options: ConsoleOptions): Promise<number> {
  void switchboard;
  void options;
  throw new OperationError('the interactive console is not built yet; use --headless', 'switchboard run --headless, or switchboard demo --headless');
}
