import { z } from 'zod';
import { stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { LessonsFile } from '../adapters/lessons-file.js';
import { terminal, terminalSafeJson } from '../adapters/terminal-output.js';
import { UsageError } from '../core/errors.js';
import { deleteLesson, editLesson, type Lesson, lessonSourceWords, operatorLesson } from '../core/lessons.js';
import { sanitize } from '../core/sanitize.js';
import { type CommandOptions, flag } from './cli-options.js';
import { EXIT } from './exit.js';

/** `switchboard lessons [list|add|edit|delete]`: the lessons file in the state dir (seed 004 LessonsProvider). */

const line = (l: Lesson): string =>
  `  ${l.id}  ${l.at.slice(0, 10)}  ${sanitize(l.repo)}${l.issue ? ` ${sanitize(l.issue.replace(/^[^#]*/, ''))}` : ''}  ${sanitize(l.text)}  (${lessonSourceWords(l.source)})`;

const VERBS = ['list', 'add', 'edit', 'delete'] as const;
type Verb = (typeof VERBS)[number];

export function lessonsVerb(verb: string): Verb {
  if ((VERBS as readonly string[]).includes(verb)) return verb as Verb;
  throw new UsageError(`"${verb.replace(/[^\w-]/g, '')}" is not a lessons verb: use list, add, edit or delete.`);
}

export const LESSONS_OPTIONS = {
  json: flag,
  /** list only this repository (owner/name) */
  for: z.string().optional(),
};

export async function lessonsCommand(
  o: CommandOptions<typeof LESSONS_OPTIONS>,
  verb: Verb,
  args: readonly string[],
  now: Date = new Date(),
): Promise<number> {
  const file = new LessonsFile(await resolveStateDir({ dir: o.stateDir }));
  const out = terminal.out;
  const only = o.for;
  switch (verb) {
    case 'list': {
      const lessons = (await file.list()).filter((l) => only === undefined || l.repo === only);
      if (o.json) out(terminalSafeJson({ lessons }));
      else if (lessons.length === 0) out(`No lessons${only ? ` for ${sanitize(only)}` : ''} yet. They are recorded when an escalation or a fix-forward is resolved, or a proposal is rejected with a note.`);
      else {
        out(`Lessons (${lessons.length}), newest last:`);
        for (const l of lessons) out(line(l));
      }
      return EXIT.ok;
    }
    case 'add': {
      const made = operatorLesson(args.join(' '), now);
      if ('error' in made) throw new UsageError(made.error);
      await file.record(made.lesson);
      out(`added lesson ${made.lesson.id} for ${made.lesson.repo}.`);
      return EXIT.ok;
    }
    case 'edit':
    case 'delete': {
      const [ref, ...words] = args;
      if (ref === undefined) throw new UsageError(`give the id of the lesson to ${verb} (see switchboard lessons list).`);
      const { error } = await file.apply((lessons) => (verb === 'edit' ? editLesson(lessons, ref, words.join(' ')) : deleteLesson(lessons, ref)));
      if (error !== null) throw new UsageError(error);
      out(verb === 'edit' ? `lesson ${sanitize(ref)} edited.` : `lesson ${sanitize(ref)} deleted.`);
      return EXIT.ok;
    }
  }
}
