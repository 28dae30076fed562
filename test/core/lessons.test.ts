import { describe, expect, it } from 'vitest';
import {
  addLesson,
  deleteLesson,
  editLesson,
  type Lesson,
  LESSON_MAX_CHARS,
  LESSONS_PER_REPO,
  lessonsSection,
  LessonsSchema,
  makeLesson,
  relevantLessons,
  resolutionLesson,
} from '../../src/core/lessons.js';
import { next, type PullSight, startSupervision, type WatchEvent, type WatchPolicy } from '../../src/core/supervision.js';
import { implementerPrompt } from '../../src/core/prompts.js';

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 10, minute));
const lesson = (note: string, minute = 0, o: Partial<Parameters<typeof makeLesson>[0]> = {}): Lesson =>
  makeLesson({ repo: 'acme/api', at: at(minute), source: 'fix-forward', issue: 'acme/api#7', taskType: null, note, ...o })!;

describe('lessons (seed 004 LessonsProvider)', () => {
  it('a lesson is one line: the cause, then the note, defused and bounded', () => {
    expect(lesson('ci/lint failed on 1a2b3c4').text).toBe('CI went red and was fixed forward: ci/lint failed on 1a2b3c4');
    expect(makeLesson({ repo: 'acme/api', at: at(0), source: 'stall', issue: null, taskType: null, note: '' })!.text).toBe('the agent went quiet');
    const hostile = lesson('line one\nline two \u001b[31mred\u001b[0m \u202eevil' + 'x'.repeat(1000));
    expect(hostile.text).not.toMatch(/[\n\u001b\u202e]/);
    expect(hostile.text.length).toBeLessThanOrEqual(LESSON_MAX_CHARS);
    expect(makeLesson({ repo: 'acme/api', at: at(0), source: 'operator', issue: null, taskType: null, note: ' \u200b ' })).toBeNull();
    expect(LessonsSchema.safeParse([hostile]).success).toBe(true);
  });

  it('the same text is refreshed, not repeated; a repo keeps at most its bound, oldest dropped', () => {
    let all: Lesson[] = [];
    all = addLesson(all, lesson('same', 0));
    all = addLesson(all, lesson('same', 5));
    expect(all).toHaveLength(1);
    expect(all[0]!.at).toBe(at(5).toISOString());
    for (let i = 0; i < LESSONS_PER_REPO + 5; i++) all = addLesson(all, lesson(`note ${i}`, i));
    all = addLesson(all, lesson('other repo', 0, { repo: 'acme/web' }));
    expect(all.filter((l) => l.repo === 'acme/api')).toHaveLength(LESSONS_PER_REPO);
    expect(all.some((l) => l.text.endsWith('note 0'))).toBe(false);
    expect(all.filter((l) => l.repo === 'acme/web')).toHaveLength(1);
  });

  it('the most relevant recent lessons for a dispatch: same repo, same task type, shared words, newest; bounded', () => {
    const all = [
      lesson('the flaky ui test needs --retry', 1),
      lesson('database migrations need a down step', 2, { taskType: 'architecture' }),
      lesson('lint runs before the tests', 3),
      lesson('newest but unrelated', 4),
      lesson('database story from another repo', 5, { repo: 'acme/web' }),
    ];
    const picked = relevantLessons(all, { repo: 'acme/api', title: 'Flaky ui test in login', body: '', taskType: 'architecture' }, 3);
    expect(picked.map((l) => l.text.split(': ')[1])).toEqual(['database migrations need a down step', 'the flaky ui test needs --retry', 'newest but unrelated']);
    expect(relevantLessons(all, { repo: 'acme/none', title: 'x', body: '', taskType: null })).toEqual([]);
  });

  it('the prompt carries them after the task, and nothing when there are none', () => {
    const section = lessonsSection([lesson('lint first', 1)]);
    expect(section).toBe('Lessons from earlier work in this repository:\n- CI went red and was fixed forward: lint first');
    expect(implementerPrompt({ kind: 'command' }, 'RULES', 'Fix #7', section)).toBe(`RULES\n\nFix #7\n\n${section}`);
    expect(implementerPrompt({ kind: 'command' }, 'RULES', 'Fix #7', lessonsSection([]))).toBe('RULES\n\nFix #7');
  });

  it('edited and deleted by id or a unique prefix of 4+ characters, with a sentence when not found', () => {
    const a = lesson('one', 1);
    const b = lesson('two', 2);
    const edited = editLesson([a, b], a.id.slice(0, 4), 'one, clarified\nby the operator');
    expect(edited).toMatchObject({ ok: true });
    if (edited.ok) expect(edited.lessons[0]!.text).toBe('one, clarified by the operator');
    expect(deleteLesson([a, b], b.id)).toEqual({ ok: true, lessons: [a] });
    expect(deleteLesson([a, b], 'abc')).toMatchObject({ ok: false, error: expect.stringMatching(/too short/) });
    expect(deleteLesson([a, b], 'ffffffff')).toMatchObject({ ok: false, error: expect.stringMatching(/^no lesson ffffffff/) });
    expect(editLesson([a], a.id, '   ')).toMatchObject({ ok: false, error: 'a lesson needs some text.' });
  });
});

describe('lessons from a supervised dispatch (resolutionLesson)', () => {
  const CLAUDE = { id: 'claude', kind: 'tracker' as const, login: 'claude', label: null };
  const policy: WatchPolicy = {
    selfLogin: 'switchboard', trusted: new Set(), inProgressLabel: 'lock', stallMinutes: 60, timeoutMinutes: 240, repeatThreshold: 3,
    maxRetries: 0, retryBackoffSeconds: 60, maxFixForward: 2, maxHops: 5, closeOnMerge: true, deployContext: null, retryNextAgent: false, agents: [CLAUDE],
  };
  const pull = (sha: string, state: 'failure' | 'success', merged = false): PullSight => ({
    number: 40, state: merged ? 'closed' : 'open', merged, headSha: sha.repeat(40), mergeSha: merged ? 'm'.repeat(40) : null,
    checks: [{ context: 'ci/lint', state, targetUrl: '' }], mergeChecks: [],
  });
  const cycle = (p: PullSight, state: 'open' | 'closed' = 'open'): WatchEvent => ({
    kind: 'cycle', agent: null, tracker: { issue: { state, closedBy: state === 'closed' ? 'claude' : null, assignees: ['claude'], labels: ['lock'] }, pulls: [p], comments: [] },
  });
  const walk = (events: WatchEvent[]) => {
    let d = startSupervision({ proposalId: 'p1', repo: 'acme/api', number: 7, agent: CLAUDE }, at(0));
    const learned: Lesson[] = [];
    events.forEach((e, n) => {
      const after = next(d, e, at(n + 1), policy).dispatch;
      const l = resolutionLesson(d, after, at(n + 1), 'routine_coding');
      if (l) learned.push(l);
      d = after;
    });
    return learned;
  };

  it('a dispatch completed after fixing forward keeps what was red', () => {
    const learned = walk([{ kind: 'accepted', detail: '' }, cycle(pull('a', 'failure')), cycle(pull('b', 'success', true), 'closed')]);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({ repo: 'acme/api', source: 'fix-forward', issue: 'acme/api#7', taskType: 'routine_coding' });
    expect(learned[0]!.text).toMatch(/^CI went red and was fixed forward: CI red on aaaaaaa \(ci\/lint\): fix-forward 1\/2$/);
  });

  it('an acknowledged escalation keeps its cause and why; nothing before it is resolved', () => {
    const learned = walk([
      { kind: 'refused', detail: 'HTTP 500' },
      { kind: 'operator', command: 'ack', by: 'operator' },
      { kind: 'operator', command: 'ack', by: 'operator' },
    ]);
    expect(learned).toHaveLength(1);
    expect(learned[0]).toMatchObject({ source: 'refused' });
    expect(learned[0]!.text).toMatch(/^the agent refused the dispatch: /);
  });

  it('a dispatch that completes without a fix-forward teaches nothing', () => {
    expect(walk([{ kind: 'accepted', detail: '' }, cycle(pull('a', 'success', true), 'closed')])).toEqual([]);
  });
});
