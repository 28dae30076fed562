import { afterEach, describe, expect, it } from 'vitest';
import { createGiteaTracker, type GiteaTracker } from '../../src/adapters/gitea/index.js';
import { parseConfig } from '../../src/core/config.js';
import { watchPolicy } from '../../src/core/supervision-config.js';
import { next, startSupervision, type Supervised, type WatchAction, type WatchPolicy } from '../../src/core/supervision.js';
import { agentSight, readAgentSight, readTrackerSight } from '../../src/core/watch-sight.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

/**
 * The observation half of the wiring: what `readTrackerSight` reads over real HTTP from the
 * sandbox, fed to the lifecycle's `next` cycle by cycle (fake clock).
 */

const running: { sandbox: Sandbox; tracker: GiteaTracker }[] = [];
afterEach(async () => {
  for (const { sandbox, tracker } of running.splice(0)) {
    await tracker.close();
    await sandbox.close();
  }
});

const REPO = 'acme/api';
const LOCK = 'switchboard:in-progress';
const T0 = new Date('2026-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const HEAD = 'a'.repeat(40);
/** bjorn can only read the repos of the seeded sandbox (seed-backlog.ts: every other human) */
const STRANGER = 'bjorn';

const config = parseConfig({
  repos: [REPO],
  ownerLogin: 'owner',
  trustedAuthors: ['amara'],
  agents: [
    { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', maxConcurrent: 2 },
    { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', maxConcurrent: 2 },
    { id: 'owner', displayName: 'Owner', kind: 'owner', maxConcurrent: 100 },
  ],
  watch: { stallMinutes: 30 },
});
const policy: WatchPolicy = watchPolicy(config, config.agents.find((a) => a.id === 'claude')!, 'switchboard');

async function world() {
  const sandbox = await startSandbox({ repos: [REPO], issues: 0, now: () => T0 });
  const tracker = createGiteaTracker({ url: sandbox.url, token: sandbox.token, retry: { baseDelayMs: 5 } });
  running.push({ sandbox, tracker });
  const issue = sandbox.store.createIssue(REPO, { title: 'Login fails', author: 'amara', labels: [LOCK], assignees: ['claude'] });
  let d: Supervised = next(startSupervision({ proposalId: 'p1', repo: REPO, number: issue.number, agent: policy.agents.find((a) => a.id === 'claude')! }, T0), { kind: 'accepted', detail: 'assigned' }, T0, policy).dispatch;
  let since = 0;
  /** one cycle at `minutes`: read the tracker over HTTP, step the lifecycle */
  const cycle = async (minutes: number): Promise<WatchAction[]> => {
    const read = await readTrackerSight(tracker, { repo: REPO, number: issue.number }, since, policy.deployContext);
    since = read.lastCommentId;
    const s = next(d, { kind: 'cycle', tracker: read.sight, agent: null }, at(minutes), policy);
    d = s.dispatch;
    return [...s.actions];
  };
  return { sandbox, store: sandbox.store, number: issue.number, cycle, dispatch: () => d };
}

describe('a tracker dispatch watched through the sandbox', () => {
  it('red CI gets a fix-forward in the cycle that sees it, naming the failing context, its URL and the head; green then merged completes', async () => {
    const w = await world();
    w.store.addComment(REPO, w.number, 'On it.', 'claude');
    await w.cycle(1);
    expect(w.dispatch().phase).toBe('working');

    const pr = w.store.createPullRequest(REPO, { title: 'Fix login', body: `Fixes #${w.number}`, author: 'claude', headSha: HEAD });
    w.store.setCommitStatus(REPO, HEAD, { state: 'failure', context: 'ci/test', targetUrl: 'https://ci.example/run/7' });
    w.store.setCommitStatus(REPO, HEAD, { state: 'success', context: 'ci/lint' });
    const actions = await w.cycle(2);
    const ff = actions.find((a) => a.kind === 'fix-forward');
    expect(ff).toMatchObject({ request: { pr: pr.number, headSha: HEAD, round: 1, failing: [{ context: 'ci/test', state: 'failure', targetUrl: 'https://ci.example/run/7' }] } });
    expect(w.dispatch().phase).toBe('ci_failed');
    expect((await w.cycle(3)).some((a) => a.kind === 'fix-forward')).toBe(false);

    const fixed = 'b'.repeat(40);
    w.store.pushToPullRequest(REPO, pr.number, fixed);
    w.store.setCommitStatus(REPO, fixed, { state: 'success', context: 'ci/test' });
    await w.cycle(4);
    expect(w.dispatch().phase).toBe('ci_passed');

    w.store.mergePullRequest(REPO, pr.number, 'amara');
    const done = await w.cycle(5);
    expect(w.dispatch().phase).toBe('completed');
    expect(done.map((a) => a.kind)).toEqual(expect.arrayContaining(['release-lock', 'notify']));
    // "Fixes #N" closed the issue with the merge: switchboard does not close it again
    expect(done.some((a) => a.kind === 'close-issue')).toBe(false);
  });

  it('a merge that only refers to the issue leaves it open: switchboard closes it and releases the lock', async () => {
    const w = await world();
    const pr = w.store.createPullRequest(REPO, { title: 'Part of login', body: `Refs #${w.number}`, author: 'claude', headSha: HEAD });
    w.store.setCommitStatus(REPO, HEAD, { state: 'success', context: 'ci/test' });
    w.store.mergePullRequest(REPO, pr.number, 'amara');
    const actions = await w.cycle(1);
    expect(actions).toEqual(expect.arrayContaining([{ kind: 'release-lock' }, expect.objectContaining({ kind: 'close-issue', pr: pr.number })]));
    expect(w.dispatch().phase).toBe('completed');
  });

  it("a read-only stranger's comments neither escalate the dispatch nor hold off its stall", async () => {
    const w = await world();
    expect(w.sandbox.store.permission(STRANGER)).toBe('read');
    for (let minute = 5; minute <= 25; minute += 10) {
      for (let i = 0; i < 3; i++) w.store.addComment(REPO, w.number, '+1', STRANGER);
      const actions = await w.cycle(minute);
      expect(actions.some((a) => a.kind === 'escalate')).toBe(false);
    }
    expect(w.dispatch().phase).toBe('assigned');
    w.store.addComment(REPO, w.number, '+1 any news?', STRANGER);
    // 31 minutes without the agent or a maintainer: a stall, retried (not held off by the stranger)
    const stalled = await w.cycle(31);
    expect(stalled).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'redispatch', why: expect.stringMatching(/no activity/) })]));
  });

  it('an issue closed by a human who is not the agent cancels the dispatch and releases its lock', async () => {
    const w = await world();
    w.store.closeIssue(REPO, w.number, 'amara');
    const actions = await w.cycle(1);
    expect(w.dispatch().phase).toBe('cancelled');
    expect(actions).toEqual(expect.arrayContaining([{ kind: 'release-lock' }]));
  });
});

describe('the agent sight', () => {
  it("an agent's done is the lifecycle's succeeded; its detail is made safe for a terminal; no target or run id is no sight", async () => {
    expect(agentSight({ status: 'done', detail: 'ok\u001b[2J' })).toEqual({ status: 'succeeded', detail: expect.not.stringContaining('\u001b') });
    expect(agentSight({ status: 'failed', detail: 'exit 3' })).toEqual({ status: 'failed', detail: 'exit 3' });
    expect(await readAgentSight(undefined, 'run-1')).toBeNull();
    const target = { dispatch: async () => ({ ok: true, detail: '' }), observe: async () => ({ status: 'running' as const, detail: 'busy' }) };
    expect(await readAgentSight(target, undefined)).toBeNull();
    expect(await readAgentSight(target, 'run-1')).toEqual({ status: 'running', detail: 'busy' });
  });
});
