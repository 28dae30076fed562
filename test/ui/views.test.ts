import { describe, expect, it } from 'vitest';
import { columnWidths } from '../../src/ui/Table.js';
import { backlogRows, countdown, parseFilter, proposalRows, shortDuration } from '../../src/ui/views.js';
import { listWindow } from '../../src/ui/window.js';
import { wrap } from '../../src/ui/wrap.js';
import { displayWidth } from '../../src/text/width.js';
import { world } from '../fakes/engine-world.js';
import { readyBug, readyResearch, vagueIssue } from '../fakes/issues.js';

describe('rows and filters', () => {
  it('filter tokens and free words all have to match', async () => {
    expect(parseFilter('type:bug,feature -tier:P0 ready login').terms).toEqual([
      { key: 'type', values: ['bug', 'feature'], negate: false },
      { key: 'tier', values: ['p0'], negate: true },
      { key: 'ready', values: [], negate: false },
      { key: 'text', values: ['login'], negate: false },
    ]);
    expect(parseFilter('typo:bug login').error).toMatch(/^unknown filter key typo: — keys: type: tier: repo: label: status: agent: state: and ready$/);
    const w = world({ issues: [readyBug({ number: 1, labels: ['ui'] }), readyResearch({ number: 2 }), vagueIssue({ number: 3 })] });
    await w.engine.runCycle();
    const s = w.engine.getSnapshot();
    const numbers = (f: string, sort: 'score' | 'number' = 'score') => backlogRows(s, f, sort).map((r) => r.scored.issue.number);
    expect(numbers('ready')).toEqual([1, 2]);
    expect(numbers('type:research')).toEqual([2]);
    expect(numbers('label:ui tier:p0')).toEqual([1]);
    expect(numbers('repo:api slow')).toEqual([3]);
    expect(numbers('repo:web')).toEqual([]);
    expect(numbers('', 'number')).toEqual([1, 2, 3]);
    expect(numbers('type:bug,research', 'number')).toEqual([1, 2]);
    expect(numbers('-ready')).toEqual([3]);
    expect(numbers('!type:bug', 'number')).toEqual([2, 3]);
    // an unknown key is named and left out, not a filter that matches nothing
    expect(numbers('typo:x', 'number')).toEqual([1, 2, 3]);
    expect(numbers('agent:kimi')).toEqual([2]);
    expect(numbers('status:pending', 'number')).toEqual([1, 2]);
    expect(numbers('-status:pending')).toEqual([3]);
    expect(proposalRows(s, 'agent:claude').map((r) => r.proposal.number)).toEqual([1]);
    expect(proposalRows(s, 'status:rejected')).toEqual([]);
  });

  it('durations and countdowns read at a glance', () => {
    expect([shortDuration(9_000), shortDuration(42 * 60_000), shortDuration(3 * 3_600_000), shortDuration(2 * 86_400_000)]).toEqual(['9s', '42m', '3h', '2d']);
    expect(countdown(271_000)).toBe('04:31');
    expect(countdown(-5)).toBe('00:00');
  });
});

describe('layout arithmetic', () => {
  it('a window keeps the selection visible and counts what is above and below', () => {
    expect(listWindow(5, 10, 0, 0)).toMatchObject({ start: 0, end: 5, clipped: false });
    expect(listWindow(100, 10, 50, 0)).toMatchObject({ start: 43, end: 51, above: 43, below: 49, clipped: true });
    expect(listWindow(100, 10, 99, 0)).toMatchObject({ end: 100, below: 0 });
  });

  it('flex columns take exactly the width that is left', () => {
    expect(columnWidths([{ width: 5 }, {}, { flex: 2 }], 40)).toEqual([5, 11, 22]);
  });

  it('wrapping respects display width, wide characters included', () => {
    const lines = wrap('漢字漢字漢字 and some words that go on', 8);
    expect(lines.every((l) => displayWidth(l) <= 8)).toBe(true);
    expect(lines.join(' ')).toContain('漢字');
  });
});
