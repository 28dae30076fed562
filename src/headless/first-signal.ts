// A module of its own: the triage preview needs it without loading the headless loop.

/**
 * The first SIGINT/SIGTERM resolves (the caller stops the engine: the write in progress
 * finishes); a second exits at once with 130.
 */
export function firstSignal(onSecond: () => void = () => process.exit(130)): {
  promise: Promise<void>;
  /** say something before the second signal exits */
  beforeAbort(say: () => void): void;
  dispose(): void;
} {
  let hits = 0;
  let resolve!: () => void;
  let say: (() => void) | null = null;
  const promise = new Promise<void>((r) => (resolve = r));
  const handler = (): void => {
    hits += 1;
    if (hits === 1) resolve();
    else {
      say?.();
      onSecond();
    }
  };
  // While the loop owns the signals it alone decides: conf's atomic-write helper (when-exit)
  // re-raises a signal it sees, which would count here as a second one and kill the process.
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const others = signals.map((sig) => {
    const listeners = process.listeners(sig);
    process.removeAllListeners(sig);
    process.on(sig, handler);
    return listeners;
  });
  return {
    promise,
    beforeAbort(fn) {
      say = fn;
    },
    dispose() {
      signals.forEach((sig, i) => {
        process.off(sig, handler);
        for (const l of others[i] ?? []) process.on(sig, l);
      });
    },
  };
}
