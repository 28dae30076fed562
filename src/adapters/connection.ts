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
  return readFileSync(path, 'utf8').trim();
}

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
  return token;
}

export function resolveConnection(config: Config, flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
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
  }
  if (token !== undefined) token = checkToken(token, tokenSource);
  const repos =
    flags.repo && flags.repo.length > 0
      ? checkRepos(flags.repo, '--repo')
      : env.SWITCHBOARD_REPOS
        ? checkRepos(env.SWITCHBOARD_REPOS.split(',').filter((r) => r.trim()), 'SWITCHBOARD_REPOS')
        : [...config.repos];
  return { url, token, tokenSource, repos: uniqueRepos(repos) };
}
