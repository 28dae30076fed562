import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LessonsFile } from '../../src/adapters/lessons-file.js';
import { editLesson, makeLesson } from '../../src/core/lessons.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lessons-file-'));
  dirs.push(dir);
  return dir;
};
const lesson = (n: number) => makeLesson({ repo: 'acme/api', at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)), source: 'operator', issue: null, taskType: null, note: `lesson number ${n}` })!;

describe('lessons.json shared by the console and the CLI', () => {
  it('two writers changing the file at once both keep their changes (read, change and replace under the lessons lock)', async () => {
    const dir = stateDir();
    // two LessonsFile objects stand for two processes: neither's in-process queue orders the other
    const console = new LessonsFile(dir);
    const cli = new LessonsFile(dir);
    await Promise.all(Array.from({ length: 24 }, (_, n) => (n % 2 === 0 ? console : cli).record(lesson(n))));
    const stored = JSON.parse(readFileSync(join(dir, 'lessons.json'), 'utf8')) as { text: string }[];
    expect(stored.map((l) => l.text).sort()).toEqual(Array.from({ length: 24 }, (_, n) => `lesson number ${n}`).sort());
    expect(() => readFileSync(join(dir, 'lessons.lock'))).toThrow(/ENOENT/);
  });

  it('a refused edit says why and leaves the file as it was', async () => {
    const dir = stateDir();
    const file = new LessonsFile(dir);
    await file.record(lesson(1));
    const before = readFileSync(join(dir, 'lessons.json'), 'utf8');
    const r = await file.apply((ls) => editLesson(ls, 'ffffffff', 'anything'));
    expect(r.error).toMatch(/^no lesson ffffffff/);
    expect(r.lessons).toHaveLength(1);
    expect(readFileSync(join(dir, 'lessons.json'), 'utf8')).toBe(before);
  });
});
