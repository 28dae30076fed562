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
    // the first Ctrl-C says what it waits for; a clean exit warns about nothing
    expect(demo.stderr()).toMatch(/INFO {2}stopping( after \d+ writes? in progress)? — Ctrl-C again to abort/);
    expect(demo.stderr()).not.toMatch(/WARN|ENOENT|could not write/);
  });

  it('a second SIGINT aborts with 130 and says what was left half-done', async () => {
    const demo = startCli(home, ['demo', '--headless', '--issues', '12', '--seed', '4']);
    await waitFor(() => (/new → assigned/.test(demo.stdout()) ? true : undefined), 15_000, 'a dispatch');
    demo.child.kill('SIGINT');
    await waitFor(() => (/Ctrl-C again to abort/.test(demo.stderr()) ? true : undefined), 5_000, 'the stopping line');
    demo.child.kill('SIGINT');
    const code = await demo.exited;
    // the writes may all have finished between the two signals: then it had already exited 0, or
    // the second signal landed as it was exiting and ended it as a signal does (no exit code)
    if (code === null) expect(demo.child.signalCode).toBe('SIGINT');
    else if (code === 130) expect(demo.stderr()).toMatch(/aborted(; nothing was half-done\.| with \d+ write sequences? half-done \(.+\); the next start resumes (it|them) from the journal\.)/);
    else expect(code).toBe(0);
  });

  it('without --headless and without a terminal is exit 2 pointing to --headless', async () => {
    const r = await cli(home, ['demo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/switchboard demo --headless/);
  });
});
