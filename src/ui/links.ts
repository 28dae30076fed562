import type { EngineSnapshot } from '../core/engine-state.js';
import { issueKey } from '../core/issue.js';
import type { Target } from './ui-state.js';
import { liveProposals } from './views.js';

/**
 * The web origins the console may open: the tracker's own, and for github.com's API
 * (api.github.com) the site itself. Nothing else, whatever an issue's URL says.
 */
export function webOrigins(trackerUrl: string | undefined): string[] {
  if (trackerUrl === undefined) return [];
  try {
    const u = new URL(trackerUrl);
    return u.host === 'api.github.com' ? [u.origin, 'https://github.com'] : [u.origin];
  } catch {
    return [];
  }
}

/** Where issue pages live, for an issue no longer in the backlog: the site, not its API (`/api/v1`, `/api/v3`, api.github.com). */
export function webBase(trackerUrl: string | undefined): string | null {
  if (trackerUrl === undefined) return null;
  try {
    const u = new URL(trackerUrl);
    if (u.host === 'api.github.com') return 'https://github.com';
    return `${u.origin}${u.pathname.replace(/\/api\/v\d+\/?$/, '').replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** The URL as it is safe to hand to a browser, or null: http(s), on an allowed origin, no credentials. */
export function safeLink(raw: string, origins: readonly string[]): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username !== '' || u.password !== '' || !origins.includes(u.origin)) return null;
  // the serialised form: spaces, quotes and control characters percent-encoded
  return u.href;
}

/**
 * What `o` opens for a row: its issue — or, for a dispatch with a pull request, the PR. The PR's
 * address is the issue's with the PR's number: Gitea, Forgejo and GitHub all send
 * `/owner/name/issues/N` on to the pull request when N is one.
 */
export function linkFor(s: EngineSnapshot, t: Target, base: string | null): { what: string; url: string } | null {
  let key: string;
  let pr: number | null = null;
  if (t.pane === 'backlog') key = t.id;
  else if (t.pane === 'proposals') {
    const p = s.proposals.get(t.id) ?? liveProposals(s).get(t.id);
    if (!p) return null;
    key = p.issueKey;
  } else {
    const d = s.dispatches.get(t.id);
    if (!d) return null;
    key = issueKey(d.repo, d.number);
    pr = d.pr?.number ?? null;
  }
  const known = s.backlog.get(key)?.issue.url ?? '';
  const url = known !== '' ? known : base === null ? '' : `${base}/${key.replace('#', '/issues/')}`;
  if (url === '') return null;
  if (pr === null) return { what: key, url };
  return /\/\d+$/.test(url) ? { what: `the pull request of ${key} (#${pr})`, url: url.replace(/\/\d+$/, `/${pr}`) } : { what: key, url };
}
