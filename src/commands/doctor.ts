import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { onPath } from '../adapters/readiness.js';
import type { Config } from '../core/config.js';
import { SwitchboardError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import { type CommandOptions, flag } from './cli-options.js';
import { EXIT } from './exit.js';
import { type GlobalOptions, type Loaded, loadSettings } from './globals.js';
import { terminal, terminalSafeJson } from '../adapters/terminal-output.js';

/** `switchboard doctor`: every check on one line, ✓ or ✗ with the fix. Exit 0 only when all pass. */

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** what to do when it failed */
  readonly fix?: string;
}

export const reason = (err: unknown): string => sanitize(err instanceof Error ? err.message : String(err)).replace(/\.$/, '');

async function answers(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000), redirect: 'manual' });
    await res.body?.cancel();
    return `HTTP ${res.status}`;
  } catch {
    return null;
  }
}

async function trackerChecks(loaded: Loaded, add: (c: Check) => void): Promise<void> {
  const { connection, config } = loaded;
  if (!connection.url) {
    add({ name: 'tracker', ok: false, detail: 'no tracker URL is configured', fix: 'pass --url, set GITEA_URL, or run switchboard config init' });
    return;
  }
  if (config.tracker.kind === 'github') {
    const { githubChecks } = await import('./doctor-github.js');
    return githubChecks(loaded, add);
  }
  const host = new URL(connection.url).host;
  const [{ createGiteaTracker }, { trackerLimits }] = await Promise.all([import('../adapters/gitea/index.js'), import('../adapters/http/limits.js')]);
  const tracker = createGiteaTracker({
    url: connection.url,
    token: connection.token ?? 'none',
    kind: config.tracker.kind === 'forgejo' ? 'forgejo' : 'gitea',
    tokenSource: connection.tokenSource,
    ...trackerLimits(config.tracker),
    retry: { attempts: 1 },
    timeouts: { connectMs: 3000, headersMs: 10_000, bodyMs: 10_000, requestMs: 10_000 },
  });
  try {
    try {
      const version = await tracker.serverVersion();
      add({ name: 'tracker reachable', ok: true, detail: `${host} answers (version ${sanitize(version)})` });
    } catch (err) {
      add({ name: 'tracker reachable', ok: false, detail: reason(err), fix: `check that ${host} is up and the URL is right (switchboard config get tracker.url)` });
      return;
    }
    if (!connection.token) {
      add({ name: 'token', ok: false, detail: `no token for ${host}`, fix: 'set GITEA_TOKEN or tracker.tokenFile (a 0600 file)' });
      return;
    }
    let login: string;
    try {
      login = await tracker.currentUser();
      add({ name: 'token accepted', ok: true, detail: `signed in as ${sanitize(login)}` });
    } catch (err) {
      add({ name: 'token accepted', ok: false, detail: reason(err), fix: `create a token with read+write issue, read repository and read user scopes and put it in ${connection.tokenSource}` });
      return;
    }
    if (connection.repos.length === 0) {
      add({ name: 'repos', ok: false, detail: 'no repositories are enrolled', fix: 'pass --repo owner/name, set SWITCHBOARD_REPOS, or switchboard config set repos \'["owner/name"]\'' });
    }
    const assignees = [...new Set(config.agents.filter((a) => a.kind === 'tracker' && a.assignee).map((a) => a.assignee!))];
    for (const repo of connection.repos) {
      let canWrite = false;
      try {
        await tracker.repoPermissions(repo);
        // Not the repo's `push` flag: that is write on code (Gitea services/convert/repository.go:43).
        // Switchboard's writes need write on issues — labels (routers/api/v1/repo/issue_label.go:177,
        // :322), assignees (issue.go:857), label creation (api.go reqRepoWriter) — while readers may
        // comment (issue_comment.go:389). The token user's own permission says which it has.
        const permission = await tracker.permission(repo, login);
        canWrite = permission === 'write' || permission === 'admin' || permission === 'owner';
        add(
          canWrite
            ? { name: `repo ${repo}`, ok: true, detail: `exists and the token user can comment, label and assign (${permission})` }
            : {
                name: `repo ${repo}`,
                ok: false,
                detail: `the token user can ${permission === 'read' ? 'comment on issues but not label or assign them' : 'not write issues'} (${permission})`,
                fix: `give ${sanitize(login)} write access to issues in ${repo}`,
              },
        );
      } catch (err) {
        add({ name: `repo ${repo}`, ok: false, detail: reason(err), fix: `check the name ${repo} and that the token user can see it` });
        continue;
      }
      if (assignees.length > 0) {
        try {
          const refused = await tracker.unassignable(repo, assignees);
          add(
            refused.length === 0
              ? { name: `assignees ${repo}`, ok: true, detail: `${assignees.map((a) => `@${a}`).join(', ')} can be assigned` }
              : { name: `assignees ${repo}`, ok: false, detail: `${refused.map((a) => `@${sanitize(a)}`).join(', ')} cannot be assigned to issues`, fix: `give ${refused.length === 1 ? 'that user' : 'those users'} write access to ${repo}, or fix agents[].assignee` },
          );
        } catch (err) {
          add({ name: `assignees ${repo}`, ok: false, detail: reason(err), fix: `check that the token user can see ${repo}` });
        }
      }
      add(await labelsCheck(tracker, config, repo, canWrite, 'check the token can read labels'));
    }
  } finally {
    await tracker.close().catch(() => undefined);
  }
}

/** Whether the labels switchboard writes are in a repo, or will be created on first use. */
export async function labelsCheck(
  tracker: { listLabels(repo: string): Promise<readonly { readonly name: string }[]> },
  config: Config,
  repo: string,
  canWrite: boolean,
  readFix: string,
): Promise<Check> {
  try {
    const have = new Set((await tracker.listLabels(repo)).map((l) => l.name));
    const missing = wantedLabels(config).filter((l) => !have.has(l));
    if (missing.length === 0) return { name: `labels ${repo}`, ok: true, detail: 'all present' };
    return canWrite
      ? { name: `labels ${repo}`, ok: true, detail: `missing ${missing.join(', ')}; created on first use` }
      : { name: `labels ${repo}`, ok: false, detail: `missing ${missing.join(', ')}`, fix: `create them in ${repo} or give the token write access` };
  } catch (err) {
    return { name: `labels ${repo}`, ok: false, detail: reason(err), fix: readFix };
  }
}

export function wantedLabels(config: Config): string[] {
  const agentLabels = config.agents.filter((a) => a.kind === 'tracker' && a.label).map((a) => a.label!);
  return [...new Set([config.labels.inProgress, config.labels.needsHuman, ...agentLabels])];
}

async function agentChecks(config: Config, env: NodeJS.ProcessEnv, add: (c: Check) => void): Promise<void> {
  for (const agent of config.agents) {
    if (agent.kind === 'http' && agent.endpoint) {
      const status = await answers(agent.endpoint);
      add(
        status
          ? { name: `agent ${agent.id}`, ok: true, detail: `${new URL(agent.endpoint).host} answers (${status})` }
          : { name: `agent ${agent.id}`, ok: false, detail: `${new URL(agent.endpoint).host} does not answer`, fix: `start the agent service or fix agents[].endpoint of ${agent.id}` },
      );
      if (agent.secretEnv && !env[agent.secretEnv]) {
        add({ name: `agent ${agent.id} secret`, ok: false, detail: `${agent.secretEnv} is not set`, fix: `export ${agent.secretEnv}=… (the HMAC signing secret)` });
      }
    } else if (agent.kind === 'command' && agent.command) {
      const cmd = agent.command[0]!;
      add(
        (await onPath(cmd, env.PATH ?? ''))
          ? { name: `agent ${agent.id}`, ok: true, detail: `${cmd} is on PATH` }
          : { name: `agent ${agent.id}`, ok: false, detail: `${cmd} is not on PATH`, fix: `install ${cmd} or give its full path in agents[].command` },
      );
    }
  }
}

async function stateDirCheck(dir: string | undefined, add: (c: Check) => void): Promise<void> {
  try {
    const path = await resolveStateDir({ dir });
    const probe = join(path, `.doctor-${process.pid}`);
    await writeFile(probe, 'ok', { mode: 0o600 });
    await unlink(probe);
    add({ name: 'state dir', ok: true, detail: `${path} is private to you and writable` });
  } catch (err) {
    // a permission problem names its own fix ("…; run: chmod 700 DIR")
    const [detail, fix] = reason(err).split(/; run: /) as [string, string | undefined];
    add({ name: 'state dir', ok: false, detail, fix: fix ? `run: ${fix}` : 'pass --state-dir DIR pointing to a writable directory' });
  }
}

async function notifyCheck(config: Config, add: (c: Check) => void): Promise<void> {
  if (!config.notify.webhookUrl) {
    add({ name: 'notifier', ok: false, detail: 'no webhook is configured', fix: 'switchboard config set notify.webhookUrl https://…' });
    return;
  }
  const host = new URL(config.notify.webhookUrl).host;
  try {
    const res = await fetch(config.notify.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'switchboard doctor: test message' }),
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    add(res.ok ? { name: 'notifier', ok: true, detail: `${host} took a test message` } : { name: 'notifier', ok: false, detail: `${host} answered HTTP ${res.status}`, fix: 'check notify.webhookUrl' });
  } catch {
    add({ name: 'notifier', ok: false, detail: `${host} does not answer`, fix: 'check notify.webhookUrl' });
  }
}

export async function runChecks(g: GlobalOptions, o: { notify?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => void checks.push(c);
  let loaded: Loaded | null = null;
  try {
    loaded = loadSettings(g, {}, env);
    add({ name: 'config', ok: true, detail: `valid (${loaded.path})` });
  } catch (err) {
    if (!(err instanceof SwitchboardError)) throw err;
    add({ name: 'config', ok: false, detail: err.message, fix: err.hint ?? 'switchboard config edit' });
  }
  if (loaded) {
    await trackerChecks(loaded, add);
    await agentChecks(loaded.config, env, add);
  }
  await stateDirCheck(g.stateDir, add);
  if (o.notify && loaded) await notifyCheck(loaded.config, add);
  return checks;
}

export const DOCTOR_OPTIONS = { json: flag, notify: flag };

export async function doctorCommand(o: CommandOptions<typeof DOCTOR_OPTIONS>): Promise<number> {
  const checks = await runChecks(o, o);
  const ok = checks.every((c) => c.ok);
  if (o.json) terminal.out(terminalSafeJson({ ok, checks }));
  else {
    for (const c of checks) {
      terminal.out(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${c.ok || !c.fix ? '' : `\n    fix: ${c.fix}`}`);
    }
    terminal.out(ok ? 'All checks passed.' : `${checks.filter((c) => !c.ok).length} check(s) failed.`);
  }
  return ok ? EXIT.ok : EXIT.failure;
}
