import { PYTHON_WORD_CLASS_BODY } from './python-word-class.js';

/**
 * The reference triage loop's regexes are Python `re` patterns. The same source means something
 * else in JavaScript: `\w` and `\b` are ASCII-only, `\s` and `.` cover other characters, and under
 * IGNORECASE Python also folds `i` with `İ` and `ı`. compilePythonPattern translates a Python
 * pattern into a RegExp with Python's semantics, so the default profile can carry the reference
 * regexes verbatim and score exactly as it did.
 */

const W = PYTHON_WORD_CLASS_BODY;
// str.isspace() / re's \s in CPython: bidi WS, B, S or category Zs.
const S = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const D = '\\p{Nd}';
const DOTTED_I = 'İı';

const WORD_BOUNDARY = `(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`;
const NOT_WORD_BOUNDARY = `(?:(?<=[${W}])(?=[${W}])|(?<![${W}])(?![${W}]))`;

export class PatternError extends Error {}

export function translatePythonPattern(source: string, ignoreCase: boolean): string {
  let out = '';
  let inClass = false;
  let classStart = 0; // index in source of the first character after `[` or `[^`
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new PatternError('pattern ends with a lone backslash');
      i++;
      if (inClass) {
        if (next === 'w') out += W;
        else if (next === 's') out += S;
        else if (next === 'd') out += D;
        else if (next === 'W' || next === 'S' || next === 'D') {
          throw new PatternError(`\\${next} inside a character class is not supported`);
        } else out += '\\' + next;
        continue;
      }
      switch (next) {
        case 'w': out += `[${W}]`; break;
        case 'W': out += `[^${W}]`; break;
        case 's': out += `[${S}]`; break;
        case 'S': out += `[^${S}]`; break;
        case 'd': out += `[${D}]`; break;
        case 'D': out += `[^${D}]`; break;
        case 'b': out += WORD_BOUNDARY; break;
        case 'B': out += NOT_WORD_BOUNDARY; break;
        case 'A': out += '^'; break;
        case 'Z': out += '$'; break;
        default: out += '\\' + next;
      }
      continue;
    }
    if (inClass) {
      if (ch === ']' && i === classStart) {
        out += '\\]'; // Python reads a leading `]` as a literal; JavaScript as an empty class
        continue;
      }
      if (ch === ']') inClass = false;
      out += ch;
      if (ignoreCase && (ch === 'i' || ch === 'I')) out += DOTTED_I;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      classStart = source[i + 1] === '^' ? i + 2 : i + 1;
      out += ch;
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (ch === '.') {
      out += '[^\\n]';
      continue;
    }
    if (ch === '(' && source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (ignoreCase && (ch === 'i' || ch === 'I')) {
      out += `[${ch}${DOTTED_I}]`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Compile a Python-flavoured pattern (searching; `global` for counting all matches). */
export function compilePythonPattern(source: string, ignoreCase: boolean, global = false): RegExp {
  const translated = translatePythonPattern(source, ignoreCase);
  const flags = `u${ignoreCase ? 'i' : ''}${global ? 'g' : ''}`;
  try {
    return new RegExp(translated, flags);
  } catch (err) {
    throw new PatternError(`not a valid pattern: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

const PY_SPACE = new RegExp(`[${S}]`, 'u');

/** Python's str.strip(): JavaScript's trim() strips a different set of characters. */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.test(text[start]!)) start++;
  while (end > start && PY_SPACE.test(text[end - 1]!)) end--;
  return text.slice(start, end);
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
