import { describe, expect, it } from 'vitest';
import { NotFoundError, RejectedError } from '../../src/adapters/errors.js';
import { parseMarker, renderMarker } from '../../src/core/texts.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const claimBy = (console: string, at: string) =>
  `**[switchboard triage]**\n\nDispatching.\n\n${renderMarker({ kind: 'audit', proposal: 'other-proposal', console, action: 'dispatch', agent: 'claude', at })}`;

describe('claims between consoles', () => {
  it('stands down when another console claimed the issue earlier: edits its audit comment and writes nothing more', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy('console-b', '2026-05-01T09:00:00.000Z') });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;

    await w.engine.approve(id);

    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**', 'editComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**']);
    const mine = w.tracker.commentsOf('acme/api', 1)[1];
    expect(mine?.body).toContain('**Standing down:** another switchboard console (`console-b`) claimed this issue first.');
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', outcome: 'stood down: console-b claimed the issue first' });
    expect(w.engine.getSnapshot().dispatches.size).toBe(0);
  });

  it('stands down even when the issue closed while its claim check was cut short: no second live claim is left behind', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy('console-b', '2026-05-01T09:00:00.000Z') });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    // The audit comment lands; the read that checks the claims is refused (GitHub's quota ran out).
    w.tracker.afterWrite = () => w.tracker.failNext('listComments', new Error('api.github.com is rate limiting requests'));
    await w.engine.approve(id);
    w.tracker.afterWrite = null;
    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**']);
    // The winner's agent finished and closed the issue before this console could go on.
    w.tracker.edit('acme/api', 1, { state: 'closed' });

    await w.engine.runCycle();

    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**', 'editComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**']);
    expect(w.tracker.commentsOf('acme/api', 1).map((c) => parseMarker(c.body)?.kind)).toEqual(['audit', 'stand-down']);
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', outcome: 'stood down: console-b claimed the issue first' });
  });

  it('never dispatches an issue again under a newer proposal: its own earlier claim wins and the new one stands down', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    // This console claimed the issue an hour ago for another proposal it has since forgotten.
    w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy(w.engine.getSnapshot().consoleId, '2026-05-01T09:00:00.000Z') });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;

    await w.engine.approve(id);

    expect(w.tracker.writes.map((x) => x.method)).toEqual(['postComment', 'editComment']);
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', outcome: 'stood down: this console, proposal other-proposal claimed the issue first' });
    expect(w.engine.getSnapshot().dispatches.size).toBe(0);
  });

  it('goes ahead when the other claim has expired', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy('console-b', '2026-04-29T09:00:00.000Z') });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.tracker.writes.map((x) => x.method)).toEqual(['postComment', 'setAssignees', 'postComment', 'addLabels']);
  });

  it('ignores a claim marker by another account that may only read (the fake answers read)', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: 'mallory', body: claimBy('console-b', '2026-05-01T09:59:00.000Z') });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.settled(1)[0]?.outcome).toBe('dispatched to claude');
  });

  it('wins when its own claim is the earlier one', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    // Another console claims right after our audit comment lands, before we read the comments again.
    w.tracker.afterWrite = (write) => {
      w.tracker.afterWrite = null;
      if (write.method === 'postComment') w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy('console-b', '2026-05-01T10:00:00.000Z') });
    };
    const approving = w.engine.approve(id);
    await approving;
    expect(w.tracker.commentsOf('acme/api', 1).map((c) => parseMarker(c.body)?.console)).toEqual(['console-a', 'console-b', 'console-a']);
    expect(w.settled(1)[0]?.outcome).toBe('dispatched to claude');
  });

  it('in dry-run, shows it would stand down and writes nothing', async () => {
    const w = world({ config: { armed: true, dryRun: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: w.tracker.selfLogin, body: claimBy('console-b', '2026-05-01T09:00:00.000Z') });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.tracker.writes).toEqual([]);
    expect(w.engine.getSnapshot().recentWrites.map((r) => r.what)).toEqual(['audit comment', 'audit comment → stand-down']);
  });

  it('stands down for an earlier claim by another account that may write, asking the tracker once per account', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 }), readyBug({ number: 2 })] });
    w.tracker.permissions.set('bob', 'write');
    for (const n of [1, 2]) w.tracker.seedComment('acme/api', n, { author: 'bob', body: claimBy('console-bob', '2026-05-01T09:00:00.000Z') });
    await w.engine.runCycle();
    for (const n of [1, 2]) await w.engine.approve(w.proposalFor(n).id);
    await w.engine.runCycle();
    for (const n of [1, 2]) expect(w.settled(n)[0]?.outcome).toBe('stood down: console-bob (account bob) claimed the issue first');
    expect(w.tracker.writes.map((x) => x.method)).toEqual(['postComment', 'editComment', 'postComment', 'editComment']);
    expect(w.tracker.calls.filter((c) => c.method === 'permission')).toHaveLength(1);
    expect(w.engine.getSnapshot().dispatches.size).toBe(0);
  });

  it.each([
    ['a reader', 'mallory', null],
    ['a login the tracker does not know', 'ghost', new NotFoundError('fake.example', 'collaborator ghost of acme/api')],
  ] as const)("dispatches over a claim forged by %s", async (_, author, failure) => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.permissions.set('mallory', 'read');
    w.tracker.seedComment('acme/api', 1, { author, body: claimBy('console-m', '2026-05-01T09:59:00.000Z') });
    if (failure) w.tracker.failNext('permission', failure);
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    expect(w.settled(1)[0]?.outcome).toBe('dispatched to claude');
    expect(w.tracker.calls.filter((c) => c.method === 'permission')).toHaveLength(1);
  });

  it('does not go ahead when the permission of an earlier claim’s author cannot be read: it says why', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    w.tracker.seedComment('acme/api', 1, { author: 'bob', body: claimBy('console-bob', '2026-05-01T09:00:00.000Z') });
    w.tracker.failNext('permission', new RejectedError('fake.example', 'GET /repos/acme/api/collaborators/bob/permission', 403, 'Only admins can query all permissions'));
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id).catch(() => undefined);
    // the audit comment only: no assignment, no dispatch comment
    expect(w.tracker.writes.map((x) => x.method)).toEqual(['postComment']);
    expect(w.settled(1)).toEqual([]);
    expect(w.engine.getSnapshot().lastError?.message).toContain('could not check whether @bob, who claimed the issue first, may write on acme/api');
  });
});
