import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readOptions } from '../../src/commands/cli-options.js';
import { RUN_OPTIONS } from '../../src/commands/run.js';
import { TRIAGE_OPTIONS } from '../../src/commands/triage.js';
import { UsageError } from '../../src/core/errors.js';

/** A program with the global options and one subcommand, parsed as the CLI parses argv. */
function parsed(define: (cmd: Command) => Command, argv: string[]): Command {
  let seen: Command | undefined;
  const program = new Command('switchboard').exitOverride().option('--state-dir <dir>').option('--no-color');
  define(program.command('sub')).action((_o, cmd: Command) => void (seen = cmd));
  program.parse(['node', 'switchboard', ...argv]);
  return seen!;
}

describe('command options are read once, typed', () => {
  it('run gets its interval in seconds and its approve mode, with the globals', () => {
    const cmd = parsed((c) => c.option('--headless').option('--approve <mode>', '', 'manual').option('--interval <d>'), ['--state-dir', '/s', 'sub', '--headless', '--interval', '15m']);
    expect(readOptions(cmd, RUN_OPTIONS)).toEqual({ stateDir: '/s', color: true, headless: true, approve: 'manual', interval: 900 });
  });

  it('a value the command cannot use is the UsageError its check words, exit 2', () => {
    const cmd = parsed((c) => c.option('--approve <mode>').option('--interval <d>'), ['sub', '--approve', 'sometimes']);
    expect(() => readOptions(cmd, RUN_OPTIONS)).toThrow(new UsageError('--approve takes manual, rules or all, not "sometimes".'));
    const triage = parsed((c) => c.option('--now <iso>'), ['sub', '--now', 'yesterday']);
    expect(() => readOptions(triage, TRIAGE_OPTIONS)).toThrow('--now "yesterday" is not an ISO date and time.');
  });

  it('a flag commander knows and the schema does not is an internal error, not a value dropped', () => {
    const cmd = parsed((c) => c.option('--json').option('--extra'), ['sub', '--extra']);
    expect(() => readOptions(cmd, { json: z.boolean().optional() })).toThrow("--extra: defined for the command but missing from its option schema");
  });
});
