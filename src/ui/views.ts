import { type Dispatch, stateWords, TROUBLE_STATES } from '../core/dispatch.js';
import type { EngineSnapshot } from '../core/engine-state.js';
import { issueKey } from '../core/issue.js';
import { GATE_LABELS } from '../core/policy.js';
import { byPriority, type TrackedProposal } from '../core/proposal-queue.js';
import { type Agent, suggestAgents, type TaskType } from '../core/routing.js';
import type { ScoredIssue } from '../core/scoring.js';
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

export interface Filter {
  readonly text: readonly string[];
  readonly type: readonly string[];
  readonly tier: readonly string[];
  readonly repo: readonly string[];
  readonly label: readonly string[];
  readonly ready: boolean;
}

/** `/` syntax: free words plus `type:bug`, `tier:P0`, `ready`, `repo:name`, `label:x`; all must match. */
export function parseFilter(source: string): Filter {
  const f = { text: [] as string[], type: [] as string[], tier: [] as string[], repo: [] as string[], label: [] as string[], ready: false };
  for (const word of source.toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = /^(type|tier|repo|label):(.+)$/.exec(word);
    if (m) f[m[1] as 'type' | 'tier' | 'repo' | 'label'].push(m[2]!);
    else if (word === 'ready') f.ready = true;
    else f.text.push(word);
  }
  return f;
}

const repoMatches = (repo: string, want: string): boolean => {
  const r = repo.toLowerCase();
  return r === want || r.endsWith(`/${want}`);
};

/** An issue key always matches free text on its key; the scored issue, when known, on the rest. */
export function matchesFilter(f: Filter, key: string, s: ScoredIssue | undefined): boolean {
  const repo = key.slice(0, key.lastIndexOf('#'));
  if (f.repo.length > 0 && !f.repo.some((want) => repoMatches(repo, want))) return false;
  if (s === undefined) return f.type.length === 0 && f.tier.length === 0 && f.label.length === 0 && !f.ready && f.text.every((w) => key.toLowerCase().includes(w));
  if (f.ready && !s.ready) return false;
  if (f.type.length > 0 && !f.type.includes(s.type)) return false;
  if (f.tier.length > 0 && !f.tier.includes(s.tier.toLowerCase())) return false;
  const labels = s.issue.labels.map((l) => l.toLowerCase());
  if (f.label.length > 0 && !f.label.every((want) => labels.includes(want))) return false;
  const hay = `${key} #${s.issue.number} ${s.issue.title} ${labels.join(' ')}`.toLowerCase();
  return f.text.every((w) => hay.includes(w));
}

const isEmpty = (f: Filter): boolean =>
  f.text.length + f.type.length + f.tier.length + f.repo.length + f.label.length === 0 && !f.ready;

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
  return withLocks(sortedBacklog(snapshot.backlog, filter, sort), snapshot);
}

/**
 * The backlog filtered and sorted: the costly half of `backlogRows`, which depends on the backlog
 * alone, so the console keeps it while other parts of the snapshot change.
 */
export function sortedBacklog(backlog: EngineSnapshot['backlog'], filter: string, sort: SortKey): [string, ScoredIssue][] {
  const f = parseFilter(filter);
  const out: [string, ScoredIssue][] = [];
  for (const entry of backlog) {
    if (!isEmpty(f) && !matchesFilter(f, entry[0], entry[1])) continue;
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

export type ProposalGroup = 'pending' | 'waiting' | 'recent';

export interface ProposalRow {
  readonly id: string;
  readonly proposal: TrackedProposal;
  readonly group: ProposalGroup;
  /** pending, waiting, approved, executing, executed, rejected, failed */
  readonly word: string;
  /** the reason, the gate that holds it, or how it ended */
  readonly line: string;
}

const GROUP_RANK: Readonly<Record<ProposalGroup, number>> = { pending: 0, waiting: 1, recent: 2 };

function proposalRow(p: TrackedProposal): ProposalRow | null {
  if (p.action === 'skip' || p.status === 'superseded') return null;
  if (p.status === 'proposed') {
    // A gate other than the kill switch means approving it now would only make it wait: say so
    // before the operator acts, and keep it out of "approve all".
    const gates = p.blockedBy.filter((g) => g.kind !== 'disarmed').map((g) => GATE_LABELS[g.kind]);
    return gates.length > 0
      ? { id: p.id, proposal: p, group: 'waiting', word: 'gated', line: `${gates.join(', ')} · ${p.reason}` }
      : { id: p.id, proposal: p, group: 'pending', word: 'pending', line: p.reason };
  }
  if (p.status === 'approved' && (!p.executable || p.waiting !== null)) {
    const gates = p.blockedBy.map((g) => GATE_LABELS[g.kind]);
    return { id: p.id, proposal: p, group: 'waiting', word: 'waiting', line: gates.length > 0 ? gates.join(', ') : (p.waiting ?? p.reason) };
  }
  const line = p.status === 'rejected' ? (p.note ?? p.reason) : (p.outcome ?? p.reason);
  return { id: p.id, proposal: p, group: 'recent', word: p.status, line };
}

/** Pending first, then waiting on a gate, then recent approvals, rejections and outcomes (newest first). */
export function proposalRows(snapshot: EngineSnapshot, filter: string): ProposalRow[] {
  const f = parseFilter(filter);
  const rows = [...snapshot.proposals.values()]
    .filter((p) => isEmpty(f) || matchesFilter(f, p.issueKey, snapshot.backlog.get(p.issueKey)))
    .map(proposalRow)
    .filter((r): r is ProposalRow => r !== null);
  const recent = rows.filter((r) => r.group === 'recent').reverse();
  return [...rows.filter((r) => r.group !== 'recent').sort((a, b) => GROUP_RANK[a.group] - GROUP_RANK[b.group]), ...recent];
}

export interface DispatchRow {
  readonly id: string;
  readonly dispatch: Dispatch;
  readonly trouble: boolean;
  /** "working", "STALLED!" — trouble reads as trouble without colour */
  readonly word: string;
  readonly lastEvent: string;
}

export const isTrouble = (d: Dispatch): boolean => TROUBLE_STATES.has(d.state) || d.state === 'escalated';

export function dispatchRows(snapshot: EngineSnapshot, filter: string): DispatchRow[] {
  const f = parseFilter(filter);
  const rows: DispatchRow[] = [];
  for (const d of snapshot.dispatches.values()) {
    const key = issueKey(d.repo, d.number);
    if (!isEmpty(f) && !matchesFilter(f, key, snapshot.backlog.get(key))) continue;
    const trouble = isTrouble(d);
    const words = stateWords(d.state);
    rows.push({ id: d.proposalId, dispatch: d, trouble, word: trouble ? `${words.toUpperCase()}!` : words, lastEvent: d.history.at(-1)?.note ?? '' });
  }
  // Trouble first: it is what the operator must look at.
  return rows.sort((a, b) => Number(b.trouble) - Number(a.trouble));
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
