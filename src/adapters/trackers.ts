import type { Tracker } from '../core/ports.js';
import { createGiteaTracker, type GiteaTrackerOptions } from './gitea/index.js';
import { createGithubTracker, type GithubTrackerOptions } from './github/index.js';

/** A tracker the process owns: its connections close with it. */
export type ForgeTracker = Tracker & { readonly kind: 'gitea' | 'forgejo' | 'github'; close(): Promise<void> };

export interface ForgeTrackerOptions {
  readonly kind: 'gitea' | 'forgejo' | 'github';
  readonly url: string;
  readonly token: string;
  readonly tokenSource?: string;
  readonly concurrency?: number;
  /** colours for labels the adapter creates, by name */
  readonly labelColors?: Readonly<Record<string, string>>;
  /** adapter options for one forge only (tests, doctor) */
  readonly gitea?: Partial<GiteaTrackerOptions>;
  readonly github?: Partial<GithubTrackerOptions>;
}

/** The adapter for `tracker.kind`. */
export function createTracker(o: ForgeTrackerOptions): ForgeTracker {
  const common = { url: o.url, token: o.token, ...(o.tokenSource !== undefined ? { tokenSource: o.tokenSource } : {}), ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}), ...(o.labelColors ? { labelColors: o.labelColors } : {}) };
  if (o.kind === 'github') return createGithubTracker({ ...common, ...o.github });
  return createGiteaTracker({ ...common, kind: o.kind, ...o.gitea });
}
