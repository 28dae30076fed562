import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/core/errors.js';
import { parseMarker } from '../../src/core/texts.js';
import { writeRoute } from '../../src/adapters/gitea/write-route.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';

const armed = { armed: true };
const blockedBug = (number: number) =>
  readyBug({ number, body: `${readyBug({ number }).body}\n\nThis is blocked by the auth rewrite in #12.` });

describe('executing a proposal', () => {
  it('runs at once on approval and writes in order: audit comment, assignee, dispatch comment, in-progress label', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const fetches = w.tracker.calls.filter((c) => c.method === 'fetchBacklog').length;

    await w.engine.approve(w.proposalFor(1).id);

    expect(w.writes()).toEqual([
      'postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'setAssignees #1 claude',
      'postComment #1 ## Assigned to Claude Code',
      'addLabels #1 switchboard:in-progress',
    ]);
    expect(w.tracker.calls.filter((c) => c.method === 'fetchBacklog')).toHaveLength(fetches);
    expect(w.settled(1)[0]).toMatchObject({ status: 'executed', approvedBy: 'operator', outcome: 'dispatched to claude' });
    expect([...w.engine.getSnapshot().dispatches.values()]).toMatchObject([{ repo: 'acme/api', number: 1, agent: { id: 'claude' }, phase: 'assigned', attempt: 1 }]);
    const markers = w.tracker.commentsOf('acme/api', 1).map((c) => parseMarker(c.body));
    expect(markers.map((m) => `${m?.kind} ${m?.console}`)).toEqual(['audit console-a', 'dispatch console-a']);
  });

  it('a label agent gets its label before the dispatch comment', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.reroute(id, 'kimi');
    await w.engine.approve(id);
    expect(w.writes()).toEqual([
      'postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'addLabels #1 kimi-ready',
      'postComment #1 ## Assigned to Kimi',
      'addLabels #1 switchboard:in-progress',
    ]);
  });

  it('disarmed, an approval is kept and shown waiting for arming, and nothing is written until armed', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.approve(id);
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ status: 'approved', waiting: 'waiting for arming', blockedBy: [{ kind: 'disarmed' }] });
    expect(w.tracker.writes).toEqual([]);

    await w.engine.arm();
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed' });
    expect(w.tracker.writes).toHaveLength(4);
    expect(w.events.some((e) => e.type === 'armed')).toBe(true);
  });

  it('will not arm with no repositories enrolled', async () => {
    const w = world({ config: { repos: [] } });
    await expect(w.engine.arm()).rejects.toThrow('cannot arm: no repositories are enrolled');
    expect(w.engine.getSnapshot().armed).toBe(false);
  });

  it('in dry-run, writes nothing and records each write it would make, in order', async () => {
    const w = world({ config: { armed: true, dryRun: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);

    expect(w.tracker.writes).toEqual([]);
    const recorded = w.engine.getSnapshot().recentWrites;
    expect(recorded.map((r) => `${writeRoute(r).method} ${r.what} ${writeRoute(r).path}`)).toEqual([
      'POST audit comment /repos/acme/api/issues/1/comments',
      'PATCH assign @claude /repos/acme/api/issues/1',
      'POST dispatch comment (claude, attempt 1) /repos/acme/api/issues/1/comments',
      'POST label switchboard:in-progress /repos/acme/api/issues/1/labels',
    ]);
    expect(recorded.every((r) => r.dryRun && r.issue === 'acme/api#1')).toBe(true);
    expect(recorded[0]?.summary).toBe('**[switchboard triage — 2026-05-01 10:00 UTC]**');
    expect(w.events.filter((e) => e.type === 'write-made')).toHaveLength(4);
    expect(w.settled(1)[0]).toMatchObject({ status: 'executed', outcome: 'dry run: would dispatch to claude' });
    expect(w.engine.getSnapshot().dispatches.size).toBe(0);
    expect(w.journal.entries).toEqual([]);
  });

  it('an http agent gets the task through its target, and the dispatch comment records the run', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.reroute(id, 'hooky');
    await w.engine.approve(id);

    expect(w.http.requests).toMatchObject([{ proposalId: id, attempt: 1, repo: 'acme/api', number: 1, agent: { id: 'hooky' }, title: '[bug] Login fails on empty password' }]);
    expect(w.writes()).toEqual([
      'postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'postComment #1 ## Assigned to Hooky',
      'addLabels #1 switchboard:in-progress',
    ]);
    expect(w.tracker.writesOf('postComment')[1]?.detail).toContain('**Dispatch:** run-1 started');
    expect(w.engine.getSnapshot().recentWrites.map((r) => r.what)).toContain('http dispatch to hooky');
  });

  // Issue 12: a refusal used to fail the proposal at once and silently; now it is retried with backoff, then escalated.
  it('an agent that refuses the task leaves no in-progress label and is retried after the backoff, then taken', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.reroute(id, 'hooky');
    w.http.nextResult = { ok: false, detail: 'HTTP 503' };
    await w.engine.approve(id);

    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', outcome: 'dispatch refused by hooky: HTTP 503' });
    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**']);
    expect(w.engine.getSnapshot().lastError?.message).toBe('acme/api#1: dispatch refused by hooky: HTTP 503');
    expect(w.engine.getSnapshot().dispatches.get(id)).toMatchObject({ phase: 'retry_wait', retries: 0 });

    await w.clock.advance(61_000);
    await w.engine.runCycle();
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(w.engine.getSnapshot().dispatches.get(id)).toMatchObject({ phase: 'assigned', attempt: 2, retries: 1 });
    expect(w.writes().slice(1)).toEqual(['postComment #1 ## Assigned to Hooky', 'addLabels #1 switchboard:in-progress']);
  });

  it('a refusal with no retries left is escalated: comment, needs-human, notification, and the audit comment says the dispatch did not happen', async () => {
    const w = world({ config: { ...armed, watch: { maxRetries: 0 } }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.reroute(id, 'hooky');
    w.http.nextResult = { ok: false, detail: 'HTTP 503' };
    await w.engine.approve(id);

    expect(w.engine.getSnapshot().dispatches.get(id)).toMatchObject({ phase: 'escalated', escalation: { cause: 'refused' } });
    expect(w.writes()).toEqual([
      'postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'postComment #1 ## Dispatch escalated: The agent refused the dispatch',
      'addLabels #1 needs-human',
      'editComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
    ]);
    const audit = w.tracker.commentsOf('acme/api', 1)[0]!;
    expect(audit.body).toContain('the dispatch did not happen.');
    expect(w.tracker.issues.get('acme/api#1')?.labels).not.toContain('switchboard:in-progress');
    expect(w.notifier.events).toMatchObject([{ kind: 'escalated', repo: 'acme/api', number: 1, agentId: 'hooky' }]);
  });

  it('a flag comments for the owner, adds the needs-human label, notifies, and takes no lock', async () => {
    const w = world({ config: armed, issues: [blockedBug(7)] });
    await w.engine.runCycle();
    const p = w.proposalFor(7);
    expect(p).toMatchObject({ action: 'flag', agentId: 'owner' });
    await w.engine.approve(p.id);

    expect(w.writes()).toEqual([
      'postComment #7 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'postComment #7 ## Needs a human decision',
      'addLabels #7 needs-human',
    ]);
    expect(w.tracker.writesOf('postComment')[1]?.detail).toContain('@owner, switchboard will not hand this issue');
    expect(w.notifier.events).toMatchObject([{ kind: 'flagged', repo: 'acme/api', number: 7 }]);
    expect(w.settled(7)[0]).toMatchObject({ status: 'executed', outcome: 'flagged for @owner' });
  });

  it('a failing notifier does not break the cycle', async () => {
    const w = world({ config: { armed: true, autoApprove: [{ when: { action: 'flag' } }] }, issues: [blockedBug(7), readyBug({ number: 8, repo: 'acme/api' })] });
    w.notifier.failWith = new Error('webhook answered 500');
    await w.engine.start();

    expect(w.settled(7)[0]).toMatchObject({ status: 'executed', outcome: 'flagged for @owner' });
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'error', level: 'warning', message: 'could not notify: webhook answered 500' }));
    expect(w.events.at(-1)).toMatchObject({ type: 'cycle-finished', errors: [] });
    expect(w.engine.getSnapshot().nextCycleAt).not.toBeNull();
    await w.engine.stop();
  });

  it('a tracker error part-way is retried at the next cycle without repeating what was already written', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    w.tracker.failNext('setAssignees', new Error('HTTP 500 from PATCH /issues/1'));
    await w.engine.approve(id);
    expect(w.proposalFor(1)).toMatchObject({ id, status: 'approved', started: true, waiting: 'retrying at the next cycle after: HTTP 500 from PATCH /issues/1' });

    await w.engine.runCycle();

    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed' });
    expect(w.writes()).toEqual([
      'postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**',
      'setAssignees #1 claude',
      'postComment #1 ## Assigned to Claude Code',
      'addLabels #1 switchboard:in-progress',
    ]);
  });

  it('work cut short after the assignment is finished once the issue is closed meanwhile: the agent got it, so the dispatch is recorded and watched', async () => {
    // Seen on GitHub: the hour's quota ran out between the assignment and the dispatch comment;
    // the agent did the work and closed the issue before the quota came back.
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    w.tracker.afterWrite = (write) => {
      if (write.method === 'setAssignees') w.tracker.failNext('postComment', new Error('api.github.com is rate limiting requests'));
    };
    await w.engine.approve(id);
    w.tracker.afterWrite = null;
    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**', 'setAssignees #1 claude']);
    w.tracker.edit('acme/api', 1, { state: 'closed' });

    await w.engine.runCycle();

    expect(w.writes()).toEqual(['postComment #1 **[switchboard triage — 2026-05-01 10:00 UTC]**', 'setAssignees #1 claude', 'postComment #1 ## Assigned to Claude Code']);
    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed', outcome: 'dispatched to claude' });
    expect([...w.engine.getSnapshot().dispatches.values()]).toMatchObject([{ proposalId: id, number: 1, agent: { id: 'claude' } }]);
  });

  it('an outage never fails approved work for good: after it ends the proposal still executes, once', async () => {
    const w = world({ config: armed, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    const outage = () => new (class extends SwitchboardError {
      readonly kind = 'unavailable';
      override readonly transient = true;
    })('gitea.example unavailable: POST /repos/{owner}/{repo}/issues/{index}/comments failed (HTTP 503)');
    for (let i = 0; i < 5; i++) w.tracker.failNext('postComment', outage());
    await w.engine.approve(id);
    for (let i = 0; i < 4; i++) {
      expect(w.proposalFor(1)).toMatchObject({ id, status: 'approved', waiting: expect.stringMatching(/^retrying at the next cycle after: .*HTTP 503/) });
      await w.engine.runCycle();
    }
    await w.engine.runCycle();

    expect(w.settled(1)[0]).toMatchObject({ id, status: 'executed' });
    expect(w.writes().filter((x) => x.startsWith('postComment #1 **[switchboard triage'))).toHaveLength(1);
    expect(w.writes().filter((x) => x.startsWith('setAssignees'))).toHaveLength(1);
  });
});

describe('leaving dry-run', () => {
  it('forgets what dry-run previewed, so the same proposal can be approved and executed for real', async () => {
    const w = world({ config: { armed: true, dryRun: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const id = w.proposalFor(1).id;
    await w.engine.approve(id);
    expect(w.settled(1)[0]?.outcome).toBe('dry run: would dispatch to claude');

    w.engine.setDryRun(false);
    expect(w.proposalFor(1)).toMatchObject({ id, status: 'proposed' });
    await w.engine.approve(id);
    expect(w.tracker.writes).toHaveLength(4);
  });
});
