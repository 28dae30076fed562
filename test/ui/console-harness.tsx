import { cleanup, render } from 'ink-testing-library';
import { afterEach } from 'vitest';
import type { Agent } from '../../src/core/routing.js';
import { Console, type ConsoleProps } from '../../src/ui/Console.js';
import type { LessonsBook } from '../../src/ui/lessons-view.js';
import { ThemeContext } from '../../src/ui/theme.js';
import type { world } from '../fakes/engine-world.js';

afterEach(() => cleanup());

export const KEY = { down: '\u001b[B', up: '\u001b[A', enter: '\r', esc: '\u001b', tab: '\t', shiftTab: '\u001b[Z', ctrlC: '\u0003', backspace: '\u007f' };

/** ink-testing-library's stdin is handled asynchronously. */
export const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type World = ReturnType<typeof world>;

export interface MountOptions {
  readonly columns?: number;
  readonly rows?: number;
  readonly noColor?: boolean;
  readonly readOnlyBanner?: string;
  readonly repos?: readonly string[];
  readonly agents?: readonly Agent[];
  readonly lessons?: LessonsBook;
  /** any other prop of the console (grace period, browser, mouse…) */
  readonly props?: Partial<ConsoleProps>;
  /** console.finishedRowMinutes */
  readonly finishedRowMinutes?: number;
  /** config implementerPreamble, for the prompt in a dispatch's detail view */
  readonly preamble?: string;
}

/** The console over a world's engine, in a terminal of an explicit size. */
export async function mount(w: World, options: MountOptions = {}) {
  const quits: number[] = [];
  const app = render(
    <ThemeContext.Provider value={{ noColor: options.noColor ?? true }}>
      <Console
        engine={w.engine}
        trackerName="gitea"
        repos={options.repos ?? w.config.repos}
        agents={options.agents ?? w.config.agents}
        now={() => w.clock.now().getTime()}
        onQuit={() => quits.push(1)}
        {...(options.readOnlyBanner !== undefined ? { readOnlyBanner: options.readOnlyBanner } : {})}
        {...(options.lessons !== undefined ? { lessons: options.lessons } : {})}
        {...options.props}
        {...(options.finishedRowMinutes !== undefined ? { finishedRowMinutes: options.finishedRowMinutes } : {})}
        {...(options.preamble !== undefined ? { preamble: options.preamble } : {})}
      />
    </ThemeContext.Provider>,
  );
  let size = { columns: options.columns ?? 120, rows: options.rows ?? 40 };
  const stdout = app.stdout as unknown as { columns: number; rows: number; emit: (e: string) => void };
  const resize = async (columns: number, rows: number) => {
    size = { columns, rows };
    Object.defineProperty(stdout, 'columns', { configurable: true, get: () => size.columns });
    Object.defineProperty(stdout, 'rows', { configurable: true, get: () => size.rows });
    stdout.emit('resize');
    await tick();
  };
  await resize(size.columns, size.rows);
  const framesFrom = app.frames.length;
  return {
    ...app,
    quits,
    resize,
    frame: (): string => app.lastFrame() ?? '',
    lines: (): string[] => (app.lastFrame() ?? '').split('\n'),
    /** every frame drawn since mounting at the final size */
    framesSinceMount: () => app.frames.slice(framesFrom),
    size: () => size,
    async press(...keys: string[]) {
      for (const k of keys) {
        app.stdin.write(k);
        await tick();
      }
    },
    async type(text: string) {
      for (const ch of text) {
        app.stdin.write(ch);
        await tick(5);
      }
      await tick();
    },
  };
}

export type Mounted = Awaited<ReturnType<typeof mount>>;
