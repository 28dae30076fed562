import { describe, expect, it } from 'vitest';
import { parseConfig, planProposals, propose, routeAround, type TrackedProposal, triage } from '../../src/core/index.js';
import { context, makeIssue, NOW, REPO, score } from './issue-builders.js';

/** A ready, well-specified issue whose text makes it a writing (creative) task. */
const WRITING = { title: 'Write the onboarding story for new maintainers', body: '## Problem\nNo guide in docs/onboarding.md.\n\n## Steps\nEdit src/guide.py def onboard()\nshould explain setup, must pass tox' };
const KIMI_WRITES = [
  { id: 'claude', displayName: 'Claude Code', kind: 'tracker' as const, assignee: 'claude', strengths: ['architecture' as const, 'refactoring' as const] },
  { id: 'kimi', displayName: 'Kimi', kind: 'tracker' as const, label: 'kimi-ready', strengths: ['creative' as const, 'routine_coding' as const], maxConcurrent: 1 },
  { id: 'owner', displayName: 'Owner', kind: 'owner' as const },
];

describe('task validation (seed 000 _validate_task)', () => {
  it.each(['', '   ', '\t\n', '\u200b\u2060'])('an issue titled %j is skipped with its reason, never dispatched', (title) => {
    const p = propose(score({ title }), context());
    expect(p).toMatchObject({ action: 'skip', agentId: null, executable: false });
    expect(p.reason).toBe('The issue has no title — a task needs one before it can be dispatched.');
  });

  it('the same issue with a title is dispatched', () => {
    expect(propose(score(WRITING), context()).action).toBe('dispatch');
  });
});

describe('routing by task type (roles.coding "auto", seed 001 select_agent)', () => {
  it('a creative issue goes to the agent strong at creative, and the reason names the task type', () => {
    const p = propose(score(WRITING), context({ agents: KIMI_WRITES, roles: { coding: 'auto' } }));
    expect(p).toMatchObject({ action: 'dispatch', agentId: 'kimi' });
    expect(p.reason).toMatch(/routed by task type creative → Kimi\./i);
  });

  it('without "auto" the coding role stays seed 002 rule (claude), whatever the task type', () => {
    const p = propose(score(WRITING), context({ agents: KIMI_WRITES }));
    expect(p.agentId).toBe('claude');
    expect(p.reason).not.toContain('task type');
  });

  it('the operator’s task type wins over the inferred one', () => {
    const ctx = { ...context({ agents: KIMI_WRITES, roles: { coding: 'auto' } }), taskTypes: new Map([[`${REPO}#1`, 'architecture' as const]]) };
    const p = propose(score(WRITING), ctx);
    expect(p.agentId).toBe('claude');
    expect(p.reason).toMatch(/routed by task type architecture → Claude Code\./i);
  });

  it('with the strong agent at capacity the next suggested one takes it, and the reason says why (triage preview)', () => {
    // an auto-approve rule approves the first writing issue: approved work takes Kimi's one slot
    const config = parseConfig({ repos: [REPO, 'o/other'], trustedAuthors: ['alice'], armed: true, agents: KIMI_WRITES, roles: { coding: 'auto' }, autoApprove: [{ when: { repo: REPO } }] });
    const { proposals } = triage([makeIssue({ ...WRITING, number: 1 }), makeIssue({ ...WRITING, number: 2 }, { repo: 'o/other' })], config, NOW, { armed: true });
    expect(proposals[0]).toMatchObject({ agentId: 'kimi', status: 'approved' });
    expect(proposals[1]).toMatchObject({ action: 'dispatch', agentId: 'claude', executable: true });
    expect(proposals[1]!.reason).toMatch(/routed by task type creative → Claude Code \(no free agent is strong at creative\); Kimi is at capacity\./i);
  });

  it('a blocking readiness failure moves it on the same way; nothing free leaves it where it was', () => {
    const agents = KIMI_WRITES.map((a) => (a.id === 'kimi' ? { ...a, readiness: 'block' as const } : a));
    const scored = score(WRITING);
    const ctx = context({ agents, roles: { coding: 'auto' } }, { readiness: new Map([['kimi', { assignable: false }]]) });
    const held = propose(scored, ctx);
    expect(held.blockedBy.map((g) => g.kind)).toEqual(['agent-not-ready']);
    const moved = routeAround(scored, held, ctx);
    expect(moved).toMatchObject({ action: 'dispatch', agentId: 'claude' });
    expect(moved!.reason).toContain('Kimi is not ready');
    const full = { ...ctx, agentLoad: new Map([['claude', 2]]) };
    expect(routeAround(scored, held, full)).toBeNull();
    expect(routeAround(scored, held, context({ agents }, { readiness: ctx.readiness! }))).toBeNull();
  });

  it('the engine planner routes around a full agent too (approved work takes the capacity)', () => {
    const config = parseConfig({ repos: [REPO, 'o/other'], trustedAuthors: ['alice'], armed: true, agents: KIMI_WRITES, roles: { coding: 'auto' } });
    const first = score({ ...WRITING, number: 1 });
    const second = score({ ...WRITING, number: 2 }, { repo: 'o/other' });
    const backlog = new Map([[`${REPO}#1`, first], ['o/other#2', second]]);
    const plan1 = planProposals({ config, profile: context().profile, backlog, previous: new Map(), dispatches: new Map(), armed: true, executedThisCycle: 0 });
    const p1 = [...plan1.proposals.values()].find((p) => p.number === 1)!;
    expect(p1.agentId).toBe('kimi');
    const previous = new Map([...plan1.proposals].map(([id, p]) => [id, p.number === 1 ? { ...p, status: 'approved' as const, approvedBy: 'operator' } : p]));
    const plan2 = planProposals({ config, profile: context().profile, backlog, previous, dispatches: new Map(), armed: true, executedThisCycle: 0 });
    const p2 = [...plan2.proposals.values()].find((p) => p.number === 2 && p.status === 'proposed')!;
    expect(p2).toMatchObject({ agentId: 'claude', executable: true });
    expect(p2.reason).toContain('Kimi is at capacity');
  });

  it('planned again with nothing changed, the routed-around proposal stays pending (it used to be superseded with the issue left without one)', () => {
    const config = parseConfig({ repos: [REPO, 'o/other'], trustedAuthors: ['alice'], armed: true, agents: KIMI_WRITES, roles: { coding: 'auto' } });
    const backlog = new Map([[`${REPO}#1`, score({ ...WRITING, number: 1 })], ['o/other#2', score({ ...WRITING, number: 2 }, { repo: 'o/other' })]]);
    const plan = (previous: ReadonlyMap<string, TrackedProposal>) =>
      planProposals({ config, profile: context().profile, backlog, previous, dispatches: new Map(), armed: true, executedThisCycle: 0 }).proposals;
    const first = plan(new Map());
    const approved = new Map([...first].map(([id, p]) => [id, p.number === 1 ? { ...p, status: 'approved' as const, approvedBy: 'operator' } : p]));
    let proposals = plan(approved);
    for (let i = 0; i < 3; i++) proposals = plan(new Map(proposals));
    const live = [...proposals.values()].filter((p) => p.number === 2 && p.status !== 'superseded');
    expect(live).toEqual([expect.objectContaining({ status: 'proposed', agentId: 'claude', executable: true })]);
  });

  it('"auto" is refused when an agent is itself named auto', () => {
    expect(() => parseConfig({ agents: [...KIMI_WRITES, { id: 'auto', displayName: 'Auto', kind: 'tracker', assignee: 'auto' }], roles: { coding: 'auto' } })).toThrow(
      /roles\.coding: an agent is named "auto"/,
    );
  });
});
