import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config.js';
import { makeLesson } from '../../src/core/lessons.js';
import { promptLessonLines } from '../../src/ui/lessons-view.js';
import { readyBug } from '../fakes/issues.js';

// The detail view's "Lessons in the prompt" section, state by state. The console test
// (console-lessons.test.tsx) shows the loaded state through real key presses; the loading state
// lasts only as long as a file read, so it is asserted here, where it cannot race the read.
describe('the lessons a prompt would carry, as the detail view words them', () => {
  const issue = readyBug({ number: 1, repo: 'acme/api', title: '[bug] Write the onboarding story draft' });
  const texts = (lines: readonly { text: string }[]) => lines.map((l) => l.text);

  it('while the lessons file is still being read, says so under the heading', () => {
    expect(texts(promptLessonLines(null, issue, 'creative', undefined))).toEqual(['', 'Lessons in the prompt', 'reading the lessons file…']);
  });

  it('once read, lists the lessons the dispatch would carry, or says there are none for the repo', () => {
    const lesson = makeLesson({ repo: 'acme/api', at: new Date(Date.UTC(2026, 0, 2)), source: 'operator', issue: null, taskType: 'creative', note: 'the story lives in docs/' })!;
    expect(texts(promptLessonLines([lesson], issue, 'creative', undefined)).at(-1)).toMatch(/^- [0-9a-f]{8} .*the story lives in docs\//);
    expect(texts(promptLessonLines([], issue, 'creative', undefined)).at(-1)).toMatch(/^none yet for acme\/api/);
  });

  it('a tracker agent gets no prompt from switchboard, whether or not the file is read yet', () => {
    const tracker = defaultConfig().agents.find((a) => a.kind === 'tracker')!;
    expect(texts(promptLessonLines(null, issue, 'creative', tracker)).at(-1)).toMatch(/is a tracker agent; only http and command agents get a prompt/);
  });
});
