import { stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { LessonsFile } from '../adapters/lessons-file.js';
import { terminal, terminalSafeJson } from '../adapters/terminal-output.js';
import { UsageError } from '../core/errors.js';
import { deleteLesson, editLesson, type Lesson, lessonSourceWords, operatorLesson } from '../core/lessons.js';
import { sanitize } from '../core/sanitize.js';
import type { GlobalOptions } from './globals.js';

/** `switchboard lessons [list|add|edit|delete]`: the lessons file in the state dir (seed 004 LessonsProvider). */

const line = (l: Lesson): string =>
  `  ${l.id}  ${l.at.slice(0, 10)}  ${sanitize(l.repo)}${l.issue ? ` ${sanitize(l.issue.replace(/^[^#]*/, ''))}` : ''}  ${sanitize(l.text)}  (${lessonSourceWords(l.source)})`;

export async function lessonsCommand(
  g: GlobalOptions,
  verb: 'list' | 'add' | 'edit' | 'delete',
  args: readonly string[],
  o: { json?: boolean; repo?: string } = {},
  now: Date = new Date(),
): Promise<void> {
  const file = new LessonsFile(await resolveStateDir({ dir: g.stateDir }));
  const out = terminal.out;
  switch (verb) {
    case 'list': {
      const lessons = (await file.list()).filter((l) => o.repo === undefined || l.repo === o.repo);
      if (o.json) return out(terminalSafeJson({ lessons }));
      if (lessons.length === 0) return out(`No lessons${o.repo ? ` for ${sanitize(o.repo)}` : ''} yet. They are recorded when an escalation or a fix-forward is resolved, or a proposal is rejected with a note.`);
      out(`Lessons (${lessons.length}), newest last:`);
      for (const l of lessons) out(line(l));
      return;
    }
    case 'add': {
      const made = operatorLesson(args.join(' '), now);
      if ('error' in made) throw new UsageError(made.error);
      await file.record(made.lesson);
      return out(`added lesson ${made.lesson.id} for ${made.lesson.repo}.`);
    }
    case 'edit':
    case 'delete': {
      const [ref, ...words] = args;
      if (ref === undefined) throw new UsageError(`give the id of the lesson to ${verb} (see switchboard lessons list).`);
      const { error } = await file.apply((lessons) => (verb === 'edit' ? editLesson(lessons, ref, words.join(' ')) : deleteLesson(lessons, ref)));
      if (error !== null) throw new UsageError(error);
      return out(verb === 'edit' ? `lesson ${sanitize(ref)} edited.` : `lesson ${sanitize(ref)} deleted.`);
    }
  }
}
