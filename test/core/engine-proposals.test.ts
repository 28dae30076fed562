import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { P0_BUG_RULE, world } from '../fakes/engine-world.js';
import { readyBug, readyResearch, vagueIssue } from '../fakes/issues.js';

describe('proposals', () => {
  it('an unchanged issue keeps its proposal, the very same object, across cycles', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const before = w.proposalFor(1);
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toBe(before);
    expect(before).toMatchObject({ action: 'dispatch', agentId: 'claude', status: 'proposed' });
  });

  it('a changed issue supersedes its pending proposal with a new one', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const old = w.proposalFor(1);
    w.tracker.edit('acme/api', 1, { body: `${w.tracker.issues.get('acme/api#1')!.body}\nAlso on mobile.` });

    await w.engine.runCycle();

    const fresh = w.proposalFor(1);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.status).toBe('proposed');
    expect(w.engine.getSnapshot().proposals.get(old.id)).toMatchObject({ status: 'superseded', outcome: 'the issue changed' });
  });

  it('an approved proposal whose issue changed before it ran is superseded, and its approval lapses', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const old = w.proposalFor(1);
    await w.engine.approve(old.id); // disarmed: waits
    w.tracker.edit('acme/api', 1, { title: '[bug] Login fails on an empty password' });
    await w.engine.runCycle();
    expect(w.engine.getSnapshot().proposals.get(old.id)?.status).toBe('superseded');
    expect(w.proposalFor(1)).toMatchObject({ status: 'proposed', approvedBy: null });
  });

  it('a rejection is remembered until the issue changes', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.reject(w.proposalFor(1).id, 'not this week');
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ status: 'rejected', note: 'not this week' });

    w.tracker.edit('acme/api', 1, { labels: ['security'] });
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ status: 'proposed', note: null });
  });

  it('skip decisions are listed as proposals but cannot be approved', async () => {
    const w = world({ issues: [vagueIssue({ number: 4 })] });
    await w.engine.runCycle();
    const skip = w.proposalFor(4);
    expect(skip).toMatchObject({ action: 'skip', status: 'proposed', executable: false });
    await expect(w.engine.approve(skip.id)).rejects.toThrow(`proposal ${skip.id} (acme/api#4) is a skip: there is nothing to approve`);
  });

  it('re-routing to an agent that cannot carry out the action says which agents can', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await expect(w.engine.reroute(id, 'owner')).rejects.toThrow(new UsageError('agent "owner" cannot carry out a dispatch; choose one of: claude, kimi, hooky'));
    await expect(w.engine.reroute(id, 'nobody')).rejects.toThrow('agent "nobody" cannot carry out a dispatch; choose one of: claude, kimi, hooky');
    await expect(w.engine.approve('nope')).rejects.toThrow('no proposal "nope"');
  });

  it('re-routing keeps the proposal and its id, names the new agent, and survives the next cycle', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.reroute(id, 'kimi');
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ id, agentId: 'kimi', reroutedFrom: 'claude' });
    expect(w.proposalFor(1).reason).toMatch(/Re-routed to Kimi by the operator\.$/);
  });

  it('an auto-approve rule approves a P0 bug and it is executed in the same cycle', async () => {
    const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE] }, issues: [readyBug({ number: 1 }), readyResearch({ number: 2 })] });
    await w.engine.runCycle();
    const [done] = w.settled(1);
    expect(done).toMatchObject({ status: 'executed', approvedBy: 'rule #1 (tier P0, type bug)', outcome: 'dispatched to claude' });
    expect(w.proposalFor(2)).toMatchObject({ status: 'proposed', approvedBy: null });
    expect(w.journal.ofType('approved')).toMatchObject([{ approvedBy: 'rule #1 (tier P0, type bug)', proposal: { number: 1 } }]);
  });

  it('a second ready issue in a locked repo waits, and runs once the lock clears', async () => {
    const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE] }, issues: [readyBug({ number: 1 }), readyBug({ number: 2 })] });
    await w.engine.runCycle();
    expect(w.settled(1)[0]?.status).toBe('executed');
    expect(w.proposalFor(2)).toMatchObject({
      status: 'approved',
      executable: false,
      blockedBy: [{ kind: 'repo-locked', detail: 'acme/api#1 is in progress in acme/api' }],
      waiting: 'waiting: acme/api#1 is in progress in acme/api',
    });
    expect(w.tracker.writes.every((write) => write.number === 1)).toBe(true);

    w.tracker.edit('acme/api', 1, { state: 'closed' });
    await w.engine.runCycle();
    expect(w.settled(2)[0]).toMatchObject({ status: 'executed', outcome: 'dispatched to claude' });
  });

  it('an issue in flight gets a skip that says so, not a second dispatch', async () => {
    const w = world({ config: { armed: true, autoApprove: [P0_BUG_RULE] }, issues: [readyResearch({ number: 3, labels: ['bug'] })] });
    await w.engine.runCycle();
    await w.engine.runCycle();
    expect(w.proposalFor(3)).toMatchObject({ action: 'skip', reason: 'In flight: dispatched to kimi (assigned, attempt 1).' });
    expect(w.tracker.writesOf('postComment')).toHaveLength(2);
  });

  it('emits proposal-added and proposal-changed as proposals appear and move', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.approve(id);
    expect(w.events.filter((e) => e.type === 'proposal-added' || e.type === 'proposal-changed').map((e) => `${e.type} ${'proposal' in e ? e.proposal.status : ''}`)).toEqual([
      'proposal-added proposed',
      'proposal-changed approved',
    ]);
    expect(w.proposalFor(1).waiting).toBe('waiting for arming');
  });
});
