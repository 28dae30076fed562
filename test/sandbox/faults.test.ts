import { afterEach, describe, expect, it } from 'vitest';
import { type FaultOptions, type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, manualClock } from '../helpers/sandbox-client.js';

describe('fault injection', () => {
  const open: Sandbox[] = [];
  const start = async (options: SandboxOptions): Promise<Sandbox> => {
    const sandbox = await startSandbox({ issues: 6, repos: 1, ...options });
    open.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** What each of `n` sequential requests got: a status, or 'reset' when the socket was dropped. */
  async function outcomes(sandbox: Sandbox, n: number): Promise<(number | 'reset')[]> {
    const api = apiClient(sandbox);
    const out: (number | 'reset')[] = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push((await api.get('/repos/demo/api/issues/1')).status);
      } catch {
        out.push('reset');
      }
    }
    return out;
  }

  it('fails the same requests for the same fault seed, and others for another seed', async () => {
    const faults: Partial<FaultOptions> = { errorRate: 0.3, resetRate: 0.1, seed: 5 };
    const a = await outcomes(await start({ faults }), 40);
    const b = await outcomes(await start({ faults }), 40);
    const c = await outcomes(await start({ faults: { ...faults, seed: 6 } }), 40);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.every((o) => [200, 500, 502, 503, 'reset'].includes(o))).toBe(true);
    expect(a).toContain('reset');
    expect(new Set(a.filter((o) => typeof o === 'number' && o >= 500)).size).toBeGreaterThanOrEqual(2);
    const failures = a.filter((o) => o !== 200).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(30);
  });

  it('drops the connection without an answer at resetRate 1, and still counts the request', async () => {
    const sandbox = await start({ faults: { resetRate: 1 } });
    expect(await outcomes(sandbox, 3)).toEqual(['reset', 'reset', 'reset']);
    expect(sandbox.requestCount('GET /repos/{owner}/{repo}/issues/{index}')).toBe(3);
  });

  it('answers a burst of 429s with Retry-After, then recovers', async () => {
    const sandbox = await start({ faults: { rateLimitBurst: 2, retryAfterSeconds: 7 } });
    const api = apiClient(sandbox);
    for (let i = 0; i < 2; i++) {
      const res = await api.get('/repos/demo/api/issues');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    expect((await api.get('/repos/demo/api/issues')).status).toBe(200);
    sandbox.setFaults({ rateLimitBurst: 1, retryAfterSeconds: 2 });
    expect((await api.get('/user')).headers.get('retry-after')).toBe('2');
    expect((await api.get('/user')).status).toBe(200);
  });

  it('truncates successful JSON bodies at malformedRate 1, but not errors', async () => {
    const sandbox = await start({ faults: { malformedRate: 1 } });
    const api = apiClient(sandbox);
    const res = await api.get('/repos/demo/api/issues');
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.text.length).toBeGreaterThan(10);
    const missing = await api.get('/repos/demo/api/issues/999');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ message: expect.any(String) });
  });

  it('gives one listed issue a string number at wrongTypeRate 1, and leaves single issues alone', async () => {
    const sandbox = await start({ faults: { wrongTypeRate: 1 } });
    const api = apiClient(sandbox);
    const list = await api.get<{ number: unknown }[]>('/repos/demo/api/issues?state=all');
    const wrong = list.body.filter((i) => typeof i.number === 'string');
    expect(wrong).toHaveLength(1);
    expect(wrong[0]!.number).toMatch(/^\d+$/);
    expect(typeof (await api.get('/repos/demo/api/issues/1')).body.number).toBe('number');
  });

  it('refuses every request until downUntil, then serves again', async () => {
    const clock = manualClock();
    const sandbox = await start({ now: clock.now, faults: { downUntil: clock.now().getTime() + 60_000 } });
    expect(await outcomes(sandbox, 2)).toEqual(['reset', 'reset']);
    clock.advance(61);
    expect(await outcomes(sandbox, 1)).toEqual([200]);
  });

  it('delays every response by the configured latency, changeable at runtime', async () => {
    const sandbox = await start({ latencyMs: 400 });
    const api = apiClient(sandbox);
    let t = performance.now();
    await api.get('/version');
    const delayed = performance.now() - t;
    expect(delayed).toBeGreaterThanOrEqual(390);
    sandbox.setLatency(0);
    t = performance.now();
    await api.get('/version');
    // relative, so a loaded machine cannot fail it: the 400 ms are gone
    expect(performance.now() - t).toBeLessThan(delayed - 300);
  });

  it('closes promptly even with requests waiting out their latency', async () => {
    const sandbox = await start({ latencyMs: 10_000 });
    const pending = apiClient(sandbox).get('/version').catch(() => 'dropped');
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await sandbox.close();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
  });
});

describe('request counting', () => {
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox?.close();
  });

  it('counts requests per route template and in total, and resets', async () => {
    sandbox = await startSandbox({ issues: 3, repos: 1 });
    const api = apiClient(sandbox);
    await api.get('/repos/demo/api/issues');
    await api.get('/repos/demo/api/issues?page=2');
    await api.get('/repos/demo/api/issues/1');
    await api.patch('/repos/demo/api/issues/1', { title: 'Renamed' });
    await api.get('/no/such/path');
    expect(sandbox.requestCount('GET /repos/{owner}/{repo}/issues')).toBe(2);
    expect(sandbox.requestCount('GET /repos/{o}/{r}/issues')).toBe(2);
    expect(sandbox.requestCount('PATCH /repos/{owner}/{repo}/issues/{index}')).toBe(1);
    expect(sandbox.requestCount('POST /repos/{owner}/{repo}/issues')).toBe(0);
    expect(sandbox.requestCount()).toBe(5);
    expect(sandbox.requests()).toEqual({
      'GET /repos/{owner}/{repo}/issues': 2,
      'GET /repos/{owner}/{repo}/issues/{index}': 1,
      'PATCH /repos/{owner}/{repo}/issues/{index}': 1,
    });
    sandbox.resetRequestCounts();
    expect(sandbox.requestCount()).toBe(0);
    expect(sandbox.requests()).toEqual({});
  });
});
