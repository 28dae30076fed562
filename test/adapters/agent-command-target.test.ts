import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus, DispatchRequest } from '../../src/core/ports.js';
import { ISSUE_IMPLEMENTER_PREAMBLE } from '../../src/core/prompts.js';
import { UsageError } from '../../src/core/errors.js';
import { type Agent, AgentSchema } from '../../src/core/routing.js';
import { CommandTarget } from '../../src/adapters/agents/index.js';

const git = promisify(execFile);
let dir: string;
let state: string;
/** HOME for the agent: even a broken target that used a shell would only reach this */
let home: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'sb-command-')));
  state = join(dir, 'state');
  home = join(dir, 'home');
  await mkdir(home);
  writeFileSync(join(home, 'canary'), 'still here');
  // the fake agent: writes its argv and cwd as JSON, says something on both streams
  writeFileSync(
    join(dir, 'agent.mjs'),
    `import { writeFileSync } from 'node:fs';
     writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }));
     console.log('to stdout'); console.error('to stderr');
     if (process.argv.includes('--hang')) { process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); }
     if (process.argv.includes('--fail')) process.exit(3);`,
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const commandAgent = (extra: Partial<Agent> = {}): Agent =>
  AgentSchema.parse({ id: 'local', displayName: 'Local', kind: 'command', command: [process.execPath, join(dir, 'agent.mjs'), '{title}', '{prompt}'], cwd: dir, ...extra });

const request = (agent: Agent, extra: Partial<DispatchRequest> = {}): DispatchRequest => ({
  proposalId: 'p-1',
  agent,
  attempt: 1,
  repo: 'acme/api',
  number: 7,
  title: 'Fix it',
  body: '',
  url: 'https://git.example/acme/api/issues/7',
  taskType: 'routine_coding',
  ...extra,
});

const target = (killGraceMs = 5000) => new CommandTarget({ stateDir: state, killGraceMs, env: { ...process.env, HOME: home } });

async function settled(t: CommandTarget, runId: string, timeoutMs = 10_000): Promise<AgentStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await t.observe(runId);
    if (s.status !== 'running') return s;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const argvSeen = () => JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8')) as { argv: string[]; cwd: string };

describe('command agent target', () => {
  it('passes a hostile title verbatim as one argument and runs nothing from it', async () => {
    const title = 'Crash $(touch pwned) `touch pwned2`; rm -rf ~ && echo {title}';
    const t = target();
    const result = await t.dispatch(request(commandAgent(), { title }));
    expect(result.ok).toBe(true);
    expect(await settled(t, result.runId!)).toMatchObject({ status: 'done' });

    const { argv, cwd } = argvSeen();
    expect(argv).toEqual([title, `Work on issue https://git.example/acme/api/issues/7: ${title}. Read the issue and its comments, implement it, open a pull request that references #7.`]);
    expect(cwd).toBe(dir);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(readFileSync(join(home, 'canary'), 'utf8')).toBe('still here');
  });

  it('uses the configured prompt template and reports a failing exit', async () => {
    const t = target();
    const agent = commandAgent({ command: [process.execPath, join(dir, 'agent.mjs'), '--repo={repo}', '{prompt}', '--fail'], promptTemplate: 'fix #{number} of {repo}' });
    const { runId } = await t.dispatch(request(agent));
    expect(await settled(t, runId!)).toMatchObject({ status: 'failed', detail: expect.stringContaining('exited 3') });
    expect(argvSeen().argv).toEqual(['--repo=acme/api', 'fix #7 of acme/api', '--fail']);
  });

  it('gives the command the issue-implementer rules first, in the one {prompt} argument', async () => {
    const t = target();
    const { runId } = await t.dispatch(request(commandAgent(), { preamble: ISSUE_IMPLEMENTER_PREAMBLE }));
    await settled(t, runId!);
    const [title, prompt] = argvSeen().argv;
    expect(title).toBe('Fix it');
    expect(prompt).toBe(`${ISSUE_IMPLEMENTER_PREAMBLE}\n\nWork on issue https://git.example/acme/api/issues/7: Fix it. Read the issue and its comments, implement it, open a pull request that references #7.`);
  });

  it('kills an agent that overruns its timeout, even one ignoring SIGTERM', async () => {
    const t = target(100);
    // 3 s: long enough for the agent to install its SIGTERM handler even on a loaded machine
    const agent = commandAgent({ command: [process.execPath, join(dir, 'agent.mjs'), '--hang'], timeoutMinutes: 0.05 });
    const { runId } = await t.dispatch(request(agent));
    expect(await t.observe(runId!)).toMatchObject({ status: 'running' });
    expect(await settled(t, runId!, 10_000)).toMatchObject({ status: 'failed', detail: expect.stringContaining('SIGKILL) after its 0.05-minute timeout') });
  });

  it('keeps the log of a repo named ../../etc inside the logs directory', async () => {
    const t = target();
    const agent = commandAgent({ command: [process.execPath, join(dir, 'agent.mjs'), '{title}'] });
    const { runId, detail } = await t.dispatch(request(agent, { repo: '../../etc' }));
    await settled(t, runId!);
    const logs = join(state, 'logs');
    expect(readdirSync(logs)).toEqual(['etc-7-1.log']);
    expect(detail).toContain(join(logs, 'etc-7-1.log'));
    const log = readFileSync(join(logs, 'etc-7-1.log'), 'utf8');
    expect(log).toContain('to stdout');
    expect(log).toContain('to stderr');
    expect(statSync(join(logs, 'etc-7-1.log')).mode & 0o777).toBe(0o600);
    expect(relative(logs, join(logs, 'etc-7-1.log'))).not.toMatch(/\.\./);
  });

  it('refuses a repo name that would climb out of a per-repo working directory', async () => {
    const agent = commandAgent({ cwd: join(dir, 'src', '{repo}') });
    await expect(target().dispatch(request(agent, { repo: '../../etc' }))).rejects.toBeInstanceOf(UsageError);
  });

  it('runs the agent in a fresh git worktree per issue', async () => {
    const repo = join(dir, 'src', 'acme', 'api');
    await mkdir(repo, { recursive: true });
    const g = (...args: string[]) => git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { timeout: 10_000 });
    await g('init', '-q');
    await g('commit', '-q', '--allow-empty', '-m', 'init');
    const t = target();
    const agent = commandAgent({ cwd: join(dir, 'src', '{repo}'), worktree: true });
    const { runId } = await t.dispatch(request(agent));
    await settled(t, runId!);
    expect(argvSeen().cwd).toBe(join(state, 'worktrees', 'acme-api-7'));
    expect((await g('worktree', 'list')).stdout).toContain(join(state, 'worktrees', 'acme-api-7'));
  });

  it('reports an agent command that does not exist', async () => {
    const result = await target().dispatch(request(commandAgent({ command: [join(dir, 'no-such-agent'), '{title}'] })));
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('ENOENT') });
  });
});
