/**
 * Every error switchboard raises on purpose. The CLI catches once and maps each kind to an exit
 * code and one clear sentence; anything else is a bug and is reported as one.
 */
export abstract class SwitchboardError extends Error {
  abstract readonly kind: string;
  /** A short hint shown under the message ("run switchboard doctor"). */
  readonly hint: string | undefined;
  /** The tracker was unreachable, rate limiting or garbled: worth trying again later. */
  readonly transient: boolean = false;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A value from outside (config, file, journal line, CLI flag) is not what we accept. */
export class ValidationError extends SwitchboardError {
  readonly kind = 'validation';
  constructor(
    message: string,
    readonly problems: readonly { path: string; message: string }[] = [],
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** A raw tracker issue has a field we use with the wrong type. */
export class IssueShapeError extends SwitchboardError {
  readonly kind = 'issue-shape';
  constructor(
    readonly issueRef: string,
    readonly field: string,
    detail: string,
  ) {
    super(`issue ${issueRef}: field "${field}" ${detail}`);
  }
}

/** A command names something that does not exist or does not fit (unknown agent, proposal). */
export class UsageError extends SwitchboardError {
  readonly kind = 'usage';
}

/** Something switchboard tried to do failed for a reason outside its control (port in use, …). */
export class OperationError extends SwitchboardError {
  readonly kind = 'operation';
}

/** Worth trying again later: the error says so itself (adapters' outage, rate-limit and protocol errors). */
export const isTransient = (err: unknown): boolean => err instanceof SwitchboardError && err.transient;


/**
 * An issue is gone from the tracker (deleted), confirmed by reading it. Incremental fetches never
 * report a deletion, so the engine learns it from this error and drops the issue.
 */
export class IssueGoneError extends SwitchboardError {
  readonly kind = 'issue-gone';
  constructor(
    readonly repo: string,
    readonly number: number,
  ) {
    super(`issue ${repo}#${number} was deleted`);
  }
}
