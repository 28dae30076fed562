import type { GithubTracker } from '../adapters/github/index.js';
import { sanitize } from '../core/sanitize.js';
import { type Check, labelsCheck, reason } from './doctor.js';
import type { Loaded } from './globals.js';

/**
 * `doctor` against GitHub: the token (and what it may do), the rate limit, each repo, and each
 * tracker agent's login assignable there (GitHub drops an unassignable assignee silently).
 */

/** Classic scopes that allow writing issues, labels and comments (docs: "Scopes for OAuth apps"). */
const WRITE_SCOPES = ['repo', 'public_repo'];

export async function githubChecks(loaded: Loaded, add: (c: Check) => void): Promise<void> {
  const { connection, config } = loaded;
  const url = connection.url ?? 'https://api.github.com';
  const host = new URL(url).host;
  if (!connection.token) {
    add({ name: 'token', ok: false, detail: `no token for ${host}`, fix: 'set GITHUB_TOKEN or GH_TOKEN, or switchboard config set tracker.tokenCommand \'["gh","auth","token"]\'' });
    return;
  }
  const { createGithubTracker } = await import('../adapters/github/index.js');
  const tracker: GithubTracker = createGithubTracker({
    url,
    token: connection.token,
    tokenSource: connection.tokenSource,
    attempts: 1,
    timeoutMs: 10_000,
    maxRateLimitWaitMs: 0,
  });
  try {
    let scopes: string[] | undefined;
    try {
      const who = await tracker.api.tokenScopes();
      scopes = who.scopes;
      add({ name: 'token accepted', ok: true, detail: `${host} answers; signed in as ${sanitize(who.login)}` });
    } catch (err) {
      add({ name: 'token accepted', ok: false, detail: reason(err), fix: `create a token (fine-grained: Issues read and write, Metadata read, Pull requests read, Commit statuses read, Checks read) and put it in ${connection.tokenSource}` });
      return;
    }
    if (scopes === undefined) {
      add({ name: 'token permissions', ok: true, detail: 'fine-grained or app token: what it may do is checked per repo below' });
    } else {
      const enough = scopes.some((s) => WRITE_SCOPES.includes(s));
      add(
        enough
          ? { name: 'token scopes', ok: true, detail: `classic token with ${scopes.join(', ')}` }
          : { name: 'token scopes', ok: false, detail: `classic token with ${scopes.length > 0 ? scopes.join(', ') : 'no scopes'}: cannot write issues`, fix: 'give the token the repo scope (public_repo for public repos only), or use a fine-grained token with Issues: write' },
      );
    }
    try {
      const q = await tracker.quota();
      add(
        q.remaining > 0
          ? { name: 'rate limit', ok: true, detail: `${q.remaining} of ${q.limit} requests left this hour (resets ${q.resetAt})` }
          : { name: 'rate limit', ok: false, detail: `no requests left of ${q.limit}; resets ${q.resetAt}`, fix: 'wait for the reset, or stop other tools using the same token' },
      );
    } catch (err) {
      add({ name: 'rate limit', ok: false, detail: reason(err), fix: 'check the token can call GET /rate_limit' });
    }
    if (connection.repos.length === 0) {
      add({ name: 'repos', ok: false, detail: 'no repositories are enrolled', fix: 'pass --repo owner/name, set SWITCHBOARD_REPOS, or switchboard config set repos \'["owner/name"]\'' });
    }
    const assignees = [...new Set(config.agents.filter((a) => a.kind === 'tracker' && a.assignee).map((a) => a.assignee as string))];
    for (const repo of connection.repos) {
      let canWrite = false;
      try {
        const p = await tracker.repoPermissions(repo);
        canWrite = p.push || p.admin || p.triage;
        if (!p.hasIssues) add({ name: `repo ${repo}`, ok: false, detail: 'issues are turned off in this repository', fix: `turn on Issues in ${repo}'s settings` });
        else
          add(
            canWrite
              ? { name: `repo ${repo}`, ok: true, detail: 'exists and the token user can label, assign and comment' }
              : { name: `repo ${repo}`, ok: false, detail: 'the token user can read but not triage issues', fix: `give the token user triage or write access to ${repo}` },
          );
      } catch (err) {
        add({ name: `repo ${repo}`, ok: false, detail: reason(err), fix: `check the name ${repo} and that the token can see it (fine-grained tokens list their repositories)` });
        continue;
      }
      add(await labelsCheck(tracker, config, repo, canWrite, 'check the token can read issues'));
      for (const login of assignees) {
        try {
          const ok = await tracker.assignable(repo, login);
          add(
            ok
              ? { name: `assignable ${login} in ${repo}`, ok: true, detail: `${login} can be assigned issues` }
              : { name: `assignable ${login} in ${repo}`, ok: false, detail: `${login} cannot be assigned issues in ${repo}; GitHub would drop the assignment silently`, fix: `invite ${login} as a collaborator of ${repo} (or install its app there)` },
          );
        } catch (err) {
          add({ name: `assignable ${login} in ${repo}`, ok: false, detail: reason(err), fix: 'check the token can read the repository' });
        }
      }
    }
  } finally {
    await tracker.close().catch(() => undefined);
  }
}
