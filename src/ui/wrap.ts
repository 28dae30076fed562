import { displayWidth } from '../text/width.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Break one over-long word into pieces of at most `width` cells. */
function hardBreak(word: string, width: number): string[] {
  const out: string[] = [];
  // printable ASCII is one cell per character: slice it (segmenting 1 MB of it takes seconds)
  if (/^[\x20-\x7e]*$/.test(word)) {
    for (let i = 0; i < word.length; i += width) out.push(word.slice(i, i + width));
    return out;
  }
  let line = '';
  let used = 0;
  for (const { segment } of segmenter.segment(word)) {
    const cells = displayWidth(segment);
    if (line !== '' && used + cells > width) {
      out.push(line);
      line = '';
      used = 0;
    }
    line += segment;
    used += cells;
  }
  return line === '' ? out : [...out, line];
}

/** Word-wrap sanitized text to `width` display cells; newlines are kept as line breaks. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    // cells of `line`, kept as words are added: measuring the whole line per word is quadratic
    let used = 0;
    // Split on single spaces so indentation and runs of spaces survive.
    let fresh = true;
    for (const word of paragraph.split(' ')) {
      const cells = displayWidth(word);
      const candidate = fresh ? cells : used + 1 + cells;
      if (candidate <= w) {
        line = fresh ? word : `${line} ${word}`;
        used = candidate;
        fresh = false;
        continue;
      }
      fresh = false;
      if (line.trim() !== '') out.push(line);
      const pieces = cells > w ? hardBreak(word, w) : [word];
      out.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
      used = displayWidth(line);
    }
    out.push(line);
  }
  return out;
}
