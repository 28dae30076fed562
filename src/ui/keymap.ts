import type { Key } from 'ink';

/** Every mode the console can be in; the root input handler routes keys by it. */
export const MODES = ['normal', 'detail', 'help', 'filter', 'command', 'confirm', 'picker'] as const;
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
  | 'quit'
  | 'force-quit'
  | 'yes'
  | 'no'
  | 'pick'
  | 'submit'
  | 'erase';

export interface Binding {
  readonly command: Command;
  readonly description: string;
  /** goes through a confirmation, or writes to the tracker when armed */
  readonly dangerous: boolean;
  /** normal mode: the panes where the key does something (all when absent) */
  readonly panes?: readonly Pane[];
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

/** Keys are names from `keyName`: a printable character, or "enter", "esc", "tab", "shift-tab", "ctrl-c"… */
export const KEYMAP: Keymap = {
  normal: {
    ...moves,
    tab: b('next-pane', 'next pane'),
    'shift-tab': b('prev-pane', 'previous pane'),
    enter: b('open-detail', 'details'),
    a: b('approve', 'approve', { dangerous: true, panes: PROPOSING }),
    x: b('reject', 'reject', { panes: PROPOSING }),
    r: b('reroute', 're-route', { panes: PROPOSING }),
    A: b('approve-all', 'approve all', { dangerous: true, panes: ['proposals'] }),
    R: b('run-cycle', 'run cycle'),
    p: b('toggle-pause', 'pause'),
    '/': b('filter', 'filter'),
    s: b('sort', 'sort', { panes: ['backlog'] }),
    ':': b('command-line', 'command'),
    '?': b('help', 'help'),
    esc: b('back', 'clear filter'),
    q: b('quit', 'quit'),
    'ctrl-c': b('quit', 'quit'),
  },
  detail: {
    ...moves,
    a: b('approve', 'approve', { dangerous: true }),
    x: b('reject', 'reject'),
    r: b('reroute', 're-route'),
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
  filter: {
    enter: b('submit', 'keep filter'),
    esc: b('back', 'cancel'),
    backspace: b('erase', 'erase'),
    'ctrl-c': b('quit', 'quit'),
  },
  command: {
    enter: b('submit', 'run'),
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
};

/** Modes where unbound printable keys are typed into a text line. */
export const TEXT_MODES: ReadonlySet<ModeName> = new Set(['filter', 'command']);

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

export interface KeyHelp {
  readonly keys: readonly string[];
  readonly description: string;
  readonly dangerous: boolean;
}

const DISPLAY: Readonly<Record<string, string>> = { enter: '⏎', up: '↑', down: '↓', 'ctrl-c': '^C' };
export const displayKey = (key: string): string => DISPLAY[key] ?? key;

/** A mode's bindings grouped by what they do, keys in keymap order (help and footer). */
export function bindingsFor(mode: ModeName, pane?: Pane, keymap: Keymap = KEYMAP): KeyHelp[] {
  const groups = new Map<string, { keys: string[]; description: string; dangerous: boolean }>();
  for (const [key, binding] of Object.entries(keymap[mode])) {
    if (pane !== undefined && binding.panes !== undefined && !binding.panes.includes(pane)) continue;
    const id = `${binding.command}\0${binding.description}`;
    const group = groups.get(id) ?? { keys: [], description: binding.description, dangerous: binding.dangerous };
    group.keys.push(displayKey(key));
    groups.set(id, group);
  }
  return [...groups.values()];
}

const MODE_TITLES: Readonly<Record<ModeName, string>> = {
  normal: 'Panes',
  detail: 'Detail view',
  help: 'Help',
  filter: 'Filter (/)',
  command: 'Command line (:)',
  confirm: 'Confirmation',
  picker: 'Re-route picker',
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
    { text: '  free text, type:bug, tier:P0, ready, repo:name, label:x', heading: false },
    { text: 'Commands', heading: true },
    { text: '  :arm  :disarm  :dry-run on|off  :run  :pause  :resume  :agent <id>  :tasktype <type>  :quit', heading: false },
    { text: 'Flags', heading: true },
    { text: '  blk blocked · asg assigned · lck repo locked · (!) writes or asks first', heading: false },
  );
  return out;
}
