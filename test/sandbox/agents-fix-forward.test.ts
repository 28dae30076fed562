import { afterEach, describe, expect, it } from 'vitest';
import { fixForwardComment } from '../../src/core/texts-watch.js';
import { CI_CONTEXT, type Sandbox, type SimulatedAgentOptions, startSandbox } from '../../src/sandbox/index.js';
import { apiClient, eventually } from '../helpers/sandbox-client.js';

const DELAY = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Outcome = keyof SimulatedAgentOptions['outcomes'];

describe('simulated agents under supervision', () => {
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox?.close();
  });

  const start = async (outcome: Outcome) => {
    sandbox = await startSandbox({ issues: 0, repos: 1, agents: { delayMs: DELAY, outcomes: { complete: 0, failCi: 0, stall: 0, never: 0, [outcome]: 1 } } });
    const issue = sandbox.store.createIssue('demo/api', { title: 'Login fails on empty password', body: 'Steps: submit an empty form.' });
    const api = apiClient(sandbox);
    expect((await api.patch(`/repos/demo/api/issues/${issue.number}`, { assignees: ['claude'] })).status).toBe(201);
    return { number: issue.number, api };
  };

  /** The open PR once its head has a final (non-pending) status. */
  const settled = async (api: ReturnType<typeof apiClient>, sha?: string) =>
    eventually(async () => {
      const pulls = (await api.get('/repos/demo/api/pulls?state=all')).body as { number: number; head: { sha: string } }[];
      const pr = pulls[0];
      if (!pr || (sha !== undefined && pr.head.sha === sha)) return undefined;
      const status = (await api.get(`/repos/demo/api/commits/${pr.head.sha}/status`)).body as { state: string; statuses: { context: string; target_url: string }[] };
      return status.state === 'pending' || status.statuses.length === 0 ? undefined : { pr, status };
    }, 3000, 'CI to finish');

  const fixForward = (api: ReturnType<typeof apiClient>, number: number, pr: number, headSha: string, round = 1) =>
    api.post(`/repos/demo/api/issues/${number}/comments`, {
      body: fixForwardComment({
        proposalId: 'p1',
        consoleId: 'c1',
        agentId: 'claude',
        agentName: 'Claude',
        request: { agent: { id: 'claude', kind: 'tracker', login: 'claude', label: null }, pr, headSha, failing: [], round, maxRounds: 2 },
      }),
    });

  it('a red PR gets a new commit on a fix-forward comment, goes green, is merged and closes the issue', async () => {
    const { number, api } = await start('failCi');
    const red = await settled(api);
    expect(red.status).toMatchObject({ state: 'failure', statuses: [{ context: CI_CONTEXT, target_url: expect.stringMatching(/^https:\/\//) }] });
    await sleep(DELAY * 5);
    expect(sandbox.store.issue('demo/api', number)?.state).toBe('open');

    await fixForward(api, number, red.pr.number, red.pr.head.sha);
    const green = await settled(api, red.pr.head.sha);
    expect(green.status.state).toBe('success');
    expect(green.pr.number).toBe(red.pr.number);
    await eventually(() => (sandbox.store.issue('demo/api', number)?.state === 'closed' ? true : undefined), 3000, 'the merge to close the issue');
    expect(sandbox.store.issue('demo/api', red.pr.number)?.pull?.merged).toBe(true);
  });

  it('ignores a fix-forward marker posted by anyone but the token user', async () => {
    const { number, api } = await start('failCi');
    const red = await settled(api);
    sandbox.store.addComment('demo/api', number, fixForwardComment({ proposalId: 'p', consoleId: 'c', agentId: 'claude', agentName: 'C', request: { agent: { id: 'claude', kind: 'tracker', login: 'claude', label: null }, pr: red.pr.number, headSha: red.pr.head.sha, failing: [], round: 1, maxRounds: 2 } }), 'stranger');
    await sleep(DELAY * 8);
    expect(sandbox.store.issue('demo/api', red.pr.number)?.pull?.headSha).toBe(red.pr.head.sha);
  });

  it('a stubborn agent pushes a new commit per fix-forward that is red again, and never merges', async () => {
    const { number, api } = await start('stubborn');
    const first = await settled(api);
    await fixForward(api, number, first.pr.number, first.pr.head.sha);
    const second = await settled(api, first.pr.head.sha);
    expect(second.status.state).toBe('failure');
    await fixForward(api, number, second.pr.number, second.pr.head.sha, 2);
    const third = await settled(api, second.pr.head.sha);
    expect(third.status.state).toBe('failure');
    expect(new Set([first.pr.head.sha, second.pr.head.sha, third.pr.head.sha]).size).toBe(3);
    expect(sandbox.store.issue('demo/api', first.pr.number)?.pull?.merged).toBe(false);
  });

  it('a PR that only refers to the issue (Refs #N) is merged and leaves the issue open, as Gitea does', async () => {
    const { number, api } = await start('mergeNoClose');
    const merged = await eventually(() => {
      const pr = sandbox.store.pulls('demo/api')[0];
      return pr?.pull?.merged ? pr : undefined;
    }, 3000, 'the merge');
    expect(merged.body).toMatch(new RegExp(`^Refs #${number}\\b`));
    expect((await api.get(`/repos/demo/api/issues/${number}`)).body.state).toBe('open');
  });

  it('a push to a merged or closed PR is refused', async () => {
    const { api } = await start('complete');
    const pr = await eventually(() => sandbox.store.pulls('demo/api').find((p) => p.pull?.merged), 3000, 'the merge');
    expect(() => sandbox.store.pushToPullRequest('demo/api', pr.number, 'f'.repeat(40))).toThrow(/not open/);
    expect(api).toBeDefined();
  });
});
