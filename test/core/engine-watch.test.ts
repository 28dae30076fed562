import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/core/config.js';
import type { Lesson } from '../../src/core/lessons.js';
import type { CommitCheck, LinkedPullRequest } from '../../src/core/ports.js';
import { parseMarker } from '../../src/core/texts.js';
import { world } from '../fakes/engine-world.js';
import { FakeJournal } from '../fakes/fake-journal.js';
import { readyBug } from '../fakes/issues.js';

/**
 * The supervision lifecycle on the engine (issue 12), over the fake tracker and fake agent
 * targets with a fake clock: every transition, for each agent kind — tracker (assignee), label,
 * http and command.
 */

const MINUTE = 60_000;
const INP = 'switchboard:in-progress';
const AGENTS: NonNullable<ConfigInput['agents']> = [
  { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture'], maxConcurrent: 2, timeoutMinutes: 120 },
  { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', strengths: ['research'], maxConcurrent: 2, timeoutMinutes: 120 },
  { id: 'owner', displayName: 'Owner', kind: 'owner', maxConcurrent: 100 },
  { id: 'hooky', displayName: 'Hooky', kind: 'http', endpoint: 'https://agents.example/run', maxConcurrent: 2, timeoutMinutes: 60 },
  { id: 'cmd', displayName: 'Cmd', kind: 'command', command: ['agent-cli', '{prompt}'], maxConcurrent: 2, timeoutMinutes: 60 },
];
const KINDS = [
  ['claude', 'tracker'],
  ['kimi', 'label'],
  ['hooky', 'http'],
  ['cmd', 'command'],
] as const;
type AgentId = (typeof KINDS)[number][0];

class MemoryLessons {
  readonly kept: Lesson[] = [];
  async list(): Promise<Lesson[]> {
    return this.kept;
  }
  async record(l: Lesson): Promise<void> {
    this.kept.push(l);
  }
}

/** #1 dispatched to `agentId`; the writes so far forgotten. */
async function dispatchedTo(agentId: AgentId, over: ConfigInput = {}, journal?: FakeJournal) {
  const lessons = new MemoryLessons();
  const w = world({ config: { armed: true, agents: [...AGENTS], ...over }, issues: [readyBug({ number: 1 })], lessons, ...(journal ? { journal } : {}) });
  await w.engine.runCycle();
  const id = w.proposalFor(1).id;
  if (agentId !== 'claude') await w.engine.reroute(id, agentId);
  await w.engine.approve(id);
  w.tracker.writes.length = 0;
  const d = () => w.engine.getSnapshot().dispatches.get(id)!;
  const target = agentId === 'hooky' ? w.http : w.command;
  return { ...w, id, d, target, lessons };
}

const pull = (number: number, headSha: string, o: Partial<LinkedPullRequest> = {}): LinkedPullRequest => ({
  number,
  state: 'open',
  merged: false,
  headSha,
  mergeSha: null,
  url: `https://fake.example/acme/api/pulls/${number}`,
  updatedAt: '2026-05-01T10:05:00Z',
  ...o,
});
const red = (context = 'ci/test', n = 1): CommitCheck => ({ context, state: 'failure', targetUrl: `https://ci.example/run/${n}` });
const green = (context = 'ci/test'): CommitCheck => ({ context, state: 'success', targetUrl: 'https://ci.example/ok' });
const comments = (w: ReturnType<typeof world>) => w.tracker.commentsOf('acme/api', 1);
const labels = (w: ReturnType<typeof world>) => w.tracker.issues.get('acme/api#1')?.labels ?? [];

describe('supervision on the engine: success', () => {
  it.each(KINDS)('a merged PR with green CI completes a dispatch to %s (%s): lock released, the issue closed with a completion comment, owner notified', async (agentId) => {
    const w = await dispatchedTo(agentId);
    expect(labels(w)).toContain(INP);
    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111')]);
    w.tracker.checks.set('aaa1111', [green()]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('ci_passed');
    expect(w.writes()).toEqual(['postComment #1 ## Progress']);

    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true, mergeSha: 'mmm2222' })]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('completed');
    expect(w.writes().slice(1)).toEqual([`removeLabel #1 ${INP}`, 'postComment #1 ## Done: pull request #40 merged', 'closeIssue #1 closed', 'editComment #1 ## Progress']);
    expect(w.tracker.issues.get('acme/api#1')?.state).toBe('closed');
    expect(labels(w)).not.toContain(INP);
    expect(w.notifier.events).toMatchObject([{ kind: 'dispatch-ended', event: 'completed', repo: 'acme/api', number: 1 }]);
    // a completed dispatch is observed no more
    const calls = w.tracker.calls.length;
    await w.engine.runCycle();
    expect(w.tracker.calls.slice(calls).filter((c) => c.method === 'linkedPullRequests')).toEqual([]);
  });

  it('a merge that closed the issue itself is not closed again; closeOnMerge off leaves it open', async () => {
    const w = await dispatchedTo('claude');
    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true })]);
    w.tracker.checks.set('aaa1111', [green()]);
    w.tracker.edit('acme/api', 1, { state: 'closed' });
    await w.engine.runCycle();
    expect(w.d().phase).toBe('completed');
    expect(w.tracker.writesOf('closeIssue')).toEqual([]);
    expect(labels(w)).not.toContain(INP);

    const off = await dispatchedTo('claude', { watch: { closeOnMerge: false } });
    off.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true })]);
    off.tracker.checks.set('aaa1111', [green()]);
    await off.engine.runCycle();
    expect(off.d().phase).toBe('completed');
    expect(off.tracker.issues.get('acme/api#1')?.state).toBe('open');
    expect(labels(off)).not.toContain(INP);
  });

  it('with watch.deployContext the dispatch ends deployed once the merge commit reports it', async () => {
    const w = await dispatchedTo('claude', { watch: { deployContext: 'deploy/production' } });
    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true, mergeSha: 'mmm2222' })]);
    w.tracker.checks.set('aaa1111', [green()]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('deploying');
    expect(labels(w)).not.toContain(INP);
    w.tracker.checks.set('mmm2222', [{ context: 'deploy/production', state: 'success', targetUrl: '' }]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('deployed');
    expect(w.notifier.events.map((e) => (e.kind === 'dispatch-ended' ? e.event : e.kind))).toEqual(['completed', 'deployed']);
  });

  it('a command agent exiting 0 without a PR is done, awaiting review: lock released, owner flagged, not proposed again', async () => {
    const w = await dispatchedTo('cmd');
    w.command.statuses.set('run-1', { status: 'done', detail: 'exited 0' });
    await w.engine.runCycle();
    expect(w.d().phase).toBe('awaiting_review');
    expect(w.writes()).toEqual([`removeLabel #1 ${INP}`, 'postComment #1 ## Done, awaiting review']);
    expect(w.notifier.events).toMatchObject([{ kind: 'dispatch-ended', event: 'awaiting-review' }]);
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ action: 'skip', reason: "Done by cmd, awaiting the owner's review." });
  });
});

describe('supervision on the engine: red CI is fixed forward within the cycle that sees it', () => {
  it.each(KINDS)('%s (%s): one corrective turn per commit naming the failing contexts, their URLs and the head SHA, then escalation', async (agentId, kind) => {
    const w = await dispatchedTo(agentId);
    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0001')]);
    w.tracker.checks.set('bad0001', [red('ci/test', 1), green('lint')]);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'ci_failed', fixForwards: 1 });
    const turn = comments(w).find((c) => parseMarker(c.body)?.kind === 'fix-forward')!;
    expect(turn.body).toContain('`ci/test`');
    expect(turn.body).toContain('https://ci.example/run/1');
    expect(turn.body).toContain('bad0001');
    if (kind === 'http' || kind === 'command') {
      const request = w.target.requests.at(-1)!;
      expect(request.fixForward?.round).toBe(1);
      expect(request.fixForward?.prompt).toMatch(/ci\/test: failure \(https:\/\/ci\.example\/run\/1\)/);
      expect(request.fixForward?.prompt).toContain('bad0001');
    }
    // the same red commit seen again is not sent back twice
    await w.engine.runCycle();
    expect(comments(w).filter((c) => parseMarker(c.body)?.kind === 'fix-forward')).toHaveLength(1);

    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0002')]);
    w.tracker.checks.set('bad0002', [red('ci/test', 2)]);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'ci_failed', fixForwards: 2 });

    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0003')]);
    w.tracker.checks.set('bad0003', [red('ci/test', 3)]);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'escalated', escalation: { cause: 'ci-red' } });
    const escalation = comments(w).find((c) => parseMarker(c.body)?.kind === 'escalation')!;
    expect(escalation.body).toContain('CI stayed red after fixing forward');
    expect(escalation.body).toMatch(/`bad0001`…`bad0003` on pull request #40 \(3 commits seen\)/);
    expect(labels(w)).toContain('needs-human');
    expect(labels(w)).not.toContain(INP);
    if (kind === 'command') expect(w.command.stopped).toEqual([w.command.requests.at(-1) && 'run-3']);
  });

  it('a fix-forward that ends in a merge keeps a lesson for the repo', async () => {
    const w = await dispatchedTo('claude');
    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0001')]);
    w.tracker.checks.set('bad0001', [red()]);
    await w.engine.runCycle();
    w.tracker.pulls.set('acme/api#1', [pull(40, 'good002', { state: 'closed', merged: true })]);
    w.tracker.checks.set('good002', [green()]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('completed');
    expect(w.lessons.kept).toMatchObject([{ repo: 'acme/api', source: 'fix-forward', issue: 'acme/api#1' }]);
  });
});

describe('supervision on the engine: cancellation, stall, timeout, loop, refusal', () => {
  it('the agent closing the issue completes the dispatch; a human closing it cancels it — both release the lock', async () => {
    const a = await dispatchedTo('claude');
    a.tracker.edit('acme/api', 1, { state: 'closed' });
    a.tracker.closers.set('acme/api#1', 'claude');
    await a.engine.runCycle();
    expect(a.d().phase).toBe('completed');
    expect(a.writes()).toEqual([`removeLabel #1 ${INP}`]);

    const b = await dispatchedTo('hooky');
    b.tracker.edit('acme/api', 1, { state: 'closed' });
    b.tracker.closers.set('acme/api#1', 'alice');
    await b.engine.runCycle();
    expect(b.d()).toMatchObject({ phase: 'cancelled' });
    expect(b.d().history.at(-1)?.note).toBe('@alice closed the issue');
    expect(b.writes()).toEqual([`removeLabel #1 ${INP}`]);
    expect(b.notifier.events).toMatchObject([{ kind: 'dispatch-ended', event: 'cancelled' }]);
  });

  it('removing the agent\'s assignment cancels a tracker dispatch', async () => {
    const w = await dispatchedTo('claude');
    await w.engine.runCycle();
    w.tracker.edit('acme/api', 1, { assignees: [] });
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'cancelled' });
    expect(labels(w)).not.toContain(INP);
  });

  it('a stall is retried on another agent (retryNextAgent), then escalated: comment, needs-human, lock released, owner notified', async () => {
    const w = await dispatchedTo('claude', { watch: { stallMinutes: 30, maxRetries: 1, retryNextAgent: true } });
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'assigned', attempt: 2, agent: { id: 'kimi' } });
    expect(w.writes()).toEqual(['addLabels #1 kimi-ready', 'setAssignees #1 ', 'postComment #1 ## Assigned to Kimi']);

    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'escalated', escalation: { cause: 'stall' } });
    expect(w.writes().slice(3)).toEqual(['postComment #1 ## Dispatch escalated: The agent went quiet', 'addLabels #1 needs-human', `removeLabel #1 ${INP}`]);
    const escalation = comments(w).at(-1)!;
    expect(parseMarker(escalation.body)).toMatchObject({ kind: 'escalation', attempt: 2 });
    expect(w.notifier.events).toMatchObject([{ kind: 'escalated', agentId: 'kimi', attempts: 2 }]);
    await w.engine.runCycle();
    expect(w.proposalFor(1)).toMatchObject({ action: 'skip', reason: 'Waiting for a human (`needs-human` label).' });
  });

  it('a timed-out http dispatch is retried as a new run, then escalated', async () => {
    const w = await dispatchedTo('hooky', { watch: { maxRetries: 1, stallMinutes: 600 } });
    await w.clock.advance(61 * MINUTE);
    await w.engine.runCycle();
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(w.d()).toMatchObject({ attempt: 2, phase: 'assigned' });
    await w.clock.advance(61 * MINUTE);
    await w.engine.runCycle();
    expect(w.http.observed).toContain('run-2');
    expect(w.d()).toMatchObject({ phase: 'escalated', escalation: { cause: 'timeout' } });
  });

  it('an http run reported failed is retried as a new run', async () => {
    const w = await dispatchedTo('hooky', { watch: { maxRetries: 1 } });
    w.http.statuses.set('run-1', { status: 'failed', detail: 'exit 3' });
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ attempt: 2, phase: 'assigned' });
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('the agent repeating itself with nothing new is a loop: escalated at once', async () => {
    const w = await dispatchedTo('claude', { watch: { maxRetries: 3, repeatThreshold: 3 } });
    for (let i = 0; i < 3; i++) w.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'Tests fail again, trying once more.' });
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'escalated', attempt: 1, escalation: { cause: 'loop' } });
  });

  it('the same status comment across new commits with green CI is progress, not a loop', async () => {
    const w = await dispatchedTo('claude', { watch: { repeatThreshold: 3 } });
    for (const sha of ['c000001', 'c000002', 'c000003', 'c000004']) {
      w.tracker.pulls.set('acme/api#1', [pull(40, sha)]);
      w.tracker.checks.set(sha, [green()]);
      w.tracker.seedComment('acme/api', 1, { author: 'claude', body: 'Pushed a commit, CI green.' });
      await w.engine.runCycle();
    }
    expect(w.d().phase).toBe('ci_passed');
  });

  it("a stranger's comments neither escalate a dispatch nor hold off its stall; a trusted maintainer's do count", async () => {
    const w = await dispatchedTo('claude', { watch: { stallMinutes: 30, repeatThreshold: 3, maxRetries: 0 } });
    for (let i = 0; i < 5; i++) w.tracker.seedComment('acme/api', 1, { author: 'mallory', body: '+1' });
    await w.engine.runCycle();
    expect(w.d().phase).toBe('assigned');
    await w.clock.advance(20 * MINUTE);
    w.tracker.seedComment('acme/api', 1, { author: 'mallory', body: 'any news?' });
    await w.engine.runCycle();
    await w.clock.advance(11 * MINUTE);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'escalated', escalation: { cause: 'stall' } });

    const m = await dispatchedTo('claude', { watch: { stallMinutes: 30, maxRetries: 0 } });
    await m.clock.advance(20 * MINUTE);
    m.tracker.seedComment('acme/api', 1, { author: 'alice', body: 'Claude, the fix belongs in parser.ts.' });
    await m.engine.runCycle();
    await m.clock.advance(11 * MINUTE);
    await m.engine.runCycle();
    expect(m.d().phase).toBe('working');
  });

  it("a stranger's fork pull request that says it fixes the issue, with red CI, sends the agent nothing and does not count as the dispatch's PR", async () => {
    const w = await dispatchedTo('hooky');
    w.tracker.pulls.set('acme/api#1', [pull(41, 'bad0001', { author: 'mallory', fromFork: true })]);
    w.tracker.checks.set('bad0001', [red()]);
    await w.engine.runCycle();
    expect(w.http.requests.map((r) => r.fixForward?.round ?? 0)).toEqual([0]);
    expect(w.d()).toMatchObject({ phase: 'working', pr: null, fixForwards: 0 });
    // the agent's own PR from its fork is followed as before
    w.tracker.pulls.set('acme/api#1', [pull(41, 'bad0001', { author: 'mallory', fromFork: true }), pull(40, 'aaa1111', { author: 'switchboard-bot', fromFork: true })]);
    w.tracker.checks.set('aaa1111', [red()]);
    await w.engine.runCycle();
    expect(w.http.requests.map((r) => r.fixForward?.round ?? 0)).toEqual([0, 1]);
    expect(w.d().pr).toMatchObject({ number: 40 });
  });

  it('watch.maxHops counts retries and fix-forwards together, then escalates', async () => {
    const w = await dispatchedTo('claude', { watch: { maxHops: 2, maxFixForward: 5, maxRetries: 5, stallMinutes: 30 } });
    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0001')]);
    w.tracker.checks.set('bad0001', [red()]);
    await w.engine.runCycle();
    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0002')]);
    w.tracker.checks.set('bad0002', [red()]);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ hops: 2, fixForwards: 2 });
    w.tracker.pulls.set('acme/api#1', [pull(40, 'bad0003')]);
    w.tracker.checks.set('bad0003', [red()]);
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'escalated', escalation: { cause: 'max-hops' } });
  });

  it('while disarmed the actions wait, nothing is written; once armed they are performed', async () => {
    const w = await dispatchedTo('claude');
    await w.engine.disarm();
    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true })]);
    w.tracker.checks.set('aaa1111', [green()]);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('completed');
    expect(w.tracker.writes).toEqual([]);
    expect(w.engine.getState().watches.get(w.id)?.pending.map((a) => a.kind)).toEqual(['release-lock', 'close-issue', 'update-progress']);
    await w.engine.arm();
    await w.engine.runCycle();
    expect(w.tracker.writesOf('closeIssue')).toHaveLength(1);
    expect(labels(w)).not.toContain(INP);
    expect(w.engine.getState().watches.get(w.id)?.pending).toEqual([]);
  });
});

describe('supervision in a dry run', () => {
  it("a dispatch's actions wait while dry-run is on and are performed, once, when it is turned off", async () => {
    const w = await dispatchedTo('claude');
    await w.engine.setDryRun(true);
    w.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true })]);
    w.tracker.checks.set('aaa1111', [green()]);
    await w.engine.runCycle();
    await w.engine.runCycle();
    expect(w.d().phase).toBe('completed');
    expect(w.tracker.writes).toEqual([]);
    await w.engine.setDryRun(false);
    await w.engine.runCycle();
    expect(w.tracker.writesOf('closeIssue')).toHaveLength(1);
    expect(labels(w)).not.toContain(INP);
  });
});

describe("the operator's hand on a dispatch", () => {
  it('cancel stops a command agent, releases the lock and says so on the issue; journaled', async () => {
    const w = await dispatchedTo('cmd');
    await w.engine.operate(w.id, 'cancel', { by: 'operator' });
    expect(w.d().phase).toBe('cancelled');
    expect(w.command.stopped).toEqual(['run-1']);
    expect(w.writes()).toEqual(['postComment #1 ## Dispatch cancelled', `removeLabel #1 ${INP}`]);
    expect(w.journal.ofType('dispatch').at(-1)?.dispatch).toMatchObject({ phase: 'cancelled' });
  });

  it('an escalation is acknowledged (a lesson kept), then retried on another agent with needs-human taken off', async () => {
    const w = await dispatchedTo('claude', { watch: { stallMinutes: 30, maxRetries: 0 } });
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(w.d().phase).toBe('escalated');
    await w.engine.operate(w.id, 'ack', { by: 'alice' });
    expect(w.d().escalation?.acknowledgedBy).toBe('alice');
    expect(w.lessons.kept).toMatchObject([{ source: 'stall', issue: 'acme/api#1' }]);
    await expect(w.engine.operate(w.id, 'ack')).rejects.toThrow("the dispatch of acme/api#1's escalation was already acknowledged by alice");

    await w.engine.operate(w.id, 'reroute', { agentId: 'kimi' });
    expect(w.d()).toMatchObject({ phase: 'assigned', agent: { id: 'kimi' }, attempt: 2 });
    expect(labels(w)).toEqual(expect.arrayContaining(['kimi-ready', INP]));
    expect(labels(w)).not.toContain('needs-human');
  });

  it('mark done releases the lock; retry starts a new attempt at once', async () => {
    const w = await dispatchedTo('hooky');
    await w.engine.operate(w.id, 'retry');
    expect(w.http.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(w.d()).toMatchObject({ phase: 'assigned', attempt: 2 });
    await w.engine.operate(w.id, 'done', { by: 'bob' });
    expect(w.d()).toMatchObject({ phase: 'completed' });
    expect(labels(w)).not.toContain(INP);
  });

  it('cancel while a retry is still waiting to be sent does not send it: no new run, nothing posted after the cancellation', async () => {
    const w = await dispatchedTo('cmd', { watch: { maxRetries: 2 } });
    w.command.statuses.set('run-1', { status: 'failed', detail: 'exit 3' });
    // the retry's new run cannot be started this cycle (the agent host is down): it stays pending
    const start = w.command.dispatch.bind(w.command);
    w.command.dispatch = async () => {
      w.command.dispatch = start;
      throw new Error('agent host unreachable');
    };
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'dispatching', attempt: 2 });
    await w.engine.operate(w.id, 'cancel', { by: 'operator' });
    await w.engine.runCycle();
    expect(w.d().phase).toBe('cancelled');
    // a run started after the cancel would never be stopped: the operator would have an agent working on a cancelled issue
    expect(w.command.requests.map((r) => r.attempt)).toEqual([1]);
    expect(comments(w).filter((c) => parseMarker(c.body)?.kind === 'dispatch').map((c) => parseMarker(c.body)?.attempt ?? 1)).toEqual([1]);
    expect(labels(w)).not.toContain(INP);
    expect(w.engine.getState().watches.get(w.id)?.pending).toEqual([]);
  });

  it('retry on an escalation whose writes were cut short does not escalate again: one escalation comment, needs-human off, the agent sent out again', async () => {
    const w = await dispatchedTo('claude', { watch: { stallMinutes: 30, maxRetries: 0 } });
    await w.clock.advance(31 * MINUTE);
    // the escalation comment lands; the needs-human label does not (the tracker hiccups)
    w.tracker.failNext('addLabels', new Error('socket hang up'));
    await w.engine.runCycle();
    expect(w.d().phase).toBe('escalated');
    await w.engine.operate(w.id, 'retry', { by: 'alice' });
    await w.engine.runCycle();
    expect(w.d()).toMatchObject({ phase: 'assigned', attempt: 2 });
    expect(comments(w).filter((c) => parseMarker(c.body)?.kind === 'escalation')).toHaveLength(1);
    expect(labels(w)).not.toContain('needs-human');
    expect(labels(w)).toContain(INP);
  });

  it('a command that does not apply is refused with one sentence', async () => {
    const w = await dispatchedTo('claude');
    await expect(w.engine.operate('nope', 'retry')).rejects.toThrow('no dispatch "nope" (it may have finished long ago)');
    await expect(w.engine.operate(w.id, 'ack')).rejects.toThrow('the dispatch of acme/api#1 has no escalation to acknowledge (assigned)');
    await expect(w.engine.operate(w.id, 'reroute', { agentId: 'owner' })).rejects.toThrow('agent "owner" cannot take a dispatch; choose one of: claude, kimi, hooky, cmd');
    await w.engine.operate(w.id, 'done');
    await expect(w.engine.operate(w.id, 'cancel')).rejects.toThrow('the dispatch of acme/api#1 has already ended (completed): there is nothing to cancel');
  });

  it('a dispatch command from another shell is applied, journaled with its command id, and a refused one is recorded', async () => {
    const journal = new FakeJournal();
    const w = await dispatchedTo('claude', {}, journal);
    await w.engine.start();
    journal.appendCommand({ command: 'dispatch', op: 'cancel', proposalId: w.id, note: 'superseded by #7' });
    journal.appendCommand({ command: 'dispatch', op: 'ack', proposalId: w.id });
    await w.clock.advance(1100);
    await w.engine.stop();
    expect(w.d().phase).toBe('cancelled');
    // `switchboard dispatch cancel ID --note …`: the note reaches the issue and the history
    expect(comments(w).find((c) => parseMarker(c.body)?.kind === 'cancel')?.body).toContain('> superseded by #7');
    expect(w.d().history.at(-1)?.note).toBe('cancelled by operator: superseded by #7');
    expect(journal.ofType('dispatch').filter((e) => e.commandId !== undefined)).toMatchObject([{ dispatch: { phase: 'cancelled' } }]);
    expect(journal.ofType('command-failed')).toMatchObject([{ message: expect.stringContaining('no escalation to acknowledge') }]);
    expect(w.engine.getState().pendingCommands.size).toBe(0);
  });
});

describe('supervision across restarts', () => {
  it('actions journaled before a crash are performed after the restart, exactly once', async () => {
    const a = await dispatchedTo('claude');
    a.tracker.pulls.set('acme/api#1', [pull(40, 'aaa1111', { state: 'closed', merged: true })]);
    a.tracker.checks.set('aaa1111', [green()]);
    // the completion comment lands, then the process dies before it hears back
    a.tracker.failAfterWrites(2);
    await a.engine.runCycle();
    expect(a.tracker.issues.get('acme/api#1')?.state).toBe('open');
    expect(a.journal.ofType('dispatch').at(-1)?.pending?.map((x) => x.kind)).toEqual(['release-lock', 'close-issue', 'update-progress']);

    const b = world({ config: { armed: true, agents: [...AGENTS] }, tracker: a.tracker, journal: a.journal, clock: a.clock, consoleId: 'console-a-restarted' });
    await b.engine.start();
    await b.engine.stop();
    expect(b.tracker.issues.get('acme/api#1')?.state).toBe('closed');
    expect(comments(b).filter((c) => parseMarker(c.body)?.kind === 'completion')).toHaveLength(1);
    expect(b.tracker.writesOf('closeIssue')).toHaveLength(1);
    expect(b.engine.getState().watches.get(a.id)?.pending).toEqual([]);
  });

  it("an old journal's dispatch line (before supervision) is still read: live ones are watched again", async () => {
    const journal = new FakeJournal();
    const at = '2026-05-01T09:50:00.000Z';
    await journal.append({
      type: 'dispatch', at, console: 'console-old',
      dispatch: { proposalId: 'old1', repo: 'acme/api', number: 1, agentId: 'hooky', attempt: 1, state: 'stalled', startedAt: at, lastProgressAt: at, patterns: {}, pr: null, history: [{ at, state: 'assigned', note: 'dispatched' }] },
      runId: 'run-9', lastCommentId: 0, lastIssueState: 'open',
    });
    const w = world({ config: { armed: true, agents: [...AGENTS] }, issues: [readyBug({ number: 1 })], journal });
    await w.engine.start();
    await w.engine.stop();
    const d = w.engine.getSnapshot().dispatches.get('old1');
    expect(d).toMatchObject({ phase: 'working', agent: { id: 'hooky', kind: 'http' } });
    expect(w.http.observed).toContain('run-9');
  });
});

describe('readiness before dispatch (seed 004)', () => {
  it('a blocking readiness failure gathered by the engine holds the proposal behind a gate', async () => {
    const agents = AGENTS.map((a) => (a.id === 'claude' ? { ...a, readiness: 'block' as const } : a));
    const w = world({ config: { armed: true, agents }, issues: [readyBug({ number: 1 })], readiness: async () => new Map([['claude', { assignable: false }]]) });
    await w.engine.runCycle();
    const p = w.proposalFor(1);
    expect(p.blockedBy).toContainEqual({ kind: 'agent-not-ready', detail: '@claude cannot be assigned here' });
  });
});

describe('bounded watch state', () => {
  it('the watches and agent calls of dispatches that left the bounded history are forgotten too', async () => {
    const w = world({ config: { armed: true, autoApprove: [{ when: { tier: 'P0', type: 'bug' } }], limits: { repoLock: false, dispatchesPerCycle: 100 } } });
    const total = 150;
    for (let n = 1; n <= total; n++) w.tracker.seed(readyBug({ number: n }));
    const completed = () => w.journal.ofType('dispatch').filter((e) => 'phase' in e.dispatch && e.dispatch.phase === 'completed').length;
    for (let round = 0; round < 80 && completed() <= 60; round++) {
      await w.engine.runCycle();
      for (const d of w.engine.getSnapshot().dispatches.values()) if (d.phase !== 'completed') w.tracker.edit('acme/api', d.number, { state: 'closed' });
      w.clock.advance(MINUTE);
      await w.engine.runCycle();
    }
    expect(completed()).toBeGreaterThan(60);
    const inner = w.engine.getState();
    expect(w.engine.getSnapshot().dispatches.size).toBeLessThanOrEqual(60);
    expect(inner.watches.size).toBeLessThanOrEqual(w.engine.getSnapshot().dispatches.size);
    expect(inner.agentCalls.size).toBeLessThanOrEqual(w.engine.getSnapshot().dispatches.size + w.engine.getSnapshot().proposals.size);
  });
});
