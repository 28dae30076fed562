import { join } from 'node:path';
import { OperationError } from '../core/errors.js';
import { addLesson, type Lesson, LessonsSchema } from '../core/lessons.js';
import { ensurePrivateDir, readPrivate, writePrivateAtomic } from './private-files.js';

/**
 * `lessons.json` in the state directory (seed 004 LessonsProvider): private, replaced atomically.
 * Read on every use, so `switchboard lessons edit` in another shell counts at the next dispatch.
 */
export const LESSONS_FILE = 'lessons.json';

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

  /** Apply `change` to the stored list and save the result. */
  update(change: (lessons: Lesson[]) => Lesson[]): Promise<Lesson[]> {
    const run = this.chain.then(async () => {
      const next = change(await this.list());
      await ensurePrivateDir(this.dir);
      await writePrivateAtomic(this.path, `${JSON.stringify(next, null, 1)}\n`);
      return next;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  record(lesson: Lesson): Promise<void> {
    return this.update((lessons) => addLesson(lessons, lesson)).then(() => undefined);
  }
}
