import { IssueShapeError } from '../../core/errors.js';
import { type Issue, issueKey } from '../../core/issue.js';
import { RawGiteaIssueSchema } from './schemas.js';

/**
 * A raw Gitea issue (the wire format of GET /repos/{owner}/{repo}/issues, also what
 * `triage --from-file` reads, and the base of GitHub's issue) as the domain's Issue.
 */

function describeRef(raw: unknown, repo: string, position?: number): string {
  if (raw && typeof raw === 'object' && 'number' in raw) {
    const n = (raw as { number: unknown }).number;
    if (typeof n === 'number') return issueKey(repo, n);
  }
  return position === undefined ? `in ${repo}` : `at position ${position} in ${repo}`;
}

const isOptionalString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The names (`name` or `login`) of a list of objects, or null when the list is not that shape. */
function namesOf(list: unknown, key: 'name' | 'login'): string[] | null {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return null;
  const names: string[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const name = isObject(item) ? item[key] : undefined;
    if (typeof name !== 'string') return null;
    names[i] = name;
  }
  return names;
}

/**
 * The common case without the schema: an issue whose every field has the type the schema wants.
 * Anything else (null) goes through RawGiteaIssueSchema, which says what is wrong. A backlog of
 * 20,000 issues spent a tenth of a triage in the schema; the property test in
 * test/adapters/gitea-issue.test.ts holds this to the schema.
 */
function plainIssue(raw: unknown, repo: string): Issue | null {
  if (!isObject(raw)) return null;
  const { number, title, body, user, created_at, updated_at, state, html_url, repository } = raw;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) return null;
  if (title !== undefined && typeof title !== 'string') return null;
  if (!isOptionalString(body) || !isOptionalString(created_at) || !isOptionalString(updated_at) || !isOptionalString(html_url)) return null;
  if (state !== undefined && state !== null && state !== 'open' && state !== 'closed') return null;
  if (user !== undefined && user !== null && !(isObject(user) && typeof user.login === 'string')) return null;
  if (repository !== undefined && repository !== null && !(isObject(repository) && (repository.full_name === undefined || typeof repository.full_name === 'string'))) {
    return null;
  }
  const labels = namesOf(raw.labels, 'name');
  const assignees = namesOf(raw.assignees, 'login');
  if (labels === null || assignees === null) return null;
  return {
    repo,
    number,
    title: (title as string | undefined) ?? '',
    body: (body as string | null | undefined) ?? '',
    labels,
    assignees,
    author: (user as { login: string } | null | undefined)?.login ?? '',
    authorTrusted: undefined,
    createdAt: (created_at as string | null | undefined) ?? '',
    updatedAt: (updated_at as string | null | undefined) ?? (created_at as string | null | undefined) ?? '',
    state: (state as Issue['state'] | null | undefined) ?? 'open',
    url: (html_url as string | null | undefined) ?? '',
  };
}

/**
 * Convert one raw Gitea issue. A field we use with the wrong type throws IssueShapeError naming
 * the field and the issue.
 */
export function issueFromGitea(raw: unknown, repo: string, position?: number): Issue {
  const plain = plainIssue(raw, repo);
  if (plain !== null) return plain;
  const parsed = RawGiteaIssueSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const field = first && first.path.length > 0 ? first.path.join('.') : '(issue)';
    const detail =
      first?.code === 'invalid_type' && first.path.length === 0
        ? 'is not an object'
        : first?.code === 'invalid_type'
          ? `should be ${first.expected}`
          : (first?.message ?? 'is invalid');
    throw new IssueShapeError(describeRef(raw, repo, position), field, detail);
  }
  const r = parsed.data;
  return {
    repo,
    number: r.number,
    title: r.title,
    body: r.body ?? '',
    labels: (r.labels ?? []).map((l) => l.name),
    assignees: (r.assignees ?? []).map((a) => a.login),
    author: r.user?.login ?? '',
    authorTrusted: undefined,
    createdAt: r.created_at ?? '',
    updatedAt: r.updated_at ?? r.created_at ?? '',
    state: r.state ?? 'open',
    url: r.html_url ?? '',
  };
}
