import { phaseLabel } from '../core/dispatch-view.js';
import type { EngineSnapshot } from '../core/engine-state.js';
import { issueKey } from '../core/issue.js';
import { GATE_LABELS } from '../core/policy.js';
import type { TrackedProposal } from '../core/proposal-queue.js';
import { sanitize } from '../core/sanitize.js';
import { taskPrompt } from '../core/prompts.js';
import type { Agent } from '../core/routing.js';
import type { ScoredIssue } from '../core/scoring.js';
import type { Supervised } from '../core/supervision-types.js';
import type { Target } from './ui-state.js';
import { liveProposals, shortDuration } from './views.js';
import { wrap } from './wrap.js';

export type Tone = 'title' | 'heading' | 'dim' | 'warn' | 'bad' | 'good' | undefined;

export interface Line {
  readonly text: string;
  readonly tone?: Tone;
  /** a line of side-by-side columns, each with its own tone (then `text` is their plain concatenation) */
  readonly parts?: readonly { readonly text: string; readonly tone?: Tone }[];
}

const clean = (text: string): string => sanitize(text);

/** The id `switchboard approve|reject|reroute` and `status` take: a unique prefix is enough. */
export const shortId = (id: string): string => id.slice(0, 8);
const list = (items: readonly string[]): string => items.map(clean).join(', ');

/** Which evidence gave each point of the score (the signals scoring found). */
export function scoreExplanation(s: ScoredIssue): string[] {
  const sig = s.signals;
  const tm = s.tagMatches;
  const scope = [
    sig.fileRef !== null ? `file ${sig.fileRef}` : null,
    sig.funcRef !== null ? `function ${sig.funcRef}` : null,
    `title ${sig.titleLength} chars`,
    tm.meta.length > 0 ? `meta tags ${list(tm.meta)} (−2)` : null,
  ];
  const acceptance = [
    sig.acceptanceCount > 0 ? `${sig.acceptanceCount} criteria word${sig.acceptanceCount === 1 ? '' : 's'} (${list(sig.acceptanceWords)})` : 'no criteria words',
    sig.testRef !== null ? `test ${sig.testRef}` : null,
    sig.section !== null ? `section "${sig.section}"` : null,
    tm.meta.length > 0 ? 'meta (−1)' : null,
  ];
  const alignment =
    tm.bug.length > 0
      ? [`bug tags ${list(tm.bug)} (3)`]
      : [
          tm.refactor.length > 0 ? `refactor tags ${list(tm.refactor)} (+2)` : null,
          tm.feature.length > 0 ? `feature tags ${list(tm.feature)} (+2)` : null,
          tm.loop.length > 0 ? `loop tags ${list(tm.loop)} (+1)` : null,
          tm.meta.length > 0 ? 'meta (0)' : null,
        ];
  const join = (parts: readonly (string | null)[]) => parts.filter((p): p is string => p !== null).map(clean).join(' · ') || 'nothing found';
  return [
    `score ${s.score} = scope ${s.scope} + acceptance ${s.acceptance} + alignment ${s.alignment} — ${s.ready ? 'ready' : 'not ready'}`,
    `  scope ${s.scope}: ${join(scope)}`,
    `  acceptance ${s.acceptance}: ${join(acceptance)}`,
    `  alignment ${s.alignment}: ${join(alignment)}`,
    `  type ${s.type}, tier ${s.tier}${tm.p0.length > 0 ? ` (P0 tags ${list(tm.p0)})` : ''}, task ${s.taskType}`,
    ...(sig.blockedBy ? [`  blocked: the ${sig.blockedBy.where} says "${clean(sig.blockedBy.text)}"`] : []),
  ];
}

function proposalLines(p: TrackedProposal): Line[] {
  const out: Line[] = [
    { text: `Proposal ${shortId(p.id)}`, tone: 'heading' },
    { text: `${p.action}${p.agentId ? ` → ${clean(p.agentId)}` : ''}  ${p.status}${p.approvedBy ? ` by ${clean(p.approvedBy)}` : ''}${p.reroutedFrom ? `  (re-routed from ${clean(p.reroutedFrom)})` : ''}` },
    { text: clean(p.reason) },
  ];
  if (p.blockedBy.length > 0) {
    out.push({ text: 'gates:', tone: 'warn' });
    for (const g of p.blockedBy) out.push({ text: `  ${GATE_LABELS[g.kind]}: ${clean(g.detail)}`, tone: 'warn' });
  } else if (p.action !== 'skip') {
    out.push({ text: 'gates: clear', tone: 'good' });
  }
  if (p.waiting) out.push({ text: `waiting: ${clean(p.waiting)}`, tone: 'warn' });
  if (p.outcome) out.push({ text: `outcome: ${clean(p.outcome)}`, tone: p.status === 'failed' ? 'bad' : undefined });
  if (p.note) out.push({ text: `note: ${clean(p.note)}` });
  if (p.action !== 'skip') out.push({ text: `from another shell: switchboard approve ${shortId(p.id)} (or reject, reroute)`, tone: 'dim' });
  out.push({ text: 'what would change the decision:' });
  if (p.whatWouldChange.length === 0) out.push({ text: '  nothing short of a different issue', tone: 'dim' });
  for (const w of p.whatWouldChange) out.push({ text: `  • ${clean(w)}` });
  return out;
}

/** The lessons a dispatch of issue `key` to `agentId` would carry in its prompt, as lines (lessons-view.ts). */
export type PromptLessons = (key: string, scored: ScoredIssue | undefined, agentId: string) => Line[];

/** What the detail view of a dispatch needs beside the snapshot: the agents and the configured preamble, for the prompt. */
export interface DetailContext {
  readonly agents?: readonly Agent[];
  /** config implementerPreamble */
  readonly preamble?: string;
  /** the lessons a dispatch's prompt would carry (lessons-view.ts); absent: not shown */
  readonly promptLessons?: PromptLessons;
}

const CI_WORDS = { none: 'no CI reported', pending: 'CI running', green: 'CI green', red: 'CI red' } as const;

/** A dispatch: where it is, what it went through, why it escalated, what its agent was told, what the operator can do. */
function dispatchLines(d: Supervised, issue: ScoredIssue['issue'] | undefined, age: (iso: string) => string, context: DetailContext): Line[] {
  const out: Line[] = [{ text: 'Dispatch', tone: 'heading' }];
  out.push({
    text: `${clean(d.agent.id)} (${d.agent.kind})  ${phaseLabel(d.phase)}  attempt ${d.attempt}  started ${age(d.attemptStartedAt)}  last progress ${age(d.lastProgressAt)}`,
  });
  out.push({ text: `re-dispatches ${d.hops} · retries ${d.retries} · fix-forwards ${d.fixForwards}${d.retryAt ? ` · next retry at ${d.retryAt.slice(11, 19)} UTC` : ''}`, tone: 'dim' });
  if (d.pr) {
    out.push({ text: `PR #${d.pr.number}  head ${clean(d.pr.headSha.slice(0, 10))}  ${CI_WORDS[d.pr.ci]}`, tone: d.pr.ci === 'red' ? 'warn' : d.pr.ci === 'green' ? 'good' : undefined });
  } else out.push({ text: 'PR: none yet', tone: 'dim' });
  const p = d.progress;
  const checklist = [
    p.dispatched ? '✓ dispatched' : '· dispatched',
    p.pr !== null ? `✓ PR #${p.pr}` : '· PR',
    `${p.ci === 'green' ? '✓' : p.ci === 'red' ? '✗' : '·'} CI`,
    ...(p.fixForwards > 0 ? [`✓ fix-forward ${p.fixForwards}`] : []),
    p.merged ? '✓ merged' : '· merged',
    p.closed ? '✓ closed' : '· closed',
    ...(p.deployed ? ['✓ deployed'] : []),
  ];
  out.push({ text: `progress: ${checklist.join('  ')}` });
  if (d.escalation) {
    const ack = d.escalation.acknowledgedBy;
    out.push({ text: `escalated (${d.escalation.cause}): ${clean(d.escalation.why)}`, tone: 'bad' });
    out.push({ text: ack !== null ? `  acknowledged by ${clean(ack)}` : '  not acknowledged yet: K acknowledges it', tone: ack !== null ? 'dim' : 'warn' });
  }
  out.push({ text: 'history:' });
  for (const h of d.history) out.push({ text: `  ${age(h.at).padStart(8)}  ${phaseLabel(h.phase)}  ${clean(h.note)}` });
  const agent = context.agents?.find((a) => a.id === d.agent.id);
  if (issue && agent && (agent.kind === 'http' || agent.kind === 'command')) {
    out.push({ text: '' }, { text: `Prompt (what ${clean(agent.id)} was sent)`, tone: 'heading' });
    const prompt = taskPrompt(agent, context.preamble ?? '', issue);
    out.push(...sanitize(prompt, { multiline: true }).split('\n').map((text) => ({ text })));
    out.push({ text: "followed by the repo's lessons at dispatch time, when there were any", tone: 'dim' });
    if (d.fixForwards > 0) out.push({ text: `then ${d.fixForwards} fix-forward prompt${d.fixForwards === 1 ? '' : 's'}, each naming the failing checks and the head commit`, tone: 'dim' });
  }
  out.push({ text: `keys: t retry · r re-route · c cancel · d mark done · K acknowledge — from another shell: switchboard dispatch retry ${shortId(d.proposalId)}`, tone: 'dim' });
  return out;
}

/** Everything the detail view shows for a row, as plain lines (wrapped to `width`). */
export function detailLines(snapshot: EngineSnapshot, target: Target, width: number, now?: number, context: DetailContext = {}): Line[] {
  // ages read at a glance; the exact time is what a log or the journal is searched by
  const age = (iso: string): string => (now === undefined ? iso : `${shortDuration(now - Date.parse(iso))} ago`);
  let key: string | null = null;
  let proposal: TrackedProposal | undefined;
  const dispatch = target.pane === 'dispatches' || target.pane === 'proposals' ? snapshot.dispatches.get(target.id) : undefined;
  if (target.pane === 'backlog') {
    key = target.id;
    proposal = liveProposals(snapshot).get(key);
  } else if (target.pane === 'proposals') {
    proposal = snapshot.proposals.get(target.id);
    key = proposal?.issueKey ?? null;
  } else if (dispatch) {
    key = issueKey(dispatch.repo, dispatch.number);
    proposal = snapshot.proposals.get(dispatch.proposalId);
  }
  if (key === null) return [{ text: 'This row is gone (it was superseded or finished).', tone: 'dim' }];
  const scored = snapshot.backlog.get(key);
  const out: Line[] = [];
  const title = scored ? `${clean(key)}  ${clean(scored.issue.title)}` : clean(key);
  out.push({ text: title, tone: 'title' });
  if (scored) {
    const i = scored.issue;
    out.push({ text: `labels: ${i.labels.length > 0 ? list(i.labels) : '—'}   assignees: ${i.assignees.length > 0 ? list(i.assignees) : '—'}   by @${clean(i.author)}   ${scored.ageDays}d old`, tone: 'dim' });
    out.push({ text: '' }, { text: 'Score', tone: 'heading' }, ...scoreExplanation(scored).map((text) => ({ text })));
  }
  if (proposal) out.push({ text: '' }, ...proposalLines(proposal));
  if (dispatch) out.push({ text: '' }, ...dispatchLines(dispatch, scored?.issue, age, context));
  const pid = dispatch?.proposalId ?? proposal?.id;
  const writes = snapshot.recentWrites.filter((w) => w.proposalId !== null && w.proposalId === pid);
  if (writes.length > 0) {
    out.push({ text: '' }, { text: 'Writes', tone: 'heading' });
    for (const w of writes) out.push({ text: `  ${age(w.at)}  ${w.dryRun ? '[dry run — not written] ' : ''}${clean(w.what)}  ${clean(w.summary)}`, tone: w.dryRun ? 'dim' : undefined });
  }
  const agentId = dispatch?.agent.id ?? (proposal?.action === 'dispatch' ? proposal.agentId : null);
  if (context.promptLessons && agentId) out.push(...context.promptLessons(key, scored, agentId));
  if (scored) {
    out.push({ text: '' }, { text: 'Body', tone: 'heading' });
    out.push(...sanitize(scored.issue.body, { multiline: true }).split('\n').map((text) => ({ text })));
  }
  return out.flatMap((l) => wrap(l.text, width).map((text) => ({ text, tone: l.tone })));
}
