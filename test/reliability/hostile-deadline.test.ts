import { afterAll, describe, expect, it } from 'vitest';
import { expectOneSentence, LIMIT_MS, record, removeRunDir, RSS_LIMIT_MB, run, withServer } from '../helpers/hostile-cli.js';

/**
 * The default deadlines alone bound a run against a server that drips every answer: the
 * settings read and the first page each wait out tracker.requestTimeoutSeconds (15 s), then
 * `triage --dry-run` ends with one sentence. Mostly waiting, so it has a file of its own and
 * overlaps the other hostile runs (hostile-server.test.ts).
 */

afterAll(removeRunDir);

const triage = ['triage', '--dry-run', '--repo', 'o/r'];

describe('switchboard triage --dry-run against a server that drips every answer', () => {
  it('a body dripped on every request: the default deadline (15 s) ends the run under 60 s', { timeout: LIMIT_MS + 15_000 }, async () =>
    withServer('drip', { dripMs: 3000 }, async (server) => {
      const r = await run(triage, server);
      record('drip, default deadline', r);
      expectOneSentence(r, /no complete answer within 15 s, the tracker\.requestTimeoutSeconds limit\)$/);
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(LIMIT_MS);
      expect(r.rssMb).toBeLessThan(RSS_LIMIT_MB);
    }));
});
