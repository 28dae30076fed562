import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueFromGitea } from '../../src/adapters/gitea/issue.js';
import { RawGiteaIssueSchema } from '../../src/adapters/gitea/schemas.js';
import { IssueShapeError } from '../../src/core/errors.js';

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

describe('issue model against its schema', () => {
  // Each field is the right type most of the time and, now and then, any JSON value at all.
  const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fc.constantFrom(null, undefined) });
  const raw = fc.record(
    {
      number: fc.oneof({ weight: 6, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constantFrom(1.5, 2 ** 53, -0, '7') }),
      title: maybe(fc.string()),
      body: maybe(fc.string()),
      labels: maybe(fc.array(maybe(fc.record({ id: fc.nat(), name: maybe(fc.string()) })), { maxLength: 3 })),
      assignees: maybe(fc.array(maybe(fc.record({ login: maybe(fc.string()) })), { maxLength: 3 })),
      user: maybe(fc.record({ login: maybe(fc.string()) })),
      created_at: maybe(fc.string()),
      updated_at: maybe(fc.string()),
      state: maybe(fc.constantFrom('open', 'closed', 'merged')),
      html_url: maybe(fc.string()),
      pull_request: fc.jsonValue(),
      repository: maybe(fc.record({ full_name: maybe(fc.string()) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );

  it('reads every issue exactly as RawGiteaIssueSchema does, and refuses what it refuses', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: raw }, { weight: 1, arbitrary: fc.jsonValue() }), (r) => {
        const parsed = RawGiteaIssueSchema.safeParse(r);
        if (!parsed.success) {
          expect(() => issueFromGitea(r, 'o/r')).toThrow(IssueShapeError);
          return;
        }
        const d = parsed.data;
        expect(issueFromGitea(r, 'o/r')).toEqual({
          repo: 'o/r',
          number: d.number,
          title: d.title,
          body: d.body ?? '',
          labels: (d.labels ?? []).map((l) => l.name),
          assignees: (d.assignees ?? []).map((a) => a.login),
          author: d.user?.login ?? '',
          authorTrusted: undefined,
          createdAt: d.created_at ?? '',
          updatedAt: d.updated_at ?? d.created_at ?? '',
          state: d.state ?? 'open',
          url: d.html_url ?? '',
        });
      }),
      { numRuns: 2000 },
    );
  });
});
