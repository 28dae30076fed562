/**
 * JSON for a terminal: lossless, but every character that could steer a terminal or hide text
 * (C0/C1 controls, bidi controls, zero-width and separator characters) is written as a \u escape.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u061c\ufeff\u2028\u2029]/g;

const escapeUnsafe = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function terminalSafeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, escapeUnsafe);
}

/** Rows stringified and written at once: few writes and calls, each batch still small. */
const BATCH_ROWS = 512;

/**
 * A JSON object of arrays, written as it is built, a batch of terminal-safe rows at a time. A
 * large document is never held whole in memory, as one string or as one object tree.
 */
export function writeJsonArrays(
  out: { write(text: string): void },
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
      out.write(`${head}${start === 0 ? '' : ','}${rows}`.replace(UNSAFE_IN_JSON, escapeUnsafe));
      head = '';
    }
    head += ']';
  });
  out.write(`${head}}\n`);
}
