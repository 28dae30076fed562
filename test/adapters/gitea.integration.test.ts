import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError, UnavailableError } from '../../src/adapters/errors.js';
import { createGiteaTracker, type GiteaTracker } from '../../src/adapters/gitea/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const running: { sandbox: Sandbox; tracker: GiteaTracker }[] = [];

afterEach(async () => {
  for (const { sandbox, tracker } of running.splice(0)) {
    await tracker.close();
    await sandbox.close();
  }
});

async function setup(options: Parameters<typeof startSandbox>[0]) {
  const sandbox = await startSandbox(options);
  // Short backoff: these tests check outcomes, not the waiting (the fault tests measure that).
  const tracker = createGiteaTracker({ url: sandbox.url, token: sandbox.token, retry: { baseDelayMs: 5 } });
  running.push({ sandbox, tracker });
  return { sandbox, tracker };
}

const LIST = 'GET /repos/{owner}/{repo}/issues';

/** The open issues (not pull requests) the sandbox holds for a repo, newest number first. */
function seeded(sandbox: Sandbox, repo: string): { number: number; title: string }[] {
  return sandbox.store
    .issues(repo)
    .filter((i) => i.state === 'open' && !i.pull)
    .map((i) => ({ number: i.number, title: i.title }))
    .sort((a, b) => b.number - a.number);
}

describe('the Gitea adapter against the sandbox', () => {
  it('a full fetch of 1,000 issues across 3 repos equals the seeded set', async () => {
    const { sandbox, tracker } = await setup({ issues: 1_000, repos: 3, seed: 11 });
    const fetched = await Promise.all(sandbox.repos.map((repo) => tracker.fetchBacklog(repo)));
    let total = 0;
    sandbox.repos.forEach((repo, i) => {
      const got = fetched[i]?.issues.map((issue) => ({ number: issue.number, title: issue.title }));
      expect(got).toEqual(seeded(sandbox, repo));
      expect(fetched[i]?.mode).toBe('full');
      total += got?.length ?? 0;
    });
    expect(total).toBe(1_000);
  });

  it('incremental refresh sees an edit, a new issue and a close with exactly one request per repo', async () => {
    const { sandbox, tracker } = await setup({ issues: 300, repos: 3, seed: 12 });
    const [a, b, c] = sandbox.repos as [string, string, string];
    for (const repo of sandbox.repos) await tracker.fetchBacklog(repo);
    const edited = seeded(sandbox, a)[5]?.number as number;
    const closed = seeded(sandbox, c)[7]?.number as number;
    sandbox.store.editIssue(a, edited, { title: 'Login fails on empty password' });
    const created = sandbox.store.createIssue(b, { title: 'A brand new issue', body: 'found in prod' });
    sandbox.store.closeIssue(c, closed);
    sandbox.resetRequestCounts();

    const [na, nb, nc] = await Promise.all(sandbox.repos.map((repo) => tracker.fetchBacklog(repo)));
    expect([na?.mode, nb?.mode, nc?.mode]).toEqual(['incremental', 'incremental', 'incremental']);
    expect([na?.requests, nb?.requests, nc?.requests]).toEqual([1, 1, 1]);
    expect(sandbox.requestCount()).toBe(3);
    expect(sandbox.requestCount(LIST)).toBe(3);
    expect(na?.issues.find((i) => i.number === edited)?.title).toBe('Login fails on empty password');
    expect(nb?.issues.some((i) => i.number === created.number && i.title === 'A brand new issue')).toBe(true);
    expect(nc?.issues.some((i) => i.number === closed)).toBe(false);
    for (const [repo, got] of [[a, na], [b, nb], [c, nc]] as const) {
      expect(got?.issues.map((i) => i.number)).toEqual(seeded(sandbox, repo).map((i) => i.number));
    }
  });

  it('a steady cycle with nothing changed costs one request per repo', async () => {
    const { sandbox, tracker } = await setup({ issues: 400, repos: 3, seed: 13 });
    for (const repo of sandbox.repos) await tracker.fetchBacklog(repo);
    sandbox.resetRequestCounts();
    for (const repo of sandbox.repos) await tracker.fetchBacklog(repo);
    expect(sandbox.requestCount()).toBe(3);
  });

  it('label creation happens once per repo: two issues getting a new label cost one POST /labels', async () => {
    const { sandbox, tracker } = await setup({ issues: 20, repos: 1, seed: 14 });
    const repo = sandbox.repos[0] as string;
    const [first, second] = seeded(sandbox, repo);
    await Promise.all([
      tracker.addLabels(repo, first?.number as number, ['needs-human']),
      tracker.addLabels(repo, second?.number as number, ['needs-human']),
    ]);
    expect(sandbox.requestCount('POST /repos/{owner}/{repo}/labels')).toBe(1);
    expect(sandbox.store.labels(repo).filter((l) => l.name === 'needs-human')).toHaveLength(1);
    for (const n of [first?.number, second?.number]) {
      const issue = sandbox.store.issue(repo, n as number);
      expect(sandbox.store.labelsOf(repo, issue!).map((l) => l.name)).toContain('needs-human');
    }
    await tracker.removeLabel(repo, first?.number as number, 'needs-human');
    expect(sandbox.store.labelsOf(repo, sandbox.store.issue(repo, first?.number as number)!).map((l) => l.name)).not.toContain(
      'needs-human',
    );
  });

  it.each([
    ['with X-Total-Count', false],
    ['without X-Total-Count', true],
  ])('pagination at a page cap of 50 %s reads every issue once', async (_, omitTotalCount) => {
    const { sandbox, tracker } = await setup({ issues: 230, repos: 1, pageCap: 50, omitTotalCount, seed: 15 });
    const repo = sandbox.repos[0] as string;
    const fetched = await tracker.fetchBacklog(repo);
    expect(fetched.issues.map((i) => i.number)).toEqual(seeded(sandbox, repo).map((i) => i.number));
    expect(sandbox.requestCount(LIST)).toBe(Math.ceil(230 / 50));
  });

  it('under 30% sandbox errors and resets, fetches equal the seeded set or fail as UnavailableError', async () => {
    const { sandbox, tracker } = await setup({ issues: 1_500, repos: 3, seed: 16 });
    sandbox.setFaults({ errorRate: 0.15, resetRate: 0.15, seed: 4 });
    const results = await Promise.all(sandbox.repos.map((repo) => tracker.fetchBacklog(repo).catch((e: unknown) => e)));
    sandbox.setFaults({ errorRate: 0, resetRate: 0 });
    const pages = sandbox.repos.reduce((n, repo) => n + Math.ceil(seeded(sandbox, repo).length / 50), 0);
    expect(sandbox.requestCount(LIST)).toBeGreaterThan(pages); // faults happened and were retried
    results.forEach((result, i) => {
      if (result instanceof Error) expect(result).toBeInstanceOf(UnavailableError);
      else expect((result as { issues: { number: number }[] }).issues.map((x) => x.number)).toEqual(
        seeded(sandbox, sandbox.repos[i] as string).map((x) => x.number),
      );
    });
    expect(results.filter((r) => !(r instanceof Error)).length).toBeGreaterThan(0);
  });

  it('a truncated body and a mistyped field from the sandbox are ProtocolErrors naming the endpoint', async () => {
    const { sandbox, tracker } = await setup({ issues: 30, repos: 1, seed: 17 });
    const repo = sandbox.repos[0] as string;
    sandbox.setFaults({ malformedRate: 1 });
    await expect(tracker.getIssue(repo, 1)).rejects.toThrow(/GET \/repos\/\{owner\}\/\{repo\}\/issues\/\{index\} on .* returned malformed JSON/);
    sandbox.setFaults({ malformedRate: 0, wrongTypeRate: 1 });
    const err = await tracker.fetchBacklog(repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/^GET \/repos\/\{owner\}\/\{repo\}\/issues returned an unexpected body: \[\d+\]\.\w+ should be \w+$/);
  });
});

describe('reads for watching a dispatch, against the sandbox', () => {
  it('a PR that fixes the issue, its checks per context with target URLs, its merge commit, and who closed the issue', async () => {
    const { sandbox, tracker } = await setup({ repos: ['acme/api'], issues: 0 });
    const { store } = sandbox;
    const issue = store.createIssue('acme/api', { title: 'Login fails', author: 'alice' });
    const pr = store.createPullRequest('acme/api', { title: 'Fix login', body: `Fixes #${issue.number}`, author: 'claude', headSha: 'a'.repeat(40) });
    store.setCommitStatus('acme/api', 'a'.repeat(40), { state: 'failure', context: 'ci/test', targetUrl: 'https://ci.example/run/1' });
    store.setCommitStatus('acme/api', 'a'.repeat(40), { state: 'success', context: 'ci/lint' });
    store.setCommitStatus('acme/api', 'a'.repeat(40), { state: 'success', context: 'ci/test', targetUrl: 'https://ci.example/run/2' });

    const checks = await tracker.commitChecks('acme/api', 'a'.repeat(40));
    expect([...checks].sort((x, y) => x.context.localeCompare(y.context))).toEqual([
      { context: 'ci/lint', state: 'success', targetUrl: '' },
      { context: 'ci/test', state: 'success', targetUrl: 'https://ci.example/run/2' },
    ]);
    expect(await tracker.linkedPullRequests('acme/api', issue.number)).toMatchObject([{ number: pr.number, state: 'open', merged: false, mergeSha: null, fromFork: false }]);
    expect(await tracker.closedBy('acme/api', issue.number)).toBeNull();

    store.mergePullRequest('acme/api', pr.number, 'amara');
    const [merged] = await tracker.linkedPullRequests('acme/api', issue.number);
    expect(merged).toMatchObject({ number: pr.number, state: 'closed', merged: true });
    expect(merged?.mergeSha).toMatch(/^[0-9a-f]{40}$/);
    expect(await tracker.closedBy('acme/api', issue.number)).toBe('amara');
  });
});
