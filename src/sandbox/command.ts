import { type Command, InvalidArgumentError, Option } from 'commander';
import { OperationError } from '../core/errors.js';
import { terminal } from '../adapters/terminal-output.js';
import { parseUserSpec, type SandboxUser } from './options.js';

/** Exit code for a bad flag value, as for every usage error of the CLI. */
const USAGE_EXIT = 2;

function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    const err = new InvalidArgumentError(`${flag} takes a whole number from ${min} to ${max}.`);
    err.exitCode = USAGE_EXIT;
    throw err;
  };
}

interface SandboxFlags {
  port: number;
  host: string;
  token?: string;
  issues: number;
  repos: number;
  seed: number;
  state?: string;
  latency: number;
  agents?: boolean;
  printEnv?: boolean;
  allowRemote?: boolean;
  user: SandboxUser[];
  kind: 'gitea' | 'github';
}

/** `--user` is repeatable: each one adds a user; a malformed one is a usage error. */
function collectUser(value: string, previous: SandboxUser[]): SandboxUser[] {
  try {
    return [...previous, parseUserSpec(value)];
  } catch (err) {
    const usage = new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    usage.exitCode = USAGE_EXIT;
    throw usage;
  }
}

/** `switchboard sandbox`: run the embedded tracker in the foreground until SIGINT/SIGTERM. */
export function registerSandboxCommand(program: Command): Command {
  return program
    .command('sandbox')
    .description('Run a local Gitea- or GitHub-compatible tracker with a seeded backlog (for the demo, tests and trying configs).')
    .addOption(new Option('--kind <kind>', 'which API to speak: Gitea\'s /api/v1, or GitHub\'s REST API').choices(['gitea', 'github']).default('gitea'))
    .option('--port <n>', 'port to listen on; 0 picks a free one', wholeNumber('--port', 0, 65535), 0)
    .option('--host <host>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (the sandbox has no real access control)')
    .option('--token <token>', 'API token clients must send (default: a random one)')
    .option('--issues <n>', 'open issues to seed, spread across the repos', wholeNumber('--issues', 0, 1_000_000), 60)
    .option('--repos <n>', 'repositories to create (demo/api, demo/web, demo/infra, …)', wholeNumber('--repos', 1, 1000), 3)
    .option('--seed <n>', 'seed for the backlog, agents and faults', wholeNumber('--seed', 0, 2 ** 32 - 1), 1)
    .option('--state <file>', 'keep state in this JSON file; loaded when it exists')
    .option('--latency <ms>', 'delay every response by this many milliseconds', wholeNumber('--latency', 0, 600_000), 0)
    .option('--agents', 'simulate agents: claude (by assignee) and kimi-ready (by label) work on what they are given')
    .option('--print-env', 'print export lines for the variables that point switchboard at it (GITEA_URL, GITEA_TOKEN or SWITCHBOARD_TRACKER, GITHUB_API_URL, GITHUB_TOKEN; SWITCHBOARD_REPOS) on stdout, the rest on stderr')
    .option('--user <LOGIN:TOKEN:PERMISSION>', 'add a user to act as, with its own token; PERMISSION is read, write or admin (repeatable)', collectUser, [])
    .action(async (flags: SandboxFlags) => {
      // Loaded here, not at the top, so the rest of the CLI starts without the server code.
      const [{ startSandbox }, { resolveAgentOptions }, { SANDBOX_VERSION }] = await Promise.all([
        import('./server.js'),
        import('./options.js'),
        import('./routes.js'),
      ]);
      const users = flags.user;
      const sandbox = await startSandbox({
        users,
        port: flags.port,
        host: flags.host,
        allowRemote: flags.allowRemote === true,
        issues: flags.issues,
        repos: flags.repos,
        seed: flags.seed,
        latencyMs: flags.latency,
        agents: flags.agents === true,
        dialect: flags.kind,
        ...(flags.token !== undefined ? { token: flags.token } : {}),
        ...(flags.state !== undefined ? { statePath: flags.state } : {}),
      }).catch((err: unknown) => {
        throw new OperationError(`${startFailure(err, flags)}.`);
      });
      // With --print-env, stdout is exactly what a shell can source (`switchboard sandbox
      // --print-env > sandbox.env &` then `. ./sandbox.env`); the rest goes to stderr.
      const out = flags.printEnv ? terminal.err : terminal.out;
      const github = sandbox.dialect === 'github';
      if (flags.printEnv) {
        const env: Record<string, string> = github
          ? { SWITCHBOARD_TRACKER: 'github', GITHUB_API_URL: sandbox.apiUrl, GITHUB_TOKEN: sandbox.token, SWITCHBOARD_REPOS: sandbox.repos.join(',') }
          : { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: sandbox.repos.join(',') };
        for (const [name, value] of Object.entries(env)) terminal.out(`export ${name}=${shellQuote(value)}`);
      }
      const open = sandbox.repos.reduce(
        (n, repo) => n + sandbox.store.issues(repo).filter((i) => i.state === 'open' && i.pull === null).length,
        0,
      );
      out(github ? `Sandbox tracker (GitHub REST API 2022-11-28) listening at ${sandbox.url}` : `Sandbox tracker (Gitea ${SANDBOX_VERSION}) listening at ${sandbox.url}`);
      out(`  API     ${sandbox.apiUrl}`);
      out(`  token   ${sandbox.token}`);
      out(`  repos   ${sandbox.repos.join(', ')} (${open} open issues)`);
      const agents = resolveAgentOptions(flags.agents === true);
      if (agents) out(`  agents  ${Object.entries(agents.logins).map(([login, how]) => `${login} (by ${how})`).join(', ')}`);
      for (const u of users) out(`  user    ${u.login} (${u.permission}), token ${u.token}`);
      if (flags.state) out(`  state   ${flags.state}`);
      out('Stop with Ctrl-C.');
      await untilSignal();
      await sandbox.close();
      out('Sandbox stopped.');
    });
}

/** A POSIX single-quoted word: nothing inside is expanded. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function startFailure(err: unknown, flags: SandboxFlags): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${flags.port} on ${flags.host} is already in use; pick another with --port (0 picks a free one)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${flags.host}: no such local address`;
  return err instanceof Error ? err.message : String(err);
}
