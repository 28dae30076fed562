import { type Instance, render } from 'ink';
import type { Engine } from '../core/engine.js';
import { Console, type ConsoleProps } from './Console.js';
import { withIncrementalCursorFix } from './incremental-cursor-fix.js';
import { ThemeContext } from './theme.js';

export interface ConsoleOptions extends Omit<ConsoleProps, 'engine'> {
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  /** no colour at all (NO_COLOR); the caller decides from env and flags */
  readonly noColor?: boolean;
}

/** Mount the operator console. Ctrl-C is a key like any other here: it quits through onQuit. */
export function renderConsole(engine: Engine, options: ConsoleOptions): Instance {
  const { noColor = false, stdout, stdin, ...props } = options;
  return render(
    <ThemeContext.Provider value={{ noColor }}>
      <Console engine={engine} {...props} />
    </ThemeContext.Provider>,
    {
      stdout: withIncrementalCursorFix(stdout ?? process.stdout),
      ...(stdin ? { stdin } : {}),
      incrementalRendering: true,
      maxFps: 30,
      exitOnCtrlC: false,
    },
  );
}
