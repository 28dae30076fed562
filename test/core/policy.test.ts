import { describe, expect, it } from 'vitest';
import { decide, parseConfig, propose, proposalId, triage, type Gate } from '../../src/core/index.js';
import { context, decideInput, makeIssue, NOW, REPO, score } from './issue-builders.js';

const kinds = (gates: readonly Gate[]) => gates.map((g) => g.kind);

describe('decide (reference decide)', () => {
  it('a philosophy issue is skipped as not dev-actionable', () => {
    const d = decide(decideInput({ type: 'philosophy', tags: ['philosophy'] }), context());
    expect(d).toMatchObject({ action: 'skip', agentId: null });
    expect(d.reason.toLowerCase()).toContain('philosophy');
  });

  it('an assigned issue is skipped, naming the assignees', () => {
    const d = decide(decideInput({ assignees: ['perplexity'] }), context());
    expect(d.action).toBe('skip');
    expect(d.reason).toBe('Already assigned to: perplexity.');
  });

  it('an issue below the threshold is skipped, saying so', () => {
    const d = decide(decideInput({ score: 2, ready: false }), context());
    expect(d.action).toBe('skip');
    expect(d.reason).toBe('Score 2 < 5 threshold — needs more detail before assignment.');
  });

  it('a blocked ready issue is flagged for the owner, mentioning the owner login', () => {
    const d = decide(decideInput({ blocked: true }), context({ ownerLogin: 'rockachopa' }));
    expect(d).toMatchObject({ action: 'flag', agentId: 'owner' });
    expect(d.reason).toContain('@rockachopa');
  });

  it('a research issue goes to the research agent (kimi)', () => {
    const d = decide(decideInput({ type: 'research', tags: ['research'], p0: false }), context());
    expect(d).toMatchObject({ action: 'dispatch', agentId: 'kimi' });
    expect(d.reason).toContain("Issue type 'research' with research/investigation scope.");
  });

  it('a kimi-ready label sends any ready issue to kimi', () => {
    const d = decide(decideInput({ type: 'unknown', tags: ['kimi-ready'], labels: ['kimi-ready'], p0: false }), context());
    expect(d).toMatchObject({ action: 'dispatch', agentId: 'kimi' });
  });

  it('the research agent label alone (not a research tag) also routes to it', () => {
    const ctx = context({ agents: [{ id: 'claude', displayName: 'Claude', kind: 'tracker', assignee: 'claude' }, { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'Research-Queue' }, { id: 'owner', displayName: 'Owner', kind: 'owner' }] });
    const d = decide(decideInput({ type: 'unknown', tags: ['research-queue'], labels: ['Research-Queue'], p0: false }), ctx);
    expect(d.agentId).toBe('kimi');
  });

  it('a P0 bug goes to the coding agent (claude) for immediate attention', () => {
    const d = decide(decideInput({ type: 'bug', p0: true, score: 7, ageDays: 3 }), context());
    expect(d).toMatchObject({ action: 'dispatch', agentId: 'claude' });
    expect(d.reason).toBe('P0/bug issue (score=7, age=3d). Assigning to Claude Code for immediate attention.');
  });

  it('a ready feature goes to the coding agent', () => {
    const d = decide(decideInput({ type: 'feature', p0: false, tags: ['feature'] }), context());
    expect(d).toMatchObject({ action: 'dispatch', agentId: 'claude' });
    expect(d.reason).toBe('Unassigned ready issue (type=feature, score=7, age=3d). Assigning to Claude Code.');
  });

  it('every decision has a reason', () => {
    expect(decide(decideInput(), context()).reason.length).toBeGreaterThan(10);
  });

  it('the decide order holds: philosophy before assigned before not-ready before blocked before research before P0', () => {
    const ctx = context();
    const all = { type: 'philosophy' as const, assignees: ['x'], ready: false, blocked: true, tags: ['research', 'philosophy'], p0: true };
    expect(decide(decideInput(all), ctx).reason).toContain('Philosophy');
    expect(decide(decideInput({ ...all, type: 'research' }), ctx).reason).toContain('Already assigned');
    expect(decide(decideInput({ ...all, type: 'research', assignees: [] }), ctx).reason).toContain('threshold');
    expect(decide(decideInput({ ...all, type: 'research', assignees: [], ready: true }), ctx).action).toBe('flag');
    expect(decide(decideInput({ ...all, type: 'research', assignees: [], ready: true, blocked: false }), ctx).agentId).toBe('kimi');
  });
});

describe('reference ScoredIssue properties, as decisions', () => {
  it('an unassigned ready bug is dispatched; the same bug assigned is skipped', () => {
    const body = '## Problem\nCrash on login.\n## Solution\nFix src/auth.py def login()\nshould return 200\nmust pass tox tests';
    expect(propose(score({ labels: ['bug'], body }), context()).action).toBe('dispatch');
    expect(propose(score({ labels: ['bug'], body, assignees: ['claude'] }), context()).action).toBe('skip');
  });

  it('a research tag or kimi-ready label needs kimi; a bug does not', () => {
    expect(decide(decideInput({ tags: ['research'], type: 'research', p0: false }), context()).agentId).toBe('kimi');
    expect(decide(decideInput({ tags: [], labels: ['kimi-ready'], type: 'unknown', p0: false }), context()).agentId).toBe('kimi');
    expect(decide(decideInput({ tags: ['bug'], labels: [] }), context()).agentId).toBe('claude');
  });
});

describe('proposals', () => {
  const ready = { labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect\npytest' };

  it('the same issue version and decision always get the same id', () => {
    const a = propose(score(ready), context());
    const b = propose(score(ready), context());
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('a changed updatedAt gives a new id', () => {
    const a = propose(score({ ...ready, updated_at: '2026-03-20T10:00:00Z' }), context());
    const b = propose(score({ ...ready, updated_at: '2026-03-20T10:05:00Z' }), context());
    expect(a.id).not.toBe(b.id);
  });

  it('the id depends on repo, number and decision', () => {
    const base = proposalId(REPO, 1, { action: 'dispatch', agentId: 'claude' }, 't');
    expect(proposalId('o/other', 1, { action: 'dispatch', agentId: 'claude' }, 't')).not.toBe(base);
    expect(proposalId(REPO, 2, { action: 'dispatch', agentId: 'claude' }, 't')).not.toBe(base);
    expect(proposalId(REPO, 1, { action: 'dispatch', agentId: 'kimi' }, 't')).not.toBe(base);
    expect(proposalId(REPO, 1, { action: 'dispatch', agentId: 'claude' }, 't')).toBe(base);
  });

  it('a proposal names its issue', () => {
    expect(propose(score({ ...ready, number: 7 }), context())).toMatchObject({ repo: REPO, number: 7, issueKey: 'o/r#7' });
  });
});

describe('gates', () => {
  const ready = { labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect\npytest' };

  it('switchboard is disarmed by default: the dispatch stays proposed but is blocked', () => {
    const { proposals } = triage([makeIssue(ready)], parseConfig({ repos: [REPO], trustedAuthors: ['alice'] }), NOW, { armed: false });
    expect(proposals[0]).toMatchObject({ action: 'dispatch', agentId: 'claude', executable: false });
    expect(kinds(proposals[0]!.blockedBy)).toEqual(['disarmed']);
  });

  it('an armed, enrolled, trusted, unlocked dispatch within limits is executable', () => {
    const p = propose(score(ready), context());
    expect(p.blockedBy).toEqual([]);
    expect(p.executable).toBe(true);
  });

  it('a repo outside the enrolled list is gated', () => {
    const p = propose(score(ready), context({ repos: ['o/elsewhere'] }));
    expect(kinds(p.blockedBy)).toEqual(['repo-not-enrolled']);
  });

  it('an open issue with the in-progress label locks its repo for other dispatches', () => {
    const lock = makeIssue({ number: 9, labels: ['switchboard:in-progress'] });
    const { proposals } = triage([lock, makeIssue({ ...ready, number: 2 })], parseConfig({ repos: [REPO], trustedAuthors: ['alice'] }), NOW, { armed: true });
    const gate = proposals[1]!.blockedBy.find((g) => g.kind === 'repo-locked');
    expect(gate?.detail).toBe('o/r#9 is in progress in o/r');
  });

  it('an agent at its concurrency limit is gated', () => {
    const p = propose(score(ready), context({}, { agentLoad: new Map([['claude', 2]]) }));
    expect(kinds(p.blockedBy)).toEqual(['agent-at-capacity']);
    expect(p.blockedBy[0]!.detail).toBe('Claude Code has 2 of 2 dispatches running');
  });

  it('the per-cycle dispatch cap gates the rest of the cycle: approved work takes it, pending proposals do not', () => {
    const issues = [makeIssue({ ...ready, number: 1 }), makeIssue({ ...ready, number: 2 })];
    const config = { repos: [REPO], trustedAuthors: ['alice'], limits: { dispatchesPerCycle: 1, repoLock: false } };
    const pending = triage(issues, parseConfig(config), NOW, { armed: true }).proposals;
    expect(pending.map((p) => kinds(p.blockedBy))).toEqual([[], []]);
    const approved = triage(issues, parseConfig({ ...config, autoApprove: [{ when: { action: 'dispatch' } }] }), NOW, { armed: true }).proposals;
    expect(approved.map((p) => kinds(p.blockedBy))).toEqual([[], ['cycle-cap']]);
  });

  it('an author neither trusted nor checked is gated as of unknown permission', () => {
    const p = propose(score({ ...ready, author: 'mallory' }), context());
    expect(kinds(p.blockedBy)).toEqual(['untrusted-author']);
    expect(p.blockedBy[0]!.detail).toContain('@mallory');
    expect(p.blockedBy[0]!.detail).toContain('permission is unknown');
  });

  it('an author known to lack write permission is gated as such; one with it passes', () => {
    const denied = propose(score({ ...ready, author: 'mallory' }, { authorTrusted: false }), context());
    expect(denied.blockedBy[0]!.detail).toContain('has no write permission');
    expect(propose(score({ ...ready, author: 'mallory' }, { authorTrusted: true }), context()).blockedBy).toEqual([]);
  });

  it('gates are listed together and never change the decision', () => {
    const open = propose(score({ ...ready, author: 'mallory' }), context());
    const shut = propose(
      score({ ...ready, author: 'mallory' }),
      context({ repos: ['o/elsewhere'] }, { armed: false, agentLoad: new Map([['claude', 5]]), cycleCapRemaining: 0, lockedRepos: new Map([[REPO, 'o/r#9']]) }),
    );
    expect(kinds(shut.blockedBy)).toEqual(['disarmed', 'repo-not-enrolled', 'repo-locked', 'agent-at-capacity', 'cycle-cap', 'untrusted-author']);
    expect({ action: shut.action, agentId: shut.agentId, reason: shut.reason, id: shut.id }).toEqual({ action: open.action, agentId: open.agentId, reason: open.reason, id: open.id });
  });

  it('a skip has no gates; a flag is gated only by arming and enrolment', () => {
    expect(propose(score({ title: 'help', body: '' }), context({}, { armed: false })).blockedBy).toEqual([]);
    const flag = propose(score({ ...ready, body: `${ready.body}\nblocked by #3`, author: 'mallory' }), context({ repos: [] }, { armed: false, cycleCapRemaining: 0 }));
    expect(flag.action).toBe('flag');
    expect(kinds(flag.blockedBy)).toEqual(['disarmed', 'repo-not-enrolled']);
  });
});

describe('what would change the decision', () => {
  it('a score-4 bug is told that acceptance criteria would make it ready for claude', () => {
    const s = score({ title: 'Crash on start', body: 'It crashes.', labels: ['bug'] });
    expect(s.score).toBe(4);
    const p = propose(s, context());
    expect(p.action).toBe('skip');
    expect(p.whatWouldChange).toContain('add acceptance criteria (+1 acceptance) → ready → dispatch/claude');
    expect(p.whatWouldChange).toContain('name the files involved (+1 scope) → ready → dispatch/claude');
  });

  it('an assigned issue is told that unassigning would dispatch it', () => {
    const p = propose(score({ labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect', assignees: ['bob'] }), context());
    expect(p.whatWouldChange).toContain('unassign @bob → dispatch/claude');
  });

  it('a blocked issue is told that resolving the blocker would dispatch it', () => {
    const p = propose(score({ labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect\nblocked by #2' }), context());
    expect(p.action).toBe('flag');
    expect(p.whatWouldChange).toEqual(['resolve the blocker and drop the "blocked" wording → dispatch/claude']);
  });

  it('a meta issue is told which tag keeps it out', () => {
    const p = propose(score({ labels: ['philosophy'], body: '## Steps\nsrc/a.py def f()\nshould must expect' }), context());
    expect(p.whatWouldChange).toEqual(['remove the meta tag "philosophy" → ready → dispatch/claude']);
  });

  it('a dispatch has nothing to change', () => {
    expect(propose(score({ labels: ['bug'], body: '## Steps\nsrc/a.py def f()\nshould must expect' }), context()).whatWouldChange).toEqual([]);
  });
});
