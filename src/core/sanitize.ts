/**
 * Tracker text is untrusted. Before it reaches a terminal it loses everything that could steer
 * the terminal or lie about what is shown: ANSI CSI/OSC/DCS sequences (colours, cursor moves,
 * OSC 8 links, OSC 52 clipboard writes), other C0/C1 controls, bidi overrides and isolates, and
 * invisible characters used for spoofing. Tabs and newlines survive only where asked for.
 */

// ESC-introduced sequences: CSI … final, OSC/DCS/SOS/PM/APC … ST or BEL, and two-byte escapes.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)|[ -/]*[0-~]?)/g;
// 8-bit C1 introducers: CSI (0x9b), and OSC/DCS/SOS/PM/APC strings ending in ST (0x9c) or BEL.
// eslint-disable-next-line no-control-regex
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d\u009e\u009f][\s\S]*?(?:\u009c|\u0007|$)/g;
// C0 (but tab/newline), DEL, C1; bidi embeddings/overrides/isolates and marks; zero-width and
// other invisible format characters; line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u061c\ufeff\ufff9-\ufffb\u2028\u2029\u{e0000}-\u{e007f}]/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export interface SanitizeOptions {
  /** keep newlines (multi-line views such as an issue body); otherwise they become spaces */
  readonly multiline?: boolean;
}

export function sanitize(text: string, options: SanitizeOptions = {}): string {
  let t = text.replace(ESCAPE_SEQUENCE, '').replace(C1_SEQUENCE, '').replace(/\r\n?/g, '\n');
  t = t.replace(UNSAFE, '').replace(LONE_SURROGATE, '\ufffd');
  t = t.replace(/\t/g, '    ');
  return options.multiline ? t : t.replace(/\n+/g, ' ');
}

/**
 * Tracker text inside a markdown document: markdown's punctuation is backslash-escaped, so a title
 * cannot open a link, an image, emphasis, code, a table cell or raw HTML in the rendered summary
 * (parentheses and "!" mean nothing without the brackets).
 */
export const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[\]<>|~]/g, '\\$&');
