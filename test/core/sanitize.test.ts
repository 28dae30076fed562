import { describe, expect, it } from 'vitest';
import { sanitize } from '../../src/core/index.js';

describe('sanitize: tracker text made safe for a terminal', () => {
  it('strips CSI sequences (colours, cursor moves, screen clears)', () => {
    expect(sanitize('\u001b[31mred\u001b[0m \u001b[2J\u001b[Hhome')).toBe('red home');
  });

  it('strips OSC 8 hyperlinks but keeps their visible text', () => {
    expect(sanitize('\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 me')).toBe('click me');
    expect(sanitize('\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\')).toBe('click');
  });

  it('strips OSC 52 clipboard writes entirely', () => {
    expect(sanitize('a\u001b]52;c;cm0gLXJmIH4K\u0007b')).toBe('ab');
  });

  it('strips 8-bit C1 controls and C1 CSI/OSC sequences', () => {
    expect(sanitize('a\u009b31mb\u009d52;c;eA==\u009cc\u0085d')).toBe('abcd');
  });

  it('strips bidi overrides and isolates', () => {
    expect(sanitize('invoice\u202eexe.pdf \u2066x\u2069')).toBe('invoiceexe.pdf x');
  });

  it('strips zero-width and other invisible characters', () => {
    expect(sanitize('ad\u200bmin\u200d \u2060\ufeffok')).toBe('admin ok');
  });

  it('strips other C0 controls and DEL, and replaces lone surrogates', () => {
    expect(sanitize('a\u0000b\u0007c\u007fd\ud800e')).toBe('abcd\ufffde');
  });

  it('newlines become spaces unless multi-line text is asked for; tabs become spaces', () => {
    expect(sanitize('one\r\ntwo\n\nthree\tfour')).toBe('one two three    four');
    expect(sanitize('one\r\ntwo', { multiline: true })).toBe('one\ntwo');
  });

  it('keeps ordinary Unicode text as it is', () => {
    expect(sanitize('Grüße 🙂 日本語 İı')).toBe('Grüße 🙂 日本語 İı');
  });
});
