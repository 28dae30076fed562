import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ISSUE_IMPLEMENTER_PREAMBLE } from '../../src/core/prompts.js';
import type { DispatchRequest } from '../../src/core/ports.js';
import { UsageError } from '../../src/core/errors.js';
import { type Agent, AgentSchema } from '../../src/core/routing.js';
import { HttpTarget, acceptanceCriteria } from '../../src/adapters/agents/index.js';
import { type LoopbackServer, json, loopbackServer } from '../helpers/loopback-server.js';

const SECRET = 'hunter2-very-secret';
let server: LoopbackServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

const httpAgent = (base: string, extra: Partial<Agent> = {}): Agent =>
  AgentSchema.parse({ id: 'devin', displayName: 'Devin', kind: 'http', endpoint: `${base}/tasks`, secretEnv: 'DEVIN_SECRET', ...extra });

const request = (agent: Agent): DispatchRequest => ({
  proposalId: 'p-7',
  agent,
  attempt: 1,
  repo: 'acme/api',
  number: 7,
  title: 'Login fails on “empty” password',
  body: 'Steps…\n\n## Acceptance criteria\n- [ ] empty password is rejected\n- returns 400\n\n## Notes\n- not this',
  url: 'https://git.example/acme/api/issues/7',
  taskType: 'routine_coding',
});

describe('http agent target', () => {
  it('posts the task as JSON signed over the exact bytes and keeps the run id', async () => {
    server = await loopbackServer((_req, res) => json(res, 202, { run_id: 'r-42' }));
    const agent = httpAgent(server.url);
    const target = new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET } });

    const result = await target.dispatch(request(agent));

    expect(result).toEqual({ ok: true, runId: 'devin:r-42', detail: expect.stringContaining('r-42') });
    const [got] = server.received;
    expect(got?.url).toBe('/tasks');
    expect(got?.headers['content-type']).toBe('application/json');
    const t = /^t=(\d+),v1=[0-9a-f]{64}$/.exec(String(got?.headers['x-switchboard-signature']))?.[1];
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(got?.headers['x-switchboard-dispatch']).toBe('p-7#1');
    const signed = Buffer.concat([Buffer.from(`${t}.p-7#1.`), got!.body]);
    expect(got?.headers['x-switchboard-signature']).toBe(`t=${t},v1=${createHmac('sha256', SECRET).update(signed).digest('hex')}`);
    expect(JSON.parse(got!.body.toString('utf8'))).toEqual({
      title: 'Login fails on “empty” password',
      description: request(agent).body,
      acceptance_criteria: ['empty password is rejected', 'returns 400'],
      issue_number: 7,
      agent: 'devin',
      task_type: 'routine_coding',
      repo: 'acme/api',
      url: 'https://git.example/acme/api/issues/7',
      prompt: 'Work on issue https://git.example/acme/api/issues/7: Login fails on “empty” password. Read the issue and its comments, implement it, open a pull request that references #7.',
    });
  });

  it('puts the issue-implementer rules before the prompt, and an agent\'s own preamble instead of them', async () => {
    server = await loopbackServer((_req, res) => json(res, 202, { run_id: 'r-1' }));
    const agent = httpAgent(server.url);
    const target = new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET } });
    await target.dispatch({ ...request(agent), preamble: ISSUE_IMPLEMENTER_PREAMBLE });
    const own = httpAgent(server.url, { preamble: 'Only touch src/.' });
    await target.dispatch({ ...request(own), preamble: ISSUE_IMPLEMENTER_PREAMBLE });
    const [plain, custom] = server.received.map((r) => JSON.parse(r.body.toString('utf8')) as { prompt: string });
    expect(plain?.prompt).toMatch(/^You are implementing one issue from the tracker\. Standing rules:\n- Work test-first/);
    expect(plain?.prompt).toMatch(/\n\nWork on issue https:\/\/git\.example\/acme\/api\/issues\/7: Login fails/);
    expect(custom?.prompt).toMatch(/^Only touch src\/\.\n\nWork on issue /);
  });

  it('polls the status URL of a run until it is done', async () => {
    const states = ['running', 'done'];
    server = await loopbackServer((req, res) => {
      if (req.method === 'POST') json(res, 201, { id: 99 });
      else if (req.url === '/runs/99') json(res, 200, { status: states.shift(), extra: 'ignored' });
      else json(res, 404, {});
    });
    const agent = httpAgent(server.url, { statusUrl: `${server.url}/runs/{runId}` });
    const target = new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET } });
    const { runId } = await target.dispatch(request(agent));

    expect(await target.observe(runId!)).toEqual({ status: 'running', detail: 'run 99 running' });
    // a fresh target, as after a restart, still knows where to ask
    expect((await new HttpTarget({ agents: [agent] }).observe(runId!)).status).toBe('done');
  });

  it('refuses to dispatch unsigned when the secret variable is missing, naming the variable', async () => {
    server = await loopbackServer((_req, res) => json(res, 200, {}));
    const agent = httpAgent(server.url);
    const err = await new HttpTarget({ agents: [agent], env: {} }).dispatch(request(agent)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('DEVIN_SECRET');
    expect(server.received).toHaveLength(0);
  });

  it('reports a refused dispatch with the status and without the secret', async () => {
    server = await loopbackServer((_req, res) => json(res, 503, { error: SECRET }));
    const agent = httpAgent(server.url, { endpoint: `${server.url}/tasks?token=abc` });
    const result = await new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET } }).dispatch(request(agent));
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('HTTP 503');
    expect(result.detail).not.toContain(SECRET);
    expect(result.detail).not.toContain('token=abc');
  });
});

describe('acceptance criteria', () => {
  it('an agent answering with an endless body is not read past a bound: accepted (it said 2xx), no giant run id kept', async () => {
    let sent = 0;
    server = await loopbackServer((_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.write('{"run_id":"');
      const chunk = 'x'.repeat(64 * 1024);
      // 64 MB of run id, written as fast as the client reads it
      const more = (): void => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end('"}');
      };
      more();
    });
    const agent = httpAgent(server.url);
    const result = await new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET }, timeoutMs: 10_000 }).dispatch(request(agent));
    // a 2xx is an acceptance: failing it would send the task again
    expect(result).toEqual({ ok: true, detail: expect.stringMatching(/^accepted by http:\/\/127\.0\.0\.1:\d+; its reply was larger than 1 MB and was not read$/) });
    // the client hung up long before the 64 MB were written
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('a run id longer than a run id can sensibly be is not kept (nor journaled); the dispatch still counts as accepted', async () => {
    server = await loopbackServer((_req, res) => json(res, 202, { run_id: 'r'.repeat(5000) }));
    const agent = httpAgent(server.url);
    const result = await new HttpTarget({ agents: [agent], env: { DEVIN_SECRET: SECRET } }).dispatch(request(agent));
    expect(result).toEqual({ ok: true, detail: expect.stringMatching(/^accepted by http:\/\/127\.0\.0\.1:\d+; its run id of 5000 characters was not kept \(at most 200\)$/) });
  });

  it('falls back to task-list items when there is no heading', () => {
    expect(acceptanceCriteria('Do it.\n- [ ] a works\n- [x] b works\n- plain bullet')).toEqual(['a works', 'b works']);
  });
});
