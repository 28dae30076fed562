import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileProfile,
  DEFAULT_PROFILE,
  DEFAULT_TAGS,
  ISSUE_TYPES,
  scoreIssue,
  ScoringProfileSchema,
  type Issue,
  type ScoredIssue,
  type ScoringProfile,
} from '../../src/core/index.js';
import { NOW } from './issue-builders.js';

/**
 * Whatever text a tracker sends, scoring never throws and its numbers keep their invariants.
 * Text mixes full Unicode, lone surrogates, control characters and the words scoring looks for.
 */

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
const tricky = fc.constantFrom('İ', 'ı', 'ſ', '\u212a', '\u0345', '\u3000', '\u001c', '\u0085', '\u2028', '\ua7cb', '🙂', '\u202e', '\u200b', 'é');
const words = fc.constantFrom(
  ...Object.values(DEFAULT_TAGS).flat(),
  'blocked', 'Blocks', 'BLOCKING', 'should', 'must', 'test case', 'assert ', 'pytest', 'test_x', 'src/', '.py', 'def ', '`f()`',
  '## Steps', '## expected', '[', ']', '[bug]', '[ P0 ]', ' ', '\n', '\r\n', '\t',
);
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 3, arbitrary: words },
  { weight: 1, arbitrary: tricky },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: control },
);
const text = (maxLength: number) => fc.array(piece, { maxLength }).map((xs) => xs.join(''));

const arbitraryIssue: fc.Arbitrary<Issue> = fc.record({
  title: text(12),
  body: text(40),
  labels: fc.array(fc.oneof(words, text(3)), { maxLength: 5 }),
  assignees: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
  createdAt: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), fc.string({ maxLength: 30 }), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
}).map((r) => ({
  repo: 'o/r',
  number: 1,
  author: 'a',
  authorTrusted: undefined,
  updatedAt: r.createdAt,
  state: 'open' as const,
  url: '',
  ...r,
}));

function expectInvariants(s: ScoredIssue, profile: ScoringProfile): void {
  for (const sub of [s.scope, s.acceptance, s.alignment]) {
    expect(Number.isInteger(sub)).toBe(true);
    expect(sub).toBeGreaterThanOrEqual(0);
    expect(sub).toBeLessThanOrEqual(3);
  }
  expect(s.score).toBe(s.scope + s.acceptance + s.alignment);
  expect(s.ready).toBe(s.score >= profile.threshold);
  expect(ISSUE_TYPES).toContain(s.type);
  expect(s.p0).toBe(s.tagMatches.p0.length > 0 || s.type === 'bug');
  expect(s.blocked).toBe(s.signals.blockedBy !== null);
  expect(Number.isInteger(s.ageDays)).toBe(true);
}

describe('scoring properties', () => {
  it('never throws on arbitrary titles, bodies and labels; sub-scores stay 0–3, total is their sum, ready ⇔ total ≥ 5', () => {
    fc.assert(
      fc.property(arbitraryIssue, (issue) => {
        expectInvariants(scoreIssue(issue, DEFAULT_PROFILE, NOW), DEFAULT_PROFILE);
      }),
      { numRuns: 400 },
    );
  });

  it('ready ⇔ total ≥ threshold for every threshold 0–9', () => {
    const profiles = Array.from({ length: 10 }, (_, threshold) => compileProfile(ScoringProfileSchema.parse({ threshold })));
    fc.assert(
      fc.property(arbitraryIssue, fc.integer({ min: 0, max: 9 }), (issue, threshold) => {
        const profile = profiles[threshold]!;
        const s = scoreIssue(issue, profile, NOW);
        expectInvariants(s, profile);
        expect(s.score).toBe(scoreIssue(issue, DEFAULT_PROFILE, NOW).score);
      }),
      { numRuns: 200 },
    );
  });

  it('scoring is deterministic', () => {
    fc.assert(
      fc.property(arbitraryIssue, (issue) => {
        expect(scoreIssue(issue, DEFAULT_PROFILE, NOW)).toEqual(scoreIssue({ ...issue }, DEFAULT_PROFILE, NOW));
      }),
      { numRuns: 100 },
    );
  });

  it('scores a ~1 MB body of mixed Unicode, controls and lone surrogates without throwing', () => {
    const chunk = 'should pass blocked \u0345blocked İ ſ \u212a \u0000\u001b[31m \ud800 🙂 test_\u00e9 src/a.py `f()` \u3000 é\n';
    const body = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
    expect(body.length).toBeGreaterThanOrEqual(1_000_000);
    const issue: Issue = { repo: 'o/r', number: 1, title: '[bug] Huge', body, labels: ['feature'], assignees: [], author: 'a', authorTrusted: undefined, createdAt: '', updatedAt: '', state: 'open', url: '' };
    const s = scoreIssue(issue, DEFAULT_PROFILE, NOW);
    expectInvariants(s, DEFAULT_PROFILE);
    expect(s).toMatchObject({ scope: 3, acceptance: 3, alignment: 3, blocked: true });
  });
});
