import { LessonsFile } from '../adapters/lessons-file.js';
import { browserOpener } from '../adapters/browser.js';
import { fileLogger } from '../adapters/log-file.js';
import { statusWriter } from '../headless/status-file.js';
import type { Switchboard } from '../wiring.js';
import { enableMouse, enterAltScreen } from './alt-screen.js';

export interface ConsoleOptions {
  /** "gitea git.example.com", "sandbox 127.0.0.1:4123" */
  readonly trackerName: string;
  readonly repos: readonly string[];
  /** shown when nothing is enrolled: the console is read-only and says how to enrol */
  readonly readOnlyBanner?: string;
  /** the tracker's address: the console opens pages of its origin only */
  readonly trackerUrl?: string;
  /** where a failure to write status.json is reported (the state dir's log) */
  readonly onWarning?: (text: string) => void;
}

/**
 * Open the interactive console on a ready Switchboard and start its engine; resolves with the
 * exit code when the operator quits (or a signal arrives). The only door from the CLI to the Ink
 * UI, so the headless path never loads it. The caller closes the switchboard afterwards.
 */
export async function launchConsole(
  switchboard: Switchboard,
  options: ConsoleOptions & { readonly noColor?: boolean; readonly interrupted?: Promise<unknown>; readonly altScreen?: boolean; readonly mouse?: boolean },
): Promise<number> {
  const { renderConsole } = await importInkUi();
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // The console owns its state dir as headless does: status.json says what it has in its queue,
  // so `switchboard status` sees it and `approve 3f2a` from another shell resolves the id (the
  // engine applies the command within a second). Failures go to the state dir's log, not Ink's screen.
  const status = statusWriter(switchboard.engine, switchboard.stateDir, { onError: options.onWarning ?? fileLogger(switchboard.stateDir), config: switchboard.config });
  const screen = options.altScreen === false ? null : enterAltScreen(process.stdout);
  const mouse = options.mouse === true ? enableMouse(process.stdout) : null;
  let ink;
  try {
    ink = renderConsole(switchboard.engine, {
    trackerName: options.trackerName,
    repos: options.repos,
    agents: switchboard.config.agents,
    // the file `switchboard lessons` edits; changes go through its lock, so neither loses the other's
    lessons: new LessonsFile(switchboard.stateDir),
    approvalGraceMs: switchboard.config.console.approvalGraceSeconds * 1000,
    openUrl: browserOpener(),
    ...(options.trackerUrl !== undefined ? { trackerUrl: options.trackerUrl } : {}),
    finishedRowMinutes: switchboard.config.console.finishedRowMinutes,
    preamble: switchboard.config.implementerPreamble,
    noColor: options.noColor === true || Boolean(process.env.NO_COLOR),
    ...(options.readOnlyBanner !== undefined ? { readOnlyBanner: options.readOnlyBanner } : {}),
    onQuit: () => quit(),
  });
    // A failing first cycle shows in the header (the engine records it); it never ends the console.
    void switchboard.engine.start().catch(() => undefined);
    await Promise.race([quitting, options.interrupted ?? new Promise<never>(() => undefined), ink.waitUntilExit()]);
  } finally {
    ink?.unmount();
    mouse?.leave();
    screen?.leave();
    await status.stop();
  }
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
