/** Why the store refused a change; the HTTP layer maps each kind to Gitea's status code. */
/** `internal`: what Gitea answers with 500 (APIErrorInternal); `forbidden`: 403. */
export type StoreErrorKind = 'not-found' | 'invalid' | 'precondition' | 'internal' | 'forbidden';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
