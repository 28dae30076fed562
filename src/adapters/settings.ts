import { chmodSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import Conf from 'conf';
import { type Config, ConfigSchema, formatPath } from '../core/config.js';
import { ValidationError } from '../core/errors.js';

/**
 * switchboard's settings: the `conf` store (or the `--config FILE` given instead), layered under
 * the environment and flags. Precedence: flags > env > file > defaults. Every value knows where
 * it came from, so `config show` can say, and a bad value names its source.
 */

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface SettingsFileOptions {
  /** `--config FILE`: this file instead of the per-user store */
  readonly file?: string | undefined;
  /** the store's directory (tests); the platform's config dir by default */
  readonly cwd?: string | undefined;
}

export interface SettingsFile {
  readonly path: string;
  /** the file's raw content; {} when it does not exist */
  read(): Record<string, unknown>;
  /** validate, then replace the file's content (0600) */
  write(raw: Record<string, unknown>): void;
}

export function openSettingsFile(o: SettingsFileOptions = {}): SettingsFile {
  const file = o.file ? resolve(o.file) : undefined;
  const ext = file ? extname(file) : '.json';
  const store = new Conf<Record<string, unknown>>({
    projectName: 'switchboard',
    projectSuffix: '',
    ...(file ? { cwd: dirname(file), configName: basename(file, ext), fileExtension: ext.replace(/^\./, '') } : {}),
    ...(o.cwd && !file ? { cwd: o.cwd } : {}),
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
  });
  const path = store.path;
  return {
    path,
    read() {
      try {
        const raw: unknown = store.store;
        return raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
      } catch (err) {
        const why = (err as Error).name === 'SyntaxError' ? 'is not valid JSON' : 'cannot be read';
        throw new ValidationError(`config file ${path} ${why}.`, [], 'fix it with switchboard config edit, or remove it');
      }
    },
    write(raw) {
      validate(raw, () => `config file ${path}`);
      store.store = raw;
      chmodSync(path, 0o600);
    },
  };
}

export interface SettingsOverrides {
  readonly url?: string | undefined;
  readonly repo?: readonly string[] | undefined;
  readonly intervalSeconds?: number | undefined;
}

export interface ResolvedSettings {
  readonly config: Config;
  readonly path: string;
  /** where each leaf of the effective config came from, by dotted path */
  readonly sources: ReadonlyMap<string, Source>;
}

type Tree = Record<string, unknown>;

const get = (tree: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), tree);

function set(tree: Tree, path: readonly string[], value: unknown): Tree {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  const child = tree[head];
  return { ...tree, [head]: rest.length === 0 ? value : set(child && typeof child === 'object' && !Array.isArray(child) ? (child as Tree) : {}, rest, value) };
}

/** `intervalSeconds` from `30s`, `15m`, `1h` (or plain seconds); at least one second. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(text);
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h']) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 1 || !Number.isInteger(seconds)) {
    throw new ValidationError(`${what} takes a duration like 30s, 15m or 1h of at least one second, not "${text}".`);
  }
  return seconds;
}

function validate(raw: unknown, sourceOf: (path: string) => string): Config {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const list = problems.map((p) => `  ${p.path}: ${p.message} (from ${sourceOf(p.path)})`).join('\n');
  throw new ValidationError(
    `the configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${list}`,
    problems,
    'fix it with switchboard config edit, or switchboard config set <path> <value>',
  );
}

/** Layer flags over env over the file over the defaults, validate, and say where each value came from. */
export function resolveSettings(
  o: SettingsFileOptions & { flags?: SettingsOverrides; env?: NodeJS.ProcessEnv },
): ResolvedSettings {
  const settings = openSettingsFile(o);
  const env = o.env ?? process.env;
  const flags = o.flags ?? {};
  const raw = settings.read();
  const overridden = new Map<string, Source>();
  let merged: Tree = raw;
  const layer = (path: string[], value: unknown, source: Source) => {
    if (value === undefined) return;
    merged = set(merged, path, value);
    overridden.set(path.join('.'), source);
  };
  layer(['tracker', 'kind'], env.SWITCHBOARD_TRACKER || undefined, 'env');
  const github = (env.SWITCHBOARD_TRACKER || get(raw, ['tracker', 'kind'])) === 'github';
  layer(['tracker', 'url'], (github ? env.GITHUB_API_URL : env.GITEA_URL) || undefined, 'env');
  layer(['repos'], env.SWITCHBOARD_REPOS ? env.SWITCHBOARD_REPOS.split(',').map((r) => r.trim()).filter(Boolean) : undefined, 'env');
  layer(['intervalSeconds'], env.SWITCHBOARD_INTERVAL ? parseDuration(env.SWITCHBOARD_INTERVAL, 'SWITCHBOARD_INTERVAL') : undefined, 'env');
  layer(['tracker', 'url'], flags.url, 'flag');
  layer(['repos'], flags.repo && flags.repo.length > 0 ? [...flags.repo] : undefined, 'flag');
  layer(['intervalSeconds'], flags.intervalSeconds, 'flag');

  const names: Record<Source, string> = { flag: 'a flag', env: 'the environment', file: `config file ${settings.path}`, default: 'the defaults' };
  const sourceAt = (dotted: string): Source => {
    for (const [path, source] of overridden) if (dotted === path || dotted.startsWith(`${path}.`) || dotted.startsWith(`${path}[`)) return source;
    const keys = dotted.split(/[.[\]]+/).filter(Boolean);
    return get(raw, keys) !== undefined ? 'file' : 'default';
  };
  const config = validate(merged, (p) => names[sourceAt(p)]);
  const sources = new Map<string, Source>();
  const walk = (node: unknown, path: string): void => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    } else sources.set(path, sourceAt(path));
  };
  walk(config, '');
  return { config, path: settings.path, sources };
}

/** Values that may carry a secret are shown masked. */
export function maskSecret(path: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (path === 'notify.webhookUrl') return value.replace(/^(https?:\/\/[^/]+).*$/, '$1/…');
  if (/url$/i.test(path)) return value.replace(/\/\/[^@/]*@/, '//…@');
  return value;
}
