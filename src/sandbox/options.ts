import type { SandboxStore } from './store.js';

export interface SandboxOptions {
  /** default 0 (random) */
  port?: number;
  /** default '127.0.0.1'; a non-loopback host is refused unless allowRemote */
  host?: string;
  allowRemote?: boolean;
  /** default: random 'sbx_' + 32 hex */
  token?: string;
  /** the token user, default 'switchboard' */
  login?: string;
  /** default 'demo' */
  owner?: string;
  /** default 3 → demo/api, demo/web, demo/infra; or names */
  repos?: number | string[];
  /** seeded open issues in total, default 60, spread across repos */
  issues?: number;
  /** default 1; same seed (and clock) → same backlog, byte for byte */
  seed?: number;
  /** MAX_RESPONSE_ITEMS, default 50 */
  pageCap?: number;
  /** drop X-Total-Count and Link (pagination fallback tests) */
  omitTotalCount?: boolean;
  /** persist state JSON (atomic write: tmp file + rename); loaded on start if present */
  statePath?: string;
  /** fixed delay per request */
  latencyMs?: number;
  faults?: Partial<FaultOptions>;
  /** default false */
  agents?: boolean | Partial<SimulatedAgentOptions>;
  /** clock for timestamps (tests) */
  now?: () => Date;
  /** more users to act as, each with its own token, over the same API (`--user LOGIN:TOKEN:PERMISSION`) */
  users?: readonly SandboxUser[];
  /** which forge's REST API to speak: Gitea's /api/v1 (default) or GitHub's, at the root */
  dialect?: SandboxDialect;
  /** GitHub dialect: requests an hour before 403 "API rate limit exceeded" (default 5000) */
  rateLimit?: number;
}

export const USER_PERMISSIONS = ['read', 'write', 'admin'] as const;

export interface SandboxUser {
  readonly login: string;
  readonly token: string;
  /** the same access to every repo of the sandbox */
  readonly permission: (typeof USER_PERMISSIONS)[number];
  /**
   * the token's scopes, as Gitea's `write:issue`, `read:repository`; absent = every scope. A write
   * without the scope it needs answers 403 (routers/api/v1/api.go:321-351 tokenRequiresScopes).
   */
  readonly scopes?: readonly string[];
}

/** `LOGIN:TOKEN:PERMISSION` as the CLI takes it; throws one sentence when it is not that. */
export function parseUserSpec(spec: string): SandboxUser {
  const parts = spec.split(':');
  const [login = '', token = '', permission = ''] = parts;
  if (parts.length !== 3 || !/^[A-Za-z0-9_.-]+$/.test(login) || !/^\S+$/.test(token)) {
    throw new Error(`--user takes LOGIN:TOKEN:PERMISSION, e.g. alice:tok123:read, not "${spec}"`);
  }
  if (!(USER_PERMISSIONS as readonly string[]).includes(permission)) {
    throw new Error(`--user ${login}: permission must be read, write or admin, not "${permission}"`);
  }
  return { login, token, permission: permission as SandboxUser['permission'] };
}

export type SandboxDialect = 'gitea' | 'github';

export interface FaultOptions {
  /** 0..1 share of requests answered 500/502/503 */
  errorRate: number;
  /** share of requests whose socket is destroyed without a response */
  resetRate: number;
  /** the next N requests get 429 with Retry-After */
  rateLimitBurst: number;
  retryAfterSeconds: number;
  /** share of 200 responses with a truncated JSON body */
  malformedRate: number;
  /** share of issue-list responses where a field has the wrong type (number: "7") */
  wrongTypeRate: number;
  /** epoch ms: before it, every request is refused (socket destroyed) */
  downUntil?: number;
  /** fault PRNG seed (deterministic) */
  seed: number;
}

export interface FaultCounts {
  /** refused while down (downUntil) */
  refused: number;
  reset: number;
  rateLimited: number;
  /** 500/502/503 */
  serverError: number;
  /** 200 bodies cut in half (malformedRate) */
  truncated: number;
  /** issue lists with a field of the wrong type (wrongTypeRate) */
  wrongType: number;
  /** requests held by latency (setLatency / latencyMs) */
  delayed: number;
}

export type AgentDispatch = 'assignee' | 'label';

export interface SimulatedAgentOptions {
  /**
   * How each agent is dispatched. For 'label' agents the key is both the label name and the
   * login the agent comments as. Default { claude: 'assignee', 'kimi-ready': 'label' }.
   */
  logins: Record<string, AgentDispatch>;
  /** base delay between agent steps, default 1500 */
  delayMs: number;
  /**
   * Shares, default 0.7/0.1/0.1/0.1 and 0 for the optional ones. `failCi` goes red and fixes it on
   * a fix-forward comment; `stubborn` stays red whatever it is told; `mergeNoClose` merges a PR
   * that only refers to the issue (`Refs #N`), so the issue stays open; `loop` posts the same
   * comment over and over.
   */
  outcomes: { complete: number; failCi: number; stall: number; never: number; loop?: number; stubborn?: number; mergeNoClose?: number };
}

export interface Sandbox {
  /** 'http://127.0.0.1:PORT' (no trailing slash; the API is at url + '/api/v1') */
  readonly url: string;
  /** where a client points: url + '/api/v1' (Gitea), url itself (GitHub) */
  readonly apiUrl: string;
  readonly dialect: SandboxDialect;
  /** GitHub dialect: requests answered 304 Not Modified */
  notModifiedCount(): number;
  readonly token: string;
  readonly login: string;
  readonly repos: readonly string[];
  /** direct state access for tests */
  readonly store: SandboxStore;
  /** route = `${METHOD} ${template}`, e.g. 'GET /repos/{owner}/{repo}/issues'; no argument = total */
  requestCount(route?: string): number;
  requests(): Record<string, number>;
  /** faults injected so far, by kind (since the start or the last resetRequestCounts) */
  faultCounts(): FaultCounts;
  resetRequestCounts(): void;
  setFaults(f: Partial<FaultOptions>): void;
  setLatency(ms: number): void;
  /** tests: run `listener` as each routed request arrives, before it is answered; returns an unsubscribe */
  onRequest(listener: (route: string, url: URL) => void): () => void;
  close(): Promise<void>;
}

export const DEFAULT_FAULTS: FaultOptions = {
  errorRate: 0,
  resetRate: 0,
  rateLimitBurst: 0,
  retryAfterSeconds: 1,
  malformedRate: 0,
  wrongTypeRate: 0,
  seed: 1,
};

export const DEFAULT_AGENT_OPTIONS: SimulatedAgentOptions = {
  logins: { claude: 'assignee', 'kimi-ready': 'label' },
  delayMs: 1500,
  outcomes: { complete: 0.7, failCi: 0.1, stall: 0.1, never: 0.1 },
};

/** The demo's mix: every supervised ending shows up within a few dispatches. */
export const DEMO_AGENT_OUTCOMES: SimulatedAgentOptions['outcomes'] = {
  complete: 0.3,
  failCi: 0.2,
  mergeNoClose: 0.1,
  stubborn: 0.15,
  stall: 0.1,
  never: 0.05,
  loop: 0.1,
};

export const DEFAULT_PAGE_CAP = 50;
/** Gitea's DefaultPagingNum: the page size when `limit` is missing or <= 0 */
export const DEFAULT_PAGING_NUM = 30;

export function resolveAgentOptions(agents: SandboxOptions['agents']): SimulatedAgentOptions | undefined {
  if (!agents) return undefined;
  const given = agents === true ? {} : agents;
  return {
    logins: given.logins ?? DEFAULT_AGENT_OPTIONS.logins,
    delayMs: given.delayMs ?? DEFAULT_AGENT_OPTIONS.delayMs,
    outcomes: { ...DEFAULT_AGENT_OPTIONS.outcomes, ...given.outcomes },
  };
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

/** Refuse options that cannot work, with one sentence each. */
export function checkOptions(o: SandboxOptions): void {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.allowRemote) {
    throw new Error(`refusing to listen on ${host}: the sandbox has no real access control; use a loopback host or allowRemote`);
  }
  const whole = (name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${v}`);
    }
  };
  whole('port', o.port, 0, 65535);
  whole('issues', o.issues, 0, 1_000_000);
  whole('pageCap', o.pageCap, 1, 10_000);
  whole('latencyMs', o.latencyMs, 0, 600_000);
  whole('rateLimit', o.rateLimit, 1, 1_000_000);
  if (o.dialect !== undefined && o.dialect !== 'gitea' && o.dialect !== 'github') throw new Error(`dialect must be gitea or github, not ${String(o.dialect)}`);
  if (typeof o.repos === 'number') whole('repos', o.repos, 1, 1000);
  const name = /^[A-Za-z0-9_.-]+$/;
  for (const repo of Array.isArray(o.repos) ? o.repos : []) {
    if (!repo.split('/').every((part) => name.test(part) && part !== '.' && part !== '..') || repo.split('/').length > 2) {
      throw new Error(`"${repo}" is not a repository name: use name or owner/name`);
    }
  }
  if (Array.isArray(o.repos) && o.repos.length === 0) throw new Error('repos must name at least one repository');
  for (const [what, login] of [['login', o.login], ['owner', o.owner]] as const) {
    if (login !== undefined && !name.test(login)) throw new Error(`${what} "${login}" is not a valid login`);
  }
  if (o.token !== undefined && !/^\S+$/.test(o.token)) throw new Error('token must be a non-empty string without spaces');
  const tokens = new Set(o.token === undefined ? [] : [o.token]);
  const logins = new Set([(o.login ?? 'switchboard').toLowerCase()]);
  for (const u of o.users ?? []) {
    if (!name.test(u.login)) throw new Error(`user "${u.login}" is not a valid login`);
    if (!(USER_PERMISSIONS as readonly string[]).includes(u.permission)) throw new Error(`user ${u.login}: permission must be read, write or admin`);
    if (!/^\S+$/.test(u.token)) throw new Error(`user ${u.login}: the token must be a non-empty string without spaces`);
    if (tokens.has(u.token)) throw new Error(`user ${u.login}: another user has the same token`);
    if (logins.has(u.login.toLowerCase())) throw new Error(`user ${u.login} is given twice`);
    tokens.add(u.token);
    logins.add(u.login.toLowerCase());
  }
}
