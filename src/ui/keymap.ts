import type { Key } from 'ink';

/** Every mode the console can be in; the root input handler routes keys by it. */
export const MODES = ['normal', 'detail', 'help', 'errors', 'filter', 'command', 'note', 'confirm', 'picker', 'lessons', 'lesson-text', 'lesson-delete'] as const;
export type ModeName = (typeof MODES)[number];

export const PANES = ['backlog', 'proposals', 'dispatches'] as const;
export type Pane = (typeof PANES)[number];

export type Command =
  | 'down'
  | 'up'
  | 'top'
  | 'bottom'
  | 'page-down'
  | 'page-up'
  | 'next-pane'
  | 'prev-pane'
  | 'open-detail'
  | 'back'
  | 'approve'
  | 'reject'
  | 'reroute'
  | 'approve-all'
  | 'run-cycle'
  | 'toggle-pause'
  | 'filter'
  | 'sort'
  | 'command-line'
  | 'help'
  | 'errors'
  | 'quit'
  | 'force-quit'
  | 'yes'
  | 'no'
  | 'pick'
  | 'submit'
  | 'erase'
  | 'complete'
  | 'lessons'
  | 'add-lesson'
  | 'edit-lesson'
  | 'delete-lesson'
  // the console's own additions (issue 14 leftovers)
  | 'undo'
  | 'open'
  // the operator's hands on a dispatch (In flight pane and a dispatch's detail view)
  | 'retry'
  | 'cancel-dispatch'
  | 'mark-done'
  | 'acknowledge';

export interface Binding {
  readonly command: Command;
  readonly description: string;
  /** goes through a confirmation, or writes to the tracker when armed */
  readonly dangerous: boolean;
  /** normal mode: the panes where the key does something (all when absent) */
  readonly panes?: readonly Pane[];
  /** the footer offers it, first, only while an approval is in its grace period (help always lists it) */
  readonly inGrace?: boolean;
}

export type Keymap = Readonly<Record<ModeName, Readonly<Record<string, Binding>>>>;

const b = (command: Command, description: string, extra: Partial<Binding> = {}): Binding => ({ command, description, dangerous: false, ...extra });
const PROPOSING: readonly Pane[] = ['backlog', 'proposals'];

const moves = {
  j: b('down', 'down'),
  down: b('down', 'down'),
  k: b('up', 'up'),
  up: b('up', 'up'),
  g: b('top', 'first'),
  G: b('bottom', 'last'),
  pgdn: b('page-down', 'page down'),
  pgup: b('page-up', 'page up'),
};

/** The lessons view (seed 004 LessonsProvider), kept as a block of its own. */
const OPEN_LESSONS = { L: b('lessons', 'lessons') };
const LESSONS_KEYS = {
  lessons: {
    ...moves,
    a: b('add-lesson', 'add a lesson'),
    e: b('edit-lesson', 'edit'),
    d: b('delete-lesson', 'delete'),
    esc: b('back', 'close'),
    L: b('back', 'close'),
    q: b('back', 'close'),
    '?': b('help', 'help'),
    'ctrl-c': b('quit', 'quit'),
  },
  'lesson-text': {
    enter: b('submit', 'save lesson'),
    esc: b('back', 'cancel'),
    backspace: b('erase', 'erase'),
    'ctrl-c': b('quit', 'quit'),
  },
  'lesson-delete': {
    y: b('yes', 'delete it'),
    n: b('no', 'keep it'),
    enter: b('no', 'keep it (default)'),
    esc: b('no', 'keep it'),
    'ctrl-c': b('quit', 'quit'),
  },
};
/** Undo during an approval's grace, and the browser: in the panes and the detail view alike. */
const extras = (panes?: readonly Pane[]) => ({
  u: b('undo', 'undo approval', { inGrace: true, ...(panes ? { panes } : {}) }),
  o: b('open', 'open in browser'),
});
/** The operator's hands on a dispatch, in the In flight pane (normal mode) and any detail view. */
const DISPATCH_HANDS = {
  t: b('retry', 'retry now', { dangerous: true, panes: ['dispatches'] }),
  c: b('cancel-dispatch', 'cancel dispatch', { dangerous: true, panes: ['dispatches'] }),
  d: b('mark-done', 'mark done', { dangerous: true, panes: ['dispatches'] }),
  K: b('acknowledge', 'acknowledge', { panes: ['dispatches'] }),
};

/** Keys are names from `keyName`: a printable character, or "enter", "esc", "tab", "shift-tab", "ctrl-c"… */
export const KEYMAP: Keymap = {
  normal: {
    ...moves,
    tab: b('next-pane', 'next pane'),
    'shift-tab': b('prev-pane', 'previous pane'),
    enter: b('open-detail', 'details'),
    a: b('approve', 'approve', { dangerous: true, panes: PROPOSING }),
    x: b('reject', 'reject', { panes: PROPOSING }),
    r: b('reroute', 're-route'),
    ...DISPATCH_HANDS,
    A: b('approve-all', 'approve all', { dangerous: true, panes: ['proposals'] }),
    R: b('run-cycle', 'run cycle'),
    p: b('toggle-pause', 'pause'),
    '/': b('filter', 'filter'),
    s: b('sort', 'sort'),
    ':': b('command-line', 'command'),
    '?': b('help', 'help'),
    E: b('errors', 'recent errors'),
    ...OPEN_LESSONS,
    esc: b('back', 'clear filter'),
    q: b('quit', 'quit'),
    'ctrl-c': b('quit', 'quit'),
    ...extras(PROPOSING),
  },
  detail: {
    ...moves,
    a: b('approve', 'approve', { dangerous: true }),
    x: b('reject', 'reject'),
    r: b('reroute', 're-route'),
    ...extras(),
    ...DISPATCH_HANDS,
    esc: b('back', 'back'),
    '?': b('help', 'help'),
    q: b('back', 'back'),
    'ctrl-c': b('quit', 'quit'),
  },
  help: {
    ...moves,
    esc: b('back', 'close help'),
    '?': b('back', 'close help'),
    q: b('back', 'close help'),
    'ctrl-c': b('quit', 'quit'),
  },
  errors: {
    ...moves,
    esc: b('back', 'close'),
    E: b('back', 'close'),
    q: b('back', 'close'),
    'ctrl-c': b('quit', 'quit'),
  },
  filter: {
    enter: b('submit', 'keep filter'),
    esc: b('back', 'cancel'),
    backspace: b('erase', 'erase'),
    'ctrl-c': b('quit', 'quit'),
  },
  command: {
    enter: b('submit', 'run'),
    tab: b('complete', 'complete'),
    esc: b('back', 'cancel'),
    backspace: b('erase', 'erase'),
    'ctrl-c': b('quit', 'quit'),
  },
  note: {
    enter: b('submit', 'reject', { dangerous: true }),
    esc: b('back', 'cancel'),
    backspace: b('erase', 'erase'),
    'ctrl-c': b('quit', 'quit'),
  },
  confirm: {
    y: b('yes', 'yes', { dangerous: true }),
    n: b('no', 'no'),
    enter: b('no', 'no (default)'),
    esc: b('no', 'no'),
    'ctrl-c': b('force-quit', 'quit now'),
  },
  picker: {
    ...moves,
    enter: b('pick', 'choose agent', { dangerous: true }),
    esc: b('back', 'cancel'),
    'ctrl-c': b('quit', 'quit'),
  },
  ...LESSONS_KEYS,
};

/** Modes where unbound printable keys are typed into a text line. */
export const TEXT_MODES: ReadonlySet<ModeName> = new Set(['filter', 'command', 'note', 'lesson-text']);

/** Ink's (input, key) as one key name for the keymap. */
export function keyName(input: string, key: Key): string {
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.home) return 'g';
  if (key.end) return 'G';
  return input;
}

/** One key of an input event: its keymap name, and the text it types in the filter or command line ('' for none). */
export interface KeyPress {
  readonly name: string;
  readonly text: string;
}

const CHAR_NAMES: Readonly<Record<string, string>> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', '\u007f': 'backspace', '\b': 'backspace', '\u001b': 'esc' };

const charKey = (ch: string): KeyPress => {
  const named = CHAR_NAMES[ch];
  if (named !== undefined) return { name: named, text: '' };
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20) return { name: `ctrl-${String.fromCharCode(code + 96)}`, text: '' };
  return { name: ch, text: ch };
};

/**
 * Every key in one input event from Ink, in order. Ink 6.8 splits escape sequences (arrows, Esc,
 * Alt-x) into events of their own (input-parser.js) but hands the other bytes of one read over as
 * one string with no key flags: `jjj`, `x` + Enter, three backspaces arrive together over SSH, in
 * tmux or from a held key. Each of those characters is a key.
 */
export function keyPresses(input: string, key: Key): KeyPress[] {
  const chars = [...input];
  if (chars.length > 1 && !key.ctrl && !key.meta) return chars.map(charKey);
  const name = keyName(input, key);
  return [{ name, text: key.ctrl || key.meta || name !== input ? '' : input }];
}

export interface KeyHelp {
  readonly keys: readonly string[];
  readonly description: string;
  readonly dangerous: boolean;
  readonly inGrace: boolean;
}

const DISPLAY: Readonly<Record<string, string>> = { enter: '⏎', up: '↑', down: '↓', 'ctrl-c': '^C' };
export const displayKey = (key: string): string => DISPLAY[key] ?? key;

/** A mode's bindings grouped by what they do, keys in keymap order (help and footer). */
export function bindingsFor(mode: ModeName, pane?: Pane, keymap: Keymap = KEYMAP): KeyHelp[] {
  const groups = new Map<string, { keys: string[]; description: string; dangerous: boolean; inGrace: boolean }>();
  for (const [key, binding] of Object.entries(keymap[mode])) {
    if (pane !== undefined && binding.panes !== undefined && !binding.panes.includes(pane)) continue;
    const id = `${binding.command}\0${binding.description}`;
    const group = groups.get(id) ?? { keys: [], description: binding.description, dangerous: binding.dangerous, inGrace: binding.inGrace === true };
    group.keys.push(displayKey(key));
    groups.set(id, group);
  }
  return [...groups.values()];
}

const MODE_TITLES: Readonly<Record<ModeName, string>> = {
  normal: 'Panes',
  detail: 'Detail view',
  help: 'Help',
  errors: 'Recent errors (E)',
  filter: 'Filter (/)',
  command: 'Command line (:)',
  note: 'Rejection note (x)',
  confirm: 'Confirmation',
  picker: 'Re-route picker',
  lessons: 'Lessons (L, :lessons)',
  'lesson-text': 'Adding or editing a lesson',
  'lesson-delete': 'Deleting a lesson',
};

/** The help overlay's text, generated from the keymap so it can never disagree with it. */
export function helpLines(keymap: Keymap = KEYMAP): { text: string; heading: boolean }[] {
  const out: { text: string; heading: boolean }[] = [];
  for (const mode of MODES) {
    out.push({ text: MODE_TITLES[mode], heading: true });
    for (const h of bindingsFor(mode, undefined, keymap)) {
      out.push({ text: `  ${h.keys.join(' ').padEnd(14)} ${h.description}${h.dangerous ? '  (!)' : ''}`, heading: false });
    }
  }
  out.push(
    { text: 'Filter words', heading: true },
    { text: '  free text, type:bug, tier:P0, ready, repo:name, label:x, status:pending, agent:claude, state:stalled', heading: false },
    { text: '  -term or !term for not; type:bug,feature for either', heading: false },
    { text: 'Commands', heading: true },
    { text: '  :arm  :disarm  :dry-run on|off  :run  :pause  :resume  :agent <id>  :tasktype <type>  :lessons  :quit', heading: false },
    { text: '  :retry [ID]  :reroute [ID] <agent>  :cancel [ID]  :done [ID]  :ack [ID]   (ID: a dispatch; the selected one by default)', heading: false },
  );
  return out;
}
