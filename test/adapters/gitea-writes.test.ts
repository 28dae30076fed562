import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, RejectedError } from '../../src/adapters/errors.js';
import { createGiteaTracker, type GiteaTracker } from '../../src/adapters/gitea/index.js';
import { type Handler, rawIssue, recordingSleep, startForge, type TestForge, withSettings } from './forge-server.js';

const open: { forge: TestForge; tracker: GiteaTracker }[] = [];

afterEach(async () => {
  for (const { forge, tracker } of open.splice(0)) {
    await tracker.close();
    await forge.close();
  }
});

async function setup(handler: Handler, kind?: 'gitea' | 'forgejo') {
  const forge = await startForge(withSettings(50, handler));
  const tracker = createGiteaTracker({
    url: `${forge.url}/api/v1/`,
    token: 'tok-writes-test',
    sleep: recordingSleep().sleep,
    ...(kind && { kind }),
  });
  open.push({ forge, tracker });
  return { forge, tracker };
}

/** Repo labels that can be listed and created, like Gitea (no name uniqueness check). */
function labelRoutes(initial: { id: number; name: string; color: string }[]) {
  const labels = [...initial];
  /** label ids on each issue; every issue starts with every initial label */
  const issueLabels: Record<number, number[]> = new Proxy({} as Record<number, number[]>, {
    get: (t, k: string) => (t[Number(k)] ??= initial.map((l) => l.id)),
  });
  const handler: Handler = async (req) => {
    if (req.path === '/repos/acme/api/labels' && req.method === 'GET') {
      return { status: 200, json: labels, headers: { 'x-total-count': String(labels.length) } };
    }
    if (req.path === '/repos/acme/api/labels' && req.method === 'POST') {
      await new Promise((r) => setTimeout(r, 10));
      const { name, color } = JSON.parse(req.body) as { name: string; color: string };
      const label = { id: 100 + labels.length, name, color: color.replace(/^#/, '') };
      labels.push(label);
      return { status: 201, json: label };
    }
    const onIssue = /^\/repos\/acme\/api\/issues\/(\d+)\/labels(?:\/(\d+))?$/.exec(req.path);
    if (onIssue) {
      const have = (issueLabels[Number(onIssue[1])] ??= []);
      if (req.method === 'DELETE') {
        issueLabels[Number(onIssue[1])] = have.filter((id) => id !== Number(onIssue[2]));
        return { status: 204 };
      }
      if (req.method === 'POST') for (const id of (JSON.parse(req.body) as { labels: number[] }).labels) if (!have.includes(id)) have.push(id);
      return { status: 200, json: labels.filter((l) => (issueLabels[Number(onIssue[1])] ?? []).includes(l.id)) };
    }
    return { status: 404, json: { message: 'not found' } };
  };
  return { labels, handler };
}

describe('labels', () => {
  it('a missing label is created once per repo even when two issues get it at once', async () => {
    const { handler } = labelRoutes([{ id: 1, name: 'bug', color: 'ee0701' }]);
    const { forge, tracker } = await setup(handler);
    await Promise.all([
      tracker.addLabels('acme/api', 12, ['needs-human', 'bug']),
      tracker.addLabels('acme/api', 13, ['needs-human']),
    ]);
    const creates = forge.seen.filter((r) => r.method === 'POST' && r.path === '/repos/acme/api/labels');
    expect(creates.map((r) => JSON.parse(r.body))).toEqual([{ name: 'needs-human', color: '#e11d48' }]);
    const adds = forge.seen.filter((r) => r.method === 'POST' && r.path.endsWith('/labels') && r.path.includes('/issues/'));
    expect(adds.map((r) => [r.path, JSON.parse(r.body)])).toEqual(
      expect.arrayContaining([
        ['/repos/acme/api/issues/12/labels', { labels: [101, 1] }],
        ['/repos/acme/api/issues/13/labels', { labels: [101] }],
      ]),
    );
    expect(forge.count('GET /repos/acme/api/labels')).toBe(1);
  });

  it('other new labels get the default colour, and later adds reuse the cached id', async () => {
    const { handler } = labelRoutes([]);
    const { forge, tracker } = await setup(handler);
    await tracker.addLabels('acme/api', 1, ['agent:claude']);
    await tracker.addLabels('acme/api', 2, ['agent:claude']);
    expect(forge.seen.filter((r) => r.method === 'POST' && r.path === '/repos/acme/api/labels').map((r) => r.body)).toEqual([
      JSON.stringify({ name: 'agent:claude', color: '#64748b' }),
    ]);
    expect(forge.count('GET /repos/acme/api/labels')).toBe(1);
  });

  it('removing a label sends its id, which both Gitea and Forgejo accept', async () => {
    const { handler } = labelRoutes([{ id: 7, name: 'in-progress', color: 'fbca04' }]);
    const { forge, tracker } = await setup(handler, 'forgejo');
    await tracker.removeLabel('acme/api', 42, 'in-progress');
    expect(forge.count('DELETE /repos/acme/api/issues/42/labels/7')).toBe(1);
  });

  it('removing a label the repo does not have sends nothing', async () => {
    const { handler } = labelRoutes([{ id: 7, name: 'in-progress', color: 'fbca04' }]);
    const { forge, tracker } = await setup(handler);
    await tracker.removeLabel('acme/api', 42, 'no-such-label');
    expect(forge.count((r) => r.method === 'DELETE')).toBe(0);
  });

  it('listLabels returns colours with a leading #', async () => {
    const { handler } = labelRoutes([{ id: 7, name: 'in-progress', color: 'fbca04' }]);
    const { tracker } = await setup(handler);
    expect(await tracker.listLabels('acme/api')).toEqual([{ id: 7, name: 'in-progress', color: '#fbca04' }]);
  });

  it('a label creation that failed is not trusted: the next add lists again before creating', async () => {
    const routes = labelRoutes([]);
    let failNextCreate = true;
    const { forge, tracker } = await setup(async (req) => {
      const reply = await routes.handler(req);
      if (req.method === 'POST' && req.path === '/repos/acme/api/labels' && failNextCreate) {
        failNextCreate = false;
        return { status: 502 }; // applied, but the answer was lost
      }
      return reply;
    });
    await expect(tracker.addLabels('acme/api', 1, ['needs-human'])).rejects.toThrow('HTTP 502');
    await tracker.addLabels('acme/api', 1, ['needs-human']);
    expect(forge.count('POST /repos/acme/api/labels')).toBe(1);
    expect(routes.labels.map((l) => l.name)).toEqual(['needs-human']);
  });
});

describe('issue writes', () => {
  it('setAssignees checks the new login is assignable, then sends the whole set in one PATCH', async () => {
    const { forge, tracker } = await setup((req) =>
      req.method === 'PATCH'
        ? { status: 201, json: rawIssue(5, { assignees: [{ login: 'claude' }] }) }
        : req.path === '/repos/acme/api/issues/5'
          ? { status: 200, json: rawIssue(5) }
          : req.path === '/repos/acme/api/assignees'
            ? { status: 200, json: [{ login: 'Claude' }] }
            : { status: 404 },
    );
    await tracker.setAssignees('acme/api', 5, ['claude']);
    expect(forge.seen.at(-1)).toMatchObject({ method: 'PATCH', path: '/repos/acme/api/issues/5', body: '{"assignees":["claude"]}' });
  });

  it('createIssue posts title and body and returns the normalized issue', async () => {
    const { forge, tracker } = await setup((req) => ({
      status: 201,
      json: rawIssue(77, { ...JSON.parse(req.body), user: { login: 'switchboard' } }),
    }));
    const issue = await tracker.createIssue('acme/api', 'Daily summary', 'all quiet');
    expect(issue).toMatchObject({ repo: 'acme/api', number: 77, title: 'Daily summary', body: 'all quiet', author: 'switchboard' });
    expect(forge.count('POST /repos/acme/api/issues')).toBe(1);
  });

  it('postComment and editComment return the comment; an edit answered with 204 is read back', async () => {
    const comment = { id: 31, body: 'audit', user: { login: 'bot' }, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
    const { forge, tracker } = await setup((req) => {
      if (req.method === 'POST') return { status: 201, json: { ...comment, body: JSON.parse(req.body).body } };
      if (req.method === 'PATCH') {
        comment.body = JSON.parse(req.body).body;
        return { status: 204 };
      }
      if (req.path === '/repos/acme/api/issues/comments/31') return { status: 200, json: comment };
      return { status: 404 };
    });
    expect(await tracker.postComment('acme/api', 4, 'audit <!-- switchboard:p1 -->')).toMatchObject({
      id: 31,
      body: 'audit <!-- switchboard:p1 -->',
      author: 'bot',
    });
    expect(await tracker.editComment('acme/api', 31, 'edited')).toMatchObject({ id: 31, body: 'edited' });
    expect(forge.count('PATCH /repos/acme/api/issues/comments/31')).toBe(1);
  });

  it('a refused write names the endpoint, the status and the server reason', async () => {
    const { tracker } = await setup(() => ({ status: 423, json: { message: 'repo is archived' } }));
    const err = await tracker.postComment('acme/api', 4, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RejectedError);
    expect((err as Error).message).toContain('POST /repos/{owner}/{repo}/issues/{index}/comments with HTTP 423: repo is archived');
  });
});

describe('reads for watching a dispatch', () => {
  it('linked pull requests come from pull_ref timeline entries of the same repo', async () => {
    const timeline = [
      { type: 'comment', body: 'hi' },
      { type: 'pull_ref', ref_issue: { number: 50, pull_request: {}, repository: { full_name: 'acme/api' } } },
      { type: 'pull_ref', ref_issue: { number: 51, pull_request: {}, repository: { full_name: 'other/fork' } } },
      { type: 'issue_ref', ref_issue: { number: 52, repository: { full_name: 'acme/api' } } },
      { type: 'pull_ref', ref_issue: { number: 50, pull_request: {} } },
      { type: 'pull_ref', ref_issue: null },
      // a PR edited so it no longer mentions the issue keeps its entry, neutered (gitea-behaviour.md #11)
      { type: 'pull_ref', ref_action: 'neutered', ref_issue: { number: 53, pull_request: {}, repository: { full_name: 'acme/api' } } },
    ];
    const { forge, tracker } = await setup((req) => {
      if (req.path === '/repos/acme/api/issues/9/timeline') return { status: 200, json: timeline, headers: { 'x-total-count': '6' } };
      if (req.path === '/repos/acme/api/pulls/50') {
        return {
          status: 200,
          json: { number: 50, state: 'open', merged: false, head: { sha: 'abc123', ref: 'fix-9' }, html_url: 'u', updated_at: 't' },
        };
      }
      return { status: 404 };
    });
    expect(await tracker.linkedPullRequests('acme/api', 9)).toEqual([
      { number: 50, state: 'open', merged: false, headSha: 'abc123', mergeSha: null, url: 'u', updatedAt: 't' },
    ]);
    expect(forge.count('GET /repos/acme/api/pulls/50')).toBe(1);
    expect(forge.count('GET /repos/acme/api/pulls/53')).toBe(0);
  });

  it('a linked pull request says who opened it and whether from a fork (head repo_id other than the base\'s)', async () => {
    const timeline = [60, 61].map((number) => ({ type: 'pull_ref', ref_issue: { number, pull_request: {}, repository: { full_name: 'acme/api' } } }));
    const { tracker } = await setup((req) => {
      if (req.path === '/repos/acme/api/issues/9/timeline') return { status: 200, json: timeline, headers: { 'x-total-count': '2' } };
      const fork = req.path === '/repos/acme/api/pulls/61';
      return { status: 200, json: { number: fork ? 61 : 60, state: 'open', user: { login: fork ? 'stranger' : 'claude' }, head: { sha: 's', repo_id: fork ? 99 : 7 }, base: { repo_id: 7 } } };
    });
    expect(await tracker.linkedPullRequests('acme/api', 9)).toMatchObject([
      { number: 60, author: 'claude', fromFork: false },
      { number: 61, author: 'stranger', fromFork: true },
    ]);
  });

  it('who closed the issue is the newest close of its timeline; a reopen after it means nobody', async () => {
    const entries = [
      { type: 'close', user: { login: 'alice' } },
      { type: 'reopen', user: { login: 'bob' } },
      { type: 'comment', user: { login: 'carol' } },
      { type: 'close', user: { login: 'dave' } },
    ];
    let timeline: unknown[] = entries;
    const { tracker } = await setup(() => ({ status: 200, json: timeline }));
    expect(await tracker.closedBy('acme/api', 9)).toBe('dave');
    timeline = entries.slice(0, 3);
    expect(await tracker.closedBy('acme/api', 9)).toBeNull();
  });

  it('commit checks: the latest status of every context with its target URL, across pages', async () => {
    const { forge, tracker } = await setup((req) => {
      const page = req.query.get('page') ?? '1';
      const statuses =
        page === '1'
          ? [{ context: 'ci/test', status: 'failure', target_url: 'https://ci.example/1' }, { context: 'ci/lint', status: 'success', target_url: '' }]
          : [{ context: 'deploy', status: 'pending' }];
      return { status: 200, json: { state: 'failure', sha: 'abc123', total_count: statuses.length, statuses }, headers: { 'x-total-count': '3' } };
    });
    expect(await tracker.commitChecks('acme/api', 'abc123')).toEqual([
      { context: 'ci/test', state: 'failure', targetUrl: 'https://ci.example/1' },
      { context: 'ci/lint', state: 'success', targetUrl: '' },
      { context: 'deploy', state: 'pending', targetUrl: '' },
    ]);
    expect(forge.count('GET /repos/acme/api/commits/abc123/status')).toBe(2);
  });

  it('combined status reports the total from X-Total-Count, not the page', async () => {
    const { tracker } = await setup(() => ({
      status: 200,
      json: { state: 'failure', sha: 'abc123', total_count: 50, statuses: [] },
      headers: { 'x-total-count': '63' },
    }));
    expect(await tracker.combinedStatus('acme/api', 'abc123')).toEqual({ state: 'failure', sha: 'abc123', total: 63 });
  });

  it('permission and current user', async () => {
    const { tracker } = await setup((req) =>
      req.path === '/user'
        ? { status: 200, json: { id: 1, login: 'switchboard-bot' } }
        : { status: 200, json: { permission: 'write', role_name: 'write', user: { login: 'alice' } } },
    );
    expect(await tracker.currentUser()).toBe('switchboard-bot');
    expect(await tracker.permission('acme/api', 'alice')).toBe('write');
  });

  it('a missing issue gives NotFoundError naming it', async () => {
    const { tracker } = await setup(() => ({ status: 404, json: { message: 'not found' } }));
    const err = await tracker.getIssue('acme/api', 404).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/^issue acme\/api#404 not found on 127\.0\.0\.1:\d+$/);
  });
});
