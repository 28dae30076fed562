import { describe, expect, it } from 'vitest';
import { completeCommand, parseCommandLine } from '../../src/ui/command-line.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount } from './console-harness.js';

describe('the console sets an issue’s task type (:tasktype)', () => {
  it('parses a task type, "inferred", and refuses anything else with the choices', () => {
    expect(parseCommandLine('tasktype creative')).toEqual({ kind: 'tasktype', taskType: 'creative' });
    expect(parseCommandLine(':tasktype inferred')).toEqual({ kind: 'tasktype', taskType: null });
    expect(parseCommandLine('tasktype poetry')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('creative') });
    expect(completeCommand('tasktype cre', [])).toEqual({ draft: 'tasktype creative', choices: [] });
  });

  it(':tasktype on the selected proposal re-routes it by task type with roles.coding "auto"', async () => {
    const w = world({
      config: {
        roles: { coding: 'auto' },
        agents: [
          { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture'] },
          { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', strengths: ['creative', 'research'] },
          { id: 'owner', displayName: 'Owner', kind: 'owner' },
        ],
      },
      issues: [readyBug({ number: 1, title: '[bug] Write the onboarding story draft' })],
    });
    await w.engine.runCycle();
    expect(w.proposalFor(1).agentId).toBe('kimi');
    const c = await mount(w);
    await c.press(KEY.tab, ':');
    await c.type('tasktype architecture');
    await c.press(KEY.enter);
    expect(w.engine.taskTypes().get('acme/api#1')).toBe('architecture');
    expect(w.proposalFor(1).agentId).toBe('claude');
    expect(c.frame()).toContain('acme/api#1: task type architecture');
  });
});
