import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedAgents } from './agents.js';
import { errorReply, type HandlerContext, HttpError, replyForError } from './api-kit.js';
import { FaultInjector, type FaultPlan } from './faults.js';
import { GithubDialect, githubRouter } from './github/dialect.js';
import { checkOptions, DEFAULT_PAGE_CAP, type FaultCounts, resolveAgentOptions, type Sandbox, type SandboxOptions } from './options.js';
import { loadState, StateWriter } from './persistence.js';
import { createRouter, type Match, type Reply, routeShape } from './router.js';
import { notFound, ROUTES } from './routes.js';
import { DEFAULT_AGENT_LOGINS, seedBacklog } from './seed-backlog.js';
import { SandboxStore } from './store.js';

const API_PREFIX = '/api/v1';
const MAX_BODY_BYTES = 1 << 20;
const router = createRouter(ROUTES);

/** Start the sandbox tracker; resolves once it is listening. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const now = options.now ?? (() => new Date());
  const login = options.login ?? 'switchboard';
  const seed = options.seed ?? 1;
  const agentOptions = resolveAgentOptions(options.agents);
  const agentLogins = agentOptions ? Object.keys(agentOptions.logins) : DEFAULT_AGENT_LOGINS;
  const state =
    (options.statePath !== undefined ? loadState(options.statePath) : undefined) ??
    seedBacklog({
      seed,
      login,
      agentLogins,
      now: now(),
      ...(options.owner !== undefined ? { owner: options.owner } : {}),
      ...(options.repos !== undefined ? { repos: options.repos } : {}),
      ...(options.issues !== undefined ? { issues: options.issues } : {}),
    });
  const store = new SandboxStore(state, { now, login });
  if (!store.user(login)) store.setPermission(login, 'admin');

  const token = options.token ?? `sbx_${randomBytes(16).toString('hex')}`;
  const holders: TokenHolder[] = [{ bytes: Buffer.from(token), login }];
  for (const user of options.users ?? []) {
    store.setPermission(user.login, user.permission);
    holders.push({ bytes: Buffer.from(user.token), login: user.login, ...(user.scopes ? { scopes: user.scopes } : {}) });
  }
  const pageCap = options.pageCap ?? DEFAULT_PAGE_CAP;
  const faults = new FaultInjector({ seed, ...options.faults }, () => now().getTime());
  let latencyMs = options.latencyMs ?? 0;
  let counts = new Map<string, number>();
  let total = 0;
  const noFaults = (): FaultCounts => ({ refused: 0, reset: 0, rateLimited: 0, serverError: 0, truncated: 0, wrongType: 0, delayed: 0 });
  let injected = noFaults();
  const pending = new Set<NodeJS.Timeout>();
  const requestListeners = new Set<(route: string, url: URL) => void>();
  // The GitHub dialect: the same store in api.github.com's shapes, at the root as api.github.com serves it.
  const github = options.dialect === 'github' ? new GithubDialect({ now: () => now().getTime(), ...(options.rateLimit !== undefined ? { limit: options.rateLimit } : {}) }) : undefined;
  const checkRunCreators = new Set(agentLogins.map((l) => l.toLowerCase()));
  const fail = (status: number, message: string, headers?: Record<string, string>): Reply =>
    github ? github.error(status, message, headers) : errorReply({ baseUrl }, status, message, headers);

  const writer = options.statePath === undefined ? undefined : new StateWriter(options.statePath, () => store.toJSON());
  const unsubscribeWriter = writer ? store.onChange(() => writer.schedule()) : undefined;
  // A fresh state file exists from the start, so a crash right away still leaves the backlog.
  writer?.schedule();
  const agents = agentOptions ? new SimulatedAgents(store, agentOptions, seed) : undefined;

  /** Whose token the request carries, or undefined; every token is compared, in constant time each. */
  const holderOf = (req: IncomingMessage): TokenHolder | undefined => {
    const given = credential(req.headers.authorization);
    if (given === undefined) return undefined;
    const bytes = Buffer.from(given);
    let found: TokenHolder | undefined;
    for (const h of holders) if (bytes.length === h.bytes.length && timingSafeEqual(bytes, h.bytes)) found = h;
    return found;
  };

  let baseUrl = '';
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, replyForError({ baseUrl }, new Error('request failed')), false);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    total++;
    const requestUrl = new URL(req.url ?? '/', baseUrl);
    const path = github ? requestUrl.pathname : requestUrl.pathname.startsWith(`${API_PREFIX}/`) ? requestUrl.pathname.slice(API_PREFIX.length) : undefined;
    const match = path === undefined ? ({ kind: 'none' } as const) : (github ? githubRouter : router)(req.method ?? 'GET', path);
    if (match.kind === 'route') counts.set(match.key, (counts.get(match.key) ?? 0) + 1);
    if (match.kind === 'route') for (const listener of requestListeners) listener(match.key, requestUrl);

    const plan = faults.plan();
    if (plan.kind === 'refuse') {
      injected.refused++;
      return void req.socket.destroy();
    }
    if (latencyMs > 0) {
      injected.delayed++;
      await delay(latencyMs, pending);
    }
    if (plan.kind === 'reset') {
      injected.reset++;
      return void req.socket.destroy();
    }
    if (plan.kind === 'rate-limit') {
      injected.rateLimited++;
      if (github) return github.send(req, res, github.secondaryLimit(plan.retryAfterSeconds), false);
      return send(res, errorReply({ baseUrl }, 429, 'rate limit exceeded', { 'Retry-After': String(plan.retryAfterSeconds) }), false);
    }
    if (plan.kind === 'error') {
      injected.serverError++;
      if (github && plan.status === 500) return github.send(req, res, fail(500, 'Server Error'), false);
      return sendProxyError(res, plan.status, baseUrl);
    }

    let reply: Reply;
    const holder = holderOf(req);
    const signedIn = holder !== undefined;
    // Gitea's token scopes are enforced; on the GitHub dialect a user's scopes are a classic
    // token's, only reported (below), as doctor reads them.
    const missingScope = match.kind === 'route' && holder && !github ? scopeRefusal(holder, match.route.method, match.route.template) : undefined;
    if (github && path === '/rate_limit' && req.method === 'GET' && signedIn) reply = github.rateLimitReply();
    else if (match.kind === 'none') reply = github ? fail(404, 'Not Found') : notFound({ baseUrl });
    else if (match.kind === 'method-not-allowed') reply = fail(405, 'Method Not Allowed');
    else if (match.route.auth !== false && !signedIn) reply = fail(401, 'token is required or invalid');
    else if (github?.exhausted()) reply = github.exhausted() as Reply;
    else if (missingScope !== undefined) reply = fail(403, missingScope);
    else {
      try {
        const body = await readJson(req);
        const actor = holder?.login ?? login;
        const ctx = { baseUrl, store, query: requestUrl.searchParams, body, requestUrl, pageCap, actor, checkRunCreators };
        const route = match as Extract<Match<typeof ctx>, { kind: 'route' }>;
        reply = route.route.handle(ctx, route.params);
      } catch (err) {
        reply = github ? github.replyForError(err) : replyForError({ baseUrl }, err);
      }
    }
    const out = faulted(reply, plan);
    if (out.truncate && out.body !== undefined) injected.truncated++;
    if (out.body !== reply.body) injected.wrongType++;
    // "X-OAuth-Scopes lists the scopes your token has authorized" (docs.github.com, Scopes for OAuth apps).
    const scoped = github && holder?.scopes !== undefined ? { ...out, headers: { ...out.headers, 'x-oauth-scopes': holder.scopes.join(', ') } } : out;
    if (github) github.send(req, res, scoped, signedIn);
    else send(res, out, options.omitTotalCount === true);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${urlHost(address.address)}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    apiUrl: github ? baseUrl : `${baseUrl}${API_PREFIX}`,
    dialect: github ? 'github' : 'gitea',
    notModifiedCount: () => github?.notModified ?? 0,
    token,
    login,
    repos: store.repoNames,
    store,
    requestCount: (route) => {
      if (route === undefined) return total;
      const exact = counts.get(route);
      if (exact !== undefined) return exact;
      const shape = routeShape(route);
      for (const [key, n] of counts) if (routeShape(key) === shape) return n;
      return 0;
    },
    requests: () => Object.fromEntries(counts),
    faultCounts: () => ({ ...injected }),
    resetRequestCounts: () => {
      counts = new Map();
      total = 0;
      injected = noFaults();
    },
    setFaults: (f) => faults.update(f),
    onRequest: (listener) => {
      requestListeners.add(listener);
      return () => requestListeners.delete(listener);
    },
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        agents?.stop();
        unsubscribeWriter?.();
        writer?.flush();
        for (const t of pending) clearTimeout(t);
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface TokenHolder {
  readonly bytes: Buffer;
  readonly login: string;
  readonly scopes?: readonly string[];
}

/**
 * Gitea's tokenRequiresScopes (routers/api/v1/api.go:321-351): issue and label routes need the
 * issue category (api.go:1684), the rest of /repos the repository category; GET needs read, any
 * other method write, and write implies read.
 */
function scopeRefusal(holder: TokenHolder, method: string, template: string): string | undefined {
  if (holder.scopes === undefined || holder.scopes.includes('all')) return undefined;
  const category = /\/(issues|labels)(\/|$)/.test(template) ? 'issue' : template.startsWith('/repos') ? 'repository' : template.split('/')[1] === 'orgs' ? 'organization' : 'user';
  const level = method === 'GET' ? 'read' : 'write';
  const ok = holder.scopes.includes(`write:${category}`) || (level === 'read' && holder.scopes.includes(`read:${category}`));
  return ok ? undefined : `token does not have at least one of required scope(s), required=[${level}:${category}], token scope=${holder.scopes.join(',')}`;
}

/** The token from `token <t>`, `Bearer <t>` (scheme case-insensitive) or Basic with the token as user or password. */
function credential(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  const s = scheme.toLowerCase();
  if (s === 'token' || s === 'bearer') return value;
  if (s !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' || password === 'x-oauth-basic' ? user : password;
}

const urlHost = (address: string): string => (address.includes(':') ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address);

function delay(ms: number, pending: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      pending.delete(t);
      resolve();
    }, ms);
    t.unref();
    pending.add(t);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body is too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(422, 'request body is not valid JSON');
  }
}

/** Apply the data faults of a plan to a successful reply. */
function faulted(reply: Reply, plan: FaultPlan): Reply & { readonly truncate?: boolean } {
  if (plan.kind !== 'pass' || reply.status !== 200) return reply;
  let body = reply.body;
  if (plan.wrongType && reply.issueList && Array.isArray(body) && body.length > 0) {
    const at = Math.floor(plan.pick * body.length);
    body = body.map((item: Record<string, unknown>, i) => (i === at ? { ...item, number: String(item.number) } : item));
  }
  return { ...reply, body, truncate: plan.malformed };
}

function send(res: ServerResponse, reply: Reply & { readonly truncate?: boolean }, omitTotalCount: boolean): void {
  const headers: Record<string, string> = { 'Cache-Control': 'max-age=0, private, must-revalidate, no-transform' };
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    if (omitTotalCount && (name === 'X-Total-Count' || name === 'Link')) continue;
    headers[name] = value;
  }
  const exposed = ['X-Total-Count', 'Link'].filter((h) => h in headers);
  if (exposed.length > 0) headers['Access-Control-Expose-Headers'] = exposed.join(', ');
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  let text = JSON.stringify(reply.body);
  // A body cut in half never parses: what a dropped connection behind a proxy looks like.
  if (reply.truncate) text = text.slice(0, Math.floor(text.length / 2));
  headers['Content-Type'] = 'application/json;charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers).end(text);
}

/** 502/503 come from the reverse proxy in front of a forge, as HTML; 500 from the forge itself. */
function sendProxyError(res: ServerResponse, status: 500 | 502 | 503, baseUrl: string): void {
  if (status === 500) return send(res, errorReply({ baseUrl }, 500, 'internal server error'), false);
  const text = status === 502 ? '<html><body><h1>502 Bad Gateway</h1></body></html>' : '<html><body><h1>503 Service Unavailable</h1></body></html>';
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
}
