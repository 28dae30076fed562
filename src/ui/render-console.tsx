import { type Instance, render } from 'ink';
import type { Engine } from '../core/engine.js';
import type { Agent } from '../core/routing.js';
import { Console } from './Console.js';
import { ThemeContext } from './theme.js';

export interface ConsoleOptions {
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  /** no colour at all (NO_COLOR); the caller decides from env and flags */
  readonly noColor?: boolean;
  /** "gitea", "forgejo", "sandbox" */
  readonly trackerName: string;
  readonly repos: readonly string[];
  /** the agent registry, listed by the re-route picker */
  readonly agents?: readonly Agent[];
  readonly readOnlyBanner?: string;
  /** the console clock in ms (defaults to Date.now) */
  readonly now?: () => number;
  /** called when the operator quits (q, :quit, Ctrl-C); stopping the engine is the caller's business */
  readonly onQuit?: () => void;
}

/** Mount the operator console. Ctrl-C is a key like any other here: it quits through onQuit. */
export function renderConsole(engine: Engine, options: ConsoleOptions): Instance {
  const { noColor = false, stdout, stdin, ...props } = options;
  return render(
    <ThemeContext.Provider value={{ noColor }}>
      <Console engine={engine} {...props} />
    </ThemeContext.Provider>,
    { ...(stdout ? { stdout } : {}), ...(stdin ? { stdin } : {}), incrementalRendering: true, maxFps: 30, exitOnCtrlC: false },
  );
}
