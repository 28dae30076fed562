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
  const { renderConsole } = await importInkUi();
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

/**
 * Ink decides once, when it is first imported, whether it runs in CI (the CI or
 * CONTINUOUS_INTEGRATION variable), and then draws nothing until exit. The console only opens on
 * a terminal with an operator in front of it, so those variables are hidden while Ink loads and
 * restored at once (agents still see them).
 */
async function importInkUi(): Promise<typeof import('../ui/index.js')> {
  const names = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    return await import('../ui/index.js');
  } finally {
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}
