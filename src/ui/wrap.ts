import { displayWidth } from '../text/width.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Break one over-long word into pieces of at most `width` cells. */
function hardBreak(word: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const { segment } of segmenter.segment(word)) {
    if (line !== '' && displayWidth(line + segment) > width) {
      out.push(line);
      line = '';
    }
    line += segment;
  }
  return line === '' ? out : [...out, line];
}

/** Word-wrap sanitized text to `width` display cells; newlines are kept as line breaks. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    // Split on single spaces so indentation and runs of spaces survive.
    let fresh = true;
    for (const word of paragraph.split(' ')) {
      const candidate = fresh ? word : `${line} ${word}`;
      fresh = false;
      if (displayWidth(candidate) <= w) {
        line = candidate;
        continue;
      }
      if (line.trim() !== '') out.push(line);
      const pieces = displayWidth(word) > w ? hardBreak(word, w) : [word];
      out.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
    }
    out.push(line);
  }
  return out;
}
