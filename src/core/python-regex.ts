import { PYTHON_CASE_GROUPS, PYTHON_DIGIT_CLASS_BODY, PYTHON_WORD_CLASS_BODY } from './python-unicode.js';

/**
 * The reference triage loop's regexes are Python `re` patterns. The same source means something
 * else in JavaScript: `\w`, `\d` and `\b` are ASCII-only, `\s` and `.` cover other characters, `$`
 * also matches before a final newline in Python, and IGNORECASE compares Python's simple
 * lower-case mappings where JavaScript's `i` flag case-folds (it matches U+0345 with iota, and
 * Python matches `İ` and `ı` with `i`). compilePythonPattern translates a Python pattern into a
 * RegExp with Python's semantics, so the default profile carries the reference regexes verbatim
 * and scores exactly as the reference did. Case-insensitivity is spelled out character by
 * character from Python's own tables (python-unicode.ts); the RegExp never gets the `i` flag.
 */

const W = PYTHON_WORD_CLASS_BODY;
const D = PYTHON_DIGIT_CLASS_BODY;
// str.isspace() / re's \s in CPython: bidi WS, B, S or category Zs.
const S = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WORD_BOUNDARY = `(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`;
const NOT_WORD_BOUNDARY = `(?:(?<=[${W}])(?=[${W}])|(?<![${W}])(?![${W}]))`;

export class PatternError extends Error {}

const IS_WORD = new RegExp(`^[${W}]$`, 'u');
const isWordChar = (cp: number): boolean => IS_WORD.test(String.fromCodePoint(cp));

/** code point → every code point Python's IGNORECASE matches it with (itself included). */
const CASE_GROUP = new Map<number, readonly number[]>();
for (const group of PYTHON_CASE_GROUPS) {
  const members = Array.from(group, (c) => c.codePointAt(0)!);
  for (const cp of members) CASE_GROUP.set(cp, members);
}

const hex = (cp: number): string => `\\u{${cp.toString(16).toUpperCase()}}`;
const SYNTAX = new Set('^$\\.*+?()[]{}|/');

function literal(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (SYNTAX.has(ch)) return `\\${ch}`;
  return cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff) ? hex(cp) : ch;
}

/** A character inside a class: ASCII letters and digits as they are, everything else escaped. */
const classChar = (cp: number): string => (/^[A-Za-z0-9]$/.test(String.fromCodePoint(cp)) ? String.fromCodePoint(cp) : hex(cp));

const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Translates one pattern; `i` walks code points so astral characters stay whole. */
class Translator {
  private readonly cps: string[];
  private i = 0;
  private out = '';
  /** the last atom is one character that is always a word character and is not optional */
  private prevIsWord = false;

  constructor(
    source: string,
    private readonly ignoreCase: boolean,
  ) {
    this.cps = Array.from(source);
  }

  run(): string {
    const cps = this.cps;
    while (this.i < cps.length) {
      const ch = cps[this.i]!;
      if (ch === '\\') this.escape();
      else if (ch === '[') this.charClass();
      else if (ch === '(') this.group();
      else if (ch === '{') this.brace();
      else if (ch === '*' || ch === '?') {
        this.prevIsWord = false;
        this.emit(ch, 1);
      } else if (ch === '+' || ch === ')' || ch === '|' || ch === '^') {
        if (ch !== '+') this.prevIsWord = false;
        this.emit(ch, 1);
      } else if (ch === '.') {
        this.prevIsWord = false;
        this.emit('[^\\n]', 1);
      } else if (ch === '$') {
        this.prevIsWord = false;
        this.emit('(?=\\n?$)', 1); // Python's $ also matches before a final newline
      } else {
        this.char(ch.codePointAt(0)!, 1);
      }
    }
    return this.out;
  }

  private emit(text: string, advance: number): void {
    this.out += text;
    this.i += advance;
  }

  private char(cp: number, advance: number): void {
    const group = this.ignoreCase ? CASE_GROUP.get(cp) : undefined;
    this.emit(group ? `[${group.map(classChar).join('')}]` : literal(cp), advance);
    this.prevIsWord = (group ?? [cp]).every(isWordChar);
  }

  /** A numeric or simple escape at `at` (just after the backslash): its code point and length. */
  private escapedChar(at: number, inClass: boolean): { cp: number; length: number } | null {
    const e = this.cps[at];
    if (e === undefined) throw new PatternError('pattern ends with a lone backslash');
    const digits = (n: number, re: RegExp): string | null => {
      const s = this.cps.slice(at + 1, at + 1 + n).join('');
      return s.length === n && re.test(s) ? s : null;
    };
    if (e in SIMPLE_ESCAPES) return { cp: SIMPLE_ESCAPES[e]!, length: 1 };
    if (inClass && e === 'b') return { cp: 8, length: 1 };
    if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const h = digits(n, /^[0-9a-fA-F]+$/);
      if (h === null) throw new PatternError(`incomplete escape \\${e}`);
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff) throw new PatternError(`bad escape \\${e}${h}`);
      return { cp, length: 1 + n };
    }
    if (/^[0-7]$/.test(e) && (e === '0' || inClass || /^[0-7]{3}$/.test(this.cps.slice(at, at + 3).join('')))) {
      let oct = e;
      while (oct.length < 3 && /^[0-7]$/.test(this.cps[at + oct.length] ?? '')) oct += this.cps[at + oct.length];
      return { cp: parseInt(oct, 8), length: oct.length };
    }
    if (/^[A-Za-z0-9]$/.test(e)) return null;
    return { cp: e.codePointAt(0)!, length: 1 };
  }

  private escape(): void {
    const e = this.cps[this.i + 1];
    const c = this.escapedChar(this.i + 1, false);
    if (c) return this.char(c.cp, 1 + c.length);
    this.prevIsWord = e === 'w';
    switch (e) {
      case 'w': return this.emit(`[${W}]`, 2);
      case 'W': return this.emit(`[^${W}]`, 2);
      case 's': return this.emit(`[${S}]`, 2);
      case 'S': return this.emit(`[^${S}]`, 2);
      case 'd': return this.emit(`[${D}]`, 2);
      case 'D': return this.emit(`[^${D}]`, 2);
      case 'A': return this.emit('^', 2);
      case 'Z': return this.emit('$', 2);
      case 'b':
      case 'B':
        return this.boundary(e === 'b');
    }
    const backref = /^[1-9][0-9]?/.exec(this.cps.slice(this.i + 1, this.i + 3).join(''));
    if (backref) return this.emit(`\\${backref[0]}`, 1 + backref[0].length);
    throw new PatternError(`bad escape \\${e}`);
  }

  /**
   * `\b` is costly as a pair of look-arounds over the whole \w class at every position. Next to an
   * atom that is surely one word character it needs only one side: before such an atom `\b` means
   * "no word character behind", after one "no word character ahead".
   */
  private boundary(positive: boolean): void {
    if (this.nextIsWord(this.i + 2)) {
      this.emit(positive ? `(?<![${W}])` : `(?<=[${W}])`, 2);
    } else if (this.prevIsWord) {
      this.emit(positive ? `(?![${W}])` : `(?=[${W}])`, 2);
    } else {
      this.emit(positive ? WORD_BOUNDARY : NOT_WORD_BOUNDARY, 2);
    }
    this.prevIsWord = false;
  }

  /** Whether the atom at `at` always consumes a word character first (and is not optional). */
  private nextIsWord(at: number): boolean {
    const ch = this.cps[at];
    let end: number;
    if (ch === undefined) return false;
    if (ch === '\\') {
      if (this.cps[at + 1] !== 'w') return false;
      end = at + 2;
    } else {
      if ('^$\\.*+?()[]{}|'.includes(ch)) return false;
      const cp = ch.codePointAt(0)!;
      const group = this.ignoreCase ? CASE_GROUP.get(cp) : undefined;
      if (!(group ?? [cp]).every(isWordChar)) return false;
      end = at + 1;
    }
    const q = this.cps[end];
    if (q === '?' || q === '*') return false;
    if (q === '{') {
      const m = /^\{(\d*)(,\d*)?\}/.exec(this.cps.slice(end, end + 24).join(''));
      if (m && m[0] !== '{}' && !(Number(m[1] || '0') > 0)) return false;
    }
    return true;
  }

  private group(): void {
    const rest = this.cps.slice(this.i, this.i + 4).join('');
    this.prevIsWord = false;
    if (rest.startsWith('(?P<')) return this.emit('(?<', 4);
    if (rest.startsWith('(?P=')) {
      const close = this.cps.indexOf(')', this.i);
      if (close < 0) throw new PatternError('missing ) after a group reference');
      const name = this.cps.slice(this.i + 4, close).join('');
      this.out += `\\k<${name}>`;
      this.i = close + 1;
      return;
    }
    if (rest.startsWith('(?#')) {
      const close = this.cps.indexOf(')', this.i);
      if (close < 0) throw new PatternError('missing ), unterminated comment');
      this.i = close + 1;
      return;
    }
    if (/^\(\?[aiLmsux-]/.test(rest)) {
      throw new PatternError('inline flags such as (?i) are not supported: use ignoreCase');
    }
    this.emit('(', 1);
  }

  /** Python reads `{` as a literal unless it starts a well-formed repeat; JavaScript's u mode throws. */
  private brace(): void {
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.cps.slice(this.i, this.i + 24).join(''));
    if (!m || m[0] === '{}') return this.char(0x7b, 1);
    const min = m[1] || '0';
    const max = m[2] ? m[3] : m[1];
    if (min === '0') this.prevIsWord = false;
    this.emit(`{${min}${m[2] ? `,${max ?? ''}` : ''}}`, m[0].length);
  }

  private charClass(): void {
    const cps = this.cps;
    let at = this.i + 1;
    const negated = cps[at] === '^';
    if (negated) at++;
    const parts: string[] = [];
    const folded = new Set<number>();
    const fold = (cp: number) => {
      for (const m of (this.ignoreCase && CASE_GROUP.get(cp)) || []) folded.add(m);
    };
    let first = true;
    for (;;) {
      const ch = cps[at];
      if (ch === undefined) throw new PatternError('unterminated character set');
      if (ch === ']' && !first) break;
      first = false;
      let lo: number;
      if (ch === '\\') {
        const e = cps[at + 1];
        if (e === 'w' || e === 's' || e === 'd') {
          parts.push(e === 'w' ? W : e === 's' ? S : D);
          at += 2;
          continue;
        }
        if (e === 'W' || e === 'S' || e === 'D') throw new PatternError(`\\${e} inside a character class is not supported`);
        const c = this.escapedChar(at + 1, true);
        if (!c) throw new PatternError(`bad escape \\${e ?? ''}`);
        lo = c.cp;
        at += 1 + c.length;
      } else {
        lo = ch.codePointAt(0)!;
        at += 1;
      }
      if (cps[at] === '-' && cps[at + 1] !== undefined && cps[at + 1] !== ']') {
        let hi: number;
        if (cps[at + 1] === '\\') {
          const c = this.escapedChar(at + 2, true);
          if (!c) throw new PatternError(`bad character range`);
          hi = c.cp;
          at += 2 + c.length;
        } else {
          hi = cps[at + 1]!.codePointAt(0)!;
          at += 2;
        }
        if (hi < lo) throw new PatternError('bad character range');
        parts.push(`${classChar(lo)}-${classChar(hi)}`);
        if (this.ignoreCase) {
          for (const [cp] of CASE_GROUP) if (cp >= lo && cp <= hi) fold(cp);
        }
        continue;
      }
      parts.push(classChar(lo));
      fold(lo);
    }
    for (const cp of folded) parts.push(classChar(cp));
    this.prevIsWord = false;
    this.emit(`[${negated ? '^' : ''}${parts.join('')}]`, at + 1 - this.i);
  }
}

export function translatePythonPattern(source: string, ignoreCase: boolean): string {
  return new Translator(source, ignoreCase).run();
}

/** Compile a Python-flavoured pattern (searching; `global` for counting all matches). */
export function compilePythonPattern(source: string, ignoreCase: boolean, global = false): RegExp {
  const translated = translatePythonPattern(source, ignoreCase);
  try {
    return new RegExp(translated, global ? 'gu' : 'u');
  } catch (err) {
    throw new PatternError(`not a valid pattern: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

/** The characters of S (Python's str.isspace()), without a RegExp: strip runs for every tag. */
function isPythonSpace(c: number): boolean {
  if (c <= 0x20) return c >= 0x1c || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Python's str.strip(): JavaScript's trim() strips a different set of characters. */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Python's len() counts code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
