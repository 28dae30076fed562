import { useEffect, useState } from 'react';
import type { Engine } from '../core/engine.js';
import type { EngineError } from '../core/engine-state.js';

/** how many errors the errors view keeps (newest last) */
export const RECENT_ERRORS_LIMIT = 50;

export interface RecentErrors {
  readonly list: readonly EngineError[];
  /** every error seen since the console started */
  readonly total: number;
  /** errors since the operator last opened the errors view: the header's count */
  readonly unseen: number;
}

/**
 * The engine's errors and warnings as they happen, in full: the header has room for a count, the
 * errors view (E) for every sentence. The engine keeps only the last one; the console keeps a few.
 */
export function useRecentErrors(engine: Pick<Engine, 'onEvent'>, seenTotal: number): RecentErrors {
  const [seen, setSeen] = useState<{ list: readonly EngineError[]; total: number }>({ list: [], total: 0 });
  useEffect(
    () =>
      engine.onEvent((e) => {
        if (e.type !== 'error') return;
        const error: EngineError = { at: e.at, level: e.level, message: e.message };
        setSeen((s) => ({ list: [...s.list, error].slice(-RECENT_ERRORS_LIMIT), total: s.total + 1 }));
      }),
    [engine],
  );
  return { list: seen.list, total: seen.total, unseen: Math.max(0, seen.total - seenTotal) };
}
