import { REPO_PATTERN } from '../core/config.js';
import { IssueShapeError, UsageError, ValidationError } from '../core/errors.js';
import type { Issue } from '../core/issue.js';
import { issueFromGitea } from '../adapters/gitea/issue.js';
import { readJsonFile } from '../adapters/json-file.js';

/** Repo name given to a plain array of issues when no --repo names it. */
export const FILE_REPO = 'local/backlog';

/**
 * An exported backlog: a JSON array of raw Gitea issues, or an object mapping `owner/name` to
 * such arrays. Pull requests are left out, as the tracker's `type=issues` would.
 *
 * The envelope (array or map by repo, chosen with --repo) is this command's input format and
 * stays here; each issue in it is Gitea's wire format (what GET /repos/{owner}/{repo}/issues
 * returns, as the README documents), read by the Gitea adapter's converter, so an exported file
 * and a live fetch become the same Issues.
 */
export async function loadBacklogFile(path: string, repos: readonly string[] = []): Promise<Issue[]> {
  const raw = await readJsonFile(path, 'backlog file');
  let byRepo: [string, unknown][];
  if (Array.isArray(raw)) {
    if (repos.length > 1) throw new UsageError(`backlog file ${path} holds one repo's issues; pass at most one --repo.`);
    byRepo = [[repos[0] ?? FILE_REPO, raw]];
  } else if (raw !== null && typeof raw === 'object') {
    byRepo = Object.entries(raw);
    for (const [repo, list] of byRepo) {
      if (!REPO_PATTERN.test(repo)) throw new ValidationError(`backlog file ${path}: key "${repo}" is not an owner/name repo.`);
      if (!Array.isArray(list)) throw new ValidationError(`backlog file ${path}: "${repo}" should map to an array of issues.`);
    }
    for (const repo of repos) {
      if (!byRepo.some(([r]) => r === repo)) throw new UsageError(`backlog file ${path} has no issues for ${repo}.`);
    }
    if (repos.length > 0) byRepo = byRepo.filter(([r]) => repos.includes(r));
  } else {
    throw new ValidationError(`backlog file ${path} should hold a JSON array of issues or an object of arrays by repo.`);
  }

  const issues: Issue[] = [];
  for (const [repo, list] of byRepo) {
    const seen = new Map<number, number>();
    (list as unknown[]).forEach((item, position) => {
      if (item && typeof item === 'object' && (item as { pull_request?: unknown }).pull_request) return;
      let issue: Issue;
      try {
        issue = issueFromGitea(item, repo, position);
      } catch (err) {
        if (err instanceof IssueShapeError) throw new ValidationError(`backlog file ${path}: ${err.message}.`);
        throw err;
      }
      const earlier = seen.get(issue.number);
      if (earlier !== undefined) issues[earlier] = issue;
      else {
        seen.set(issue.number, issues.length);
        issues.push(issue);
      }
    });
  }
  return issues;
}
