/**
 * The terminal's alternate screen (DEC private mode 1049, as vim, less, k9s use): the console
 * draws on a screen of its own, and on leaving the terminal shows what it showed before.
 * Ink 6.8 has no option for it, so the launcher switches around Ink's lifetime.
 */

const ENTER = '\u001b[?1049h';
const LEAVE = '\u001b[?1049l';
/** the cursor Ink hid; shown again on the way out whatever state Ink is left in */
const SHOW_CURSOR = '\u001b[?25h';

export interface AltScreen {
  /** back to the normal screen; safe to call more than once */
  leave(): void;
}

/**
 * Enter the alternate screen on `out` and make sure the terminal gets its own screen back on
 * every way out: a normal quit calls `leave`; a crash or `process.exit` (the second Ctrl-C) runs
 * the 'exit' listener, which writes synchronously to a TTY.
 */
export function enterAltScreen(out: NodeJS.WriteStream): AltScreen {
  let active = true;
  const leave = (): void => {
    if (!active) return;
    active = false;
    process.off('exit', leave);
    out.write(SHOW_CURSOR + LEAVE);
  };
  out.write(ENTER);
  process.on('exit', leave);
  return { leave };
}
