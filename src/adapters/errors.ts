import { SwitchboardError } from '../core/errors.js';

/**
 * Errors raised by the network adapters. Messages name the host (never with credentials) and
 * what failed; none of them ever carries the token — the HTTP layer redacts server text and
 * replaces low-level causes with a redacted copy before building one of these.
 */

/** The forge refused the token (401, or 403 that is not rate limiting). */
export class AuthError extends SwitchboardError {
  readonly kind = 'auth';
  constructor(
    readonly host: string,
    readonly status: number,
    tokenSource: string,
    hint?: string,
  ) {
    super(`token rejected by ${host}: check ${tokenSource}`, hint);
  }
}

/** A repo, issue, comment, pull request or ref does not exist (or the token cannot see it). */
export class NotFoundError extends SwitchboardError {
  readonly kind = 'not-found';
  constructor(
    readonly host: string,
    readonly subject: string,
  ) {
    super(`${subject} not found on ${host}`);
  }
}

/** The forge (or a proxy before it) asks us to wait longer than we are willing to. */
export class RateLimitedError extends SwitchboardError {
  readonly kind = 'rate-limited';
  override readonly transient = true;
  constructor(
    readonly host: string,
    /** ISO 8601 time after which a retry may succeed */
    readonly retryAt: string,
  ) {
    super(`${host} is rate limiting requests; retry after ${retryAt}`);
  }
}

/** The forge could not be reached or kept failing after the retry budget. */
export class UnavailableError extends SwitchboardError {
  readonly kind = 'unavailable';
  override readonly transient = true;
  constructor(
    readonly host: string,
    /** "GET /repos/{owner}/{repo}/issues" */
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${host} unavailable: ${endpoint} failed (${detail})`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The forge answered with a body we cannot use: malformed JSON or a field of the wrong type. */
export class ProtocolError extends SwitchboardError {
  readonly kind = 'protocol';
  override readonly transient = true;
  constructor(
    readonly host: string,
    readonly endpoint: string,
    /** "[3].number", or undefined when the body is not JSON at all */
    readonly field: string | undefined,
    detail: string,
  ) {
    super(
      field === undefined
        ? `${endpoint} on ${host} returned ${detail}`
        : `${endpoint} returned an unexpected body: ${field} ${detail}`,
    );
  }
}

/** The forge understood the request and refused it (400, 409, 412, 422, 423 …). */
export class RejectedError extends SwitchboardError {
  readonly kind = 'rejected';
  constructor(
    readonly host: string,
    readonly endpoint: string,
    readonly status: number,
    serverMessage: string | undefined,
  ) {
    super(
      `${host} rejected ${endpoint} with HTTP ${status}` +
        (serverMessage ? `: ${serverMessage}` : ''),
    );
  }
}

/**
 * The operator stopped switchboard (SIGINT/SIGTERM) while a read was in flight: the read was
 * abandoned. An outage in kind, so work that was waiting on it is resumed, never failed.
 */
export class InterruptedError extends UnavailableError {
  constructor(host: string, endpoint: string) {
    super(host, endpoint, 'interrupted');
    this.message = `interrupted: stopped waiting for ${host} (${endpoint})`;
  }
}

/** A list runs past the configured cap: endless full pages, or an absurd X-Total-Count. */
export class ListTooLongError extends SwitchboardError {
  readonly kind = 'protocol';
  constructor(
    /** "the issues of repo acme/api" */
    readonly subject: string,
    readonly cap: number,
    /** the server's X-Total-Count, when that is what gave it away */
    readonly claimed: number | undefined,
    setting: string,
  ) {
    super(
      `${subject} run past ${cap} items (${claimed === undefined ? 'the server kept sending full pages' : `the server claims ${claimed}`}), so switchboard stopped reading at its ${setting} limit`,
    );
  }
}

export type AdapterError =
  | AuthError
  | NotFoundError
  | RateLimitedError
  | UnavailableError
  | ProtocolError
  | RejectedError
  | ListTooLongError;


/**
 * The forge answered a redirect. Gitea and Forgejo answer 301 for a renamed or transferred repo
 * and 307 for a renamed owner, for every method (routers/api/v1/api.go:140-176); switchboard
 * never follows one: a write must not land somewhere the operator did not enrol.
 */
export class MovedError extends SwitchboardError {
  readonly kind = 'moved';
  constructor(
    readonly host: string,
    readonly status: number,
    /** `owner/name` asked for and where it went, when the redirect is a repo move on the same server */
    readonly from: string | undefined,
    readonly to: string | undefined,
    /** the redirect's origin when it points at another server */
    readonly otherOrigin?: string,
  ) {
    super(
      from !== undefined && to !== undefined && otherOrigin === undefined
        ? `${from} moved to ${to}: update \`repos\``
        : otherOrigin !== undefined
          ? `${host} redirects ${from ?? 'the request'} to another server (${otherOrigin}); switchboard does not follow it: check tracker.url and \`repos\``
          : `${host} answered HTTP ${status} with a redirect switchboard does not follow; check tracker.url`,
    );
  }
}

/** Why a 403 that is not about the token itself was refused. */
export type ForbiddenReason = 'write' | 'locked' | 'blocked' | 'scope' | 'admin';

/**
 * A 403 that is not "token rejected": the token works, but this action is not allowed (Gitea
 * routers/api/v1/repo/issue_label.go:177, :322, issue.go:780, issue_comment.go:394-402, api.go
 * tokenRequiresScopes/reqRepoWriter).
 */
export class ForbiddenError extends SwitchboardError {
  readonly kind = 'forbidden';
  constructor(
    readonly host: string,
    readonly reason: ForbiddenReason,
    /** "add labels to issue demo/api#12" */
    readonly action: string,
    readonly repo: string | undefined,
    scope?: string,
  ) {
    const where = repo ?? host;
    super(
      {
        write: `the token user may not ${action}: it needs write access to issues in ${where}`,
        locked: `cannot ${action}: the issue is locked and the token user has no write access to issues in ${where}`,
        blocked: `cannot ${action}: the token user is blocked by the issue's author or the owner of ${where}`,
        scope: `the token may not ${action}: it lacks the ${scope ?? 'needed'} scope; create a token with it for ${host}`,
        admin: `the token user may not ${action}: it needs admin access to ${where}`,
      }[reason],
    );
  }
}

/** An agent's login cannot be assigned in a repo: Gitea answers such an assignment with 500. */
export class UnassignableError extends SwitchboardError {
  readonly kind = 'unassignable';
  constructor(
    readonly repo: string,
    readonly logins: readonly string[],
  ) {
    super(
      `${logins.map((l) => `@${l}`).join(', ')} cannot be assigned to issues in ${repo}: ` +
        `give ${logins.length === 1 ? 'that user' : 'those users'} write access to ${repo} or fix the agent's assignee`,
    );
  }
}
