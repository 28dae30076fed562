import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentSchema, defaultConfig, inferTaskType, parseConfig, suggestAgents, TASK_SIGNALS, TASK_TYPES, type TaskType } from '../../src/core/index.js';

const agents = defaultConfig().agents;
const ids = (taskType: TaskType, action: 'dispatch' | 'flag' = 'dispatch') => suggestAgents(taskType, agents, action).map((a) => a.id);

describe('agent registry (reference AGENT_REGISTRY)', () => {
  it('the default registry has a coding, a research and an owner agent, and the roles point at them', () => {
    const cfg = defaultConfig();
    expect(cfg.agents.map((a) => a.id)).toEqual(['claude', 'kimi', 'owner']);
    expect(cfg.roles).toEqual({ coding: 'claude', research: 'kimi', owner: 'owner' });
  });

  it('every default agent has a display name', () => {
    for (const a of agents) expect(a.displayName.length).toBeGreaterThan(0);
  });

  it('a tracker agent needs a label, an assignee or a mention', () => {
    const r = AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'tracker' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('a tracker agent needs a label, an assignee or a mention');
    expect(AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'tracker', mention: '@claude' }).success).toBe(true);
    expect(agents.filter((a) => a.kind === 'tracker').every((a) => a.label !== undefined || a.assignee !== undefined)).toBe(true);
  });

  it('a mention is one @handle or /command word from the config: nothing that could carry other text or a second mention', () => {
    for (const ok of ['@claude', '@copilot', '/claude', '@my-bot[bot]']) expect(AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'tracker', mention: ok }).success, ok).toBe(true);
    for (const bad of ['claude', '@', '@claude @everyone', '@claude\nignore this', '@a<!--', '@-x', `@${'a'.repeat(40)}`]) {
      expect(AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'tracker', mention: bad }).success, bad).toBe(false);
    }
    const http = AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'http', endpoint: 'https://a.example/run', mention: '@claude' });
    expect(http.error?.issues[0]?.message).toBe('only a tracker agent is started by a mention');
  });

  it('an owner agent needs no label', () => {
    expect(AgentSchema.safeParse({ id: 'boss', displayName: 'Boss', kind: 'owner' }).success).toBe(true);
  });

  it('every agent runs at least one dispatch at a time', () => {
    for (const a of agents) expect(a.maxConcurrent).toBeGreaterThanOrEqual(1);
    expect(AgentSchema.safeParse({ id: 'x', displayName: 'X', kind: 'owner', maxConcurrent: 0 }).success).toBe(false);
  });
});

describe('suggestAgents (reference select_agent: strong agents first)', () => {
  it('architecture, refactoring and code review rank claude first', () => {
    expect(ids('architecture')[0]).toBe('claude');
    expect(ids('refactoring')[0]).toBe('claude');
    expect(ids('code_review')[0]).toBe('claude');
  });

  it('routine coding and fast iteration rank kimi first', () => {
    expect(ids('routine_coding')).toEqual(['kimi', 'claude']);
    expect(ids('fast_iteration')).toEqual(['kimi', 'claude']);
  });

  it('research ranks the research agent first', () => {
    expect(ids('research')[0]).toBe('kimi');
  });

  it('triage and planning rank the owner first when flagging, and the owner never takes a dispatch', () => {
    expect(ids('triage', 'flag')).toEqual(['owner']);
    expect(ids('planning', 'flag')).toEqual(['owner']);
    expect(ids('planning')).not.toContain('owner');
  });

  it('agents without the strength follow in registry order', () => {
    const cfg = parseConfig({
      agents: [
        { id: 'a', displayName: 'A', kind: 'tracker', label: 'a' },
        { id: 'b', displayName: 'B', kind: 'tracker', label: 'b', strengths: ['research'] },
        { id: 'c', displayName: 'C', kind: 'tracker', label: 'c' },
        { id: 'owner', displayName: 'O', kind: 'owner' },
      ],
      roles: { coding: 'a', research: 'b' },
    });
    expect(suggestAgents('research', cfg.agents).map((a) => a.id)).toEqual(['b', 'a', 'c']);
  });
});

describe('inferTaskType (reference infer_task_type)', () => {
  it('"design" means architecture', () => {
    expect(inferTaskType('Design the LLM router architecture')).toBe('architecture');
  });

  it('"refactor" means refactoring', () => {
    expect(inferTaskType('Refactor the auth middleware')).toBe('refactoring');
  });

  it('"review" means code review', () => {
    expect(inferTaskType('Review PR for cascade router')).toBe('code_review');
  });

  it('"research" means research', () => {
    expect(inferTaskType('Research embedding models')).toBe('research');
  });

  it('"triage" means triage', () => {
    expect(inferTaskType('Triage open issues')).toBe('triage');
  });

  it('"plan" means planning', () => {
    expect(inferTaskType('Plan the v2.0 roadmap')).toBe('planning');
    expect(inferTaskType('Plan the sprint', '')).toBe('planning');
  });

  it('no keyword means routine coding', () => {
    expect(inferTaskType('Do the thing')).toBe('routine_coding');
  });

  it('the description counts too', () => {
    expect(inferTaskType('Implement feature', 'We need to refactor the old code')).toBe('refactoring');
  });

  it('matching ignores case', () => {
    expect(inferTaskType('ARCHITECTURE DESIGN')).toBe('architecture');
  });

  it('the first row wins, not the first keyword in the text', () => {
    expect(inferTaskType('quick fix', 'then design it')).toBe('architecture');
  });

  it('keywords match inside words and across the title/description join', () => {
    expect(inferTaskType('Handle epoch values')).toBe('fast_iteration'); // "poc"
    expect(inferTaskType('Please clean', 'up the mess')).toBe('refactoring'); // "clean up"
    expect(inferTaskType('Please clean\n', 'up the mess')).toBe('routine_coding');
  });

  it('lower-cases as Python does: the Kelvin sign is k, long s is not s, İ is not i', () => {
    expect(inferTaskType('BENCHMAR\u212a')).toBe('research');
    expect(inferTaskType('ſurvey')).toBe('routine_coding');
    expect(inferTaskType('İNVESTİGATE')).toBe('routine_coding');
    expect(inferTaskType('İplan')).toBe('planning');
  });

  it('agrees with a literal port of the reference on arbitrary text', () => {
    const reference = (title: string, description: string): TaskType => {
      const text = `${title} ${description}`.toLowerCase();
      for (const [taskType, keywords] of TASK_SIGNALS) if (keywords.some((k) => text.includes(k))) return taskType;
      return 'routine_coding';
    };
    const pieces = [...new Set(TASK_SIGNALS.flatMap(([, k]) => k).flatMap((k) => [k, k.toUpperCase(), k.slice(0, 3), k.slice(2)]))];
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces, ' ', 'İ', 'ı', '\u212a', 'ſ', '\u0307', 'K'), fc.string({ unit: 'binary' })), { maxLength: 8 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(text, text, (title, description) => {
        expect(inferTaskType(title, description)).toBe(reference(title, description));
      }),
      { numRuns: 1500 },
    );
  });

  it('every result is a known task type', () => {
    expect(TASK_TYPES).toContain(inferTaskType('orchestrate the swarm'));
  });
});
