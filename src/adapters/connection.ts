import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import type { Config } from '../core/config.js';
import { RepoNameSchema, uniqueRepos } from '../core/config.js';
import { ValidationError } from '../core/errors.js';
import { maskUrl } from './settings.js';

/**
 * Where switchboard connects and which repos it enrols. Precedence: flags > environment
 * (GITEA_URL, GITEA_TOKEN, SWITCHBOARD_REPOS) > config file > defaults. The token never comes from
 * the config file itself: only from the environment or a 0600 token file.
 */
export interface Connection {
  /** gitea/forgejo unless the config (or SWITCHBOARD_TRACKER) says github */
  readonly kind?: 'gitea' | 'forgejo' | 'github';
  readonly url: string | undefined;
  readonly token: string | undefined;
  /** where the token came from, named when the tracker rejects it */
  readonly tokenSource: string;
  readonly repos: readonly string[];
}

export interface ConnectionFlags {
  readonly url?: string;
  readonly repo?: readonly string[];
}

function checkRepos(repos: readonly string[], source: string): string[] {
  return repos.map((r) => {
    const repo = r.trim();
    if (!RepoNameSchema.safeParse(repo).success) throw new ValidationError(`${source}: "${repo}" is not an owner/name repo.`);
    return repo;
  });
}

function readTokenFile(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    throw new ValidationError(`token file ${path} does not exist.`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ValidationError(`token file ${path} is readable by others; run: chmod 600 ${path}`);
  }
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(`token file ${path} ${code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'is not readable' : 'cannot be read'}.`);
  }
}

/** Where a token for this kind of tracker comes from, for a "no token" sentence. */
export const tokenSources = (kind: Config['tracker']['kind']): string =>
  kind === 'github' ? 'GITHUB_TOKEN or GH_TOKEN, or tracker.tokenCommand (e.g. ["gh","auth","token"])' : 'GITEA_TOKEN or tracker.tokenFile (a 0600 file)';

/**
 * A pasted token often brings a newline: surrounding white space is dropped. A control character
 * inside cannot be sent in a header, and used to surface as "tracker unavailable".
 */
export function checkToken(raw: string, source: string): string {
  const token = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(token)) {
    throw new ValidationError(`the token in ${source} contains a control character; copy it again without line breaks or escapes.`, [], `set the token again in ${source}`);
  }
  if (token === '') throw new ValidationError(`the token in ${source} is empty.`);
  // an HTTP header carries Latin-1 at most, and tokens are ASCII: anything else is a bad paste
  // (a smart quote, a mis-decoded byte) that undici would refuse as UND_ERR_INVALID_ARG
  if (/[^\u0020-\u007e]/.test(token)) {
    throw new ValidationError(`the token in ${source} contains a character that is not plain ASCII; copy it again.`, [], `set the token again in ${source}`);
  }
  return token;
}

/**
 * `tracker.tokenCommand`, e.g. ["gh","auth","token"]: run without a shell, its first line is the
 * token. Neither its output nor its error text is ever shown (either may hold the token).
 */
export function runTokenCommand(argv: readonly string[]): string {
  const [command, ...args] = argv;
  const name = `tracker.tokenCommand (${command ?? ''})`;
  let out: string;
  try {
    out = execFileSync(command as string, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024, shell: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ValidationError(code === 'ENOENT' ? `${name} is not installed or not on PATH.` : `${name} failed; run it yourself to see why.`);
  }
  const token = out.split('\n')[0]?.trim() ?? '';
  if (!token) throw new ValidationError(`${name} printed no token.`);
  return token;
}

function resolveGithub(config: Config, flags: ConnectionFlags, env: NodeJS.ProcessEnv): Pick<Connection, 'url' | 'token' | 'tokenSource'> {
  const url = flags.url ?? (env.GITHUB_API_URL || undefined) ?? config.tracker.url ?? 'https://api.github.com';
  if (env.GITHUB_TOKEN) return { url, token: env.GITHUB_TOKEN.trim(), tokenSource: 'GITHUB_TOKEN' };
  if (env.GH_TOKEN) return { url, token: env.GH_TOKEN.trim(), tokenSource: 'GH_TOKEN' };
  if (config.tracker.tokenCommand) return { url, token: runTokenCommand(config.tracker.tokenCommand), tokenSource: 'tracker.tokenCommand' };
  if (config.tracker.tokenFile) return { url, token: readTokenFile(config.tracker.tokenFile), tokenSource: `the token file ${config.tracker.tokenFile}` };
  return { url, token: undefined, tokenSource: 'GITHUB_TOKEN' };
}

export function resolveConnection(config: Config, flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const kind = config.tracker.kind;
  const repos =
    flags.repo && flags.repo.length > 0
      ? checkRepos(flags.repo, '--repo')
      : env.SWITCHBOARD_REPOS
        ? checkRepos(env.SWITCHBOARD_REPOS.split(',').filter((r) => r.trim()), 'SWITCHBOARD_REPOS')
        : [...config.repos];
  if (kind === 'github') {
    const github = resolveGithub(config, flags, env);
    if (github.url !== undefined && !/^https?:\/\/[^\s/]+/.test(github.url)) {
      throw new ValidationError(`tracker URL "${maskUrl(github.url)}" should start with http:// or https://.`);
    }
    return { kind, ...github, token: github.token === undefined ? undefined : checkToken(github.token, github.tokenSource), repos: uniqueRepos(repos) };
  }
  const url = flags.url ?? (env.GITEA_URL || undefined) ?? config.tracker.url;
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) {
    throw new ValidationError(`tracker URL "${maskUrl(url)}" should start with http:// or https://.`);
  }
  let token: string | undefined;
  let tokenSource = 'GITEA_TOKEN';
  if (env.GITEA_TOKEN) token = env.GITEA_TOKEN.trim();
  else if (config.tracker.tokenFile) {
    token = readTokenFile(config.tracker.tokenFile);
    tokenSource = `the token file ${config.tracker.tokenFile}`;
  } else if (config.tracker.tokenCommand) {
    token = runTokenCommand(config.tracker.tokenCommand);
    tokenSource = 'tracker.tokenCommand';
  }
  if (token !== undefined) token = checkToken(token, tokenSource);
  return { kind, url, token, tokenSource, repos: uniqueRepos(repos) };
}
