import { sanitize } from '../core/sanitize.js';

/**
 * The one way switchboard writes to stdout and stderr outside the Ink console: every chunk loses
 * C0/C1 controls, ESC/CSI/OSC/DCS sequences, bidi overrides and invisible characters on the way
 * out, whatever it quotes (tracker text, file names, error messages). Newlines survive; tabs
 * become spaces. JSON written here is already escaped by terminalSafeJson, so nothing is lost.
 */

export interface Printer {
  /** one line (a newline is added) to stdout */
  out(line: string): void;
  /** one line (a newline is added) to stderr */
  err(line: string): void;
  /** text as it is (no newline added) to stdout */
  write(text: string): void;
  /** text as it is (no newline added) to stderr */
  writeErr(text: string): void;
}

export const printable = (text: string): string => sanitize(text, { multiline: true });

function writer(stream: NodeJS.WritableStream): (text: string) => void {
  return (text) => void stream.write(printable(text));
}

export function printerFor(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Printer {
  const toOut = writer(stdout);
  const toErr = writer(stderr);
  return { out: (line) => toOut(`${line}\n`), err: (line) => toErr(`${line}\n`), write: toOut, writeErr: toErr };
}

/** The process's own stdout and stderr. */
export const terminal: Printer = printerFor(process.stdout, process.stderr);

/**
 * JSON for a terminal: lossless, but every character that could steer a terminal or hide text
 * (C0/C1 controls, bidi controls, zero-width and separator characters) is written as a \u escape.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u061c\ufeff\ufff9-\ufffb\u2028\u2029]|[\u{e0000}-\u{e007f}]/gu;

export function terminalSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (c) =>
    c.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  );
}
