import { afterEach, describe, expect, it } from 'vitest';
import { agentOutcome, DEFAULT_AGENT_OPTIONS, type Sandbox, type SimulatedAgentOptions, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, eventually } from '../helpers/sandbox-client.js';

const DELAY = 20;
const only = (outcome: keyof SimulatedAgentOptions['outcomes']): SimulatedAgentOptions['outcomes'] => ({
  complete: 0,
  failCi: 0,
  stall: 0,
  never: 0,
  [outcome]: 1,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulated agents', () => {
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox?.close();
  });

  const start = async (outcome: keyof SimulatedAgentOptions['outcomes']) => {
    sandbox = await startSandbox({ issues: 0, repos: 1, agents: { delayMs: DELAY, outcomes: only(outcome) } });
    return sandbox.store.createIssue('demo/api', { title: 'Login fails on empty password', body: 'Steps: submit an empty form.' });
  };

  it('drives an issue assigned to claude to a merged, green PR and closes the issue', async () => {
    const issue = await start('complete');
    const api = apiClient(sandbox);
    expect((await api.patch(`/repos/demo/api/issues/${issue.number}`, { assignees: ['claude'] })).status).toBe(201);

    const closed = await eventually(async () => {
      const res = await api.get(`/repos/demo/api/issues/${issue.number}`);
      return res.body.state === 'closed' ? res.body : undefined;
    }, 3000, 'the agent to close the issue');
    expect(closed.closed_at).not.toBeNull();

    const timeline = (await api.get(`/repos/demo/api/issues/${issue.number}/timeline`)).body;
    expect(timeline.map((e: { type: string }) => e.type)).toEqual(['comment', 'pull_ref', 'close']);
    expect(timeline[0].user.login).toBe('claude');
    const pr = timeline[1].ref_issue;
    expect(pr.pull_request).toMatchObject({ merged: true });
    const pull = (await api.get(`/repos/demo/api/pulls/${pr.number}`)).body;
    expect(pull).toMatchObject({ state: 'closed', merged: true, body: expect.stringMatching(new RegExp(`^Fixes #${issue.number}\\b`)), user: { login: 'claude' } });
    expect(pull.head.sha).toMatch(/^[0-9a-f]{40}$/);
    const statuses = sandbox.store.statuses('demo/api', pull.head.sha).map((s) => s.state);
    expect(statuses).toEqual(['pending', 'success']);
    expect((await api.get(`/repos/demo/api/commits/${pull.head.sha}/status`)).body.state).toBe('success');
  });

  it('lets the label agent pick up an issue labelled kimi-ready', async () => {
    const issue = await start('complete');
    await apiClient(sandbox).post(`/repos/demo/api/issues/${issue.number}/labels`, { labels: ['kimi-ready'] });
    await eventually(() => (sandbox.store.issue('demo/api', issue.number)?.state === 'closed' ? true : undefined), 3000, 'kimi to finish');
    expect(sandbox.store.comments('demo/api', issue.number)[0]?.author).toBe('kimi-ready');
  });

  it('leaves a red PR and a comment when CI fails, with the issue still open', async () => {
    const issue = await start('failCi');
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    const pr = await eventually(() => {
      const p = sandbox.store.pulls('demo/api')[0];
      return p && sandbox.store.latestStatuses('demo/api', p.pull!.headSha)[0]?.state === 'failure' ? p : undefined;
    }, 3000, 'a failed CI run');
    await eventually(() => (sandbox.store.comments('demo/api', issue.number).length === 2 ? true : undefined), 3000, 'the CI comment');
    await sleep(DELAY * 5);
    expect(sandbox.store.issue('demo/api', issue.number)?.state).toBe('open');
    expect(sandbox.store.issue('demo/api', pr.number)?.pull?.merged).toBe(false);
    expect(sandbox.store.comments('demo/api', issue.number).at(-1)?.body).toMatch(/CI failed/);
  });

  it('a stalling agent comments once and then goes silent', async () => {
    const issue = await start('stall');
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    await eventually(() => (sandbox.store.comments('demo/api', issue.number).length > 0 ? true : undefined), 3000, 'the first comment');
    await sleep(DELAY * 10);
    expect(sandbox.store.comments('demo/api', issue.number)).toHaveLength(1);
    expect(sandbox.store.pulls('demo/api')).toEqual([]);
    expect(sandbox.store.issue('demo/api', issue.number)?.state).toBe('open');
  });

  it('an agent that never starts does nothing at all', async () => {
    const issue = await start('never');
    const assigned = sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    const updatedAt = assigned.updatedAt;
    await sleep(DELAY * 10);
    expect(sandbox.store.timeline('demo/api', issue.number)).toEqual([]);
    expect(sandbox.store.issue('demo/api', issue.number)?.updatedAt).toBe(updatedAt);
  });

  it('ignores closed issues, humans, and issues it already took up', async () => {
    const issue = await start('stall');
    const closed = sandbox.store.createIssue('demo/api', { title: 'Already done', closed: true });
    sandbox.store.editIssue('demo/api', closed.number, { assignees: ['claude'] });
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['amara'] });
    await sleep(DELAY * 5);
    expect(sandbox.store.comments('demo/api', issue.number)).toEqual([]);
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    sandbox.store.editIssue('demo/api', issue.number, { assignees: [] });
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    await sleep(DELAY * 10);
    expect(sandbox.store.comments('demo/api', issue.number)).toHaveLength(1);
    expect(sandbox.store.comments('demo/api', closed.number)).toEqual([]);
  });

  it('stops working when the sandbox closes', async () => {
    const issue = await start('complete');
    sandbox.store.editIssue('demo/api', issue.number, { assignees: ['claude'] });
    await sandbox.close();
    await sleep(DELAY * 5);
    expect(sandbox.store.timeline('demo/api', issue.number)).toEqual([]);
  });
});

describe('agent outcomes', () => {
  it('are fixed by seed, issue and agent, and follow the configured shares', () => {
    const pick = (seed: number, n: number) => agentOutcome(DEFAULT_AGENT_OPTIONS, seed, 'demo/api', n, 'claude');
    const first = Array.from({ length: 50 }, (_, n) => pick(1, n));
    expect(Array.from({ length: 50 }, (_, n) => pick(1, n))).toEqual(first);
    expect(Array.from({ length: 50 }, (_, n) => pick(2, n))).not.toEqual(first);
    const counts: Record<string, number> = {};
    for (let n = 0; n < 2000; n++) counts[pick(1, n)] = (counts[pick(1, n)] ?? 0) + 1;
    expect(counts.complete).toBeGreaterThan(1250);
    expect(counts.complete).toBeLessThan(1550);
    for (const rare of ['failCi', 'stall', 'never']) {
      expect(counts[rare]).toBeGreaterThan(120);
      expect(counts[rare]).toBeLessThan(290);
    }
  });
});
