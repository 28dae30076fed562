import { join } from 'node:path';
import { OperationError } from '../core/errors.js';
import { addLesson, type Lesson, type LessonEdit, LessonsSchema } from '../core/lessons.js';
import { withStateLock } from './journal-file.js';
import { ensurePrivateDir, readPrivate, writePrivateAtomic } from './private-files.js';

/**
 * `lessons.json` in the state directory (seed 004 LessonsProvider): private, replaced atomically.
 * Read on every use, so `switchboard lessons edit` in another shell counts at the next dispatch.
 */
export const LESSONS_FILE = 'lessons.json';
/** Held while a process reads, changes and replaces the file: the CLI and a console editing at once both keep their change. */
export const LESSONS_LOCK_FILE = 'lessons.lock';

export class LessonsFile {
  readonly path: string;
  /** one change at a time within this process: read, change, replace */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.path = join(dir, LESSONS_FILE);
  }

  /** Every lesson, oldest first; none when the file does not exist yet. */
  async list(): Promise<Lesson[]> {
    let text: string;
    try {
      text = await readPrivate(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OperationError(`${this.path} is not valid JSON; fix it or delete it to start the lessons afresh.`);
    }
    const lessons = LessonsSchema.safeParse(parsed);
    if (!lessons.success) throw new OperationError(`${this.path} is not a list of lessons; fix it or delete it to start the lessons afresh.`);
    return lessons.data;
  }

  /**
   * Apply `change` to the list as it is on disk now (never to a copy read earlier) and replace the
   * file with the result, holding the lessons lock so another process's change in between is not lost.
   */
  update(change: (lessons: Lesson[]) => Lesson[]): Promise<Lesson[]> {
    const run = this.chain.then(async () => {
      await ensurePrivateDir(this.dir);
      return withStateLock(this.dir, LESSONS_LOCK_FILE, `the lessons file ${this.path}`, async () => {
        const current = await this.list();
        const next = change(current);
        if (next === current) return next;
        await writePrivateAtomic(this.path, `${JSON.stringify(next, null, 1)}\n`);
        return next;
      });
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * An edit or delete by id (`editLesson`, `deleteLesson`) on the stored list: its refusal as a
   * sentence (null when made), and the list as the file now holds it.
   */
  async apply(edit: (lessons: readonly Lesson[]) => LessonEdit): Promise<{ error: string | null; lessons: Lesson[] }> {
    let error: string | null = null;
    const lessons = await this.update((stored) => {
      const r = edit(stored);
      if (r.ok) return r.lessons;
      error = r.error;
      return stored;
    });
    return { error, lessons };
  }

  record(lesson: Lesson): Promise<void> {
    return this.update((lessons) => addLesson(lessons, lesson)).then(() => undefined);
  }
}
