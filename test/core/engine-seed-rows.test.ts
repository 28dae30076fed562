import { describe, expect, it } from 'vitest';
import type { LessonsStore } from '../../src/core/ports.js';
import { addLesson, type Lesson } from '../../src/core/lessons.js';
import { world, type WorldOptions } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

/** lessons.json in memory */
class MemoryLessons implements LessonsStore {
  lessons: Lesson[] = [];
  async list() {
    return this.lessons;
  }
  async record(lesson: Lesson) {
    this.lessons = addLesson(this.lessons, lesson);
  }
}

const writing = (number: number) => readyBug({ number, title: '[bug] Write the onboarding story draft' });
const auto: WorldOptions['config'] = {
  roles: { coding: 'auto' },
  agents: [
    { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture'] },
    { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', strengths: ['research'] },
    { id: 'owner', displayName: 'Owner', kind: 'owner' },
    { id: 'hooky', displayName: 'Hooky', kind: 'http', endpoint: 'https://agents.example/run', strengths: ['creative'] },
  ],
};

describe('the operator sets an issue’s task type (journaled like approvals)', () => {
  it('a tasktype command from another shell re-routes an "auto" proposal, is journaled, and survives a restart', async () => {
    const w = world({ config: auto, issues: [writing(1)] });
    await w.engine.start();
    expect(w.proposalFor(1)).toMatchObject({ agentId: 'hooky' });
    expect(w.proposalFor(1).reason).toMatch(/routed by task type creative → Hooky/i);

    w.journal.appendCommand({ command: 'tasktype', proposalId: '', issue: 'acme/api#1', taskType: 'architecture', commandId: 't1' });
    await w.clock.advance(1_000);
    expect(w.proposalFor(1)).toMatchObject({ agentId: 'claude' });
    expect(w.proposalFor(1).reason).toMatch(/routed by task type architecture → Claude Code/i);
    expect(w.journal.ofType('task-typed')).toMatchObject([{ issue: 'acme/api#1', taskType: 'architecture', commandId: 't1' }]);
    await w.engine.stop();

    const again = world({ config: auto, tracker: w.tracker, journal: w.journal, clock: w.clock, consoleId: 'console-b' });
    await again.engine.start();
    expect(again.engine.taskTypes().get('acme/api#1')).toBe('architecture');
    expect(again.proposalFor(1).agentId).toBe('claude');
    await again.engine.setTaskType('acme/api#1', null);
    expect(again.proposalFor(1).agentId).toBe('hooky');
    await again.engine.stop();
  });

  it('a task type for something that is not an issue is refused with one sentence', async () => {
    const w = world({ config: auto, issues: [writing(1)] });
    await w.engine.runCycle();
    await expect(w.engine.setTaskType('not an issue', 'creative')).rejects.toThrow('"not an issue" is not an issue: give owner/name#number');
  });

  it('the dispatch carries the operator’s task type', async () => {
    const w = world({ config: { ...auto, armed: true }, issues: [writing(1)] });
    await w.engine.runCycle();
    await w.engine.setTaskType('acme/api#1', 'creative');
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.http.requests[0]).toMatchObject({ taskType: 'creative' });
  });
});

describe('lessons (seed 004 LessonsProvider) on the engine', () => {
  it('a rejection with a note keeps a lesson for the repo, and a later http dispatch to it carries it', async () => {
    const lessons = new MemoryLessons();
    const w = world({ config: { ...auto, armed: true }, issues: [writing(1), writing(2)], lessons });
    await w.engine.runCycle();
    await w.engine.reject(w.proposalFor(1).id, 'onboarding docs live in docs/, never in the wiki');
    await w.engine.reject(w.proposalFor(2).id); // no note: nothing learned
    expect(lessons.lessons).toMatchObject([
      { repo: 'acme/api', source: 'rejected', issue: 'acme/api#1', taskType: 'creative', text: 'the operator rejected the proposal: onboarding docs live in docs/, never in the wiki' },
    ]);

    w.tracker.seed(writing(3));
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(3).id);
    expect(w.http.requests).toHaveLength(1);
    expect(w.http.requests[0]!.lessons).toBe('Lessons from earlier work in this repository:\n- the operator rejected the proposal: onboarding docs live in docs/, never in the wiki');
  });

  it('a dispatch to a repo with no lessons carries none; a store that cannot be read does not hold the dispatch', async () => {
    const broken: LessonsStore = { list: () => Promise.reject(new Error('EACCES')), record: () => Promise.resolve() };
    const w = world({ config: { ...auto, armed: true }, issues: [writing(1)], lessons: broken });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.http.requests).toHaveLength(1);
    expect(w.http.requests[0]!.lessons).toBeUndefined();
  });
});
