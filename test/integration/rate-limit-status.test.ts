import { afterAll, describe, expect, it } from 'vitest';
import { readStatus, statusWriter } from '../../src/headless/status-file.js';
import { addReadyIssue, autoConfig, DIALECT, emptySandbox, open, stateDirs } from '../helpers/switchboard-harness.js';

/**
 * The tracker's rate-limit state in status.json's `system` after a cycle over real HTTP, once per
 * dialect: GitHub sends its quota on every answer (x-ratelimit-remaining, x-ratelimit-reset);
 * Gitea sends none, and the status says nothing rather than a made-up number.
 */

const dirs = stateDirs();
afterAll(() => dirs.cleanup());

describe('rate limit in status.json', () => {
  it(DIALECT === 'github' ? "carries GitHub's remaining requests and reset time" : 'is null on Gitea, which reports no limit', async () => {
    const sandbox = await emptySandbox(DIALECT === 'github' ? { rateLimit: 500 } : {});
    try {
      addReadyIssue(sandbox);
      const stateDir = await dirs.make();
      const config = autoConfig();
      const sb = await open(sandbox, stateDir, { config });
      try {
        await sb.engine.runCycle();
        const writer = statusWriter(sb.engine, stateDir, { config });
        await writer.flush();
        await writer.stop();
      } finally {
        await sb.close();
      }
      const system = (await readStatus(stateDir))?.system;
      if (DIALECT !== 'github') {
        expect(system?.rateLimit).toBeNull();
        return;
      }
      const left = system?.rateLimit?.remaining ?? -1;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(500);
      expect(Date.parse(system?.rateLimit?.resetAt ?? '')).toBeGreaterThan(Date.now());
    } finally {
      await sandbox.close();
    }
  });
});
