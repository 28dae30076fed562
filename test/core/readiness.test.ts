import { describe, expect, it } from 'vitest';
import { type ConfigInput, decide, parseConfig, propose, readinessGate, whatWouldChange } from '../../src/core/index.js';
import { AgentSchema } from '../../src/core/routing.js';
import { context, decideInput, score } from './issue-builders.js';

const READY = { labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect\npytest' };

const agent = (o: Record<string, unknown>) => AgentSchema.parse({ id: 'a', displayName: 'Agent A', ...o });

describe('readyLabel (seed 003 opt-in)', () => {
  it('unset, a ready issue is dispatched as before', () => {
    expect(decide(decideInput(), context()).action).toBe('dispatch');
  });

  it('set, only issues carrying it are proposed for dispatch; flags still happen', () => {
    const ctx = context({ readyLabel: 'ready-for-agent' });
    const d = decide(decideInput(), ctx);
    expect(d).toEqual({ action: 'skip', agentId: null, reason: 'Not labelled `ready-for-agent` — only issues carrying it are dispatched.' });
    expect(decide(decideInput({ labels: ['ready-for-agent'] }), ctx).action).toBe('dispatch');
    expect(decide(decideInput({ blocked: true }), ctx).action).toBe('flag');
  });

  it('the proposal says adding the label would dispatch it', () => {
    const ctx = context({ readyLabel: 'ready-for-agent' });
    const s = score(READY);
    const p = propose(s, ctx);
    expect(p.action).toBe('skip');
    expect(whatWouldChange(s, p, ctx)).toContain('label it "ready-for-agent" → dispatch/claude');
  });
});

describe('readiness before dispatch (seed 004)', () => {
  it.each([
    [{ kind: 'http', endpoint: 'https://agent.example/run' }, { healthOk: false }, "Agent A's health URL does not answer"],
    [{ kind: 'command', command: ['agent'] }, { binaryOnPath: false }, "Agent A's command is not on PATH"],
    [{ kind: 'command', command: ['agent'] }, { binaryOnPath: true, cwdExists: false }, "Agent A's working directory does not exist"],
    [{ kind: 'tracker', assignee: 'bot' }, { assignable: false }, '@bot cannot be assigned here'],
  ])('%o with %o is a gate in block mode and a warning in warn mode', (shape, facts, words) => {
    expect(readinessGate(agent({ ...shape, readiness: 'block' }), facts)).toEqual({ gate: { kind: 'agent-not-ready', detail: words }, warning: null });
    expect(readinessGate(agent(shape), facts)).toEqual({ gate: null, warning: words });
  });

  it('a ready or unchecked agent passes', () => {
    expect(readinessGate(agent({ kind: 'http', endpoint: 'https://a.example', readiness: 'block' }), { healthOk: true })).toEqual({ gate: null, warning: null });
    expect(readinessGate(agent({ kind: 'http', endpoint: 'https://a.example', readiness: 'block' }), undefined)).toEqual({ gate: null, warning: null });
  });

  it('a blocking readiness failure holds the proposal', () => {
    const agents: ConfigInput['agents'] = [
      { id: 'claude', displayName: 'Claude', kind: 'tracker', assignee: 'claude', readiness: 'block' },
      { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready' },
      { id: 'owner', displayName: 'Owner', kind: 'owner' },
    ];
    const p = propose(score(READY), context({ agents }, { readiness: new Map([['claude', { assignable: false }]]) }));
    expect(p).toMatchObject({ action: 'dispatch', executable: false, blockedBy: [{ kind: 'agent-not-ready', detail: '@claude cannot be assigned here' }] });
  });
});

describe('watch config', () => {
  it('defaults: close on merge, two fix-forwards, five hops, no deploy context, no ready label', () => {
    const c = parseConfig({});
    expect(c.watch).toMatchObject({ closeOnMerge: true, maxFixForward: 2, maxHops: 5, maxRetries: 1, retryBackoffSeconds: 60 });
    expect(c.watch.deployContext).toBeUndefined();
    expect(c.readyLabel).toBeUndefined();
    expect(c.console.finishedRowMinutes).toBe(30);
    expect(c.implementerPreamble).toMatch(/test-first/);
  });

  it('rejects nonsense with the path named', () => {
    expect(() => parseConfig({ watch: { maxFixForward: -1, maxHops: 0 }, readyLabel: '' })).toThrow(/watch\.maxFixForward[\s\S]*watch\.maxHops[\s\S]*readyLabel/);
    expect(() => parseConfig({ agents: [{ id: 'x', displayName: 'X', kind: 'http', endpoint: 'https://x.example', readiness: 'maybe' }] })).toThrow(/agents\[0\]\.readiness/);
  });
});
