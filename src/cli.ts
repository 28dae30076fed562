#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { terminal } from './adapters/terminal-output.js';
import { describeError, EXIT, exitCodeFor } from './commands/exit.js';
import type { GlobalOptions } from './commands/globals.js';
import { registerSandboxCommand } from './sandbox/command.js';

// Command modules (and the option schemas, with zod) are imported when their command runs, so
// `--version` and `--help` stay fast. Each action reads its options once with `readOptions`.

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    throw new InvalidArgumentError(`${flag} takes a whole number from ${min} to ${max}.`);
  };
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;

/**
 * The program. Each action resolves with its command's exit code and hands it to `exited`
 * (commander drops what an action returns); `main` turns it into the process's.
 */
export function buildProgram(exited: (code: number) => void = () => undefined): Command {
  const act =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => exited(await action(...args));
  const options = async () => (await import('./commands/cli-options.js')).readOptions;

  const program = new Command('switchboard')
    .description('An operator console for supervising coding agents that work from an issue tracker.')
    .version(pkg.version, '-V, --version')
    .option('--config <file>', 'use this JSON config file instead of the per-user one')
    .option('--state-dir <dir>', 'keep the journal, lock and status here (default: the per-user data dir)')
    .option('--url <url>', 'the Gitea/Forgejo URL (else GITEA_URL, else the config)')
    .option('--repo <owner/name>', 'enrol this repo (repeatable; replaces the enrolled list; env SWITCHBOARD_REPOS=a/b,c/d)', collect)
    .option('--debug', 'show stack traces on errors')
    .option('--no-color', 'plain output without colours')
    .option('--no-alt-screen', 'the console draws in the normal screen (its last frame stays after quitting)')
    .option('--mouse', 'in the console, the wheel scrolls the focused pane and a click selects a row (Shift to select text)')
    .showHelpAfterError(false)
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => terminal.write(text),
      writeErr: (text) => terminal.writeErr(text),
      outputError: (text, write) => {
        const sentence = text.replace(/^error: /, '').trim();
        write(`switchboard: ${sentence}${/[.!?]$/.test(sentence) ? '' : '.'} (see --help)\n`);
      },
    })
    .addHelpText(
      'after',
      examples([
        'switchboard demo                       # the console on a sandbox tracker with simulated agents, no setup',
        'switchboard demo --headless            # the same demo as log lines, every proposal approved',
        'switchboard config init --url https://git.example.com --repo acme/api',
        'switchboard doctor',
        'switchboard run --headless --approve manual --arm',
        'switchboard status && switchboard approve 3f2a',
      ]),
    )
    .hook('preAction', (_, action) => {
      const g = action.optsWithGlobals<GlobalOptions>();
      if (g.color === false) process.env.NO_COLOR = '1';
    })
    .usage('[options] [command]')
    .argument('[command]')
    .action(act(async (unknown: string | undefined) => {
      if (unknown !== undefined) throw new CommanderError(EXIT.usage, 'commander.unknownCommand', `switchboard: unknown command '${unknown}'; see switchboard --help.`);
      const [{ openConsole }, read] = await Promise.all([import('./commands/open-console.js'), options()]);
      return openConsole(read(program, {}));
    }));

  program
    .command('triage')
    .description('Preview triage: score the backlog and print the proposals. Writes nothing, ever.')
    .option('--dry-run', 'preview only (always the case for triage)')
    .option('--json', 'print one JSON document {issues, proposals}')
    .option('--markdown', 'print the daily-summary document')
    .option('--from-file <file>', 'read a JSON array of raw Gitea issues (or {"owner/name": [...]})')
    .addOption(new Option('--now <iso>', 'score as of this time').hideHelp())
    .addHelpText(
      'after',
      examples([
        'switchboard triage --dry-run --from-file backlog.json',
        'switchboard triage --dry-run --json --from-file backlog.json --repo acme/api',
        'switchboard triage --dry-run --markdown --from-file export.json',
        'GITEA_TOKEN=… switchboard triage --dry-run --url https://git.example.com --repo acme/api --repo acme/web',
      ]),
    )
    .action(act(async (_opts, cmd: Command) => {
      const [{ runTriage, liveBacklog, TRIAGE_OPTIONS }, { resolveSettings }, { firstSignal }, read] = await Promise.all([
        import('./commands/triage.js'),
        import('./adapters/settings.js'),
        import('./headless/first-signal.js'),
        options(),
      ]);
      const opts = read(cmd, TRIAGE_OPTIONS);
      // the file's repos stay the config's; --repo/SWITCHBOARD_REPOS are applied by liveBacklog or the file reader
      const { config } = resolveSettings({ file: opts.config, flags: { url: opts.url } });
      // SIGINT/SIGTERM abandons the reads in flight: the preview ends with one sentence, not a hang
      const signal = firstSignal();
      const reads = new AbortController();
      void signal.promise.then(() => reads.abort());
      try {
        const live = opts.fromFile ? undefined : await liveBacklog(config, opts, reads.signal);
        return await runTriage(
          opts,
          live ? { ...config, repos: [...live.repos] } : config,
          { write: terminal.write, writeJson: terminal.writeJson, columns: process.stdout.columns || 120 },
          live?.fetch,
        );
      } finally {
        signal.dispose();
      }
    }));

  program
    .command('run')
    .description('Run the engine: with --headless, without the console, printing one line per event.')
    .option('--headless', 'no console: log lines (or NDJSON) on stdout, warnings on stderr')
    .option('--once', 'run one cycle and exit (0 clean, 1 when the cycle had errors)')
    .option('--json', 'NDJSON, one event per line (schema: docs/headless-events.md)')
    .option('--approve <mode>', 'manual (use switchboard approve), rules (config autoApprove) or all', 'manual')
    .option('--arm', 'allow writes from the start (needs enrolled repos); config "armed" alone never arms')
    .option('--dry-run', 'show every write it would make and make none')
    .option('--interval <duration>', 'time between cycles: 30s, 15m, 1h (env SWITCHBOARD_INTERVAL)')
    .addHelpText(
      'after',
      examples([
        'switchboard run --headless --once --dry-run',
        'switchboard run --headless --approve manual --arm --interval 15m',
        'switchboard run --headless --json --approve rules --arm | tee events.ndjson',
      ]),
    )
    .action(act(async (_opts, cmd: Command) => {
      const [{ runCommand, RUN_OPTIONS }, read] = await Promise.all([import('./commands/run.js'), options()]);
      return runCommand(read(cmd, RUN_OPTIONS));
    }));

  program
    .command('demo')
    .description('Start a local sandbox tracker with a seeded backlog and simulated agents, and supervise it.')
    .option('--headless', 'print events instead of opening the console (every proposal is approved)')
    .option('--json', 'with --headless: NDJSON events')
    .option('--issues <n>', 'open issues to seed', wholeNumber('--issues', 1, 5000), 40)
    .option('--seed <n>', 'seed for the backlog and the simulated agents', wholeNumber('--seed', 0, 2 ** 32 - 1), 1)
    .addOption(new Option('--kind <kind>', 'which API the sandbox speaks').choices(['gitea', 'github']).default('gitea'))
    .addHelpText('after', examples(['switchboard demo', 'switchboard demo --headless --issues 20 --seed 7', 'switchboard demo --kind github']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ demoCommand, DEMO_OPTIONS }, read] = await Promise.all([import('./commands/demo-command.js'), options()]);
      return demoCommand(read(cmd, DEMO_OPTIONS));
    }));

  for (const verb of ['approve', 'reject'] as const) {
    const cmd = program
      .command(verb)
      .description(`${verb === 'approve' ? 'Approve' : 'Reject'} proposals in the running (or next) engine's queue.`)
      .argument('<proposal-id...>', 'ids, or unique prefixes of at least 4 characters (see switchboard status)');
    if (verb === 'reject') cmd.option('--note <text>', 'why (kept until the issue changes)');
    cmd
      .addHelpText('after', examples([`switchboard ${verb} 3f2a`, `switchboard ${verb} 3f2a 9c01 --state-dir /srv/switchboard`]))
      .action(act(async (ids: string[], _opts, cmd: Command) => {
        const [{ queueCommand, QUEUE_OPTIONS }, read] = await Promise.all([import('./commands/queue.js'), options()]);
        const o = read(cmd, QUEUE_OPTIONS);
        return queueCommand(o, verb, ids, o.note !== undefined ? { note: o.note } : {});
      }));
  }

  program
    .command('reroute')
    .description('Hand a proposal to another agent.')
    .argument('<proposal-id>', 'id or unique prefix (≥ 4 characters)')
    .argument('<agent>', 'an agent id from the config')
    .addHelpText('after', examples(['switchboard reroute 3f2a kimi']))
    .action(act(async (id: string, agent: string, _opts, cmd: Command) => {
      const [{ queueCommand }, read] = await Promise.all([import('./commands/queue.js'), options()]);
      return queueCommand(read(cmd, {}), 'reroute', [id], { agent });
    }));

  program
    .command('dispatch')
    .description('Act on a dispatch (retry, reroute, cancel, done, ack) or list them with their phase; waits for a running engine to answer.')
    .addArgument(new Argument('<action>', 'list, retry, reroute, cancel, done or ack').choices(['list', 'status', 'retry', 'reroute', 'cancel', 'done', 'ack']))
    .argument('[id]', 'the proposal id the console shows, or a unique prefix (≥ 4 characters)')
    .option('--agent <id>', 'reroute: the agent to hand it to')
    .option('--note <text>', 'why: kept in the dispatch history, and quoted in the cancellation comment')
    .option('--wait <seconds>', 'how long to wait for a running engine to answer', wholeNumber('--wait', 0, 600), 10)
    .option('--json', 'list: the dispatches as JSON')
    .addHelpText(
      'after',
      examples([
        'switchboard dispatch list',
        'switchboard dispatch retry 3f2a',
        'switchboard dispatch reroute 3f2a --agent kimi',
        'switchboard dispatch cancel 3f2a --note "superseded by #40"',
        'switchboard dispatch ack 3f2a',
      ]) + '\n\nExit codes: 0 applied (or queued for an engine that is not running), 1 not answered in time, 2 refused or a bad id/agent.',
    )
    .action(act(async (action: string, id: string | undefined, _opts, cmd: Command) => {
      const [{ dispatchCommand, dispatchListCommand, DISPATCH_OPTIONS }, read] = await Promise.all([import('./commands/dispatch-command.js'), options()]);
      const o = read(cmd, DISPATCH_OPTIONS);
      if (action === 'list' || action === 'status') return dispatchListCommand(o, o);
      if (id === undefined) {
        const { UsageError } = await import('./core/errors.js');
        throw new UsageError(`dispatch ${action} needs the dispatch's id (see switchboard dispatch list).`);
      }
      const op = action as 'retry' | 'reroute' | 'cancel' | 'done' | 'ack';
      return dispatchCommand(o, op, id, {
        waitSeconds: o.wait,
        ...(o.agent !== undefined ? { agent: o.agent } : {}),
        ...(o.note !== undefined ? { note: o.note } : {}),
      });
    }));

  program
    .command('tasktype')
    .description("Set an issue's task type (routing with roles.coding \"auto\", the dispatch's task type); \"inferred\" undoes it.")
    .argument('<issue>', 'owner/name#number')
    .argument('<type>', 'creative, architecture, routine_coding, … or inferred')
    .addHelpText('after', examples(['switchboard tasktype acme/docs#21 creative', 'switchboard tasktype acme/docs#21 inferred']))
    .action(act(async (issue: string, type: string, _opts, cmd: Command) => {
      const [{ taskTypeCommand }, read] = await Promise.all([import('./commands/tasktype.js'), options()]);
      return taskTypeCommand(read(cmd, {}), issue, type);
    }));

  program
    .command('lessons')
    .description('List, add, edit or delete the one-line lessons later dispatches to a repository carry.')
    .argument('[verb]', 'list (default), add, edit or delete', 'list')
    .argument('[args...]', 'add: owner/name text…; edit: id text…; delete: id')
    .option('--json', 'list as JSON')
    .option('--for <repo>', 'list only this repository (owner/name)')
    .addHelpText('after', examples(['switchboard lessons', 'switchboard lessons add acme/api run the integration suite with --runInBand', 'switchboard lessons edit 3f2a lint before pushing', 'switchboard lessons delete 3f2a']))
    .action(act(async (verb: string, args: string[], _opts, cmd: Command) => {
      const [{ lessonsCommand, lessonsVerb, LESSONS_OPTIONS }, read] = await Promise.all([import('./commands/lessons.js'), options()]);
      return lessonsCommand(read(cmd, LESSONS_OPTIONS), lessonsVerb(verb), args);
    }));

  program
    .command('status')
    .description('Show the engine\'s queue: pending, waiting and in flight (from status.json in the state dir).')
    .option('--json', 'the status document as JSON')
    .addHelpText('after', examples(['switchboard status', 'switchboard status --json --state-dir /srv/switchboard']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ statusCommand, STATUS_OPTIONS }, read] = await Promise.all([import('./commands/queue.js'), options()]);
      return statusCommand(read(cmd, STATUS_OPTIONS));
    }));

  const config = program
    .command('config')
    .description('Create, show and change the configuration.')
    .addHelpText('after', examples(['switchboard config init --url https://git.example.com --repo acme/api', 'switchboard config show', 'switchboard config set intervalSeconds 600']));
  config
    .command('init')
    .description('Write a config file: questions on a terminal, else from flags.')
    .option('--owner <login>', 'the login flagged issues go to')
    .option('--agent <spec>', 'an agent: claude, kimi=label:kimi-ready, bot=http:https://host/hook (repeatable)', collect)
    .option('--kind <kind>', 'gitea, forgejo or github', 'gitea')
    .option('--force', 'replace an existing config file')
    .addHelpText('after', examples(['switchboard config init', 'switchboard config init --url https://git.example.com --repo acme/api --owner alice --agent claude']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ configInit, CONFIG_INIT_OPTIONS }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configInit(read(cmd, CONFIG_INIT_OPTIONS));
    }));
  config
    .command('show')
    .description('Print the effective config and where each value came from (flag, env, file, default).')
    .option('--json', 'as JSON')
    .addHelpText('after', examples(['switchboard config show', 'GITEA_URL=https://git.example.com switchboard config show --json']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ configShow, CONFIG_SHOW_OPTIONS }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configShow(read(cmd, CONFIG_SHOW_OPTIONS));
    }));
  config
    .command('get')
    .description('Print one value of the effective config.')
    .argument('<path>', 'a dotted path: intervalSeconds, tracker.url, agents[0].id')
    .addHelpText('after', examples(['switchboard config get repos', 'switchboard config get tracker.url']))
    .action(act(async (path: string, _opts, cmd: Command) => {
      const [{ configGet }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configGet(read(cmd, {}), path);
    }));
  config
    .command('set')
    .description('Set one value in the config file (validated; JSON values accepted).')
    .argument('<path>', 'a dotted path')
    .argument('<value>', 'the value: text, or JSON for numbers, booleans and lists')
    .addHelpText('after', examples(['switchboard config set intervalSeconds 600', 'switchboard config set repos \'["acme/api","acme/web"]\'', 'switchboard config set tracker.tokenFile ~/.config/switchboard/token']))
    .action(act(async (path: string, value: string, _opts, cmd: Command) => {
      const [{ configSet }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configSet(read(cmd, {}), path, value);
    }));
  config
    .command('path')
    .description('Print the config file path.')
    .addHelpText('after', examples(['switchboard config path']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ configPath }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configPath(read(cmd, {}));
    }));
  config
    .command('edit')
    .description('Open the config in $EDITOR; saved only when it validates.')
    .addHelpText('after', examples(['EDITOR=nano switchboard config edit']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ configEdit }, read] = await Promise.all([import('./commands/config.js'), options()]);
      return configEdit(read(cmd, {}));
    }));

  program
    .command('doctor')
    .description('Check config, tracker, token, repos, labels, agents and state dir; each line ✓ or ✗ with a fix.')
    .option('--json', 'the checks as JSON')
    .option('--notify', 'also send a test message to the notifier webhook')
    .addHelpText('after', examples(['switchboard doctor', 'switchboard doctor --notify --json']))
    .action(act(async (_opts, cmd: Command) => {
      const [{ doctorCommand, DOCTOR_OPTIONS }, read] = await Promise.all([import('./commands/doctor.js'), options()]);
      return doctorCommand(read(cmd, DOCTOR_OPTIONS));
    }));

  registerSandboxCommand(program);

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((exit) => (code = exit));
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.unknownCommand') terminal.err(err.message);
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // --debug may come before a failure commander's parsing stopped at
    const debug = argv.includes('--debug') || program.opts<GlobalOptions>().debug === true;
    terminal.err(describeError(err, debug));
    return exitCodeFor(err);
  }
}

// A reader that goes away early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

process.exitCode = await main(process.argv);
