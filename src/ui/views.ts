import { endedAt, inTrouble, phaseLabel, stateWordsOf } from '../core/dispatch-view.js';
import type { EngineSnapshot } from '../core/engine-state.js';
import { issueKey } from '../core/issue.js';
import { GATE_LABELS } from '../core/policy.js';
import { byPriority, type TrackedProposal } from '../core/proposal-queue.js';
import { type Agent, suggestAgents, type TaskType } from '../core/routing.js';
import type { ScoredIssue } from '../core/scoring.js';
import { agedOut } from '../core/supervision.js';
import { isLive, type Supervised } from '../core/supervision-types.js';
import type { PickerAgent } from './ui-state.js';

export const SORTS = ['score', 'age', 'number', 'tier'] as const;
export type SortKey = (typeof SORTS)[number];

export const nextSort = (s: SortKey): SortKey => SORTS[(SORTS.indexOf(s) + 1) % SORTS.length] ?? 'score';

const COMPARE: Readonly<Record<SortKey, (a: ScoredIssue, b: ScoredIssue) => number>> = {
  score: (a, b) => b.score - a.score || b.ageDays - a.ageDays || byPriority(a, b),
  age: (a, b) => b.ageDays - a.ageDays || byPriority(a, b),
  number: (a, b) => a.issue.number - b.issue.number || a.issue.repo.localeCompare(b.issue.repo),
  tier: byPriority,
};

/** The `/` filter's keys; anything else before a colon is named as unknown. */
export const FILTER_KEYS = ['type', 'tier', 'repo', 'label', 'status', 'agent', 'state'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface FilterTerm {
  /** a key, `ready`, or free `text` */
  readonly key: FilterKey | 'ready' | 'text';
  /** comma alternatives: any one matches */
  readonly values: readonly string[];
  /** `-term` or `!term`: rows that do not match */
  readonly negate: boolean;
}

export interface Filter {
  readonly terms: readonly FilterTerm[];
  /** "unknown filter key foo: …" — the term is left out rather than matching nothing */
  readonly error: string | null;
}

/**
 * `/` syntax, every term must hold: free words, `type:bug`, `tier:P0`, `ready`, `repo:name`,
 * `label:x`, `status:pending` (proposal word), `agent:claude`, `state:stalled` (dispatch state);
 * `type:bug,feature` for either; `-label:wontfix` or `!ready` for not.
 */
export function parseFilter(source: string): Filter {
  const terms: FilterTerm[] = [];
  const unknown: string[] = [];
  for (const raw of source.toLowerCase().split(/\s+/).filter(Boolean)) {
    const negate = /^[-!]./.test(raw);
    const word = negate ? raw.slice(1) : raw;
    const m = /^([a-z_-]+):(.*)$/.exec(word);
    if (m) {
      const key = m[1]!;
      const values = m[2]!.split(',').filter(Boolean);
      if (!(FILTER_KEYS as readonly string[]).includes(key)) unknown.push(`${key}:`);
      else if (values.length > 0) terms.push({ key: key as FilterKey, values, negate });
    } else if (word === 'ready') terms.push({ key: 'ready', values: [], negate });
    else terms.push({ key: 'text', values: [word], negate });
  }
  const error = unknown.length === 0 ? null : `unknown filter key ${unknown.join(' ')} — keys: ${FILTER_KEYS.map((k) => `${k}:`).join(' ')} and ready`;
  return { terms, error };
}

/** What a row offers the filter: its issue, and the proposal and dispatch it has, when known. */
export interface RowFacts {
  readonly key: string;
  readonly scored: ScoredIssue | undefined;
  /** the proposal's word: pending, gated, waiting, approved, rejected, executed… */
  readonly status?: string | undefined;
  readonly agent?: string | null | undefined;
  /** the words its dispatch answers to: its phase (ci_failed, ci-red…), live or ended, trouble */
  readonly state?: readonly string[] | undefined;
}

const repoMatches = (repo: string, want: string): boolean => {
  const r = repo.toLowerCase();
  return r === want || r.endsWith(`/${want}`);
};

function termHolds(t: FilterTerm, r: RowFacts): boolean {
  const s = r.scored;
  const any = (have: string | null | undefined) => have !== undefined && have !== null && t.values.includes(have.toLowerCase());
  switch (t.key) {
    case 'repo':
      return t.values.some((want) => repoMatches(r.key.slice(0, r.key.lastIndexOf('#')), want));
    case 'ready':
      return s?.ready === true;
    case 'type':
      return any(s?.type);
    case 'tier':
      return any(s?.tier);
    case 'label': {
      const labels = s?.issue.labels.map((l) => l.toLowerCase()) ?? [];
      return t.values.some((want) => labels.includes(want));
    }
    case 'status':
      return any(r.status);
    case 'agent':
      return any(r.agent);
    case 'state':
      return (r.state ?? []).some((w) => t.values.includes(w.toLowerCase()));
    case 'text': {
      const hay = s ? `${r.key} #${s.issue.number} ${s.issue.title} ${s.issue.labels.join(' ')}`.toLowerCase() : r.key.toLowerCase();
      return hay.includes(t.values[0] ?? '');
    }
    default: {
      const never: never = t.key;
      return never;
    }
  }
}

export function matchesFilter(f: Filter, r: RowFacts): boolean {
  return f.terms.every((t) => termHolds(t, r) !== t.negate);
}

const isEmpty = (f: Filter): boolean => f.terms.length === 0;

/** Whether a filter needs each row's proposal or dispatch (then the backlog is refiltered when they change). */
export const filterNeedsWork = (f: Filter): boolean => f.terms.some((t) => t.key === 'status' || t.key === 'agent' || t.key === 'state');

/** The live proposal for each issue key: the one the operator can still act on. */
export function liveProposals(snapshot: Pick<EngineSnapshot, 'proposals'>): Map<string, TrackedProposal> {
  const out = new Map<string, TrackedProposal>();
  for (const p of snapshot.proposals.values()) {
    if (p.status === 'superseded' || p.status === 'executed' || p.status === 'failed') continue;
    if (!out.has(p.issueKey)) out.set(p.issueKey, p);
  }
  return out;
}

export interface BacklogRow {
  readonly id: string;
  readonly scored: ScoredIssue;
  readonly locked: boolean;
}

export function backlogRows(snapshot: EngineSnapshot, filter: string, sort: SortKey): BacklogRow[] {
  return withLocks(sortedBacklog(snapshot.backlog, filter, sort, snapshot), snapshot);
}

/** A backlog row's facts: its live proposal's word and agent, its dispatch's state. */
function backlogFacts(work: Pick<EngineSnapshot, 'proposals' | 'dispatches'> | undefined): (key: string, s: ScoredIssue) => RowFacts {
  if (!work) return (key, scored) => ({ key, scored });
  const live = liveProposals(work);
  const dispatchOf = new Map<string, Supervised>();
  for (const d of work.dispatches.values()) dispatchOf.set(issueKey(d.repo, d.number), d);
  return (key, scored) => {
    const p = live.get(key);
    const row = p ? proposalRow(p) : null;
    const d = dispatchOf.get(key);
    return { key, scored, status: row?.word, agent: d?.agent.id ?? p?.agentId, state: d ? stateWordsOf(d) : undefined };
  };
}

/**
 * The backlog filtered and sorted: the costly half of `backlogRows`, which depends on the backlog
 * alone, so the console keeps it while other parts of the snapshot change.
 */
export function sortedBacklog(
  backlog: EngineSnapshot['backlog'],
  filter: string,
  sort: SortKey,
  work?: Pick<EngineSnapshot, 'proposals' | 'dispatches'>,
): [string, ScoredIssue][] {
  const f = parseFilter(filter);
  const facts = backlogFacts(filterNeedsWork(f) ? work : undefined);
  const out: [string, ScoredIssue][] = [];
  for (const entry of backlog) {
    if (!isEmpty(f) && !matchesFilter(f, facts(entry[0], entry[1]))) continue;
    out.push(entry);
  }
  return out.sort((a, b) => COMPARE[sort](a[1], b[1]));
}

/** Backlog rows from `sortedBacklog`, each marked locked when its repo is (which depends on the proposals). */
export function withLocks(sorted: readonly (readonly [string, ScoredIssue])[], snapshot: Pick<EngineSnapshot, 'proposals'>): BacklogRow[] {
  const live = liveProposals(snapshot);
  return sorted.map(([key, s]) => {
    const gates = live.get(key)?.blockedBy ?? [];
    const locked = gates.some((g) => g.kind === 'repo-locked') || s.issue.labels.some((l) => l.endsWith('in-progress'));
    return { id: key, scored: s, locked };
  });
}

/** `grace`: approved in this console, executing when its countdown ends unless `u` takes it back */
export type ProposalGroup = 'grace' | 'pending' | 'waiting' | 'recent';

export interface ProposalRow {
  readonly id: string;
  readonly proposal: TrackedProposal;
  readonly group: ProposalGroup;
  /** pending, waiting, approved, executing, executed, rejected, failed */
  readonly word: string;
  /** the reason, the gate that holds it, or how it ended */
  readonly line: string;
}

const GROUP_RANK: Readonly<Record<ProposalGroup, number>> = { grace: 0, pending: 1, waiting: 2, recent: 3 };

/** An approval's grace: when it ends (ISO), and the time now (ms), for its countdown. */
export interface Grace {
  readonly until: string;
  readonly now: number;
}

function proposalRow(p: TrackedProposal, grace?: Grace): ProposalRow | null {
  if (p.action === 'skip' || p.status === 'superseded') return null;
  if (p.status === 'approved' && grace !== undefined) {
    const left = Math.max(0, Math.ceil((Date.parse(grace.until) - grace.now) / 1000));
    // a gate (arming, a lock) holds it after the grace as well: the row says so rather than "executes"
    const gates = p.blockedBy.map((g) => (g.kind === 'disarmed' ? 'arming' : GATE_LABELS[g.kind]));
    const then = gates.length > 0 ? `u takes it back for ${left}s, then it waits for ${gates.join(', ')}` : `executes in ${left}s — u takes it back`;
    return { id: p.id, proposal: p, group: 'grace', word: `grace ${left}s`, line: `${then} · ${p.reason}` };
  }
  if (p.status === 'proposed') {
    // A gate other than the kill switch means approving it now would only make it wait: say so
    // before the operator acts, and keep it out of "approve all".
    const gates = p.blockedBy.filter((g) => g.kind !== 'disarmed').map((g) => GATE_LABELS[g.kind]);
    return gates.length > 0
      ? { id: p.id, proposal: p, group: 'waiting', word: 'gated', line: `${gates.join(', ')} · ${p.reason}` }
      : { id: p.id, proposal: p, group: 'pending', word: 'pending', line: p.reason };
  }
  if (p.status === 'approved' && (!p.executable || p.waiting !== null)) {
    // "waiting for arming" in so many words: an approval made disarmed runs only when armed
    const gates = p.blockedBy.map((g) => (g.kind === 'disarmed' ? 'waiting for arming' : GATE_LABELS[g.kind]));
    return { id: p.id, proposal: p, group: 'waiting', word: 'waiting', line: gates.length > 0 ? gates.join(', ') : (p.waiting ?? p.reason) };
  }
  const line = p.status === 'rejected' ? (p.note ?? p.reason) : (p.outcome ?? p.reason);
  return { id: p.id, proposal: p, group: 'recent', word: p.status, line };
}

/**
 * Approvals in their grace first (their countdown, from `now`), then pending, then waiting on a
 * gate, then recent approvals, rejections and outcomes (newest first).
 */
export function proposalRows(snapshot: EngineSnapshot, filter: string, now = 0): ProposalRow[] {
  const f = parseFilter(filter);
  const rows = [...snapshot.proposals.values()]
    .map((p) => {
      const until = snapshot.graceUntil.get(p.id);
      return proposalRow(p, until === undefined ? undefined : { until, now });
    })
    .filter((r): r is ProposalRow => r !== null)
    .filter((r) => {
      if (isEmpty(f)) return true;
      const d = snapshot.dispatches.get(r.id);
      return matchesFilter(f, { key: r.proposal.issueKey, scored: snapshot.backlog.get(r.proposal.issueKey), status: r.group === 'grace' ? 'grace' : r.word, agent: r.proposal.agentId, state: d ? stateWordsOf(d) : undefined });
    });
  const recent = rows.filter((r) => r.group === 'recent').reverse();
  return [...rows.filter((r) => r.group !== 'recent').sort((a, b) => GROUP_RANK[a.group] - GROUP_RANK[b.group]), ...recent];
}

export interface DispatchRow {
  readonly id: string;
  readonly dispatch: Supervised;
  /** still being worked on (not completed, deployed, awaiting review, cancelled or escalated) */
  readonly live: boolean;
  readonly trouble: boolean;
  /** "CI red!", "working", "ESCALATED!" — trouble reads as trouble without colour */
  readonly word: string;
  readonly lastEvent: string;
}

/** Whether the filter asks for dispatch states: then finished rows that aged out are shown again. */
const asksForStates = (f: Filter): boolean => f.terms.some((t) => t.key === 'state' && !t.negate);

/**
 * The In flight rows: live work on top (trouble first), then finished work, newest first. Finished
 * rows leave after `finishedRowMinutes` (config console.finishedRowMinutes) unless a `state:`
 * term asks for them (`/state:ended`, `/state:escalated`).
 */
export function dispatchRows(snapshot: EngineSnapshot, filter: string, now?: number, finishedRowMinutes = 30): DispatchRow[] {
  const f = parseFilter(filter);
  const showAged = now === undefined || asksForStates(f);
  const at = new Date(now ?? 0);
  const rows: DispatchRow[] = [];
  for (const d of snapshot.dispatches.values()) {
    if (!showAged && agedOut(d, at, finishedRowMinutes)) continue;
    const key = issueKey(d.repo, d.number);
    const p = snapshot.proposals.get(d.proposalId);
    const word = p ? proposalRow(p)?.word : undefined;
    if (!isEmpty(f) && !matchesFilter(f, { key, scored: snapshot.backlog.get(key), status: word, agent: d.agent.id, state: stateWordsOf(d) })) continue;
    const trouble = inTrouble(d);
    const words = phaseLabel(d.phase);
    rows.push({
      id: d.proposalId,
      dispatch: d,
      live: isLive(d.phase),
      trouble,
      // an acknowledged escalation reads as plain "escalated": seen, no longer asking
      word: trouble ? `${words.toUpperCase()}!` : words,
      lastEvent: d.history.at(-1)?.note ?? '',
    });
  }
  return orderDispatches(rows);
}

/** Live before finished; live trouble first (it is what the operator must look at); finished newest first. Sorting plugs in here. */
export function orderDispatches(rows: readonly DispatchRow[]): DispatchRow[] {
  const ended = (r: DispatchRow) => Date.parse(endedAt(r.dispatch) ?? '') || 0;
  const live = rows.filter((r) => r.live).sort((a, b) => Number(b.trouble) - Number(a.trouble));
  const finished = rows.filter((r) => !r.live).sort((a, b) => ended(b) - ended(a));
  return [...live, ...finished];
}

/** "3h", "2d", "42m", "9s" */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** "04:31" until a time; "00:00" when due */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const mm = Math.floor(s / 60);
  return `${String(mm).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Picker rows: agents suited to the task first (suggestAgents), then the others that fit, then those that cannot. */
export function pickerAgents(p: TrackedProposal, taskType: TaskType, agents: readonly Agent[]): PickerAgent[] {
  const action = p.action === 'flag' ? 'flag' : 'dispatch';
  const fitting = suggestAgents(taskType, agents, action);
  const note = (a: Agent) => [a.id === p.agentId ? 'current' : '', a.strengths.includes(taskType) ? `suited to ${taskType.replace('_', ' ')}` : ''].filter(Boolean).join(', ');
  return [
    ...fitting.map((a) => ({ id: a.id, name: a.displayName, note: note(a) })),
    ...agents.filter((a) => !fitting.includes(a)).map((a) => ({ id: a.id, name: a.displayName, note: `cannot ${action}` })),
  ];
}

/** How a row names its issue: `api#12` when several repos are enrolled, `#12` otherwise. */
export const issueLabel = (repo: string, number: number, multiRepo: boolean): string =>
  multiRepo ? `${repo.split('/').pop() ?? ''}#${number}` : `#${number}`;

/** The proposals pane's sorts: `status` keeps the groups' order; the others sort inside each group (pending stays on top). */
export const PROPOSAL_SORTS = ['status', 'tier', 'age', 'agent', 'issue'] as const;
export type ProposalSort = (typeof PROPOSAL_SORTS)[number];
/** The In flight pane's sorts: `state` is its own order (trouble first); `time` longest running first. */
export const DISPATCH_SORTS = ['state', 'time', 'agent', 'issue'] as const;
export type DispatchSort = (typeof DISPATCH_SORTS)[number];

export const nextOf = <T extends string>(list: readonly T[], current: T): T => list[(list.indexOf(current) + 1) % list.length] ?? current;

const byIssue = (a: { repo: string; number: number }, b: { repo: string; number: number }): number => a.repo.localeCompare(b.repo) || a.number - b.number;
const byAgent = (a: string | null, b: string | null): number => (a ?? '').localeCompare(b ?? '');

/** Proposal rows in `sort` order; ties keep the order they came in (sort is stable). */
export function sortProposalRows(rows: readonly ProposalRow[], sort: ProposalSort, backlog: EngineSnapshot['backlog']): ProposalRow[] {
  if (sort === 'status') return [...rows];
  const scored = (r: ProposalRow) => backlog.get(r.proposal.issueKey);
  const inGroup = (a: ProposalRow, b: ProposalRow): number => {
    switch (sort) {
      case 'tier': {
        const [x, y] = [scored(a), scored(b)];
        return x && y ? byPriority(x, y) : x ? -1 : y ? 1 : 0;
      }
      case 'age':
        return (scored(b)?.ageDays ?? -1) - (scored(a)?.ageDays ?? -1);
      case 'agent':
        return byAgent(a.proposal.agentId, b.proposal.agentId);
      case 'issue':
        return byIssue(a.proposal, b.proposal);
      default: {
        const never: never = sort;
        return never;
      }
    }
  };
  return [...rows].sort((a, b) => GROUP_RANK[a.group] - GROUP_RANK[b.group] || inGroup(a, b));
}

/** When the dispatch was first made (its first attempt). */
const firstAt = (d: Supervised): string => d.history[0]?.at ?? d.attemptStartedAt;

/** In-flight rows in `sort` order; `state` keeps the pane's own order. */
export function sortDispatchRows(rows: readonly DispatchRow[], sort: DispatchSort): DispatchRow[] {
  if (sort === 'state') return [...rows];
  const within = (a: DispatchRow, b: DispatchRow): number => {
    switch (sort) {
      case 'time':
        return Date.parse(firstAt(a.dispatch)) - Date.parse(firstAt(b.dispatch));
      case 'agent':
        return byAgent(a.dispatch.agent.id, b.dispatch.agent.id);
      case 'issue':
        return byIssue(a.dispatch, b.dispatch);
      default: {
        const never: never = sort;
        return never;
      }
    }
  };
  // Live work stays on top whatever the sort: the sort orders within live and within ended.
  return [...rows].sort((a, b) => Number(!a.live) - Number(!b.live) || within(a, b));
}
