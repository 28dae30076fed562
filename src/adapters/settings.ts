import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import envPaths from 'env-paths';
import type { z } from 'zod';
import { type Config, ConfigSchema, formatPath, MAX_INTERVAL_SECONDS } from '../core/config.js';
import { ValidationError } from '../core/errors.js';
import { terminal } from './terminal-output.js';

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
  write(raw: Record<string, unknown>): Promise<void>;
}

/**
 * The config file's content, or one sentence naming the file: a directory, an empty file, a
 * byte-order mark, invalid JSON or a non-object are each refused (exit 2), never an internal error.
 * Read here rather than through conf, whose errors are a bare SyntaxError or EISDIR.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  const refuse = (why: string) => new ValidationError(`config file ${path} ${why}.`, [], 'fix it with switchboard config edit, or remove it');
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw refuse('is a directory, not a file');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw refuse(code === 'EACCES' ? 'is not readable' : 'cannot be read');
  }
  if (text.startsWith('\uFEFF')) throw refuse('starts with a byte-order mark (BOM); save it as UTF-8 without one');
  if (text.trim() === '') throw refuse('is empty; write {} for the defaults');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refuse(`is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw refuse(`holds ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : `a ${typeof raw}`}, not a JSON object`);
  }
  return raw as Record<string, unknown>;
}

export function openSettingsFile(o: SettingsFileOptions = {}): SettingsFile {
  const file = o.file ? resolve(o.file) : undefined;
  const ext = file ? extname(file) : '.json';
  const path = file ?? join(o.cwd ?? envPaths('switchboard', { suffix: '' }).config, 'config.json');
  // made only to write: reading goes through readConfigFile, which explains a broken file. conf
  // (with ajv) is imported here, not at the top: a read-only command never pays for loading it.
  const store = async () => {
    const { default: Conf } = await import('conf');
    return new Conf<Record<string, unknown>>({
      projectName: 'switchboard',
      projectSuffix: '',
      ...(file ? { cwd: dirname(file), configName: basename(file, ext), fileExtension: ext.replace(/^\./, '') } : {}),
      ...(o.cwd && !file ? { cwd: o.cwd } : {}),
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      // the content is replaced by a validated one anyway (config edit repairs a broken file)
      clearInvalidConfig: true,
    });
  };
  return {
    path,
    read: () => readConfigFile(path),
    async write(raw) {
      validate(raw, () => `config file ${path}`);
      (await store()).store = raw;
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
  /** keys of the file that switchboard does not know (a typo is otherwise silently ignored) */
  readonly warnings: readonly string[];
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

/** `intervalSeconds` from `30s`, `15m`, `1h`, `2d` (or plain seconds): from one second to seven days. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/i.exec(text);
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd']) : Number.NaN;
  // beyond seven days Node's timer overflows and fires at once: a cycle every millisecond
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_INTERVAL_SECONDS || !Number.isInteger(seconds)) {
    throw new ValidationError(`${what} takes a duration from 1s to 7d, like 30s, 15m or 1h, not "${text}".`);
  }
  return seconds;
}

/** A URL for display: user name, password and every query value hidden (they may be keys). */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1…@').replace(/([?&][^=&#]*=)[^&#]*/g, '$1…');
}

type Schema = z.core.$ZodType;

/** The object (or list) schema under defaults, optionals and prefaults. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const def = s._zod.def as { type: string; innerType?: Schema; in?: Schema };
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/** Edit distance, for "did you mean": ten lines rather than a dependency. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** One warning per key of `raw` that the schema does not know, naming the nearest known key. */
export function unknownKeys(raw: unknown, schema: Schema = ConfigSchema, path = ''): string[] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; shape?: Record<string, Schema>; element?: Schema; catchall?: Schema };
  if (def.type === 'array' && def.element && Array.isArray(raw)) return raw.flatMap((v, i) => unknownKeys(v, def.element, `${path}[${i}]`));
  if (def.type !== 'object' || !def.shape || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const known = Object.keys(def.shape);
  return Object.entries(raw).flatMap(([key, value]) => {
    const at = path ? `${path}.${key}` : key;
    // own keys only: a file key named "constructor" or "toString" is unknown, not Object's member
    if (Object.hasOwn(def.shape!, key)) return unknownKeys(value, def.shape![key], at);
    if (def.catchall && (def.catchall._zod.def as { type: string }).type !== 'never') return [];
    const nearest = [...known].sort((a, b) => distance(key, a) - distance(key, b))[0];
    return [`unknown config key "${at}" is ignored${nearest ? `; did you mean "${path ? `${path}.` : ''}${nearest}"?` : ''}`];
  });
}

const warned = new Set<string>();

/** Each warning once per process, on stderr. */
function warnOnce(text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  terminal.err(`switchboard: warning: ${text}`);
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
  o: SettingsFileOptions & { flags?: SettingsOverrides; env?: NodeJS.ProcessEnv; onWarning?: (text: string) => void },
): ResolvedSettings {
  const settings = openSettingsFile(o);
  // a mistyped --config would otherwise run on the defaults without a word (config init, set and
  // edit write it, so they open the file without this check)
  if (o.file && !existsSync(settings.path)) {
    throw new ValidationError(`config file ${settings.path} does not exist.`, [], `create it with switchboard config init --config ${o.file}, or leave out --config to use the per-user config`);
  }
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
  const warnings = unknownKeys(raw).map((w) => `${w} (config file ${settings.path})`);
  for (const w of warnings) (o.onWarning ?? warnOnce)(w);
  const config = validate(merged, (p) => names[sourceAt(p)]);
  const sources = new Map<string, Source>();
  const walk = (node: unknown, path: string): void => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    } else sources.set(path, sourceAt(path));
  };
  walk(config, '');
  return { config, path: settings.path, sources, warnings };
}

/** Values that may carry a secret are shown masked. */
export function maskSecret(path: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (path === 'notify.webhookUrl') return value.replace(/^(https?:\/\/[^/]+).*$/, '$1/…');
  if (/url$/i.test(path)) return maskUrl(value);
  return value;
}
