/**
 * Windowing by arithmetic: which slice of a list fits in `height` lines with the selected row
 * visible. When the list does not fit, two lines are kept for "▲ n more" / "▼ n more" so the
 * window does not jump as the markers come and go.
 */
export interface ListWindow {
  readonly start: number;
  readonly end: number;
  /** rows shown (end - start) at most */
  readonly budget: number;
  readonly above: number;
  readonly below: number;
  /** true when the list needs the marker lines */
  readonly clipped: boolean;
}

export function listWindow(count: number, height: number, selected: number, offset: number): ListWindow {
  const h = Math.max(0, height);
  if (count <= h) return { start: 0, end: count, budget: h, above: 0, below: 0, clipped: false };
  const budget = Math.max(1, h - 2);
  let start = Math.min(Math.max(0, offset), count - budget);
  if (selected >= 0 && selected < start) start = selected;
  if (selected >= start + budget) start = selected - budget + 1;
  start = Math.max(0, Math.min(start, count - budget));
  const end = Math.min(count, start + budget);
  return { start, end, budget, above: start, below: count - end, clipped: true };
}

export type MoveTo = 'down' | 'up' | 'top' | 'bottom' | 'page-down' | 'page-up';

/** The index a move lands on, clamped to the list. */
export function moveIndex(index: number, count: number, to: MoveTo, page: number): number {
  if (count === 0) return 0;
  const step = Math.max(1, page);
  const target = { down: index + 1, up: index - 1, top: 0, bottom: count - 1, 'page-down': index + step, 'page-up': index - step }[to];
  return Math.max(0, Math.min(count - 1, target));
}
