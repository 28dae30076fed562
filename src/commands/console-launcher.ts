import type { Switchboard } from '../wiring.js';

export interface ConsoleOptions {
  /** "gitea git.example.com", "sandbox 127.0.0.1:4123" */
  readonly trackerName: string;
  readonly repos: readonly string[];
  /** shown when nothing is enrolled: the console is read-only and says how to enrol */
  readonly readOnlyBanner?: string;
}

/**
 * Open the interactive console on a ready Switchboard and start its engine; resolves with the
 * exit code when the operator quits (or a signal arrives). The only door from the CLI to the Ink
 * UI, so the headless path never loads it. The caller closes the switchboard afterwards.
 */
export async function launchConsole(
  switchboard: Switchboard,
  options: ConsoleOptions & { readonly noColor?: boolean; readonly interrupted?: Promise<unknown> },
): Promise<number> {
  const { renderConsole } = await import('../ui/index.js');
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  const ink = renderConsole(switchboard.engine, {
    trackerName: options.trackerName,
    repos: options.repos,
    agents: switchboard.config.agents,
    noColor: options.noColor === true || Boolean(process.env.NO_COLOR),
    ...(options.readOnlyBanner !== undefined ? { readOnlyBanner: options.readOnlyBanner } : {}),
    onQuit: () => quit(),
  });
  // A failing first cycle shows in the header (the engine records it); it never ends the console.
  void switchboard.engine.start().catch(() => undefined);
  await Promise.race([quitting, options.interrupted ?? new Promise<never>(() => undefined), ink.waitUntilExit()]);
  ink.unmount();
  return 0;
}
