import { SwitchboardError } from '../../core/errors.js';
import { RateLimitedError } from '../errors.js';

/**
 * GitHub's 403 has three causes that need three different fixes (docs: "Troubleshooting the REST
 * API", "Rate limits for the REST API"): a bad or revoked token, a token without the permission,
 * and a secondary rate limit. AuthError covers the first; these two the others.
 */

/** The token is valid but lacks the scope or fine-grained permission for this request. */
export class PermissionError extends SwitchboardError {
  readonly kind = 'permission';
  constructor(
    readonly host: string,
    readonly endpoint: string,
    /** from `x-accepted-github-permissions` (fine-grained) or `x-accepted-oauth-scopes` (classic) */
    readonly needs: string | undefined,
    serverMessage: string | undefined,
  ) {
    super(
      `the token may not ${endpoint} on ${host}${serverMessage ? ` (${serverMessage})` : ''}` +
        (needs ? `; it needs ${needs}` : '; give it Issues: write and Metadata: read (or the classic repo scope)'),
    );
  }
}

/** GitHub's secondary limit: it says wait (retry-after, or at least a minute), not that the token is bad. */
export class SecondaryRateLimitError extends RateLimitedError {
  constructor(host: string, retryAt: string) {
    super(host, retryAt);
    this.message = `${host} applied a secondary rate limit (too many requests or writes at once); retry after ${retryAt}`;
  }
}

/** A renamed or transferred repository answers 301 (docs: "Best practices", follow redirects). */
export class RepoMovedError extends SwitchboardError {
  readonly kind = 'moved';
  constructor(
    readonly host: string,
    readonly repo: string,
    readonly movedTo: string | undefined,
  ) {
    super(
      `repository ${repo} was renamed or transferred on ${host}${movedTo ? ` to ${movedTo}` : ''}: update repos`,
      movedTo ? `switchboard config set repos and replace ${repo} with ${movedTo}` : undefined,
    );
  }
}
