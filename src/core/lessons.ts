import { z } from 'zod';
import { shortHash } from './hash.js';
import { REPO_PATTERN } from './config.js';
import { sanitize } from './sanitize.js';
import { type TaskType, TASK_TYPES } from './routing.js';
import { ESCALATION_CAUSES, type Supervised } from './supervision-types.js';

/**
 * Lessons (seed 004 `LessonsProvider`): one line per repo, recorded when an escalation or a
 * fix-forward is resolved or the operator rejects with a note, and carried in the prompts of later
 * dispatches to that repo. Pure: the state-dir file is the adapters' business.
 */

/** What a lesson came from. */
export const LESSON_SOURCES = [...ESCALATION_CAUSES, 'fix-forward', 'rejected', 'operator'] as const;
export type LessonSource = (typeof LESSON_SOURCES)[number];

/** A lesson's text: one line, no control or invisible characters, bounded. */
export const LESSON_MAX_CHARS = 240;
/** Lessons kept per repo; the oldest go first. */
export const LESSONS_PER_REPO = 50;
/** Lessons a prompt carries, at most. */
export const LESSONS_IN_PROMPT = 3;

export const LessonSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}$/),
  repo: z.string().regex(REPO_PATTERN),
  at: z.iso.datetime(),
  source: z.enum(LESSON_SOURCES),
  /** the issue it was learned on, "owner/name#N" */
  issue: z.string().max(200).nullable(),
  taskType: z.enum(TASK_TYPES).nullable(),
  text: z.string().min(1).max(LESSON_MAX_CHARS),
});
export type Lesson = z.output<typeof LessonSchema>;
export const LessonsSchema = z.array(LessonSchema);

/** One line of untrusted text as a lesson's text; empty when nothing printable is left. */
export const lessonText = (text: string): string => {
  const line = sanitize(text).replace(/\s+/g, ' ').trim();
  return line.length > LESSON_MAX_CHARS ? `${line.slice(0, LESSON_MAX_CHARS - 1)}…` : line;
};

const SOURCE_WORDS: Record<LessonSource, string> = {
  refused: 'the agent refused the dispatch',
  stall: 'the agent went quiet',
  timeout: 'the agent ran out of time',
  'agent-failed': 'the agent reported a failure',
  loop: 'the agent repeated itself',
  'ci-red': 'CI stayed red after fixing forward',
  'max-hops': 'too many re-dispatches',
  'merged-red': 'merged with red CI',
  'deploy-failed': 'the deploy failed',
  'fix-forward': 'CI went red and was fixed forward',
  rejected: 'the operator rejected the proposal',
  operator: 'noted by the operator',
};

export interface LessonInput {
  readonly repo: string;
  readonly at: Date;
  readonly source: LessonSource;
  readonly issue: string | null;
  readonly taskType: TaskType | null;
  /** the operator's note, or what resolved it (failing checks, the escalation's why); untrusted */
  readonly note: string;
}

/** The one-line lesson: the cause, then the note ("CI went red and was fixed forward: lint failed on …"). */
export function makeLesson(i: LessonInput): Lesson | null {
  const note = lessonText(i.note);
  const text = lessonText(i.source === 'operator' ? note : note ? `${SOURCE_WORDS[i.source]}: ${note}` : SOURCE_WORDS[i.source]);
  if (!text) return null;
  const at = i.at.toISOString();
  return { id: shortHash(`${i.repo}\0${at}\0${text}`, 8), repo: i.repo, at, source: i.source, issue: i.issue, taskType: i.taskType, text };
}

/**
 * The operator's own lesson from "owner/name the lesson" (`switchboard lessons add`, the console's
 * lessons view): the repository first, then the text.
 */
export function operatorLesson(line: string, at: Date): { lesson: Lesson } | { error: string } {
  const [repo = '', ...words] = line.trim().split(/\s+/);
  if (!REPO_PATTERN.test(repo)) return { error: 'give the repository as owner/name, then the lesson.' };
  const lesson = makeLesson({ repo, at, source: 'operator', issue: null, taskType: null, note: words.join(' ') });
  return lesson ? { lesson } : { error: 'a lesson needs some text.' };
}

/** The list with the lesson added (an identical text for the repo is refreshed, not repeated); bounded per repo. */
export function addLesson(lessons: readonly Lesson[], lesson: Lesson): Lesson[] {
  const others = lessons.filter((l) => !(l.repo === lesson.repo && l.text === lesson.text));
  const repo = [...others.filter((l) => l.repo === lesson.repo), lesson].slice(-LESSONS_PER_REPO);
  return [...others.filter((l) => l.repo !== lesson.repo), ...repo];
}

export type LessonEdit = { readonly ok: true; readonly lessons: Lesson[] } | { readonly ok: false; readonly error: string };

/** Lessons by id or unique prefix (≥ 4 characters). */
export function findLesson(lessons: readonly Lesson[], ref: string): { lesson: Lesson } | { error: string } {
  const key = ref.trim().toLowerCase();
  if (key.length < 4) return { error: `"${sanitize(ref)}" is too short: give at least 4 characters of a lesson id (see switchboard lessons list).` };
  const hits = lessons.filter((l) => l.id.startsWith(key));
  if (hits.length === 0) return { error: `no lesson ${sanitize(ref)} (see switchboard lessons list).` };
  if (hits.length > 1) return { error: `${sanitize(ref)} matches ${hits.length} lessons: give more of the id.` };
  return { lesson: hits[0]! };
}

export function editLesson(lessons: readonly Lesson[], ref: string, text: string): LessonEdit {
  const found = findLesson(lessons, ref);
  if ('error' in found) return { ok: false, error: found.error };
  const line = lessonText(text);
  if (!line) return { ok: false, error: 'a lesson needs some text.' };
  return { ok: true, lessons: lessons.map((l) => (l === found.lesson ? { ...l, text: line } : l)) };
}

export function deleteLesson(lessons: readonly Lesson[], ref: string): LessonEdit {
  const found = findLesson(lessons, ref);
  if ('error' in found) return { ok: false, error: found.error };
  return { ok: true, lessons: lessons.filter((l) => l !== found.lesson) };
}

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? []);

/**
 * The most relevant recent lessons for a dispatch to `repo`: same task type first, then words
 * shared with the issue, then the newest; at most `limit`.
 */
export function relevantLessons(
  lessons: readonly Lesson[],
  issue: { readonly repo: string; readonly title: string; readonly body: string; readonly taskType: TaskType | null },
  limit = LESSONS_IN_PROMPT,
): Lesson[] {
  const issueWords = words(`${issue.title} ${issue.body.slice(0, 4000)}`);
  const weight = (l: Lesson): number => {
    let shared = 0;
    for (const w of words(l.text)) if (issueWords.has(w)) shared++;
    return (l.taskType !== null && l.taskType === issue.taskType ? 10 : 0) + Math.min(shared, 9);
  };
  return lessons
    .filter((l) => l.repo === issue.repo)
    .map((l) => ({ l, w: weight(l) }))
    .sort((a, b) => b.w - a.w || b.l.at.localeCompare(a.l.at))
    .slice(0, limit)
    .map(({ l }) => l);
}

/** The prompt's lessons section; "" when there are none. */
export function lessonsSection(lessons: readonly Lesson[]): string {
  if (lessons.length === 0) return '';
  return ['Lessons from earlier work in this repository:', ...lessons.map((l) => `- ${lessonText(l.text)}`)].join('\n');
}

export const lessonSourceWords = (source: LessonSource): string => SOURCE_WORDS[source];

/**
 * The lesson one step of a supervised dispatch teaches, if any (the supervision wiring calls this
 * with the dispatch before and after each step): an escalation resolved (acknowledged, retried or
 * marked done) keeps its cause and why; a dispatch that completes after fixing forward keeps what
 * was red.
 */
export function resolutionLesson(before: Supervised, after: Supervised, now: Date, taskType: TaskType | null = null): Lesson | null {
  const issue = `${after.repo}#${after.number}`;
  const base = { repo: after.repo, at: now, issue, taskType };
  const esc = before.escalation;
  if (before.phase === 'escalated' && esc !== null) {
    const acknowledged = esc.acknowledgedBy === null && after.escalation?.acknowledgedBy != null;
    if (acknowledged || after.phase !== 'escalated') return makeLesson({ ...base, source: esc.cause, note: esc.why });
    return null;
  }
  const completed = (after.phase === 'completed' || after.phase === 'deployed') && before.phase !== after.phase;
  if (completed && after.fixForwards > 0) {
    const red = [...after.history].reverse().find((h) => h.phase === 'ci_failed');
    return makeLesson({ ...base, source: 'fix-forward', note: red?.note ?? `${after.fixForwards} fix-forward(s)` });
  }
  return null;
}
