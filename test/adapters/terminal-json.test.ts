import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable, terminalSafeJson, type TerminalSafeJson, writeJsonArrays } from '../../src/adapters/terminal-output.js';

// Characters a hostile title can carry: controls, ESC sequences, C1, bidi, zero-width, tag
// characters, lone surrogates, tabs and newlines, next to ordinary and astral text.
const hostileChar = fc.constantFrom(
  'a', 'é', '中', '😀', ' ', '\t', '\n', '\r', '\u0000', '\u0007', '\u001b', '[', ']', '\\', '"',
  '\u007f', '\u0085', '\u009b', '\u009c', '\u061c', '\u200b', '\u200e', '\u202e', '\u2066', '\u2028', '\ufeff', '\ufffa',
  '\u{e0001}', '\u{e0041}', '\u{e007f}', '\u{e0080}', '\ud800', '\udc00',
);
const hostileText = fc.array(hostileChar, { maxLength: 40 }).map((cs) => cs.join(''));

describe('JSON written for a terminal', () => {
  it('is already printable: writing it without sanitizing again changes nothing, and it parses back to the same text', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ title: hostileText, notes: fc.array(hostileText, { maxLength: 3 }) }), { maxLength: 5 }), (rows) => {
        const chunks: TerminalSafeJson[] = [];
        writeJsonArrays({ writeJson: (c) => chunks.push(c) }, [['rows', rows.length, (i) => rows[i]]]);
        for (const chunk of chunks) expect(printable(chunk)).toBe(chunk);
        expect(JSON.parse(chunks.join(''))).toEqual({ rows });
        const whole = terminalSafeJson({ rows });
        expect(printable(whole)).toBe(whole);
        expect(JSON.parse(whole)).toEqual({ rows });
      }),
      { numRuns: 300 },
    );
  });
});
