import { describe, expect, it } from 'vitest';
import { initialUiState, type UiState, uiReducer } from '../../src/ui/ui-state.js';

const ids = Array.from({ length: 30 }, (_, i) => `acme/api#${i + 1}`);
const move = (s: UiState, to: 'down' | 'up' | 'top' | 'bottom' | 'page-down' | 'page-up', list = ids, height = 10) =>
  uiReducer(s, { type: 'move', to, ids: list, height });

describe('UI state', () => {
  it('moving down selects the next row by its id and keeps it inside the window', () => {
    let s = initialUiState;
    for (let i = 0; i < 9; i++) s = move(s, 'down');
    expect(s.selected.backlog).toBe('acme/api#10');
    // 10 lines with markers leave 8 rows: row 10 needs the window to start at row 3.
    expect(s.offsets.backlog).toBe(2);
    expect(move(s, 'bottom').selected.backlog).toBe('acme/api#30');
    expect(move(move(s, 'bottom'), 'top')).toMatchObject({ selected: { backlog: 'acme/api#1' }, offsets: { backlog: 0 } });
  });

  it('the selection stays on the same issue when the rows reorder', () => {
    const s = move(move(initialUiState, 'down'), 'down');
    expect(s.selected.backlog).toBe('acme/api#3');
    const reordered = [...ids].reverse();
    expect(move(s, 'down', reordered).selected.backlog).toBe('acme/api#2');
  });

  it('a page moves by the rows that fit, never past the ends', () => {
    const s = move(initialUiState, 'page-down');
    expect(s.selected.backlog).toBe('acme/api#9');
    expect(move(s, 'page-up').selected.backlog).toBe('acme/api#1');
    expect(move(initialUiState, 'up').selected.backlog).toBe('acme/api#1');
  });

  it('tab and shift-tab cycle the panes, each keeping its own selection', () => {
    const s = move(initialUiState, 'down');
    const next = uiReducer(s, { type: 'focus', delta: 1 });
    expect(next.pane).toBe('proposals');
    expect(uiReducer(uiReducer(next, { type: 'focus', delta: 1 }), { type: 'focus', delta: 1 }).pane).toBe('backlog');
    expect(uiReducer(initialUiState, { type: 'focus', delta: -1 }).pane).toBe('dispatches');
    expect(next.selected.backlog).toBe('acme/api#2');
  });

  it('the filter applies as it is typed and Esc puts the previous one back', () => {
    let s = uiReducer({ ...initialUiState, filter: 'auth' }, { type: 'filter' });
    s = uiReducer(s, { type: 'type', text: ' bug' });
    expect(s.filter).toBe('auth bug');
    s = uiReducer(s, { type: 'erase' });
    expect(s.filter).toBe('auth bu');
    expect(uiReducer(s, { type: 'back' })).toMatchObject({ filter: 'auth', mode: { kind: 'normal' } });
    expect(uiReducer(s, { type: 'submit' })).toMatchObject({ filter: 'auth bu', mode: { kind: 'normal' } });
  });

  it('Esc in the panes clears the filter; in an overlay it goes back to the panes', () => {
    expect(uiReducer({ ...initialUiState, filter: 'x' }, { type: 'back' }).filter).toBe('');
    expect(uiReducer(uiReducer(initialUiState, { type: 'help' }), { type: 'back' }).mode).toEqual({ kind: 'normal' });
  });

  it('sort cycles score, age, number, tier', () => {
    const sorts = [];
    let s = initialUiState;
    for (let i = 0; i < 4; i++) {
      s = uiReducer(s, { type: 'sort' });
      sorts.push(s.sort);
    }
    expect(sorts).toEqual(['age', 'number', 'tier', 'score']);
  });

  it('the detail view scrolls within its lines', () => {
    let s = uiReducer(initialUiState, { type: 'detail', target: { pane: 'backlog', id: 'acme/api#1' } });
    s = uiReducer(s, { type: 'scroll', to: 'bottom', lines: 50, height: 20 });
    expect(s.mode).toMatchObject({ kind: 'detail', scroll: 30 });
    s = uiReducer(s, { type: 'scroll', to: 'down', lines: 50, height: 20 });
    expect(s.mode).toMatchObject({ scroll: 30 });
  });

  it('the picker moves its own index and ignores text', () => {
    const agents = [{ id: 'a', name: 'A', note: '' }, { id: 'b', name: 'B', note: '' }];
    let s = uiReducer(initialUiState, { type: 'picker', proposalId: 'p1', issueKey: 'acme/api#1', agents });
    s = uiReducer(s, { type: 'scroll', to: 'down', lines: 2, height: 5 });
    s = uiReducer(s, { type: 'scroll', to: 'down', lines: 2, height: 5 });
    expect(s.mode).toMatchObject({ kind: 'picker', index: 1 });
    expect(uiReducer(s, { type: 'type', text: 'x' })).toBe(s);
  });
});
