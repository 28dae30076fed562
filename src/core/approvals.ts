import { isLive, phaseWords, type Supervised } from './supervision-types.js';
import type { EngineSnapshot } from './engine-state.js';
import type { Issue } from './issue.js';
import type { TrackedProposal } from './proposal-queue.js';
import { escapeMarkdown, sanitize } from './sanitize.js';

/**
 * Approving from the tracker: `/switchboard …` comment commands and the dashboard issue, both
 * pure. The runner (`approvals-runner.ts`) reads comments and the dashboard body, asks who may
 * write, and turns what these functions find into the same operator intents as the console's.
 */

export type TrackerCommand =
  | { readonly kind: 'approve' }
  | { readonly kind: 'retry' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'reject'; readonly note: string | null }
  | { readonly kind: 'reroute'; readonly agentId: string };

/** Notes are kept short: they go to the journal, the console and a reply. */
export const MAX_NOTE_LENGTH = 200;

// A line of its own, at its start (a quoted "> /switchboard approve" is not a command).
const COMMAND_LINE = /^[ \t]*\/switchboard[ \t]+(approve|reject|reroute|retry|cancel)\b(.*)$/m;
const AGENT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** The first `/switchboard` command line in a comment, or null (also for a malformed one). */
export function parseCommand(body: string): TrackerCommand | null {
  const m = COMMAND_LINE.exec(body.slice(0, 10_000));
  if (!m) return null;
  const verb = m[1] as 'approve' | 'reject' | 'reroute' | 'retry' | 'cancel';
  const rest = sanitize(m[2] ?? '').trim();
  switch (verb) {
    case 'reject':
      return { kind: 'reject', note: rest === '' ? null : rest.slice(0, MAX_NOTE_LENGTH) };
    case 'reroute':
      return AGENT_ID.test(rest) ? { kind: 'reroute', agentId: rest } : null;
    case 'approve':
    case 'retry':
    case 'cancel':
      return rest === '' ? { kind: verb } : null;
  }
}

/** The proposal a command on an issue means: the issue's current one that is not settled. */
export function proposalOnIssue(snapshot: EngineSnapshot, repo: string, number: number): TrackedProposal | null {
  for (const p of snapshot.proposals.values()) {
    if (p.repo.toLowerCase() === repo.toLowerCase() && p.number === number && OPEN.has(p.status)) return p;
  }
  return null;
}
const OPEN = new Set(['proposed', 'approved', 'rejected', 'failed', 'executing']);

/** The dispatch a `retry` or `cancel` on an issue means: its latest (a live one is always the latest). */
export function dispatchOnIssue(snapshot: EngineSnapshot, repo: string, number: number): Supervised | null {
  let found: Supervised | null = null;
  for (const d of snapshot.dispatches.values()) {
    if (d.repo.toLowerCase() !== repo.toLowerCase() || d.number !== number) continue;
    if (found === null || isLive(d.phase) || (!isLive(found.phase) && d.attemptStartedAt > found.attemptStartedAt)) found = d;
  }
  return found;
}

/**
 * Who approved and where, as the journal, the audit comment and the status show it: "alice
 * (comment on acme/api#12)", "dashboard acme/api#40" (the forge's API does not say who edited an
 * issue body, only that they may write). No "@": the audit comment would ping them.
 */
export const approvedVia = (login: string | null, issue: string): string => (login === null ? `dashboard ${issue}` : `${login} (comment on ${issue})`);

// The dashboard issue. Its first line names it; the author check (our own login) makes it ours.
export const DASHBOARD_MARKER = '<!-- switchboard:dashboard v1 -->';
export const DASHBOARD_TITLE = 'switchboard dashboard: approvals';

export const isDashboard = (issue: Pick<Issue, 'body' | 'author'>, self: string | null): boolean =>
  self !== null && issue.author.toLowerCase() === self.toLowerCase() && issue.body.startsWith(DASHBOARD_MARKER);

export interface DashboardInput {
  readonly snapshot: EngineSnapshot;
  /** the repos this dashboard covers (one, or every enrolled repo in a control repo) */
  readonly repos: readonly string[];
  /** display names by agent id */
  readonly agentNames: ReadonlyMap<string, string>;
}

const BOX = (id: string, kind: 'p' | 'retry' | 'cancel'): string => `<!-- sb:${kind}:${id} -->`;
// A box line as we render it: "- [x] <!-- sb:p:ID --> …"; ids are ours (hex), never tracker text.
const BOX_LINE = /^- \[([ xX])\] <!-- sb:(p|retry|cancel):([A-Za-z0-9_.:#/-]{1,200}) -->/gm;

/** Tracker text on one dashboard line: no markdown, no HTML, no mentions, bounded. */
const inline = (text: string, max = 120): string => {
  const t = sanitize(text).trim();
  return escapeMarkdown(t.length > max ? `${t.slice(0, max - 1)}…` : t).replace(/@/g, '@\u2060');
};

/** The dashboard body: pending, approved-waiting, in flight, escalations; a pure function of the snapshot. */
export function renderDashboard(input: DashboardInput): string {
  const { snapshot } = input;
  const repos = new Set(input.repos.map((r) => r.toLowerCase()));
  const mine = (repo: string): boolean => repos.has(repo.toLowerCase());
  const proposals = [...snapshot.proposals.values()].filter((p) => mine(p.repo) && p.action !== 'skip');
  const agent = (id: string | null): string => inline(id === null ? 'nobody' : (input.agentNames.get(id) ?? id), 40);
  const line = (p: TrackedProposal): string => {
    const scored = snapshot.backlog.get(p.issueKey);
    const title = scored ? ` ${inline(scored.displayTitle, 60)}` : '';
    const tier = scored ? ` · ${scored.tier} · score ${scored.score}` : '';
    return `${p.issueKey}${title} — ${p.action} to ${agent(p.agentId)}${tier} — ${inline(p.reason)}`;
  };
  const pending = proposals.filter((p) => p.status === 'proposed');
  const waiting = proposals.filter((p) => p.status === 'approved');
  const dispatches = [...snapshot.dispatches.values()].filter((d) => mine(d.repo));
  const flight = dispatches.filter((d) => isLive(d.phase) || snapshot.proposals.get(d.proposalId)?.status === 'executing');
  const trouble = dispatches.filter((d) => d.phase === 'escalated' && d.escalation?.acknowledgedBy == null);
  const none = '_none_';
  const out = [
    DASHBOARD_MARKER,
    'Tick a box to approve a proposal; untick it before it runs to take the approval back. Tick a box in flight to cancel that dispatch; an escalation\'s boxes retry it or cancel it for good. Only people who may write to the repository can edit this issue, so only they can tick. Comment `/switchboard approve`, `/switchboard reject <note>`, `/switchboard reroute <agent>`, `/switchboard retry` or `/switchboard cancel` on an issue for the same. This issue is kept by switchboard: text outside the boxes is replaced.',
    '',
    `### Pending proposals (${pending.length})`,
    ...(pending.length ? pending.map((p) => `- [ ] ${BOX(p.id, 'p')} ${line(p)}`) : [none]),
    '',
    `### Approved, waiting (${waiting.length})`,
    ...(waiting.length
      ? waiting.map((p) => `- [x] ${BOX(p.id, 'p')} ${line(p)} — by ${inline(p.approvedBy ?? '?', 60)}${gates(p)}`)
      : [none]),
    '',
    `### In flight (${flight.length})`,
    ...(flight.length ? flight.map((d) => `- [ ] ${BOX(d.proposalId, 'cancel')} cancel ${d.repo}#${d.number} — ${agent(d.agent.id)} — ${phaseWords(d.phase)}`) : [none]),
    '',
    `### Escalations (${trouble.length})`,
    ...(trouble.length
      ? trouble.flatMap((d) => [
          `- [ ] ${BOX(d.proposalId, 'retry')} retry ${d.repo}#${d.number} — ${agent(d.agent.id)} — ${phaseWords(d.phase)}: ${inline(d.escalation?.why ?? '', 120)} (attempt ${d.attempt})`,
          `- [ ] ${BOX(d.proposalId, 'cancel')} cancel ${d.repo}#${d.number}: no more agent work on it`,
        ])
      : [none]),
    '',
  ];
  return out.join('\n');
}

const gates = (p: TrackedProposal): string => {
  // `waiting` already reads "waiting for arming" or "waiting: <gate>".
  const why = p.waiting ?? (p.blockedBy.length > 0 ? `waiting: ${p.blockedBy.map((g) => g.detail).join('; ')}` : '');
  return why ? ` — ${inline(why)}` : '';
};

export interface Tick {
  readonly kind: 'p' | 'retry' | 'cancel';
  readonly id: string;
  readonly checked: boolean;
}

/** The boxes in a dashboard body as it is on the tracker now. */
export function readTicks(body: string): Tick[] {
  if (!body.startsWith(DASHBOARD_MARKER)) return [];
  return [...body.slice(0, 1_000_000).matchAll(BOX_LINE)].map((m) => ({ kind: m[2] as Tick['kind'], id: m[3] ?? '', checked: m[1] !== ' ' }));
}

export type DashboardIntent = { readonly type: 'approve' | 'withdraw' | 'retry' | 'cancel'; readonly id: string };

/**
 * What the ticks ask for against the current state: a ticked pending proposal is approved; an
 * approved one unticked before it started is taken back; a ticked retry or cancel box asks the
 * engine to retry or cancel that dispatch (it refuses what does not apply). `before`: the boxes as
 * we last saw them. A box for something settled or unknown asks for nothing (the next render drops it).
 */
export function intentsFromTicks(ticks: readonly Tick[], snapshot: EngineSnapshot, before?: readonly Tick[]): DashboardIntent[] {
  const out: DashboardIntent[] = [];
  // Only boxes someone changed since we last wrote or read the body: a body not yet re-rendered
  // must not take back an approval given in the console meanwhile.
  const was = new Map((before ?? []).map((t) => [`${t.kind}:${t.id}`, t.checked]));
  for (const t of ticks) {
    if (before !== undefined && was.get(`${t.kind}:${t.id}`) === t.checked) continue;
    if (t.kind !== 'p') {
      const d = snapshot.dispatches.get(t.id);
      if (t.checked && d && (isLive(d.phase) || d.phase === 'escalated')) out.push({ type: t.kind, id: d.proposalId });
      continue;
    }
    const p = snapshot.proposals.get(t.id);
    if (!p) continue;
    if (t.checked && p.status === 'proposed') out.push({ type: 'approve', id: p.id });
    else if (!t.checked && p.status === 'approved' && !p.started) out.push({ type: 'withdraw', id: p.id });
  }
  return out;
}
