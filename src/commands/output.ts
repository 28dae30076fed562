/**
 * JSON for a terminal: lossless, but every character that could steer a terminal or hide text
 * (C0/C1 controls, bidi controls, zero-width and separator characters) is written as a \u escape.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u061c\ufeff\u2028\u2029]/g;

export function terminalSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
