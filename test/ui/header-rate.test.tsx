import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { initialSnapshot } from '../../src/core/engine-state.js';
import { Header } from '../../src/ui/Header.js';

/** The tracker's rate-limit state in the console header (GitHub reports one; Gitea none). */

afterEach(() => cleanup());

const NOW = Date.parse('2026-05-01T10:00:00Z');
const snapshot = (rateLimit: { remaining: number | undefined; resetAt: string | undefined }) => ({
  ...initialSnapshot({ consoleId: 'c', armed: false, dryRun: false }),
  rateLimit,
});
const frame = (rateLimit: Parameters<typeof snapshot>[0], width = 120): string =>
  render(<Header snapshot={snapshot(rateLimit)} trackerName="api.github.com" repos={['acme/api']} now={NOW} width={width} />).lastFrame() ?? '';

describe('the header: rate limit', () => {
  it('shows the requests left and when the quota resets (UTC, as the other header times)', () => {
    expect(frame({ remaining: 4987, resetAt: '2026-05-01T10:42:07.000Z' })).toContain('rate 4987 · resets 10:42');
  });

  it('shows nothing for a tracker that reports no limit (Gitea)', () => {
    expect(frame({ remaining: undefined, resetAt: undefined })).not.toContain('rate');
  });

  it('a spent quota stays in a narrow header, and says when it comes back', () => {
    const narrow = frame({ remaining: 0, resetAt: '2026-05-01T11:00:00Z' }, 60);
    expect(narrow).toContain('rate 0 · resets 11:00');
    expect(narrow).toContain('DISARMED');
  });
});
