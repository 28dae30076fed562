import { describe, expect, it } from 'vitest';
import { shortHash } from '../../src/core/hash.js';

/** Proposal ids are journalled and typed by operators: the digest of a text must never change. */
describe('shortHash', () => {
  it('gives the same digests as it always has', () => {
    expect(shortHash('')).toBe('811c9dc58422');
    expect(shortHash('acme/api\u00002\u0000dispatch\u0000claude\u00002026-03-21T10:00:00Z')).toBe('8b923b41071c');
    expect(shortHash('é🙂', 16)).toBe('02cbe5bbcfe3d452');
  });
});
