import { describe, expect, it } from 'vitest';
import { codePointLength, compilePythonPattern, PatternError, pythonStrip } from '../../src/core/python-regex.js';

/** Each expectation here was checked against CPython 3.11's `re`. */
const matches = (source: string, ignoreCase: boolean, subjects: string[]) => {
  const re = compilePythonPattern(source, ignoreCase);
  return subjects.map((s) => re.test(s));
};

describe('Python patterns in JavaScript', () => {
  it('$ also matches before one final newline', () => {
    expect(matches('end$', false, ['end\n', 'end\n\n', 'end'])).toEqual([true, false, true]);
  });

  it('{,n} is a repeat from zero; a { that starts no repeat is a literal', () => {
    expect(matches('a{,2}b', false, ['aab', 'aaab'])).toEqual([true, true]);
    expect(matches('x{', false, ['x{'])).toEqual([true]);
    expect(matches('{}', false, ['{}'])).toEqual([true]);
  });

  it('\\x, \\u and octal escapes are characters, folded under IGNORECASE', () => {
    expect(matches('\\x41\\u0042', true, ['ab'])).toEqual([true]);
    expect(matches('\\101', false, ['A'])).toEqual([true]);
  });

  it('an escaped punctuation character is that character', () => {
    expect(matches('\\#\\ ', false, ['# '])).toEqual([true]);
  });

  it('named groups, named back-references and comments', () => {
    expect(matches('(?P<w>ab)(?P=w)', false, ['abab', 'abba'])).toEqual([true, false]);
    expect(matches('a(?#comment)b', false, ['ab'])).toEqual([true]);
  });

  it('IGNORECASE classes fold like Python: [^k] excludes the Kelvin sign, [a-c] does not take it', () => {
    expect(matches('[^k]', true, ['\u212a', 'K', 'x'])).toEqual([false, false, true]);
    expect(matches('[a-c]', true, ['B', '\u212a'])).toEqual([true, false]);
  });

  it('IGNORECASE iota matches U+0345 and U+1FBE, as Python\'s extra cases say', () => {
    expect(matches('ι', true, ['\u0345', '\u1fbe', 'Ι'])).toEqual([true, true, true]);
  });

  it('\\d is Unicode 14 decimal digits: digits added in later Unicode versions are not', () => {
    expect(matches('\\d', false, ['\u0660', '\u{11f50}'])).toEqual([true, false]);
  });

  it('\\b next to a non-ASCII word character', () => {
    expect(matches('\\bé', true, [' é', 'xé'])).toEqual([true, false]);
  });

  it('inline flags, bad escapes and broken patterns are PatternErrors', () => {
    expect(() => compilePythonPattern('(?i)x', false)).toThrow(PatternError);
    expect(() => compilePythonPattern('\\q', false)).toThrow('bad escape \\q');
    expect(() => compilePythonPattern('(x', false)).toThrow(PatternError);
    expect(() => compilePythonPattern('[x', false)).toThrow('unterminated character set');
    expect(() => compilePythonPattern('x\\', false)).toThrow('pattern ends with a lone backslash');
  });

  it('strip removes exactly Python\'s white space', () => {
    expect(pythonStrip('\u001c\u0085 x \u3000\u2028')).toBe('x');
    expect(pythonStrip('\u200bx\ufeff')).toBe('\u200bx\ufeff');
  });

  it('length counts code points; a lone surrogate counts as one', () => {
    expect(codePointLength('a🙂\ud800')).toBe(3);
  });
});
