import type { Command } from 'commander';
import { z } from 'zod';
import { SwitchboardError, UsageError } from '../core/errors.js';

/**
 * A command's options, read from commander once and checked by a zod schema: an action hands
 * its command a typed object, and a value no command accepts is one sentence and exit 2 before
 * anything runs. Commander parses the argv (flags, choices, whole numbers); the schemas say what
 * each command gets and check the values whose meaning commander does not know.
 */

/** The options every command accepts (set before or after the command name). */
export const GLOBAL_OPTIONS = {
  config: z.string().optional(),
  stateDir: z.string().optional(),
  url: z.string().optional(),
  repo: z.array(z.string()).optional(),
  debug: z.boolean().optional(),
  /** false with --no-color */
  color: z.boolean().optional(),
  /** false with --no-alt-screen: the console draws in the normal screen and its last frame stays */
  altScreen: z.boolean().optional(),
  /** --mouse: the wheel scrolls the focused pane and a click selects a row */
  mouse: z.boolean().optional(),
};

export type GlobalOptions = Readonly<z.output<z.ZodObject<typeof GLOBAL_OPTIONS>>>;

/** What a command with these option schemas is handed: its options and the globals. */
export type CommandOptions<S extends z.ZodRawShape> = GlobalOptions & Readonly<z.output<z.ZodObject<S>>>;

/** A flag set or not. */
export const flag = z.boolean().optional();

/**
 * A flag's text read by a check that throws a SwitchboardError (`parseDuration`): its sentence
 * (and hint) become the schema's complaint, which `readOptions` raises as it was.
 */
export function readWith<T>(read: (text: string) => T): z.ZodType<T, string> {
  return z.string().transform((text, ctx) => {
    try {
      return read(text);
    } catch (err) {
      if (!(err instanceof SwitchboardError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message, params: { hint: err.hint } });
      return z.NEVER;
    }
  });
}

/** The options of `cmd` and the globals, as `shape` types them; UsageError naming the flag otherwise. */
export function readOptions<S extends z.ZodRawShape>(cmd: Command, shape: S): CommandOptions<S> {
  // strict: a flag commander knows and the schema does not is a bug to see at once, not a value dropped
  const parsed = z.strictObject({ ...GLOBAL_OPTIONS, ...shape }).safeParse(cmd.optsWithGlobals());
  if (parsed.success) return parsed.data as CommandOptions<S>;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'custom') {
    const hint = (issue.params as { hint?: string } | undefined)?.hint;
    throw new UsageError(issue.message, hint);
  }
  const flagOf = (key: PropertyKey | undefined) => (typeof key === 'string' ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'an option');
  if (issue.code === 'unrecognized_keys') throw new Error(`${issue.keys.map(flagOf).join(', ')}: defined for the command but missing from its option schema`);
  throw new UsageError(`${flagOf(issue.path[0])}: ${issue.message}.`);
}
