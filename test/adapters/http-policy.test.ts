import { describe, expect, it } from 'vitest';
import { sinceParam } from '../../src/adapters/gitea/backlog.js';
import { isRateLimited, locateForge, mapBounded, redact, requestedWaitMs } from '../../src/adapters/http/index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('how long a rate-limited response asks us to wait', () => {
  it('Retry-After in seconds', () => {
    expect(requestedWaitMs({ 'retry-after': '7' }, NOW)).toBe(7_000);
  });

  it('Retry-After as an HTTP date, against our clock when the server sent no Date', () => {
    expect(requestedWaitMs({ 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' }, NOW)).toBe(30_000);
  });

  it('an exhausted quota waits for X-RateLimit-Reset, as epoch seconds or seconds from now', () => {
    expect(requestedWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 90) }, NOW)).toBe(90_000);
    expect(requestedWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '15' }, NOW)).toBe(15_000);
  });

  it('no usable header means no request to wait', () => {
    expect(requestedWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(requestedWaitMs({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '15' }, NOW)).toBeUndefined();
  });

  it('a 403 is rate limiting only with rate-limit headers', () => {
    expect(isRateLimited(403, {})).toBe(false);
    expect(isRateLimited(403, { 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(isRateLimited(403, { 'retry-after': '3' })).toBe(true);
    expect(isRateLimited(429, {})).toBe(true);
  });
});

describe('forge URLs and secrets', () => {
  it('credentials, query and fragment never survive into the origin or the host', () => {
    const forge = locateForge('https://bot:s3cret-pass@git.example.com:3000/sub/?token=abc#x', '/api/v1');
    expect(forge).toEqual({ origin: 'https://git.example.com:3000', host: 'git.example.com:3000', apiPath: '/sub/api/v1' });
  });

  it('an API URL given in full is not suffixed twice', () => {
    expect(locateForge('http://127.0.0.1:8080/api/v1/', '/api/v1').apiPath).toBe('/api/v1');
  });

  it('an unparseable URL is refused without echoing it', () => {
    expect(() => locateForge('not a url with s3cret-pass', '/api/v1')).toThrow(/^forge URL is not a valid absolute URL$/);
  });

  it('redact replaces every occurrence of the secret', () => {
    expect(redact('a tok-123456 b tok-123456', ['tok-123456'])).toBe('a [redacted] b [redacted]');
  });
});

describe('helpers', () => {
  it('since is whole-second RFC 3339 in UTC, the overlap before the server time', () => {
    expect(sinceParam(Date.parse('2031-05-04T10:00:00.750Z'), 60_000)).toBe('2031-05-04T09:59:00Z');
  });

  it('mapBounded keeps input order and the bound', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, n));
      active -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
