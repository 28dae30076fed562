import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, open, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AgentStatus, DispatchRequest, DispatchResult, DispatchTarget } from '../../core/ports.js';
import { UsageError } from '../../core/errors.js';
import { DEFAULT_PROMPT, fillTemplate, implementerPrompt } from '../../core/prompts.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../private-files.js';

const execFileAsync = promisify(execFile);

export { DEFAULT_PROMPT, fillTemplate };

type Vars = Readonly<Record<'repo' | 'number' | 'title' | 'url' | 'prompt', string>>;

const PLACEHOLDER = /\{(repo|number|title|url|prompt)\}/;

/**
 * Why this argv would let issue text act as an option, or null. A placeholder that opens an
 * argument must not yield a value starting with "-" unless an earlier "--" ends the options;
 * the program itself never comes from a placeholder.
 */
export function optionInjection(templates: readonly string[], vars: Partial<Vars>): string | null {
  const [file, ...args] = templates;
  if (file !== undefined && PLACEHOLDER.test(file)) return `the program ${JSON.stringify(file)} comes from a placeholder`;
  let afterDashDash = false;
  for (const template of args) {
    if (template === '--') {
      afterDashDash = true;
      continue;
    }
    const opening = /^\{(repo|number|title|url|prompt)\}/.exec(template);
    if (!afterDashDash && opening && fillTemplate(template, vars).startsWith('-')) {
      return `{${opening[1]}} would start the argument ${JSON.stringify(fillTemplate(template, vars).slice(0, 40))} with "-", which the program could read as an option; put "--" before it in the agent's command`;
    }
  }
  return null;
}

/**
 * Why `url` is not this tracker's page of `repo#number`, or null. `trackerUrl` is the tracker's
 * root; without it only the shape is checked.
 */
export function foreignIssueUrl(url: string, repo: string, number: number, trackerUrl?: string): string | null {
  const path = `/${repo}/issues/${number}`;
  const root = trackerUrl === undefined ? null : new URL(trackerUrl);
  const rootPath = root ? root.pathname.replace(/\/+$/, '') : '';
  const parsed = URL.canParse(url) ? new URL(url) : null;
  const own =
    parsed !== null &&
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '' &&
    (root === null ? parsed.pathname.endsWith(path) : parsed.origin === root.origin && parsed.pathname === `${rootPath}${path}`);
  return own ? null : `the issue URL is not ${root ? `${root.origin}${rootPath}` : 'the tracker'}'s page of ${repo}#${number}`;
}

/** A file-name part from a repo name: only `[A-Za-z0-9_-]`, so it can never hold `/` or `..`. */
export const safeName = (repo: string): string => repo.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'repo';

/** `name` inside `dir`, or an error: a second guard beside `safeName`. */
function inside(dir: string, name: string): string {
  const path = resolve(dir, name);
  const rel = relative(dir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UsageError(`refusing a path outside ${dir}`);
  return path;
}

interface Run {
  readonly child: ChildProcess;
  readonly logPath: string;
  readonly timeoutMinutes: number;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  timedOut: boolean;
  timers: NodeJS.Timeout[];
}

export interface CommandTargetOptions {
  /** logs go to `<stateDir>/logs`, worktrees to `<stateDir>/worktrees` */
  readonly stateDir: string;
  /** between SIGTERM and SIGKILL when an agent overruns its timeout */
  readonly killGraceMs?: number;
  /** the agent's environment; the console's own by default (agent CLIs need their keys) */
  readonly env?: NodeJS.ProcessEnv;
  /** the tracker's root URL: `{url}` must be one of its issue pages */
  readonly trackerUrl?: string;
}

/**
 * Runs a local agent CLI per dispatch from the agent's argv template. Never through a shell:
 * issue text only ever becomes (part of) one argument. Output goes to a log file, stdin is closed.
 */
export class CommandTarget implements DispatchTarget {
  private readonly runs = new Map<string, Run>();
  private readonly killGraceMs: number;

  constructor(private readonly options: CommandTargetOptions) {
    this.killGraceMs = options.killGraceMs ?? 5000;
  }

  async dispatch(r: DispatchRequest): Promise<DispatchResult> {
    const { agent } = r;
    const [fileTemplate, ...argTemplates] = agent.command ?? [];
    if (fileTemplate === undefined) throw new UsageError(`agent "${agent.id}" has no command`);
    const base = { repo: r.repo, number: String(r.number), title: r.title, url: r.url };
    // The standing rules go first (seed 003), then the task, then the repo's lessons (seed 004
    // LessonsProvider); `{prompt}` is the only place they land, as one argv element, never a shell string.
    // A fix-forward is a new run told about the red CI instead of the task (issue 12).
    const task = r.fixForward ? r.fixForward.prompt : fillTemplate(agent.promptTemplate ?? DEFAULT_PROMPT, base);
    const prompt = implementerPrompt(agent, r.preamble ?? '', task);
    const vars: Vars = { ...base, prompt: r.lessons ? `${prompt}\n\n${r.lessons}` : prompt };
    const file = fillTemplate(fileTemplate, vars);
    const args = argTemplates.map((a) => fillTemplate(a, vars));

    const runId = `${safeName(r.repo)}-${r.number}-${r.attempt}${r.fixForward ? `-ff${r.fixForward.round}` : ''}`;
    let cwd = this.repoDir(agent.cwd, r.repo);
    const usesUrl = [...argTemplates, ...(argTemplates.some((a) => a.includes('{prompt}')) ? [agent.promptTemplate ?? DEFAULT_PROMPT] : [])].some((a) => a.includes('{url}'));
    const refusal = optionInjection([fileTemplate, ...argTemplates], vars) ?? (usesUrl ? foreignIssueUrl(r.url, r.repo, r.number, this.options.trackerUrl) : null);
    if (refusal) return { ok: false, detail: `refused to start ${agent.id}: ${refusal}` };
    if (!(await stat(cwd).then((s) => s.isDirectory(), () => false))) return { ok: false, detail: `working directory ${cwd} does not exist` };
    if (agent.worktree) {
      try {
        cwd = await this.worktree(cwd, `${safeName(r.repo)}-${r.number}`);
      } catch (err) {
        return { ok: false, detail: `could not add a git worktree: ${firstLine(err)}` };
      }
    }

    const logs = await ensurePrivateDir(join(this.options.stateDir, 'logs'));
    const logPath = inside(logs, `${runId}.log`);
    const log = await open(logPath, 'a', PRIVATE_FILE_MODE);
    let child: ChildProcess;
    // listened for from the spawn on: a quick command can exit while the log is being closed
    const exited: { value: Run['exit']; then: () => void } = { value: null, then: () => {} };
    try {
      await log.write(`# ${new Date().toISOString()} ${r.repo}#${r.number} attempt ${r.attempt}: ${JSON.stringify([file, ...args])} in ${cwd}\n`);
      child = spawn(file, args, { cwd, shell: false, stdio: ['ignore', log.fd, log.fd], env: this.options.env ?? process.env, windowsHide: true });
      child.once('exit', (code, signal) => {
        exited.value = { code, signal };
        exited.then();
      });
      await new Promise<void>((started, failed) => {
        child.once('spawn', started);
        child.once('error', failed);
      });
    } catch (err) {
      return { ok: false, detail: `could not start ${file}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}` };
    } finally {
      // the child holds its own copy of the descriptor
      await log.close();
    }

    const run: Run = { child, logPath, timeoutMinutes: agent.timeoutMinutes, exit: exited.value, timedOut: false, timers: [] };
    this.runs.get(runId)?.timers.forEach(clearTimeout);
    this.runs.set(runId, run);
    if (run.exit) return { ok: true, runId, detail: `pid ${child.pid ?? '?'}, log ${logPath}` };
    const overrun = setTimeout(() => {
      run.timedOut = true;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), this.killGraceMs);
      kill.unref();
      run.timers.push(kill);
    }, agent.timeoutMinutes * 60_000);
    overrun.unref();
    run.timers.push(overrun);
    exited.then = () => {
      run.exit = exited.value;
      run.timers.forEach(clearTimeout);
    };
    return { ok: true, runId, detail: `pid ${child.pid ?? '?'}, log ${logPath}` };
  }

  async observe(runId: string): Promise<AgentStatus> {
    const run = this.runs.get(runId);
    if (!run) return { status: 'failed', detail: `run ${runId} is not a process of this switchboard (was it restarted?)` };
    const log = `log ${run.logPath}`;
    if (!run.exit) return { status: 'running', detail: `pid ${run.child.pid ?? '?'} running, ${log}` };
    const { code, signal } = run.exit;
    if (code === 0) return { status: 'done', detail: `exited 0, ${log}` };
    if (run.timedOut) return { status: 'failed', detail: `killed (${signal ?? `exit ${code}`}) after its ${run.timeoutMinutes}-minute timeout, ${log}` };
    return { status: 'failed', detail: `${signal ? `killed by ${signal}` : `exited ${code}`}, ${log}` };
  }

  /** A cancelled or escalated dispatch: the run is asked to stop (SIGTERM, then SIGKILL after the grace). */
  async stop(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (!run || run.exit) return;
    run.child.kill('SIGTERM');
    const kill = setTimeout(() => run.child.kill('SIGKILL'), this.killGraceMs);
    kill.unref();
    run.timers.push(kill);
  }

  /** The agent's working directory for a repo; `{repo}` is substituted, so a hostile name is refused. */
  private repoDir(template: string | undefined, repo: string): string {
    if (template === undefined) return process.cwd();
    if (template.includes('{repo}') && (isAbsolute(repo) || repo.split(/[\\/]/).some((part) => part === '..' || part === ''))) {
      throw new UsageError(`repository name "${repo}" cannot be used in a working directory`);
    }
    const dir = fillTemplate(template, { repo });
    return resolve(dir === '~' || dir.startsWith('~/') ? join(homedir(), dir.slice(1)) : dir);
  }

  /** A worktree per issue, reused by its retries so they continue the same work. */
  private async worktree(repoDir: string, name: string): Promise<string> {
    const root = await ensurePrivateDir(join(this.options.stateDir, 'worktrees'));
    const path = inside(root, name);
    const exists = await access(path).then(() => true, () => false);
    if (!exists) await execFileAsync('git', ['-C', repoDir, 'worktree', 'add', '--detach', path], { timeout: 60_000, windowsHide: true });
    return path;
  }
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
