import { createRequire } from 'node:module';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubTracker, type GithubTracker, UNPACED } from '../../src/adapters/github/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/**
 * The GitHub dialect held to GitHub's own description: every request the adapter sends to the
 * sandbox, and every answer the sandbox gives, is checked against api.github.com's OpenAPI
 * document as published in @octokit/openapi (a devDependency pinned to the version below).
 * A recording proxy sits between the two, so what is checked is what went over the wire.
 */

const require = createRequire(import.meta.url);
const OPENAPI_VERSION = '23.0.2';
const pkg = require('@octokit/openapi/package.json') as { version: string };

interface Operation {
  readonly parameters?: readonly ({ $ref?: string; name?: string; in?: string })[];
  readonly requestBody?: { content?: Record<string, { schema?: unknown }> };
  readonly responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Doc {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { parameters: Record<string, { name: string; in: string }>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
}
const doc = require('@octokit/openapi/generated/api.github.com.json') as Doc;

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly status: number;
  readonly response: unknown;
  /** sent with If-None-Match */
  readonly conditional: boolean;
}

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
// Not strict: OpenAPI's own keywords (example, x-github, …) are ignored; `nullable` Ajv knows.
/** OpenAPI 3.0's `nullable: true` in JSON Schema terms (Ajv takes it only next to `type`). */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, jsonSchema(v)]));
  if (nullable !== true) return out;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'], ...(Array.isArray(out.enum) ? { enum: [...(out.enum as unknown[]), null] } : {}) };
  return { anyOf: [out, { type: 'null' }] };
}
ajv.addSchema({ components: jsonSchema((doc as unknown as { components: unknown }).components) }, 'gh');
const compiled = new Map<string, ValidateFunction>();

/** Schema references point into the document's components. */
function validator(schema: unknown): ValidateFunction {
  const text = JSON.stringify(jsonSchema(schema)).replaceAll('"#/components/', '"gh#/components/');
  let v = compiled.get(text);
  if (!v) {
    v = ajv.compile(JSON.parse(text) as object);
    compiled.set(text, v);
  }
  return v;
}

const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

function operationOf(method: string, path: string): { template: string; op: Operation } {
  // A literal segment wins over a parameter (issues/comments/{id} over issues/{n}/…).
  const matches = templates.filter(({ re }) => re.test(path)).sort((a, b) => (a.t.match(/\{/g)?.length ?? 0) - (b.t.match(/\{/g)?.length ?? 0));
  for (const { t } of matches) {
    const op = doc.paths[t]?.[method.toLowerCase()];
    if (op) return { template: t, op };
  }
  throw new Error(`GitHub's description has no ${method} ${path}`);
}

function problems(x: Exchange): string[] {
  const out: string[] = [];
  const { template, op } = operationOf(x.method, x.path);
  const name = `${x.method} ${template}`;
  const params = (op.parameters ?? []).map((p) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop() as string] : p));
  const allowed = new Set(params.filter((p) => p?.in === 'query').map((p) => p?.name));
  for (const key of x.query.keys()) if (!allowed.has(key)) out.push(`${name}: query parameter ${key} is not described`);
  if (x.body !== undefined) {
    const schema = op.requestBody?.content?.['application/json']?.schema;
    if (!schema) out.push(`${name}: sends a body the description does not take`);
    else if (!validator(schema)(x.body)) out.push(`${name} request: ${ajv.errorsText(validator(schema).errors)}`);
  }
  // GitHub: "Most endpoints return an etag header … you will receive a 304" (Best practices for
  // using the REST API, conditional requests); the description declares 304 on only some reads.
  if (x.status === 304 && x.conditional && x.method === 'GET' && x.response === undefined) return out;
  const declared = op.responses[String(x.status)] ?? op.responses.default;
  if (!declared) {
    out.push(`${name}: status ${x.status} is not described`);
    return out;
  }
  const response = declared.$ref ? doc.components.responses[declared.$ref.split('/').pop() as string] : declared;
  const schema = response?.content?.['application/json']?.schema;
  if (schema && x.response !== undefined) {
    const v = validator(schema);
    if (!v(x.response)) out.push(`${name} ${x.status} response: ${ajv.errorsText(v.errors)}`);
  }
  return out;
}

const read = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
};

let sandbox: Sandbox;
let tracker: GithubTracker;
let proxy: ReturnType<typeof createServer>;
const exchanges: Exchange[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ dialect: 'github', repos: ['api'], issues: 12, seed: 3 });
  sandbox.store.setPermission('alice', 'write');
  sandbox.store.setPermission('mallory', 'read');
  proxy = createServer((req, res) => {
    void (async () => {
      const text = await read(req);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      const upstream = await fetch(`${sandbox.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(text ? { body: text } : {}), redirect: 'manual' });
      const body = await upstream.text();
      const u = new URL(req.url ?? '/', 'http://x');
      exchanges.push({ method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, body: text ? (JSON.parse(text) as unknown) : undefined, status: upstream.status, response: body ? (JSON.parse(body) as unknown) : undefined, conditional: req.headers['if-none-match'] !== undefined });
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') out[k] = v.replaceAll(sandbox.url, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      });
      res.writeHead(upstream.status, out).end(body);
    })();
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  tracker = createGithubTracker({ url, token: sandbox.token, pacing: UNPACED, retryBaseMs: 5 });

  // Every call the Tracker port has, and doctor's reads, with the answers that can come back.
  const repo = 'demo/api';
  await tracker.currentUser();
  await tracker.currentUser();
  await tracker.quota();
  await tracker.repoPermissions(repo);
  const { issues } = await tracker.fetchBacklog(repo);
  await tracker.fetchBacklog(repo);
  await tracker.fetchBacklog(repo, { full: true });
  const n = sandbox.store.createIssue(repo, { title: 'contract', author: 'alice' }).number;
  sandbox.store.createPullRequest(repo, { title: 'fix', body: `Fixes #${n}`, author: 'alice' });
  await tracker.fetchBacklog(repo);
  await tracker.getIssue(repo, n);
  await tracker.getIssue(repo, issues[0]?.number ?? 1);
  await tracker.getIssue(repo, 9999).catch(() => undefined);
  await tracker.permission(repo, 'alice');
  await tracker.permission(repo, 'nobody-here').catch(() => undefined);
  await tracker.assignable(repo, 'alice');
  await tracker.assignable(repo, 'mallory');
  await tracker.listLabels(repo);
  const c = await tracker.postComment(repo, n, 'hello');
  await tracker.editComment(repo, c.id, 'hello again');
  await tracker.listComments(repo, n);
  await tracker.addLabels(repo, n, ['needs-human', 'switchboard:in-progress']);
  await tracker.removeLabel(repo, n, 'needs-human');
  await tracker.removeLabel(repo, n, 'needs-human');
  await tracker.setAssignees(repo, n, ['alice']);
  await tracker.setAssignees(repo, n, []);
  const linked = await tracker.linkedPullRequests(repo, n);
  sandbox.store.setCommitStatus(repo, linked[0]?.headSha ?? '', { state: 'success', context: 'lint', creator: 'alice' });
  sandbox.store.setCommitStatus(repo, linked[0]?.headSha ?? '', { state: 'pending', context: 'test', creator: 'claude' });
  await tracker.combinedStatus(repo, linked[0]?.headSha ?? '');
  const dashboard = await tracker.createIssue(repo, 'made by switchboard', 'body');
  await tracker.editIssueBody(repo, dashboard.number, '- [ ] a box');
  const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await tracker.listRepoComments(repo, since);
  await tracker.listRepoComments(repo, since);
}, 60_000);

afterAll(async () => {
  await tracker.close();
  await new Promise<void>((r) => proxy.close(() => r()));
  await sandbox.close();
});

describe("the GitHub dialect against GitHub's OpenAPI description", () => {
  it(`uses the vendored description of @octokit/openapi ${OPENAPI_VERSION}`, () => {
    expect(pkg.version).toBe(OPENAPI_VERSION);
  });

  it('saw every kind of exchange switchboard has with GitHub, 304s and errors included', () => {
    const statuses = new Set(exchanges.map((x) => x.status));
    for (const s of [200, 201, 204, 304, 404]) expect(statuses, `status ${s}`).toContain(s);
    const routes = new Set(exchanges.map((x) => `${x.method} ${operationOf(x.method, x.path).template}`));
    expect(routes.size).toBeGreaterThanOrEqual(20);
  });

  it('sends only described requests and gets only described answers', () => {
    const found = exchanges.flatMap(problems);
    expect(found).toEqual([]);
  });

  it('would notice a response that breaks the description', () => {
    const x = exchanges.find((e) => e.path === '/repos/demo/api/issues' && e.status === 200) as Exchange;
    const broken = { ...x, response: (x.response as Record<string, unknown>[]).map((i) => ({ ...i, number: String(i.number) })) };
    expect(problems(broken).join('\n')).toMatch(/number/);
    expect(problems({ ...x, query: new URLSearchParams('limit=50') })).toEqual(['GET /repos/{owner}/{repo}/issues: query parameter limit is not described']);
  });
});
