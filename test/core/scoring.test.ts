import { describe, expect, it } from 'vitest';
import { ageInDays, DEFAULT_PROFILE, extractSignals, scoreIssue } from '../../src/core/index.js';
import { makeIssue, NOW, score, subScores } from './issue-builders.js';

const tagsOf = (title: string, labels: string[] = []) => extractSignals({ title, body: '', labels }, DEFAULT_PROFILE).tags;

describe('tags (reference _extract_tags)', () => {
  it('a [Bug] title tag becomes the tag "bug"', () => {
    expect(tagsOf('[Bug] Login fails')).toContain('bug');
  });

  it('several bracket tags in a row each become a tag', () => {
    expect(tagsOf('[Bug][P0] Crash on startup')).toEqual(['bug', 'p0']);
  });

  it('label names become tags', () => {
    expect(tagsOf('Fix thing', ['security', 'hotfix'])).toEqual(['security', 'hotfix']);
  });

  it('label names are lower-cased', () => {
    expect(tagsOf('Title', ['Bug', 'FEATURE'])).toEqual(['bug', 'feature']);
  });

  it('an empty title without labels has no tags', () => {
    expect(tagsOf('', [])).toEqual([]);
  });

  it('tags are trimmed of white space, including the ideographic and no-break spaces', () => {
    expect(tagsOf('[ Bug\u3000]', ['\u00a0feature '])).toEqual(['bug', 'feature']);
  });
});

describe('scope (reference _score_scope)', () => {
  it('a file reference adds a point', () => {
    expect(subScores('Fix auth', 'Edit src/timmy/auth.py').scope).toBe(2);
    expect(subScores('Fix auth', 'Edit the auth module').scope).toBe(1);
  });

  it('a function reference adds a point', () => {
    expect(subScores('Fix auth', 'def validate_token()').scope).toBe(2);
  });

  it('a title shorter than 80 characters adds a point', () => {
    expect(subScores('Short title', '').scope).toBe(1);
    expect(subScores('x'.repeat(80), '').scope).toBe(0);
  });

  it('the 80-character limit counts code points, not UTF-16 units, after removing [tags]', () => {
    expect(subScores(`[bug] ${'🙂'.repeat(79)}`, '').scope).toBe(1);
    expect(subScores('🙂'.repeat(80), '').scope).toBe(0);
  });

  it('a meta tag takes two points off', () => {
    expect(subScores('Discussion about philosophy', 'long body '.repeat(5), ['philosophy']).scope).toBe(0);
  });

  it('scope is at most 3', () => {
    expect(subScores('Fix auth', 'src/auth.py\ndef login()').scope).toBe(3);
  });
});

describe('acceptance (reference _score_acceptance)', () => {
  it('three acceptance words give two points', () => {
    expect(subScores('Title', 'should return 200\nmust pass tests\nexpect response').acceptance).toBe(2);
  });

  it('a test reference adds a point', () => {
    expect(subScores('Title', 'Run tox -e unit').acceptance).toBe(1);
  });

  it('a structured section adds a point', () => {
    expect(subScores('Title', '## Problem\nX\n## Solution\nY').acceptance).toBe(1);
  });

  it('a meta tag takes a point off', () => {
    expect(subScores('Title', 'should do something').acceptance).toBe(1);
    expect(subScores('Title', 'should do something', ['philosophy']).acceptance).toBe(0);
  });

  it('an empty body gives no points', () => {
    expect(subScores('Title', '').acceptance).toBe(0);
  });

  it('acceptance words are counted in the title too', () => {
    expect(subScores('It should not crash', '').acceptance).toBe(1);
  });
});

describe('alignment (reference _score_alignment)', () => {
  it('a bug tag scores the maximum', () => {
    expect(subScores('', '', ['bug']).alignment).toBe(3);
  });

  it('a hotfix tag scores the maximum', () => {
    expect(subScores('', '', ['hotfix']).alignment).toBe(3);
  });

  it('a refactor tag scores two', () => {
    expect(subScores('', '', ['refactor']).alignment).toBe(2);
  });

  it('a feature tag scores two, and with a refactor tag is capped at three', () => {
    expect(subScores('', '', ['feature']).alignment).toBe(2);
    expect(subScores('', '', ['feature', 'refactor']).alignment).toBe(3);
  });

  it('a meta tag scores zero even next to a feature tag', () => {
    expect(subScores('', '', ['philosophy']).alignment).toBe(0);
    expect(subScores('', '', ['philosophy', 'feature']).alignment).toBe(0);
  });

  it('loop-generated adds a point', () => {
    expect(subScores('', '', ['loop-generated']).alignment).toBe(1);
  });
});

describe('scoreIssue (reference score_issue)', () => {
  it('a bug label and [Bug] tag make a P0 bug', () => {
    const s = score({ labels: ['bug'], title: '[Bug] Crash on startup' });
    expect(s.type).toBe('bug');
    expect(s.p0).toBe(true);
    expect(s.tier).toBe('P0');
  });

  it('a feature label makes a feature', () => {
    expect(score({ labels: ['feature'], title: 'Add voice support' }).type).toBe('feature');
  });

  it('a philosophy label makes a philosophy issue in tier P3', () => {
    const s = score({ labels: ['philosophy'], title: '[Philosophy] Should Timmy sleep?' });
    expect(s.type).toBe('philosophy');
    expect(s.tier).toBe('P3');
  });

  it('a research label makes a research issue', () => {
    expect(score({ labels: ['research'], title: 'Investigate model options' }).type).toBe('research');
  });

  it('types take precedence bug > research > feature > refactor > philosophy', () => {
    expect(score({ labels: ['philosophy', 'refactor', 'feature', 'research', 'bug'] }).type).toBe('bug');
    expect(score({ labels: ['philosophy', 'refactor', 'feature', 'research'] }).type).toBe('research');
    expect(score({ labels: ['philosophy', 'refactor', 'feature'] }).type).toBe('feature');
    expect(score({ labels: ['philosophy', 'refactor'] }).type).toBe('refactor');
    expect(score({ labels: [] }).type).toBe('unknown');
  });

  it('a well-described bug reaches the ready threshold', () => {
    const body = '## Problem\nX breaks.\n## Solution\nFix src/timmy/agent.py def run()\nshould return True\nmust pass tox -e unit';
    const s = score({ labels: ['bug'], body });
    expect(s.score).toBe(9);
    expect(s.ready).toBe(true);
  });

  it('total is the sum of the sub-scores and ready means total >= 5', () => {
    const s = score({ title: 'Tidy up', body: 'should work', labels: ['feature'] });
    expect(s.score).toBe(s.scope + s.acceptance + s.alignment);
    expect(s.score).toBe(4);
    expect(s.ready).toBe(false);
  });

  it('"blocked" in the body marks the issue blocked', () => {
    const s = score({ body: 'This is blocked by issue #50' });
    expect(s.blocked).toBe(true);
    expect(s.signals.blockedBy).toEqual({ where: 'body', text: 'blocked' });
  });

  it('a [blocking] title tag marks the issue blocked and P0', () => {
    const s = score({ title: '[blocking] Cannot proceed' });
    expect(s.blocked).toBe(true);
    expect(s.p0).toBe(true);
    expect(s.signals.blockedBy?.where).toBe('title');
  });

  it('"unblocked" and "blockers" are not blocked words', () => {
    expect(score({ body: 'unblocked now; the blockers are gone' }).blocked).toBe(false);
  });

  it('assignees are kept on the issue', () => {
    expect(score({ assignees: [] }).issue.assignees).toEqual([]);
    expect(score({ assignees: ['claude'] }).issue.assignees).toEqual(['claude']);
  });

  it('age is whole days since creation', () => {
    expect(score({ created_at: '2026-01-01T00:00:00Z' }).ageDays).toBe(78);
  });

  it('a missing or unparseable creation date counts as age 0', () => {
    expect(score({ created_at: 'yesterday' }).ageDays).toBe(0);
    expect(ageInDays('', NOW)).toBe(0);
  });

  it('a creation date without a zone is read as UTC', () => {
    expect(ageInDays('2026-03-18T11:00:00', NOW)).toBe(1);
  });

  it('the display title has its [tags] removed and is stripped', () => {
    expect(score({ title: '[Bug] [P0]  Crash on startup\u3000' }).displayTitle).toBe('Crash on startup');
  });

  it('a kimi-ready label makes the issue research work', () => {
    const s = score({ labels: ['kimi-ready'] });
    expect(s.tagMatches.research).toEqual(['kimi-ready']);
    expect(s.type).toBe('research');
  });

  it('carries the task type inferred from title and body, also through spreads and JSON', () => {
    const s = score({ title: 'Refactor the scheduler', body: 'Split it up.' });
    expect(s.taskType).toBe('refactoring');
    expect({ ...s }.taskType).toBe('refactoring');
    expect(JSON.parse(JSON.stringify(s)).taskType).toBe('refactoring');
  });

  it('scoring is the same whatever `now` is, except the age', () => {
    const issue = makeIssue({ labels: ['bug'] });
    const a = scoreIssue(issue, DEFAULT_PROFILE, NOW);
    const b = scoreIssue(issue, DEFAULT_PROFILE, new Date('2030-01-01T00:00:00Z'));
    expect({ ...b, ageDays: a.ageDays }).toEqual(a);
  });
});

/** Realistic text in other scripts; each expectation was checked against the reference on CPython 3.11. */
describe('words in any language, as the reference reads them', () => {
  it('a word glued to a letter of any script is not "blocked"; spaces, punctuation and emoji are boundaries', () => {
    expect(score({ body: 'éblocked blockedé' }).blocked).toBe(false);
    expect(score({ body: '被blocked' }).blocked).toBe(false);
    expect(score({ body: 'ブロックblocked' }).blocked).toBe(false);
    expect(score({ body: '这个 blocked 了' }).blocked).toBe(true);
    expect(score({ body: '«blocked»' }).blocked).toBe(true);
    expect(score({ body: '🚧blocked🚧' }).blocked).toBe(true);
  });

  it('a combining accent is not a word character, as in Python: decomposed text keeps its boundaries', () => {
    expect(score({ body: 'blocked\u0301' }).blocked).toBe(true);
    expect(extractSignals({ title: 'T', body: 'see `cafe\u0301()`', labels: [] }, DEFAULT_PROFILE).funcRef).toBeNull();
  });

  it('`name()` and test_name take names in any script', () => {
    const signals = (body: string) => extractSignals({ title: 'T', body, labels: [] }, DEFAULT_PROFILE);
    expect(signals('call `naïve()`').funcRef).toBe('`naïve()`');
    expect(signals('call `计算()`').funcRef).toBe('`计算()`');
    expect(signals('call `🙂()`').funcRef).toBeNull();
    expect(signals('run test_été').testRef).toBe('test_été');
    expect(signals('run test_计算').testRef).toBe('test_计算');
  });

  it('"test case" takes any one character but a newline between the words', () => {
    expect(subScores('T', 'test case').acceptance).toBe(1);
    expect(subScores('T', 'Test-Case').acceptance).toBe(1);
    expect(subScores('T', 'test\tcase').acceptance).toBe(1);
    expect(subScores('T', 'test\ncase').acceptance).toBe(0);
  });

  it('\\s after assert includes the ideographic and no-break spaces', () => {
    expect(subScores('T', 'assert\u3000ok').acceptance).toBe(2);
    expect(subScores('T', 'assert\u00a0ok').acceptance).toBe(2);
  });

  it('a dotted capital I in a label lowers to "i̇", so it is no longer the tag', () => {
    expect(score({ labels: ['CRİTİCAL'] }).p0).toBe(false);
  });

  it('a Kelvin sign in a label lowers to k, so the tag still matches', () => {
    expect(score({ labels: ['\u212aimi-ready'] }).type).toBe('research');
  });
});
