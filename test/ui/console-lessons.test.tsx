import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LessonsFile } from '../../src/adapters/lessons-file.js';
import { type Lesson, makeLesson } from '../../src/core/lessons.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount } from './console-harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A LessonsFile in a fresh state dir, holding `lessons` (written as the file would hold them). */
function lessonsFile(lessons: readonly Lesson[] = []): { file: LessonsFile; stored: () => Lesson[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lessons-'));
  dirs.push(dir);
  if (lessons.length > 0) writeFileSync(join(dir, 'lessons.json'), JSON.stringify(lessons), { mode: 0o600 });
  return { file: new LessonsFile(dir), dir, stored: () => JSON.parse(readFileSync(join(dir, 'lessons.json'), 'utf8')) as Lesson[] };
}

const lesson = (repo: string, day: number, text: string, extra: Partial<Lesson> = {}): Lesson => ({
  ...makeLesson({ repo, at: new Date(Date.UTC(2026, 0, day)), source: 'operator', issue: null, taskType: null, note: text })!,
  ...extra,
});

/** The lessons file is read and written asynchronously: wait until `check` holds. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

describe('the console’s lessons view (L, :lessons)', () => {
  it('lists the lessons per repository, newest first, with hostile text made harmless; help and footer name it', async () => {
    const hostile = lesson('acme/web', 3, 'x', { text: 'see \u001b]8;;https://evil.example\u0007here\u001b]8;;\u0007 \u202egnp.exe \u001b[2Jwipe' });
    const { file } = lessonsFile([
      lesson('acme/api', 1, 'run the integration suite serially'),
      hostile,
      lesson('acme/api', 5, 'lint before pushing'),
    ]);
    const c = await mount(world(), { lessons: file, columns: 200 });
    expect(c.frame()).toContain('L lessons');
    await c.press('L');
    await until(() => expect(c.frame()).toContain('Lessons (3) per repository, newest first'));
    const frame = c.frame();
    const lines = c.lines();
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('acme/api (2)')).toBeGreaterThan(-1);
    expect(at('lint before pushing')).toBeGreaterThan(at('acme/api (2)'));
    expect(at('run the integration suite serially')).toBeGreaterThan(at('lint before pushing'));
    expect(at('acme/web (1)')).toBeGreaterThan(at('run the integration suite serially'));
    expect(lines[at('lint before pushing')]).toMatch(/^› /);
    expect(frame).toContain('2026-01-05');
    expect(frame).toContain('(noted by the operator)');
    expect(frame).not.toContain('\u001b');
    expect(frame).not.toContain('\u202e');
    expect(frame).toContain('a add a lesson');
    expect(frame).toContain('e edit');
    expect(frame).toContain('d delete');

    await c.press('j');
    expect(c.lines()[at('run the integration suite serially')]).toMatch(/^› /);
    await c.press('?');
    expect(c.frame()).toMatch(/L +lessons/);
    await c.press(KEY.esc, ':');
    await c.type('lessons');
    await c.press(KEY.enter);
    await until(() => expect(c.frame()).toContain('Lessons (3) per repository'));
    await c.press(KEY.esc);
    await until(() => expect(c.frame()).not.toContain('Lessons (3) per repository'));
  });

  it('says so when there are none yet, and when the file is not a list of lessons', async () => {
    const empty = lessonsFile();
    const c = await mount(world(), { lessons: empty.file });
    await c.press('L');
    await until(() => expect(c.frame()).toContain('No lessons yet. a adds one'));
    await c.press('e');
    expect(c.frame()).toContain('no lesson to change here');

    const broken = lessonsFile();
    writeFileSync(join(broken.dir, 'lessons.json'), '{"not": "a list"}', { mode: 0o600 });
    const d = await mount(world(), { lessons: broken.file });
    await d.press('L');
    await until(() => expect(d.frame()).toMatch(/✖ .*lessons\.json is not a list of lessons; fix it or delete it/));
  });

  it('adds, edits and deletes a lesson in the file the CLI uses; a bad draft stays open with the reason', async () => {
    const { file, stored } = lessonsFile([lesson('acme/api', 1, 'run the integration suite serially')]);
    const c = await mount(world(), { lessons: file, columns: 160 });
    await c.press('L');
    await until(() => expect(c.frame()).toContain('Lessons (1) per repository'));

    await c.press('a');
    expect(c.frame()).toContain('new lesson — owner/name, then the lesson (⏎ saves, esc cancels): acme/api ▏');
    await c.type('cache the npm install');
    await c.press(KEY.enter);
    await until(() => expect(c.frame()).toMatch(/added lesson [0-9a-f]{8} for acme\/api/));
    const added = stored().find((l) => l.text === 'cache the npm install');
    expect(added).toMatchObject({ repo: 'acme/api', source: 'operator', issue: null });
    expect(c.frame()).toContain(`added lesson ${added!.id} for acme/api`);
    await until(() => expect(c.lines().find((l) => l.startsWith('›'))).toContain('cache the npm install'));

    await c.press('e');
    expect(c.frame()).toContain(`edit lesson ${added!.id} (⏎ saves, esc cancels): cache the npm install▏`);
    await c.type(' in CI');
    await c.press(KEY.enter);
    await until(() => expect(c.frame()).toContain(`lesson ${added!.id} edited`));
    expect(stored().find((l) => l.id === added!.id)?.text).toBe('cache the npm install in CI');

    await c.press('d');
    expect(c.frame()).toContain(`delete lesson ${added!.id} “cache the npm install in CI”? y deletes`);
    await c.press('n');
    expect(stored()).toHaveLength(2);
    await c.press('d', 'y');
    await until(() => expect(c.frame()).toContain(`lesson ${added!.id} deleted`));
    expect(stored().map((l) => l.text)).toEqual(['run the integration suite serially']);
    expect(c.frame()).not.toContain('cache the npm install');

    await c.press('a');
    for (let i = 0; i < 'acme/api '.length; i++) await c.press(KEY.backspace);
    await c.type('lint first');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('give the repository as owner/name, then the lesson.');
    expect(c.frame()).toContain('new lesson — owner/name, then the lesson (⏎ saves, esc cancels): lint first▏');
    await c.press(KEY.esc);
    expect(c.frame()).toContain('Lessons (1) per repository');
    expect(stored()).toHaveLength(1);
  });

  it('an edit from the console keeps what the CLI changed meanwhile, and says so when the CLI deleted the lesson', async () => {
    const first = lesson('acme/api', 1, 'run the integration suite serially');
    const { file, dir, stored } = lessonsFile([first, lesson('acme/api', 2, 'the docs build needs python 3.12')]);
    const c = await mount(world(), { lessons: file });
    await c.press('L');
    await until(() => expect(c.frame()).toContain('Lessons (2) per repository'));
    await c.press('j'); // the older lesson
    await c.press('e');

    // another shell: `switchboard lessons add` while the console's draft is open
    const cli = new LessonsFile(dir);
    await cli.record(lesson('acme/api', 9, 'never force-push to main'));
    await c.type(' with --runInBand');
    await c.press(KEY.enter);
    await until(() => expect(c.frame()).toContain('never force-push to main'));
    expect(stored().map((l) => l.text).sort()).toEqual(['never force-push to main', 'run the integration suite serially with --runInBand', 'the docs build needs python 3.12']);

    // the CLI deletes the lesson the console is editing: the edit is refused, the delete stands
    await c.press('e');
    const editing = /edit lesson ([0-9a-f]{8})/.exec(c.frame())?.[1];
    expect(editing).toBeDefined();
    expect((await cli.apply((ls) => ({ ok: true, lessons: ls.filter((l) => l.id !== editing) }))).error).toBeNull();
    await c.type('!');
    await c.press(KEY.enter);
    await until(() => expect(c.frame()).toContain(`no lesson ${editing}`));
    expect(stored().some((l) => l.id === editing)).toBe(false);
    expect(stored()).toHaveLength(2);
  });
});

const writing = (number: number) => readyBug({ number, title: '[bug] Write the onboarding story draft' });

describe('the detail view shows the lessons the prompt would carry', () => {
  it('a proposal to an http agent lists exactly the lessons its dispatch then carries', async () => {
    const { file } = lessonsFile([
      lesson('acme/api', 1, 'unrelated: bump the lockfile weekly'),
      lesson('acme/api', 2, 'the onboarding story lives in docs/, never in the wiki', { taskType: 'creative' }),
      lesson('acme/api', 3, 'keep the story draft under 800 words'),
      lesson('acme/api', 4, 'tag releases from main only'),
      lesson('acme/api', 5, 'mention the ticket in the commit title'),
      lesson('acme/web', 6, 'onboarding story draft goes in the web repo'),
    ]);
    const w = world({ config: { armed: true }, issues: [writing(1)], lessons: file });
    await w.engine.runCycle();
    await w.engine.reroute(w.proposalFor(1).id, 'hooky'); // the world's http agent
    const c = await mount(w, { lessons: file, rows: 70 });
    await c.press(KEY.tab, KEY.enter);
    // (the brief "reading the lessons file…" before it is lessons-view.test.ts's: here it races the read)
    await until(() => expect(c.frame()).not.toContain('reading the lessons file'));
    const lines = c.lines().map((l) => l.trim());
    const from = lines.indexOf('Lessons in the prompt');
    expect(from).toBeGreaterThan(-1);
    const shown = lines.slice(from + 1, from + 4);
    expect(shown.every((l) => l.startsWith('- '))).toBe(true);
    expect(lines[from + 4]?.startsWith('- ')).toBe(false);

    await w.engine.approve(w.proposalFor(1).id);
    const carried = w.http.requests[0]!.lessons!.split('\n').slice(1).map((l) => l.slice(2));
    expect(carried).toHaveLength(3);
    expect(carried[0]).toBe('the onboarding story lives in docs/, never in the wiki');
    expect(carried.every((text, i) => shown[i]!.includes(text))).toBe(true);
    expect(c.frame()).not.toContain('onboarding story draft goes in the web repo');

    // the dispatch in flight shows the same lessons
    await c.press(KEY.esc, KEY.tab, KEY.enter);
    await until(() => expect(c.frame()).toContain('Dispatch'));
    const inFlight = c.lines().map((l) => l.trim());
    const at = inFlight.indexOf('Lessons in the prompt');
    expect(at).toBeGreaterThan(-1);
    expect(inFlight.slice(at + 1, at + 4).every((l, i) => l.includes(carried[i]!))).toBe(true);
  });

  it('a proposal to a tracker agent says its agent gets no prompt from switchboard', async () => {
    const { file } = lessonsFile([lesson('acme/api', 1, 'lint before pushing')]);
    const w = world({ issues: [readyBug({ number: 2 })], lessons: file });
    await w.engine.runCycle();
    expect(w.proposalFor(2).agentId).toBe('claude');
    const c = await mount(w, { lessons: file, rows: 70 });
    await c.press(KEY.tab, KEY.enter);
    expect(c.frame()).toContain('Lessons in the prompt');
    expect(c.frame()).toContain('none: claude is a tracker agent; only http and command agents get a prompt from switchboard');
  });
});
