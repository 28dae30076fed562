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
 * What Ink and React decide once, when first imported, from the environment:
 * - Ink, whether it runs in CI (the CI or CONTINUOUS_INTEGRATION variable) — and then it draws
 *   nothing until exit. The console only opens on a terminal with an operator in front of it.
 * - React, its build from NODE_ENV: the development build keeps a timeline entry per render and
 *   holds hundreds of MB over a day (bench/console.ts), so the console loads the production one.
 * The variables are set for the import and restored at once (agents see what they saw before).
 */
async function importInkUi(): Promise<typeof import('../ui/index.js')> {
  const wanted: Record<string, string | undefined> = { CI: undefined, CONTINUOUS_INTEGRATION: undefined, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  const saved = Object.keys(wanted).map((n) => [n, process.env[n]] as const);
  for (const [n, v] of Object.entries(wanted)) {
    if (v === undefined) delete process.env[n];
    else process.env[n] = v;
  }
  try {
    return await import('../ui/index.js');
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  }
}
