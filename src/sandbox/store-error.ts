/** Why the store refused a change; the HTTP layer maps each kind to Gitea's status code. */
export type StoreErrorKind = 'not-found' | 'invalid' | 'precondition';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
