import { AuthError, ForbiddenError, type ForbiddenReason, MovedError } from '../errors.js';

/**
 * What a 403 or a redirect means, from the status, the server's message and what was asked.
 * Kept beside the client so the client itself only asks; the sentences live here.
 */

export interface Asked {
  /** "GET /repos/{owner}/{repo}/issues" */
  readonly endpoint: string;
  /** "add labels to issue demo/api#12"; the endpoint when not given */
  readonly action?: string;
  readonly repo?: string;
}

/**
 * Gitea's 403 messages (v1.26–main): the token is refused only for a prohibited or inactive
 * account or a sudo/sign-in refusal (routers/api/v1/api.go:866-925); a scope is missing with
 * "token does not have at least one of required scope(s)" or "token scope is limited to public …"
 * (api.go:263-351); a locked issue says "You cannot comment on a locked issue."
 * (issue_comment.go:394-396); a block says "user is blocked" (models/user/block.go:21). The rest —
 * "write permission is required" (issue_label.go:322), an empty body (issue_label.go:177,
 * issue.go:780), reqRepoWriter (api.go:452) — is missing write, or admin (api.go:442).
 */
export function forbidden(host: string, tokenSource: string, asked: Asked, message: string | undefined): AuthError | ForbiddenError {
  const text = message ?? '';
  const action = asked.action ?? asked.endpoint;
  const refused = /prohibited from signing in|not activated|must change your password|only signed in user|sudo/i;
  if (refused.test(text)) return new AuthError(host, 403, tokenSource, message);
  let reason: ForbiddenReason = 'write';
  let scope: string | undefined;
  const scopeMatch = /required=\[([^\]]*)\]/.exec(text);
  if (/token does not have at least one of required scope|token scope is limited|public-only tokens/i.test(text)) {
    reason = 'scope';
    scope = scopeMatch?.[1]?.split(/[\s,]+/)[0];
  } else if (/locked issue/i.test(text)) reason = 'locked';
  else if (/user is blocked/i.test(text)) reason = 'blocked';
  else if (/admin/i.test(text)) reason = 'admin';
  return new ForbiddenError(host, reason, action, asked.repo, scope);
}

/**
 * A 3xx: Gitea's Location is the request path with the owner (307) or owner/name (301) replaced
 * (services/context/repo.go:398-421, context_response.go:30-57). Anything else, or another origin,
 * is named and not followed.
 */
export function moved(host: string, origin: string, apiPath: string, requestPath: string, location: string | undefined, status: number): MovedError {
  const repoOf = (path: string): string | undefined => {
    const rest = path.startsWith(`${apiPath}/repos/`) ? path.slice(apiPath.length + '/repos/'.length) : undefined;
    const [owner, name] = rest?.split(/[/?#]/) ?? [];
    if (!owner || !name) return undefined;
    try {
      return `${decodeURIComponent(owner)}/${decodeURIComponent(name)}`;
    } catch {
      return undefined;
    }
  };
  const from = repoOf(requestPath);
  if (location === undefined) return new MovedError(host, status, from, undefined);
  let target: URL;
  try {
    target = new URL(location, origin);
  } catch {
    return new MovedError(host, status, from, undefined);
  }
  if (target.origin !== new URL(origin).origin) return new MovedError(host, status, from, undefined, target.origin);
  return new MovedError(host, status, from, repoOf(target.pathname));
}
