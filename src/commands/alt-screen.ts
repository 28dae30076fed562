/**
 * Terminal modes the console switches on around Ink's lifetime, each switched off again on every
 * way out: the alternate screen (DEC private mode 1049, as vim, less, k9s use: on leaving, the
 * terminal shows what it showed before) and, with --mouse, mouse reports (modes 1000 + 1006, SGR
 * encoding: wheel and clicks arrive as `ESC [ < b ; x ; y M`). Ink 6.8 has an option for neither.
 */

const ENTER = '\u001b[?1049h';
const LEAVE = '\u001b[?1049l';
/** the cursor Ink hid; shown again on the way out whatever state Ink is left in */
const SHOW_CURSOR = '\u001b[?25h';
const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export interface TerminalMode {
  /** switch the mode off; safe to call more than once */
  leave(): void;
}

/**
 * Switch a mode on and make sure it is switched off on every way out: a normal quit calls
 * `leave`; a crash or `process.exit` (the second Ctrl-C) runs the 'exit' listener, which writes
 * synchronously to a TTY.
 */
function terminalMode(out: NodeJS.WriteStream, on: string, off: string): TerminalMode {
  let active = true;
  const leave = (): void => {
    if (!active) return;
    active = false;
    process.off('exit', leave);
    out.write(off);
  };
  out.write(on);
  process.on('exit', leave);
  return { leave };
}

export const enterAltScreen = (out: NodeJS.WriteStream): TerminalMode => terminalMode(out, ENTER, SHOW_CURSOR + LEAVE);

/** Mouse reports on (--mouse only: while they are on, the terminal's own text selection needs Shift). */
export const enableMouse = (out: NodeJS.WriteStream): TerminalMode => terminalMode(out, MOUSE_ON, MOUSE_OFF);
