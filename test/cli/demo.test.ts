import { describe, expect, it } from 'vitest';
import { cli, isolatedHome, startCli, waitFor } from './harness.js';

const home = isolatedHome();

describe('switchboard demo', () => {
  it('--headless supervises the sandbox: proposals approved, writes made, agents dispatched; SIGINT exits 0', async () => {
    const demo = startCli(home, ['demo', '--headless', '--issues', '12', '--seed', '4']);
    try {
      await waitFor(() => (/dispatch \S+ \S+ attempt 1: new → assigned/.test(demo.stdout()) ? true : undefined), 15_000, 'a dispatch');
      expect(demo.stdout()).toMatch(/approved \(by rule/);
      expect(demo.stdout()).toMatch(/wrote demo\/\w+#\d+/);
      expect(demo.stderr()).toMatch(/sandbox tracker at http:\/\/127\.0\.0\.1:\d+ .*armed/);
    } finally {
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
    }
  });

  it('without --headless and without a terminal is exit 2 pointing to --headless', async () => {
    const r = await cli(home, ['demo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/switchboard demo --headless/);
  });
});
