import { InterruptedError } from '../adapters/errors.js';
import { SwitchboardError } from '../core/errors.js';

/** Documented exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3, interrupted: 130 } as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof SwitchboardError)) return EXIT.failure;
  if (err instanceof InterruptedError) return EXIT.interrupted;
  switch (err.kind) {
    case 'validation':
    case 'usage':
    case 'issue-shape':
      return EXIT.usage;
    case 'auth':
      return EXIT.auth;
    default:
      return EXIT.failure;
  }
}

/** One clear sentence (plus a hint) for the user; the stack only with --debug. */
export function describeError(err: unknown, debug: boolean): string {
  if (err instanceof SwitchboardError) {
    const lines = [`switchboard: ${err.message}`];
    if (err.hint) lines.push(`hint: ${err.hint}`);
    if (debug && err.stack) lines.push(err.stack);
    return lines.join('\n');
  }
  const message = err instanceof Error ? err.message : String(err);
  return debug && err instanceof Error && err.stack
    ? `switchboard: internal error: ${message}\n${err.stack}`
    : `switchboard: internal error: ${message} (run again with --debug for details, and please report it)`;
}
