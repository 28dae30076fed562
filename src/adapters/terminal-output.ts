import { sanitize } from '../core/sanitize.js';

/**
 * The one way switchboard writes to stdout and stderr outside the Ink console: every chunk loses
 * C0/C1 controls, ESC/CSI/OSC/DCS sequences, bidi overrides and invisible characters on the way
 * out, whatever it quotes (tracker text, file names, error messages). Newlines survive; tabs
 * become spaces. JSON written here is already escaped by terminalSafeJson, so nothing is lost.
 */

export interface Printer {
  /** one line (a newline is added) to stdout */
  out(line: string | Styled): void;
  /** one line (a newline is added) to stderr */
  err(line: string): void;
  /** text as it is (no newline added) to stdout */
  write(text: string): void;
  /** text as it is (no newline added) to stderr */
  writeErr(text: string): void;
  /** JSON made terminal-safe here, written as it is: sanitizing it again would change nothing */
  writeJson(chunk: TerminalSafeJson): void;
}

/**
 * A chunk of JSON in which every character that could steer a terminal is a \u escape. Only this
 * module makes one (terminalSafeJson, writeJsonArrays), so nothing else can pass raw text as one.
 */
declare const terminalSafe: unique symbol;
export type TerminalSafeJson = string & { readonly [terminalSafe]: true };

export const printable = (text: string): string => sanitize(text, { multiline: true });

/**
 * A line made printable here and then given colour here: the only escape sequences switchboard
 * writes itself. Its constructor is not exported, so nothing else can smuggle one through.
 */
export class Styled {
  private constructor(readonly text: string) {}

  /** SGR colours for a headless line's level word on a terminal: yellow WARN, red ERROR. */
  static levelWord(line: string, level: 'info' | 'warn' | 'error'): string | Styled {
    const safe = printable(line);
    const colour = level === 'warn' ? '\u001b[33m' : level === 'error' ? '\u001b[31m' : null;
    if (colour === null) return safe;
    // "YYYY-MM-DD HH:MM:SS " is 20 characters; the level word follows
    return new Styled(`${safe.slice(0, 20)}${colour}${safe.slice(20, 25)}\u001b[0m${safe.slice(25)}`);
  }

  toString(): string {
    return this.text;
  }
}

function writer(stream: NodeJS.WritableStream): (text: string) => void {
  return (text) => void stream.write(printable(text));
}

export function printerFor(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Printer {
  const toOut = writer(stdout);
  const toErr = writer(stderr);
  const rawOut = (text: string): void => void stdout.write(text);
  return {
    out: (line) => (line instanceof Styled ? rawOut(`${line.text}\n`) : toOut(`${line}\n`)),
    err: (line) => toErr(`${line}\n`),
    write: toOut,
    writeErr: toErr,
    writeJson: rawOut,
  };
}

/** The process's own stdout and stderr. */
export const terminal: Printer = printerFor(process.stdout, process.stderr);

/**
 * JSON for a terminal: lossless, but every character that could steer a terminal or hide text
 * (C0/C1 controls, bidi controls, zero-width and separator characters) is written as a \u escape.
 */
// The set sanitize's UNSAFE removes (JSON.stringify already escapes C0 controls and lone
// surrogates), matched by UTF-16 unit: without the u flag the scan is cheaper, and the tag
// characters U+E0000–U+E007F are the surrogate pairs \udb40\udc00–\udb40\udc7f.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u061c\ufeff\ufff9-\ufffb\u2028\u2029]|\udb40[\udc00-\udc7f]/g;

const escapeUnsafe = (c: string): string =>
  c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

export function terminalSafeJson(value: unknown, indent = 2): TerminalSafeJson {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, escapeUnsafe) as TerminalSafeJson;
}

/** Rows stringified and written at once: few writes and calls, each batch still small. */
const BATCH_ROWS = 512;

/**
 * A JSON object of arrays, written as it is built, a batch of terminal-safe rows at a time. A
 * large document is never held whole in memory, as one string or as one object tree.
 */
export function writeJsonArrays(
  out: { writeJson(chunk: TerminalSafeJson): void },
  arrays: readonly (readonly [name: string, length: number, row: (index: number) => unknown])[],
): void {
  let head = '{';
  arrays.forEach(([name, length, row], i) => {
    head += `${i === 0 ? '' : ','}${JSON.stringify(name)}:[`;
    for (let start = 0; start < length; start += BATCH_ROWS) {
      const batch: unknown[] = [];
      for (let j = start; j < Math.min(length, start + BATCH_ROWS); j++) batch.push(row(j));
      // One stringify for the batch; its brackets make way for the array's own.
      const rows = JSON.stringify(batch).slice(1, -1);
      out.writeJson(`${head}${start === 0 ? '' : ','}${rows}`.replace(UNSAFE_IN_JSON, escapeUnsafe) as TerminalSafeJson);
      head = '';
    }
    head += ']';
  });
  out.writeJson(`${head}}\n` as TerminalSafeJson);
}
