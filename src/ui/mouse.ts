import type { Pane } from './keymap.js';
import type { Layout } from './layout.js';
import { paneBodyHeight } from './TablePane.js';
import { listWindow } from './window.js';

/** A mouse report in SGR encoding (mode 1006), as the terminal sends it with --mouse. */
export type MouseReport =
  | { readonly kind: 'wheel'; readonly direction: 'up' | 'down' }
  /** a left-button press; x and y count from 1, as the terminal does */
  | { readonly kind: 'click'; readonly x: number; readonly y: number }
  /** a release, a drag, another button: nothing to do, but never keys */
  | { readonly kind: 'other' };

// Ink hands a CSI sequence over as one input event, its ESC taken off.
const SGR = /^\u001b?\[<(\d{1,4});(\d{1,5});(\d{1,5})([Mm])$/;

/** The report in one input event, or null when the event is not a mouse report. */
export function parseMouse(input: string): MouseReport | null {
  const m = SGR.exec(input);
  if (!m) return null;
  const button = Number(m[1]);
  const press = m[4] === 'M';
  // bit 64: wheel (64 up, 65 down); bit 32: motion; low bits: the button (0 left)
  if (press && (button & 64) !== 0 && (button & 32) === 0) return { kind: 'wheel', direction: (button & 1) === 0 ? 'up' : 'down' };
  if (press && (button & ~(4 | 8 | 16)) === 0) return { kind: 'click', x: Number(m[2]), y: Number(m[3]) };
  return { kind: 'other' };
}

export interface PaneView {
  readonly ids: readonly string[];
  readonly selectedIndex: number;
  readonly offset: number;
}

/**
 * What a click at (x, y) lands on in the panes: a pane, and the row's id when it is on a row (on
 * the title or column header only the pane). The same arithmetic as the frame: header line,
 * banner, the backlog across the width, then proposals │ in flight.
 */
export function paneAt(box: Layout, banner: boolean, x: number, y: number, view: (pane: Pane) => PaneView): { pane: Pane; id: string | null } | null {
  const bodyTop = 2 + (banner ? 1 : 0);
  const line = y - bodyTop;
  if (line < 0 || line >= box.body) return null;
  let pane: Pane;
  let top: number;
  let height: number;
  if (line < box.backlog) [pane, top, height] = ['backlog', 0, box.backlog];
  else if (x <= box.leftWidth) [pane, top, height] = ['proposals', box.backlog, box.bottom];
  else if (x >= box.leftWidth + 2) [pane, top, height] = ['dispatches', box.backlog, box.bottom];
  else return null;
  const v = view(pane);
  const win = listWindow(v.ids.length, paneBodyHeight(height), v.selectedIndex, v.offset);
  // title, column header, then "▲ n more" when the list is clipped
  const at = line - top - 2 - (win.clipped ? 1 : 0);
  const index = win.start + at;
  return { pane, id: at >= 0 && index < win.end ? (v.ids[index] ?? null) : null };
}
