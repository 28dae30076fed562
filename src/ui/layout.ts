import type { TerminalSize } from './use-terminal-size.js';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface Layout {
  readonly fits: boolean;
  readonly width: number;
  /** lines between the header (and banner) and the two footer lines */
  readonly body: number;
  readonly backlog: number;
  readonly bottom: number;
  readonly leftWidth: number;
  readonly rightWidth: number;
}

/**
 * Line arithmetic for one frame. The frame is one line shorter than the terminal: a frame as tall
 * as the terminal makes Ink clear the screen on every render.
 */
export function layout(size: TerminalSize, banner: boolean): Layout {
  const fits = size.columns >= MIN_COLUMNS && size.rows >= MIN_ROWS;
  const frame = size.rows - 1;
  const body = Math.max(0, frame - 3 - (banner ? 1 : 0));
  const backlog = Math.ceil(body / 2);
  // Proposals carry a sentence of reason; in-flight rows are mostly short words.
  // The last column stays empty: a line that fills it leaves the cursor in the terminal's
  // pending-wrap state, and incremental redraws then land one line off.
  const width = size.columns - 1;
  const leftWidth = Math.floor((width - 1) * 0.56);
  return { fits, width, body, backlog, bottom: body - backlog, leftWidth, rightWidth: width - 1 - leftWidth };
}

export const tooSmall = (size: TerminalSize): string =>
  `switchboard needs a terminal of at least ${MIN_COLUMNS}×${MIN_ROWS} (now ${size.columns}×${size.rows})`;
