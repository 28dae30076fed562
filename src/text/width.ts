import stringWidth from 'string-width';

/**
 * Display-width arithmetic for terminal columns: CJK and emoji take two cells, combining marks
 * none. Input must already be sanitized (no control characters).
 */

export const displayWidth = (text: string): number => (PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text));
/** one cell per character, and the common case: string-width is slow on long text (a 1 MB issue body) */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Cut to at most `width` cells, ending with "…" when anything was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Truncate, then pad with spaces to exactly `width` cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const pad = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return align === 'right' ? pad + cut : cut + pad;
}

export interface Column<Row> {
  readonly header: string;
  /** fixed width in cells; omit on one column to let it take the remaining space */
  readonly width?: number;
  readonly align?: 'left' | 'right';
  readonly value: (row: Row) => string;
}

/** A plain-text table that never exceeds `totalWidth` cells per line. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], totalWidth: number): string[] {
  const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0) + (columns.length - 1) * 2;
  const flex = Math.max(8, totalWidth - fixed);
  const widths = columns.map((c) => c.width ?? flex);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => fit(cell, widths[i]!, columns[i]!.align))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => c.value(row))))];
}
