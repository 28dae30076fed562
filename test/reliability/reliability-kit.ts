import { expect } from 'vitest';

/** `npm run soak` sets SWITCHBOARD_SOAK=1: the long variants of the reliability suites. */
export const SOAK = process.env.SWITCHBOARD_SOAK === '1';

/** A failure a user reads: one sentence, no object dump, no stack, no token. */
export function checkMessage(message: string, token: string): void {
  expect(message.trim(), 'an empty failure message').not.toBe('');
  expect(message, message).not.toContain('[object Object]');
  expect(message, message).not.toMatch(/\n\s+at |\bat .+\.[cm]?[jt]s:\d+:\d+/);
  expect(message, message).not.toContain(token);
  expect(message, message).not.toMatch(/\bundefined\b|\bnull\b/);
}
