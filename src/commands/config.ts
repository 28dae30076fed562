import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline/promises';
import { z } from 'zod';
import { maskSecret, openSettingsFile, parseDuration, resolveSettings } from '../adapters/settings.js';
import { ConfigSchema, formatPath, REPO_PATTERN } from '../core/config.js';
import { UsageError, ValidationError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import { type CommandOptions, flag, type GlobalOptions } from './cli-options.js';
import { EXIT } from './exit.js';
import { terminalSafeJson } from './output.js';
import { terminal } from '../adapters/terminal-output.js';

const out = terminal.out;

const TOKEN_REFUSAL =
  'switchboard never stores a token in its config: set GITEA_TOKEN in the environment, or put the token in a file only you can read (chmod 600) and run switchboard config set tracker.tokenFile /path/to/file.';

function splitPath(path: string): (string | number)[] {
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  // no config key is named like an Object.prototype member: such a path would read or set the prototype
  if (parts.length === 0 || parts.some((p) => p in Object.prototype)) throw new UsageError(`"${path}" is not a config path; see switchboard config show.`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function isTokenPath(path: string): boolean {
  return /(^|\.)(token|apiToken|password|secret)$/i.test(path);
}

function getAt(tree: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as Record<string | number, unknown>)[k] : undefined), tree);
}

function setAt(tree: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base: Record<string | number, unknown> | unknown[] =
    Array.isArray(tree) ? [...tree] : tree && typeof tree === 'object' ? { ...(tree as object) } : typeof head === 'number' ? [] : {};
  (base as Record<string | number, unknown>)[head] = setAt((base as Record<string | number, unknown>)[head], rest, value);
  return base;
}

/** A value typed on the command line: JSON when it parses (numbers, booleans, arrays), else a string. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function maskTree(node: unknown, path = ''): unknown {
  if (Array.isArray(node)) return node.map((v, i) => maskTree(v, `${path}[${i}]`));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, maskTree(v, path ? `${path}.${k}` : k)]));
  return maskSecret(path, node);
}

export function configPath(g: GlobalOptions): number {
  out(openSettingsFile({ file: g.config }).path);
  return EXIT.ok;
}

export const CONFIG_SHOW_OPTIONS = { json: flag };

export function configShow(o: CommandOptions<typeof CONFIG_SHOW_OPTIONS>): number {
  const { config, sources, path } = resolveSettings({ file: o.config, flags: { url: o.url, repo: o.repo } });
  if (o.json) {
    out(terminalSafeJson({ file: path, config: maskTree(config), sources: Object.fromEntries(sources) }));
    return EXIT.ok;
  }
  out(`# effective configuration (file: ${path})`);
  for (const [key, source] of sources) {
    const value = maskSecret(key, getAt(config, splitPath(key)));
    out(`${key} = ${JSON.stringify(value) ?? 'unset'}  (${source})`);
  }
  return EXIT.ok;
}

export function configGet(g: GlobalOptions, path: string): number {
  if (isTokenPath(path)) throw new UsageError(TOKEN_REFUSAL);
  const { config } = resolveSettings({ file: g.config, flags: { url: g.url, repo: g.repo } });
  const value = getAt(config, splitPath(path));
  if (value === undefined && !knownPath(path)) throw new UsageError(`"${path}" is not a config path; see switchboard config show.`);
  if (value === undefined) out(`${path} is unset`);
  else out(typeof value === 'string' ? String(maskSecret(path, value)) : terminalSafeJson(maskTree(value, path)));
  return EXIT.ok;
}

function knownPath(path: string): boolean {
  const top = splitPath(path)[0];
  return typeof top === 'string' && Object.hasOwn(ConfigSchema.shape, top);
}

/**
 * The readings of a typed value, in order: JSON, then the forms the flags and environment take
 * (`15m` for a duration, `a/b,c/d` for a list). The first the schema accepts is the one meant.
 */
function readings(path: string, text: string): unknown[] {
  const out: unknown[] = [parseValue(text)];
  if (/seconds$/i.test(path)) {
    try {
      out.push(parseDuration(text, path));
    } catch {
      // not a duration either: the schema's complaint about the first reading is the one shown
    }
  }
  if (!text.trim().startsWith('[')) out.push(text.split(',').map((v) => v.trim()).filter(Boolean));
  return out;
}

export async function configSet(g: GlobalOptions, path: string, value: string): Promise<number> {
  if (isTokenPath(path)) throw new UsageError(TOKEN_REFUSAL);
  if (!knownPath(path)) throw new UsageError(`"${path}" is not a config path; see switchboard config show.`);
  const file = openSettingsFile({ file: g.config });
  const current = file.read();
  const keys = splitPath(path);
  const candidates = readings(path, value).map((v) => setAt(current, keys, v) as Record<string, unknown>);
  const next = candidates.find((c) => ConfigSchema.safeParse(c).success);
  if (next === undefined) {
    // Say whose fault it is: the value typed here, or something already wrong in the file.
    const issues = ConfigSchema.safeParse(candidates[0]).error?.issues ?? [];
    const mine = issues.filter((i) => formatPath(i.path).startsWith(path) || path.startsWith(formatPath(i.path)));
    if (mine.length > 0) {
      const list = mine.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
      throw new ValidationError(`${path} cannot be ${JSON.stringify(value)} (the value given to config set): ${list}.`, mine.map((i) => ({ path: formatPath(i.path), message: i.message })));
    }
  }
  await file.write(next ?? candidates[0]!);
  out(`${path} set in ${file.path}.`);
  return EXIT.ok;
}

export const CONFIG_INIT_OPTIONS = {
  /** the login flagged issues go to */
  owner: z.string().optional(),
  /** agent specs: claude, kimi=label:kimi-ready, bot=http:https://host/hook */
  agent: z.array(z.string()).optional(),
  /** gitea, forgejo or github (the config schema checks it) */
  kind: z.string().optional(),
  force: flag,
};

/** `config init`: questions on a terminal, flags otherwise. Never asks for the token. */
export async function configInit(flags: CommandOptions<typeof CONFIG_INIT_OPTIONS>): Promise<number> {
  const file = openSettingsFile({ file: flags.config });
  const existing = file.read();
  if (Object.keys(existing).length > 0 && !flags.force) {
    throw new UsageError(`${file.path} already exists; pass --force to replace it, or change values with switchboard config set.`);
  }
  let { url, repo: repos = [], owner } = flags;
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      url ||= (await askUntilValid(rl, 'Tracker URL (https://git.example.com): ', urlProblem)) || undefined;
      if (repos.length === 0) repos = splitList(await askUntilValid(rl, 'Repos to enrol (owner/name, comma-separated): ', reposProblem));
      owner ||= (await askUntilValid(rl, 'Owner login to flag issues to [owner]: ', loginProblem)) || undefined;
    } finally {
      rl.close();
    }
  }
  for (const r of repos) if (!REPO_PATTERN.test(r)) throw new UsageError(`"${r}" is not an owner/name repo.`);
  const raw: Record<string, unknown> = {
    tracker: { kind: flags.kind ?? 'gitea', ...(url ? { url } : {}) },
    repos,
    ...(owner ? { ownerLogin: owner } : {}),
  };
  if (flags.agent && flags.agent.length > 0) {
    raw.agents = [
      ...flags.agent.map((spec) => agentFromFlag(spec)),
      { id: 'owner', displayName: 'Owner', kind: 'owner', strengths: ['triage', 'planning'], maxConcurrent: 100 },
    ];
    const first = (raw.agents as { id: string }[])[0]!.id;
    raw.roles = { coding: first, research: first, owner: 'owner' };
  }
  await file.write(raw);
  out(`Wrote ${file.path}.`);
  out(
    flags.kind === 'github'
      ? 'Next: export GITHUB_TOKEN=… (or GH_TOKEN; a classic token needs the repo scope), then run switchboard doctor.'
      : 'Next: export GITEA_TOKEN=… (scopes: read+write issue, read repository, read user), then run switchboard doctor.',
  );
  return EXIT.ok;
}

const splitList = (text: string): string[] => text.split(',').map((r) => r.trim()).filter(Boolean);

export const urlProblem = (text: string): string | null => {
  if (text === '') return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'the URL must start with https:// (or http://)';
  } catch {
    return `"${text}" is not a URL; give it like https://git.example.com`;
  }
};

export const reposProblem = (text: string): string | null => {
  const bad = splitList(text).filter((r) => !REPO_PATTERN.test(r));
  return bad.length === 0 ? null : `${bad.map((r) => `"${r}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not owner/name`;
};

export const loginProblem = (text: string): string | null =>
  text === '' || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text) ? null : `"${text}" is not a login`;

/** Ask until the answer passes `problem` (say why, ask again): a typo costs one line, not every answer. */
export async function askUntilValid(rl: Interface, question: string, problem: (answer: string) => string | null): Promise<string> {
  for (;;) {
    const answer = (await rl.question(question)).trim();
    const why = problem(answer);
    if (why === null) return answer;
    out(`  ${sanitize(why)}; try again.`);
  }
}

/** `--agent id=label:kimi-ready`, `id=assignee:claude`, `id=http:https://…`, or just a login to assign. */
function agentFromFlag(spec: string): Record<string, unknown> {
  const m = /^([A-Za-z0-9_-]+)(?:=(label|assignee|http):(.+))?$/.exec(spec);
  if (!m) throw new UsageError(`--agent "${spec}" should look like claude, kimi=label:kimi-ready or bot=http:https://host/dispatch.`);
  const [, id, how, what] = m as unknown as [string, string, string | undefined, string | undefined];
  if (how === 'http') return { id, displayName: id, kind: 'http', endpoint: what };
  if (how === 'label') return { id, displayName: id, kind: 'tracker', label: what };
  return { id, displayName: id, kind: 'tracker', assignee: what ?? id };
}

/** `config edit`: $EDITOR on a copy; saved only when it validates, else the old file stays. */
export async function configEdit(g: GlobalOptions): Promise<number> {
  const file = openSettingsFile({ file: g.config });
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new UsageError('set $EDITOR (or $VISUAL) to the editor to use, e.g. EDITOR=nano.');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-edit-'));
  const copy = join(dir, 'config.json');
  try {
    if (existsSync(file.path)) copyFileSync(file.path, copy);
    else out(`${file.path} does not exist yet; starting from an empty file.`);
    if (!existsSync(copy)) writeFileSync(copy, '{}\n', { mode: 0o600 });
    // argv, no shell: an EDITOR with arguments ("code -w") is split on spaces
    const [cmd, ...args] = editor.split(/\s+/).filter(Boolean);
    const r = spawnSync(cmd!, [...args, copy], { stdio: 'inherit' });
    if (r.error) throw new UsageError(`could not start the editor "${cmd}": ${r.error.message}.`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(copy, 'utf8'));
    } catch (err) {
      throw new ValidationError(`the edited config is not valid JSON (${(err as Error).message}); ${file.path} was kept unchanged.`);
    }
    const checked = ConfigSchema.safeParse(raw);
    if (!checked.success) {
      const list = checked.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n');
      throw new ValidationError(`the edited config is invalid; ${file.path} was kept unchanged:\n${list}`);
    }
    await file.write(raw as Record<string, unknown>);
    out(`Saved ${file.path}.`);
    return EXIT.ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
