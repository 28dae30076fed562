#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { describeError, EXIT, exitCodeFor } from './commands/exit.js';
import { registerSandboxCommand } from './sandbox/command.js';

// Command modules are imported when their command runs, so `--version` and `--help` stay fast.

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

let debug = process.argv.includes('--debug');

export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('An operator console for supervising coding agents that work from an issue tracker.')
    .version(pkg.version, '-V, --version')
    .option('--config <file>', 'read configuration from this JSON file')
    .option('--debug', 'show stack traces on errors')
    .option('--no-color', 'plain output without colours')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => {
        const sentence = text.replace(/^error: /, '').trim();
        write(`switchboard: ${sentence}${/[.!?]$/.test(sentence) ? '' : '.'} (see --help)\n`);
      },
    });

  program
    .command('triage')
    .description('Preview triage: score the backlog and print the proposals. Writes nothing, ever.')
    .option('--dry-run', 'preview only (always the case for triage)')
    .option('--json', 'print one JSON document {issues, proposals}')
    .option('--markdown', 'print the daily-summary document')
    .option('--from-file <file>', 'read a JSON array of raw Gitea issues (or {"owner/name": [...]})')
    .option('--url <url>', 'a live Gitea/Forgejo (token from GITEA_TOKEN)')
    .option('--repo <owner/name>', 'the repo (repeatable; replaces the enrolled list)', collect)
    .addOption(new Option('--now <iso>', 'score as of this time').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  switchboard triage --dry-run --from-file backlog.json
  switchboard triage --dry-run --json --from-file backlog.json --repo acme/api
  switchboard triage --dry-run --markdown --from-file export.json
  GITEA_TOKEN=… switchboard triage --dry-run --url https://git.example.com --repo acme/api --repo acme/web`,
    )
    .action(async (opts: { json?: boolean; markdown?: boolean; fromFile?: string; url?: string; repo?: string[]; now?: string }) => {
      const [{ runTriage, liveBacklog }, { loadConfig }] = await Promise.all([
        import('./commands/triage.js'),
        import('./adapters/config-file.js'),
      ]);
      const config = await loadConfig(program.opts<{ config?: string }>().config);
      const live = opts.fromFile ? undefined : await liveBacklog(config, opts);
      await runTriage(
        opts,
        live ? { ...config, repos: [...live.repos] } : config,
        { write: (text) => process.stdout.write(text), columns: process.stdout.columns || 120 },
        live?.fetch,
      );
    });

  registerSandboxCommand(program);

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    debug ||= program.opts<{ debug?: boolean }>().debug === true;
    process.stderr.write(`${describeError(err, debug)}\n`);
    return exitCodeFor(err);
  }
}

// A reader that goes away early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

process.exitCode = await main(process.argv);
