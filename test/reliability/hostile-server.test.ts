import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFile, dir, expectOneSentence, LIMIT_MS, record, removeRunDir, RSS_LIMIT_MB, run, withServer } from '../helpers/hostile-cli.js';
import { HUGE_BODY_BYTES } from '../helpers/hostile-server.js';

/**
 * `switchboard triage --dry-run` (the built binary) against a deliberately hostile forge: each
 * run ends within 60 s with one sentence and a non-zero exit, its peak RSS below 400 MB.
 * Figures are printed for the record (docs/hostile-servers.md). The default request deadline
 * has its own file (hostile-deadline.test.ts) so its wait overlaps these runs.
 */

afterAll(removeRunDir);

const triage = ['triage', '--dry-run', '--repo', 'o/r'];

describe('switchboard triage --dry-run against a hostile server (default limits unless named)', () => {
  it('endless full pages: stops at tracker.maxIssuesPerRepo (100,000) with one sentence', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('endless-pages', {}, async (server) => {
      const r = await run(triage, server);
      record('endless pages', r);
      expectOneSentence(r, /the issues of repo o\/r run past 100000 items \(the server kept sending full pages\), so switchboard stopped reading at its tracker\.maxIssuesPerRepo limit$/);
      expect(r.code).toBe(1);
      expect(server.pagesServed()).toBe(100_000 / 50 + 1);
      expect(r.ms).toBeLessThan(LIMIT_MS);
      expect(r.rssMb).toBeGreaterThan(0);
      expect(r.rssMb).toBeLessThan(RSS_LIMIT_MB);
    }));

  it('X-Total-Count of two billion: one page read, nothing allocated for the claim', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('huge-total', {}, async (server) => {
      const r = await run(triage, server);
      record('huge total', r);
      expectOneSentence(r, /run past 100000 items \(the server claims 2000000000\)/);
      expect(r.code).toBe(1);
      expect(server.pagesServed()).toBe(1);
      expect(r.ms).toBeLessThan(LIMIT_MS);
      expect(r.rssMb).toBeGreaterThan(0);
      expect(r.rssMb).toBeLessThan(RSS_LIMIT_MB);
    }));

  it('a 300 MB body: abandoned at tracker.maxResponseMegabytes (32), never buffered whole', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('huge-body', {}, async (server) => {
      const r = await run(triage, server);
      record('300 MB body', r);
      expectOneSentence(r, /GET \/repos\/\{owner\}\/\{repo\}\/issues on 127\.0\.0\.1:\d+ returned a body larger than 32 MB, the tracker\.maxResponseMegabytes limit$/);
      expect(r.code).toBe(1);
      expect(server.bytesServed()).toBeLessThan(HUGE_BODY_BYTES / 4);
      expect(r.ms).toBeLessThan(LIMIT_MS);
      expect(r.rssMb).toBeGreaterThan(0);
      expect(r.rssMb).toBeLessThan(RSS_LIMIT_MB);
    }));

  it('a body dripped a byte a second: cut at tracker.requestTimeoutSeconds (set to 2)', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('drip', { dripMs: 1000 }, async (server) => {
      const r = await run(['--config', configFile('drip', { requestTimeoutSeconds: 2 }), ...triage], server);
      record('drip, 2 s deadline', r);
      expectOneSentence(r, /unavailable: GET \/repos\/\{owner\}\/\{repo\}\/issues failed \(no complete answer within 2 s, the tracker\.requestTimeoutSeconds limit\)$/);
      expect(r.code).toBe(1);
      // the settings read and the first page, each once: a deadline is not retried
      expect(server.received.map((q) => new URL(q.url, 'http://x').pathname)).toEqual(['/api/v1/settings/api', '/api/v1/repos/o/r/issues']);
      expect(r.ms).toBeLessThan(LIMIT_MS);
      expect(r.rssMb).toBeLessThan(RSS_LIMIT_MB);
    }));

  it('SIGINT during a stuck read: out within 3 s, exit 130, one sentence', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('drip', { dripMs: 1000, dripIssuesOnly: true }, async (server) => {
      let signalledAt = 0;
      const r = await run(triage, server, {
        signalWhen: () => server.received.some((q) => q.url.includes('/issues')),
        onSignal: () => (signalledAt = Date.now()),
      });
      const afterSignal = Date.now() - signalledAt;
      record(`SIGINT (exit ${afterSignal} ms after the signal)`, r);
      expectOneSentence(r, /^switchboard: interrupted: stopped waiting for 127\.0\.0\.1:\d+ \(GET \/repos\/\{owner\}\/\{repo\}\/issues\)$/);
      expect(r.code).toBe(130);
      expect(afterSignal).toBeLessThan(3000);
    }));
});

describe('switchboard run --headless against a server that holds a read', () => {
  it('SIGTERM during a stuck fetch: the cycle ends at once and the process exits', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('drip', { dripMs: 1000, dripIssuesOnly: true }, async (server) => {
      let signalledAt = 0;
      const r = await run(['run', '--headless', '--dry-run', '--repo', 'o/r', '--state-dir', join(dir, 'state')], server, {
        signal: 'SIGTERM',
        signalWhen: () => server.received.some((q) => q.url.includes('/issues')),
        onSignal: () => (signalledAt = Date.now()),
      });
      const afterSignal = Date.now() - signalledAt;
      record(`SIGTERM headless (exit ${afterSignal} ms after the signal)`, r);
      expect(r.code).toBe(0);
      expect(afterSignal).toBeLessThan(3000);
      expect(r.stdout).toMatch(/cycle 1: /);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }));
});
