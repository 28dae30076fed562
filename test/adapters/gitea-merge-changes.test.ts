import { describe, expect, it } from 'vitest';
import { backlogFromFull, backlogIssues, mergeChanges } from '../../src/adapters/gitea/backlog.js';
import { readyBug } from '../fakes/issues.js';

describe('an incremental fetch merged into the backlog', () => {
  const a = readyBug({ repo: 'acme/api', number: 1 });
  const b = readyBug({ repo: 'acme/api', number: 2 });
  const before = backlogFromFull([a, b], 1000);

  it('keeps the backlog when `since` only brought issues back as they were (Gitea: updated_unix >= since)', () => {
    const next = mergeChanges(before, [{ ...a }, { ...b }, { ...b, number: 7, state: 'closed' }], 2000);
    expect(next.issues).toBe(before.issues);
    expect(next.syncedAt).toBe(2000);
    expect(backlogIssues(next)).toBe(backlogIssues(before));
  });

  it('takes an edited issue and drops a closed one, keeping the untouched copies', () => {
    const next = mergeChanges(before, [{ ...a, title: 'now different', updatedAt: '2031-05-04T10:00:01Z' }, { ...b, state: 'closed' }], 2000);
    expect(next.issues).not.toBe(before.issues);
    expect(backlogIssues(next).map((i) => [i.number, i.title])).toEqual([[1, 'now different']]);
  });
});
