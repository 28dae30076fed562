import { useEffect, useRef, useState } from 'react';
import { addLesson, deleteLesson, editLesson, type Lesson, type LessonEdit, operatorLesson } from '../core/lessons.js';
import type { Command } from './keymap.js';
import { addDraft, type LessonsAction, type LessonsBook, lessonIds, selectedLesson } from './lessons-view.js';
import type { Flash, Mode } from './ui-state.js';
import type { MoveTo } from './window.js';

/** How often an open lessons view or detail view reads the file again, so a CLI edit shows. */
export const LESSONS_REREAD_MS = 2_000;

export interface LessonsState {
  /** null until the file has been read */
  readonly list: Lesson[] | null;
  /** why the file could not be read (one sentence), or null */
  readonly error: string | null;
  /** the list as last read, for key handlers that run between renders */
  readonly current: () => Lesson[];
  readonly reload: () => void;
  /** the list as an edit left the file: shown at once, without waiting for the next read */
  readonly show: (lessons: Lesson[]) => void;
}

/**
 * The lessons file, read while `active` (the lessons view or a detail view is open): at once, then
 * every LESSONS_REREAD_MS, so the view never edits from a stale copy it shows for long — and edits
 * themselves re-read the file before they write (LessonsFile.update).
 */
export function useLessons(book: LessonsBook | undefined, active: boolean): LessonsState {
  const [state, setState] = useState<{ list: Lesson[] | null; error: string | null; text: string }>({ list: null, error: null, text: '' });
  const [version, setVersion] = useState(0);
  const latest = useRef<Lesson[]>([]);
  const show = (list: Lesson[]) => {
    latest.current = list;
    const text = JSON.stringify(list);
    setState((s) => (s.text === text && s.error === null ? s : { list, error: null, text }));
  };
  useEffect(() => {
    if (!book || !active) return;
    let live = true;
    const read = () =>
      book.list().then(
        (list) => {
          if (live) show(list);
        },
        (err: unknown) => {
          if (live) setState((s) => ({ ...s, list: s.list ?? [], error: err instanceof Error ? err.message : String(err) }));
        },
      );
    void read();
    const id = setInterval(() => void read(), LESSONS_REREAD_MS);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [book, active, version]);
  return { list: state.list, error: state.error, current: () => latest.current, reload: () => setVersion((v) => v + 1), show };
}

export interface LessonsCommandsHost {
  readonly book: LessonsBook | undefined;
  readonly lessons: LessonsState;
  readonly repos: readonly string[];
  /** the mode as the last key left it */
  readonly mode: () => Mode;
  readonly send: (action: LessonsAction) => void;
  readonly flash: (text: string, level?: Flash['level']) => void;
  readonly now: () => number;
  /** lines the list has on screen */
  readonly height: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The lessons view's commands: open it, move, add, edit and delete — the same core functions and
 * file as `switchboard lessons`. Returns whether it handled `command` (false: not a lessons key here).
 */
export function lessonsCommand(h: LessonsCommandsHost, command: Command, move: MoveTo | undefined): boolean {
  const mode = h.mode();
  const change = (book: LessonsBook, edit: (lessons: readonly Lesson[]) => LessonEdit, ok: string) =>
    void book.apply(edit).then(
      ({ error, lessons }) => {
        h.lessons.show(lessons);
        if (error === null) h.flash(ok);
        else h.flash(error, 'error');
      },
      (err: unknown) => h.flash(errorText(err), 'error'),
    );
  if (command === 'lessons') {
    if (!h.book) h.flash('this console keeps no lessons (no state directory)', 'warning');
    else {
      h.send({ type: 'open' });
      h.lessons.reload();
    }
    return true;
  }
  if (mode.kind === 'lessons') {
    const selected = selectedLesson(h.lessons.current(), mode.cursor);
    if (move) {
      h.send({ type: 'move', to: move, ids: lessonIds(h.lessons.current()), height: h.height });
      return true;
    }
    switch (command) {
      case 'add-lesson':
        h.send({ type: 'add', draft: addDraft(selected, h.repos) });
        return true;
      case 'edit-lesson':
      case 'delete-lesson':
        if (!selected) h.flash('no lesson to change here: a adds one', 'warning');
        else h.send({ type: command === 'edit-lesson' ? 'edit' : 'delete', lesson: selected });
        return true;
      default:
        return false;
    }
  }
  if (mode.kind === 'lesson-text' && command === 'submit' && h.book) {
    const { book } = h;
    const { draft, edit: id } = mode;
    if (id === null) {
      const made = operatorLesson(draft, new Date(h.now()));
      // a refused draft stays open to be fixed
      if ('error' in made) h.flash(made.error, 'error');
      else {
        const { lesson } = made;
        h.send({ type: 'list', id: lesson.id });
        change(book, (lessons) => ({ ok: true, lessons: addLesson(lessons, lesson) }), `added lesson ${lesson.id} for ${lesson.repo}`);
      }
      return true;
    }
    h.send({ type: 'list', id });
    change(book, (lessons) => editLesson(lessons, id, draft), `lesson ${id} edited`);
    return true;
  }
  if (mode.kind === 'lesson-delete' && command === 'yes' && h.book) {
    const id = mode.lesson.id;
    h.send({ type: 'list' });
    change(h.book, (lessons) => deleteLesson(lessons, id), `lesson ${id} deleted`);
    return true;
  }
  return false;
}
