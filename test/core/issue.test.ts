import { describe, expect, it } from 'vitest';
import { issueFromGitea, IssueShapeError } from '../../src/core/index.js';

const shapeError = (raw: unknown, position?: number): IssueShapeError => {
  try {
    issueFromGitea(raw, 'o/r', position);
  } catch (err) {
    if (err instanceof IssueShapeError) return err;
    throw err;
  }
  throw new Error('expected an IssueShapeError');
};

describe('issue model', () => {
  it('reads the fields switchboard uses from a raw Gitea issue', () => {
    const issue = issueFromGitea(
      {
        number: 7,
        title: 'Crash',
        body: 'It crashes',
        labels: [{ id: 1, name: 'bug', color: 'ee0701' }],
        assignees: [{ login: 'claude' }],
        user: { login: 'alice' },
        created_at: '2026-03-01T00:00:00Z',
        updated_at: '2026-03-02T00:00:00Z',
        state: 'open',
        html_url: 'https://g/o/r/issues/7',
        extra: { ignored: true },
      },
      'o/r',
    );
    expect(issue).toEqual({
      repo: 'o/r',
      number: 7,
      title: 'Crash',
      body: 'It crashes',
      labels: ['bug'],
      assignees: ['claude'],
      author: 'alice',
      authorTrusted: undefined,
      createdAt: '2026-03-01T00:00:00Z',
      updatedAt: '2026-03-02T00:00:00Z',
      state: 'open',
      url: 'https://g/o/r/issues/7',
    });
  });

  it('tolerates a null body and missing labels, assignees and dates', () => {
    const issue = issueFromGitea({ number: 1, title: 't', body: null }, 'o/r');
    expect(issue).toMatchObject({ body: '', labels: [], assignees: [], author: '', createdAt: '', updatedAt: '', state: 'open' });
  });

  it('a title of the wrong type is an IssueShapeError naming the issue and the field', () => {
    const err = shapeError({ number: 7, title: 42 });
    expect(err.message).toBe('issue o/r#7: field "title" should be string');
    expect(err).toMatchObject({ issueRef: 'o/r#7', field: 'title' });
  });

  it('a bad label names its position in the field', () => {
    expect(shapeError({ number: 7, title: 't', labels: [{ name: 'ok' }, { name: 3 }] }).field).toBe('labels.1.name');
  });

  it('an issue without a number is named by its position', () => {
    expect(shapeError({ title: 't' }, 4).message).toBe('issue at position 4 in o/r: field "number" should be number');
  });

  it('something that is not an object says so', () => {
    expect(shapeError('nope').message).toBe('issue in o/r: field "(issue)" is not an object');
  });
});
