import { type Lesson, type LessonEdit, lessonSourceWords, relevantLessons } from '../core/lessons.js';
import type { Agent, TaskType } from '../core/routing.js';
import { sanitize } from '../core/sanitize.js';
import type { ScoredIssue } from '../core/scoring.js';
import type { Line } from './detail-lines.js';
import { listWindow, moveIndex, type MoveTo } from './window.js';

/**
 * The console's lessons view (seed 004 LessonsProvider): the state dir's lessons per repo, newest
 * first, added, edited and deleted with the same semantics and file as `switchboard lessons`.
 */

/** Where the console reads and changes lessons: the state dir's lessons.json (LessonsFile). */
export interface LessonsBook {
  /** every lesson as the file holds it now, oldest first */
  list(): Promise<Lesson[]>;
  /** a change to the list as it is on disk at that moment: its refusal (or null), and the list after it */
  apply(edit: (lessons: readonly Lesson[]) => LessonEdit): Promise<{ error: string | null; lessons: Lesson[] }>;
}

/** The selected lesson, by id, so it stays put when the file changes under the view. */
export interface LessonsCursor {
  readonly selected: string | null;
}

/** The lessons view's modes: the list, typing a lesson (add or edit), asking before a delete. */
export type LessonsMode =
  | { readonly kind: 'lessons'; readonly cursor: LessonsCursor }
  | { readonly kind: 'lesson-text'; readonly cursor: LessonsCursor; readonly edit: string | null; readonly draft: string }
  | { readonly kind: 'lesson-delete'; readonly cursor: LessonsCursor; readonly lesson: Lesson };

export const isLessonsMode = (mode: { readonly kind: string }): mode is LessonsMode =>
  mode.kind === 'lessons' || mode.kind === 'lesson-text' || mode.kind === 'lesson-delete';

export type LessonsAction =
  | { readonly type: 'open' }
  | { readonly type: 'move'; readonly to: MoveTo; readonly ids: readonly string[]; readonly height: number }
  /** start typing a new lesson, the draft begun with a repository ("owner/name ") */
  | { readonly type: 'add'; readonly draft: string }
  | { readonly type: 'edit'; readonly lesson: Lesson }
  | { readonly type: 'delete'; readonly lesson: Lesson }
  /** back to the list, the lesson `id` selected when given */
  | { readonly type: 'list'; readonly id?: string }
  | { readonly type: 'type'; readonly text: string }
  | { readonly type: 'erase' };

const START: LessonsCursor = { selected: null };

/** The lessons view's next mode; `mode` is null when the view is not open. */
export function lessonsReducer(mode: LessonsMode | null, a: LessonsAction): LessonsMode | null {
  if (a.type === 'open') return { kind: 'lessons', cursor: mode?.cursor ?? START };
  if (mode === null) return null;
  const cursor = mode.cursor;
  switch (a.type) {
    case 'move': {
      if (mode.kind !== 'lessons' || a.ids.length === 0) return mode;
      const from = Math.max(0, cursor.selected === null ? 0 : a.ids.indexOf(cursor.selected));
      const to = moveIndex(from, a.ids.length, a.to, Math.max(1, a.height - 2));
      return { ...mode, cursor: { selected: a.ids[to] ?? null } };
    }
    case 'add':
      return { kind: 'lesson-text', cursor, edit: null, draft: a.draft };
    case 'edit':
      return { kind: 'lesson-text', cursor: { selected: a.lesson.id }, edit: a.lesson.id, draft: a.lesson.text };
    case 'delete':
      return { kind: 'lesson-delete', cursor: { selected: a.lesson.id }, lesson: a.lesson };
    case 'list':
      return { kind: 'lessons', cursor: a.id === undefined ? cursor : { selected: a.id } };
    case 'type':
    case 'erase': {
      if (mode.kind !== 'lesson-text') return mode;
      const draft = a.type === 'type' ? mode.draft + a.text : [...mode.draft].slice(0, -1).join('');
      return { ...mode, draft };
    }
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Repos with lessons, each with its lessons newest first; repos in name order. */
export function lessonsByRepo(lessons: readonly Lesson[]): { repo: string; lessons: Lesson[] }[] {
  const byRepo = new Map<string, Lesson[]>();
  for (const l of lessons) byRepo.set(l.repo, [...(byRepo.get(l.repo) ?? []), l]);
  return [...byRepo.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([repo, list]) => ({ repo, lessons: list.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id)) }));
}

/** The lesson ids in the order the view lists them (what j/k move through). */
export const lessonIds = (lessons: readonly Lesson[]): string[] => lessonsByRepo(lessons).flatMap((g) => g.lessons.map((l) => l.id));

/** The selected lesson: the cursor's, or the first when it has gone (deleted from another shell). */
export function selectedLesson(lessons: readonly Lesson[], cursor: LessonsCursor): Lesson | undefined {
  const groups = lessonsByRepo(lessons).flatMap((g) => g.lessons);
  return groups.find((l) => l.id === cursor.selected) ?? groups[0];
}

export interface LessonRow {
  readonly text: string;
  readonly tone?: Line['tone'];
  /** the lesson on this line; absent for repo headings */
  readonly id?: string;
}

/** One line a lesson: id, day, the issue it came from, the text, what it came from — all sanitized. */
export const lessonRowText = (l: Lesson): string =>
  `${l.id}  ${l.at.slice(0, 10)}  ${(l.issue ? sanitize(l.issue.replace(/^[^#]*/, '')) : '').padEnd(6)} ${sanitize(l.text)}  (${lessonSourceWords(l.source)})`;

/** The list's lines: a heading per repo, then its lessons newest first. */
export function lessonRows(lessons: readonly Lesson[]): LessonRow[] {
  const out: LessonRow[] = [];
  for (const g of lessonsByRepo(lessons)) {
    out.push({ text: `${sanitize(g.repo)} (${g.lessons.length})`, tone: 'heading' });
    for (const l of g.lessons) out.push({ text: lessonRowText(l), id: l.id });
  }
  return out;
}

/** The slice of `rows` that fits `height` with the selected lesson on screen. */
export const lessonsWindow = (rows: readonly LessonRow[], height: number, selected: string | undefined) =>
  listWindow(rows.length, height, rows.findIndex((r) => r.id !== undefined && r.id === selected), 0);

/** The repo a new lesson is for, to begin the draft: the selected lesson's, else the only enrolled repo. */
export function addDraft(selected: Lesson | undefined, repos: readonly string[]): string {
  const repo = selected?.repo ?? (repos.length === 1 ? repos[0] : undefined);
  return repo === undefined ? '' : `${repo} `;
}

/**
 * What the detail view says about the lessons a dispatch's prompt carries: the selection the
 * http/command targets get (`relevantLessons`, the function the engine uses), or why none.
 */
export function promptLessonLines(
  lessons: readonly Lesson[] | null,
  issue: ScoredIssue['issue'] | undefined,
  taskType: TaskType | undefined,
  agent: Agent | undefined,
): Line[] {
  const out: Line[] = [{ text: '' }, { text: 'Lessons in the prompt', tone: 'heading' }];
  const say = (text: string): Line[] => [...out, { text, tone: 'dim' }];
  if (agent !== undefined && agent.kind !== 'http' && agent.kind !== 'command') {
    return say(`none: ${sanitize(agent.id)} is a ${agent.kind} agent; only http and command agents get a prompt from switchboard`);
  }
  if (lessons === null) return say('reading the lessons file…');
  if (issue === undefined || taskType === undefined) return say('unknown until the issue is read again (it is not in the backlog)');
  const chosen = relevantLessons(lessons, { repo: issue.repo, title: issue.title, body: issue.body, taskType });
  if (chosen.length === 0) return say(`none yet for ${sanitize(issue.repo)} (L lists lessons; rejections with a note and resolved escalations add them)`);
  return [...out, ...chosen.map((l) => ({ text: `- ${lessonRowText(l)}` }))];
}

/** The footer's prompt while a lesson is typed or a delete is asked; null otherwise. */
export function lessonsPrompt(mode: { readonly kind: string }): string | null {
  if (!isLessonsMode(mode)) return null;
  switch (mode.kind) {
    case 'lesson-text':
      return mode.edit === null
        ? `new lesson — owner/name, then the lesson (⏎ saves, esc cancels): ${mode.draft}`
        : `edit lesson ${mode.edit} (⏎ saves, esc cancels): ${mode.draft}`;
    case 'lesson-delete':
      return `delete lesson ${mode.lesson.id} “${mode.lesson.text}”? y deletes · n / ⏎ / esc keeps it`;
    default:
      return null;
  }
}
