import type { Pane } from './keymap.js';
import { isLessonsMode, type LessonsAction, type LessonsMode, lessonsReducer } from './lessons-view.js';
import { PANES } from './keymap.js';
import { DISPATCH_SORTS, type DispatchSort, nextOf, nextSort, PROPOSAL_SORTS, type ProposalSort, type SortKey } from './views.js';
import { listWindow, moveIndex, type MoveTo } from './window.js';

/** What Enter opened: a row of a pane, by its stable id. */
export interface Target {
  readonly pane: Pane;
  readonly id: string;
}

export type Confirm =
  | { readonly kind: 'approve-all'; readonly ids: readonly string[] }
  /** `executes`: the approvals that execute as soon as it is armed, one line each */
  | { readonly kind: 'arm'; readonly repos: readonly string[]; readonly executes: readonly string[] }
  /** at start: approvals an earlier run left; y keeps them, No takes back those not begun */
  | { readonly kind: 'carried-over'; readonly ids: readonly string[]; readonly lines: readonly string[] }
  | { readonly kind: 'quit'; readonly writing: number }
  /** `a` on a rejected proposal: approving it undoes a decision, so it asks first */
  | { readonly kind: 'approve-rejected'; readonly id: string; readonly issueKey: string; readonly note: string | null }
  /** `c` on a dispatch: stops its agent, releases the lock and says so on the issue */
  | { readonly kind: 'cancel-dispatch'; readonly id: string; readonly issueKey: string; readonly agentId: string; readonly agentKind: string };

export interface PickerAgent {
  readonly id: string;
  readonly name: string;
  /** "suggested", "cannot flag"… */
  readonly note: string;
}

export type Mode =
  | { readonly kind: 'normal' }
  | { readonly kind: 'detail'; readonly target: Target; readonly scroll: number }
  | { readonly kind: 'help'; readonly scroll: number }
  | { readonly kind: 'errors'; readonly scroll: number }
  | { readonly kind: 'filter'; readonly draft: string; readonly before: string }
  | { readonly kind: 'command'; readonly draft: string }
  /** the optional note of a rejection being made */
  | { readonly kind: 'note'; readonly proposalId: string; readonly issueKey: string; readonly draft: string }
  | { readonly kind: 'confirm'; readonly confirm: Confirm }
  | { readonly kind: 'picker'; readonly proposalId: string; readonly issueKey: string; readonly agents: readonly PickerAgent[]; readonly index: number; readonly dispatch?: boolean }
  | LessonsMode;

export interface Flash {
  readonly text: string;
  readonly level: 'info' | 'warning' | 'error';
  /** ms since epoch, on the console clock */
  readonly at: number;
}

export interface UiState {
  readonly mode: Mode;
  readonly pane: Pane;
  /** selection by row id, so it stays on the same issue when rows reorder */
  readonly selected: Readonly<Record<Pane, string | null>>;
  readonly offsets: Readonly<Record<Pane, number>>;
  readonly filter: string;
  /** the backlog's sort */
  readonly sort: SortKey;
  /** the other panes' sorts (`s` cycles the focused pane's) */
  readonly proposalSort: ProposalSort;
  readonly dispatchSort: DispatchSort;
  readonly flash: Flash | null;
}

export const initialUiState: UiState = {
  mode: { kind: 'normal' },
  pane: 'backlog',
  selected: { backlog: null, proposals: null, dispatches: null },
  offsets: { backlog: 0, proposals: 0, dispatches: 0 },
  filter: '',
  sort: 'score',
  proposalSort: 'status',
  dispatchSort: 'state',
  flash: null,
};

export type UiAction =
  /** move the focused pane's selection; `ids` are its rows in order, `height` its lines */
  | { readonly type: 'move'; readonly to: MoveTo; readonly ids: readonly string[]; readonly height: number }
  /** scroll the detail view or help by lines */
  | { readonly type: 'scroll'; readonly to: MoveTo; readonly lines: number; readonly height: number }
  | { readonly type: 'focus'; readonly delta: 1 | -1 }
  /** select a row of a pane by id (after approve/reject: the next actionable row; `focus`: a click, which focuses its pane too) */
  | { readonly type: 'select'; readonly pane: Pane; readonly id: string; readonly ids: readonly string[]; readonly height: number; readonly focus?: boolean }
  /** focus a pane (a click on its title) */
  | { readonly type: 'focus-pane'; readonly pane: Pane }
  | { readonly type: 'note'; readonly proposalId: string; readonly issueKey: string }
  | { readonly type: 'detail'; readonly target: Target }
  | { readonly type: 'help' }
  | { readonly type: 'errors' }
  | { readonly type: 'filter' }
  | { readonly type: 'command' }
  | { readonly type: 'confirm'; readonly confirm: Confirm }
  /** `dispatch`: re-routing running work (Engine.operate) rather than a proposal */
  | { readonly type: 'picker'; readonly proposalId: string; readonly issueKey: string; readonly agents: readonly PickerAgent[]; readonly dispatch?: boolean }
  /** text typed into the filter or command line */
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'erase' }
  /** replace the command line's text (Tab completion) */
  | { readonly type: 'draft'; readonly draft: string }
  /** keep the filter / leave the command line */
  | { readonly type: 'submit' }
  | { readonly type: 'back' }
  | { readonly type: 'sort' }
  | { readonly type: 'flash'; readonly flash: Flash }
  /** the lessons view (lessons-view.ts) */
  | { readonly type: 'lessons'; readonly action: LessonsAction };

/** Where the selection is in `ids`; a vanished id falls back to the first row. */
export const selectedIndex = (ids: readonly string[], id: string | null): number => {
  const at = id === null ? -1 : ids.indexOf(id);
  return at >= 0 ? at : 0;
};

export function uiReducer(s: UiState, a: UiAction): UiState {
  const mode = s.mode;
  switch (a.type) {
    case 'move': {
      if (a.ids.length === 0) return s;
      const from = selectedIndex(a.ids, s.selected[s.pane]);
      const page = listWindow(a.ids.length, a.height, from, s.offsets[s.pane]);
      const to = moveIndex(from, a.ids.length, a.to, page.budget);
      const win = listWindow(a.ids.length, a.height, to, page.start);
      return {
        ...s,
        selected: { ...s.selected, [s.pane]: a.ids[to] ?? null },
        offsets: { ...s.offsets, [s.pane]: win.start },
      };
    }
    case 'scroll': {
      if (mode.kind === 'picker') {
        return { ...s, mode: { ...mode, index: moveIndex(mode.index, mode.agents.length, a.to, a.height) } };
      }
      if (mode.kind !== 'detail' && mode.kind !== 'help' && mode.kind !== 'errors') return s;
      const max = Math.max(0, a.lines - a.height);
      const by = { down: 1, up: -1, top: -Infinity, bottom: Infinity, 'page-down': a.height, 'page-up': -a.height }[a.to];
      const scroll = Math.max(0, Math.min(max, mode.scroll + by));
      return scroll === mode.scroll ? s : { ...s, mode: { ...mode, scroll } };
    }
    case 'select': {
      const to = a.ids.indexOf(a.id);
      if (to < 0) return s;
      const win = listWindow(a.ids.length, a.height, to, s.offsets[a.pane]);
      return { ...s, ...(a.focus === true ? { pane: a.pane } : {}), selected: { ...s.selected, [a.pane]: a.id }, offsets: { ...s.offsets, [a.pane]: win.start } };
    }
    case 'focus-pane':
      return s.pane === a.pane ? s : { ...s, pane: a.pane };
    case 'note':
      return { ...s, mode: { kind: 'note', proposalId: a.proposalId, issueKey: a.issueKey, draft: '' } };
    case 'focus': {
      const at = PANES.indexOf(s.pane);
      return { ...s, pane: PANES[(at + a.delta + PANES.length) % PANES.length] ?? 'backlog' };
    }
    case 'detail':
      return { ...s, mode: { kind: 'detail', target: a.target, scroll: 0 } };
    case 'help':
      return { ...s, mode: { kind: 'help', scroll: 0 } };
    case 'errors':
      return { ...s, mode: { kind: 'errors', scroll: 0 } };
    case 'filter':
      return { ...s, mode: { kind: 'filter', draft: s.filter, before: s.filter } };
    case 'command':
      return { ...s, mode: { kind: 'command', draft: '' } };
    case 'confirm':
      return { ...s, mode: { kind: 'confirm', confirm: a.confirm } };
    case 'picker':
      return a.agents.length === 0
        ? s
        : { ...s, mode: { kind: 'picker', proposalId: a.proposalId, issueKey: a.issueKey, agents: a.agents, index: 0, ...(a.dispatch ? { dispatch: true } : {}) } };
    case 'type':
    case 'erase': {
      if (isLessonsMode(mode)) return { ...s, mode: lessonsReducer(mode, a) ?? mode };
      if (mode.kind !== 'filter' && mode.kind !== 'command' && mode.kind !== 'note') return s;
      const draft = a.type === 'type' ? mode.draft + a.text : [...mode.draft].slice(0, -1).join('');
      // The filter applies as it is typed; Esc puts the previous one back.
      return mode.kind === 'filter' ? { ...s, filter: draft, mode: { ...mode, draft } } : { ...s, mode: { ...mode, draft } };
    }
    case 'draft':
      return mode.kind === 'command' ? { ...s, mode: { ...mode, draft: a.draft } } : s;
    case 'submit':
      return { ...s, mode: { kind: 'normal' } };
    case 'back':
      switch (mode.kind) {
        case 'normal':
          return s.filter === '' ? s : { ...s, filter: '' };
        case 'filter':
          return { ...s, filter: mode.before, mode: { kind: 'normal' } };
        case 'lesson-text':
        case 'lesson-delete':
          return { ...s, mode: { kind: 'lessons', cursor: mode.cursor } };
        default:
          return { ...s, mode: { kind: 'normal' } };
      }
    case 'sort':
      switch (s.pane) {
        case 'backlog':
          return { ...s, sort: nextSort(s.sort) };
        case 'proposals':
          return { ...s, proposalSort: nextOf(PROPOSAL_SORTS, s.proposalSort) };
        case 'dispatches':
          return { ...s, dispatchSort: nextOf(DISPATCH_SORTS, s.dispatchSort) };
        default: {
          const never: never = s.pane;
          return never;
        }
      }
    case 'flash':
      return { ...s, flash: a.flash };
    case 'lessons':
      return { ...s, mode: lessonsReducer(isLessonsMode(mode) ? mode : null, a.action) ?? mode };
    default: {
      const never: never = a;
      return never;
    }
  }
}
