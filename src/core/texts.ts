import { z } from 'zod';
import { escapeMarkdown } from './sanitize.js';
import type { Action, Proposal } from './policy.js';
import { describeAgentAction } from './policy.js';
import type { Agent } from './routing.js';
import type { ScoredIssue } from './scoring.js';

/**
 * Every comment switchboard writes, as pure functions returning markdown. Each ends with a hidden
 * marker `<!-- switchboard:v1 {json} -->` naming the proposal, so a restart (or another console)
 * can see what was already done. Tracker text quoted in a comment is defused so it can neither
 * close the marker early nor plant a marker of its own.
 */

export const MARKER_KINDS = ['audit', 'dispatch', 'escalation', 'stand-down', 'summary', 'progress', 'fix-forward', 'completion', 'cancel', 'retracted'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export const MarkerSchema = z.object({
  kind: z.enum(MARKER_KINDS),
  proposal: z.string().max(64),
  console: z.string().max(128),
  action: z.string().max(32),
  agent: z.string().max(64),
  attempt: z.number().int().min(0).max(1000).optional(),
  /** ISO time the claim was made (audit markers); claims expire */
  at: z.string().max(40).optional(),
});
export type Marker = z.output<typeof MarkerSchema>;

const MARKER_OPEN = '<!-- switchboard:v1 ';
const MARKER_CLOSE = ' -->';

/** JSON that cannot end an HTML comment or open a tag, whatever its strings hold. */
const safeJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&-]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export const renderMarker = (marker: Marker): string => `${MARKER_OPEN}${safeJson(marker)}${MARKER_CLOSE}`;

/**
 * The marker a comment ends with, or null. Only the final marker counts, and only when nothing but
 * white space follows it — text quoted earlier in a comment can never be read as a marker.
 * Callers must also check the comment's author (see trustedMarkers).
 */
export function parseMarker(body: string): Marker | null {
  const trimmed = body.trimEnd();
  if (!trimmed.endsWith(MARKER_CLOSE.trim())) return null;
  const start = trimmed.lastIndexOf(MARKER_OPEN);
  if (start < 0) return null;
  const json = trimmed.slice(start + MARKER_OPEN.length, trimmed.length - MARKER_CLOSE.length);
  if (json.includes('-->')) return null;
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface CommentLike {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly createdAt: string;
}

/** Markers from comments written by switchboard's own tracker user; everyone else's are ignored. */
export function trustedMarkers<C extends CommentLike>(comments: readonly C[], selfLogin: string): { comment: C; marker: Marker }[] {
  const out: { comment: C; marker: Marker }[] = [];
  for (const comment of comments) {
    if (comment.author !== selfLogin) continue;
    const marker = parseMarker(comment.body);
    if (marker) out.push({ comment, marker });
  }
  return out;
}

/** Tracker text quoted inside one of our comments: no HTML comments, no mentions, bounded. */
export function quoteUntrusted(text: string, maxChars = 2000): string {
  let t = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  t = t.replace(/<!--/g, '&lt;!--').replace(/--!?>/g, '--&gt;');
  t = t.replace(/(^|[^\w`])@([A-Za-z0-9_.-]+)/g, '$1`@$2`');
  return t
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

/** "2026-03-20 10:00 UTC" */
export const formatUtc = (now: Date): string => `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export interface AuditInput {
  readonly proposal: Pick<Proposal, 'id' | 'action' | 'agentId' | 'reason'>;
  readonly agent: Agent;
  readonly ownerLogin: string;
  readonly approvedBy: string;
  readonly consoleId: string;
  readonly inProgressLabel: string;
  readonly now: Date;
}

function decisionText(action: Action, agent: Agent, ownerLogin: string): string {
  if (action === 'flag') return `Flagging for @${ownerLogin} — issue appears blocked or needs human decision.`;
  if (agent.kind === 'tracker' && agent.assignee && !agent.label && !agent.mention) return `Assigning to @${agent.assignee} for implementation.`;
  const what = describeAgentAction(agent);
  return `Dispatching to ${agent.displayName}: ${what}.`;
}

/** The audit comment: the decision, why, who approved it and how to override. It is also the claim. */
/** The marker of a claim (audit) or of standing down from one. */
const claimMarker = (kind: 'audit' | 'stand-down', i: Pick<AuditInput, 'proposal' | 'agent' | 'consoleId' | 'now'>): Marker => ({
  kind,
  proposal: i.proposal.id,
  console: i.consoleId,
  action: i.proposal.action,
  agent: i.agent.id,
  at: i.now.toISOString(),
});

export function auditComment(i: AuditInput): string {
  const marker = claimMarker('audit', i);
  return [
    `**[switchboard triage — ${formatUtc(i.now)}]**`,
    '',
    `**Decision:** ${decisionText(i.proposal.action, i.agent, i.ownerLogin)}`,
    '',
    `**Why:** ${i.proposal.reason}`,
    '',
    `**Approved by:** ${i.approvedBy}`,
    '',
    `*Proposed by switchboard and approved before anything was written. To override: reply here, ` +
      `reassign the issue, or remove the \`${i.inProgressLabel}\` label; reject or re-route future ` +
      `proposals from the console.*`,
    '',
    renderMarker(marker),
  ].join('\n');
}

/** The edited audit comment of a console that lost the claim to another one. */
export function standDownComment(i: Omit<AuditInput, 'approvedBy' | 'inProgressLabel'> & { readonly winner: string }): string {
  const marker = claimMarker('stand-down', i);
  return [
    `**[switchboard triage — ${formatUtc(i.now)}]**`,
    '',
    `**Standing down:** another switchboard console (\`${i.winner}\`) claimed this issue first. ` +
      `This console writes nothing more here.`,
    '',
    renderMarker(marker),
  ].join('\n');
}

/** Acceptance criteria read from an issue body: a criteria section's items, else its checkboxes. */
export function acceptanceCriteria(body: string, max = 20): string[] {
  const lines = body.split(/\r?\n/);
  const out: string[] = [];
  let inSection = false;
  for (const line of lines) {
    const heading = /^\s{0,3}#{1,6}\s*(.*)$/.exec(line);
    if (heading) {
      inSection = /acceptance|criteria|definition of done|expected/i.test(heading[1] ?? '');
      continue;
    }
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?(.+)$/.exec(line);
    if (item && (inSection || /^\s*[-*+]\s+\[[ xX]\]/.test(line))) out.push((item[1] ?? '').trim());
    if (out.length >= max) break;
  }
  return out;
}

export interface DispatchInput {
  readonly proposalId: string;
  readonly agent: Agent;
  readonly scored: Pick<ScoredIssue, 'taskType' | 'displayTitle'> & { readonly issue: { readonly body: string } };
  readonly consoleId: string;
  readonly attempt: number;
  /** for http/command agents: what was sent or started (run id, log file) */
  readonly detail?: string;
}

/** The dispatch comment (reference dispatcher layout): task type, description, criteria. */
export function dispatchComment(i: DispatchInput): string {
  const criteria = acceptanceCriteria(i.scored.issue.body);
  const criteriaMd = criteria.length > 0 ? criteria.map((c) => `- ${defuse(c)}`).join('\n') : '_None specified_';
  const description = i.scored.issue.body.trim() ? quoteUntrusted(i.scored.issue.body) : '_No description._';
  const marker: Marker = {
    kind: 'dispatch',
    proposal: i.proposalId,
    console: i.consoleId,
    action: 'dispatch',
    agent: i.agent.id,
    attempt: i.attempt,
  };
  // A mention agent (Claude Code's GitHub Action, Copilot) starts on the comment naming it: this one.
  const mention = i.agent.kind === 'tracker' && i.agent.mention ? [`${i.agent.mention} please take on this issue: the task is below.`, ''] : [];
  return [
    ...mention,
    `## Assigned to ${i.agent.displayName}`,
    '',
    `**Task type:** \`${i.scored.taskType}\``,
    '',
    `**Description:**`,
    description,
    '',
    `**Acceptance criteria:**`,
    criteriaMd,
    ...(i.detail ? ['', `**Dispatch:** ${defuse(i.detail)}`] : []),
    '',
    `---`,
    `*Dispatched by switchboard${i.attempt > 1 ? ` (attempt ${i.attempt})` : ''}.*`,
    '',
    renderMarker(marker),
  ].join('\n');
}

/** One line of tracker text, defused for embedding. */
const defuse = (text: string): string => quoteUntrusted(text.replace(/\n/g, ' '), 300).slice(2);

export interface EscalationInput {
  readonly proposalId: string;
  readonly agent: Agent;
  readonly attempts: number;
  readonly why: string;
  readonly ownerLogin: string;
  readonly consoleId: string;
}

/** Posted when a dispatch times out, stalls, loops or fails past its retries. */
export function escalationComment(i: EscalationInput): string {
  const marker: Marker = {
    kind: 'escalation',
    proposal: i.proposalId,
    console: i.consoleId,
    action: 'escalate',
    agent: i.agent.id,
    attempt: i.attempts,
  };
  return [
    `## Dispatch escalated`,
    '',
    `Could not complete with **${i.agent.displayName}** after ${i.attempts} attempt(s).`,
    '',
    `**Why:** ${i.why}`,
    '',
    `Manual intervention required: @${i.ownerLogin}`,
    '',
    ...supervisorFooter(marker),
  ].join('\n');
}

/** The closing lines of the supervisor's comments: a rule, who wrote it, the marker last. */
const supervisorFooter = (marker: Marker): string[] => ['---', '*switchboard agent supervisor.*', '', renderMarker(marker)];

/**
 * The comment that flags an issue for its human owner. It carries a `dispatch` marker (action
 * `flag`) so a restart sees the flag was already raised.
 */
export function flagComment(i: {
  readonly proposal: Pick<Proposal, 'id' | 'reason'>;
  readonly ownerLogin: string;
  readonly agentId: string;
  readonly consoleId: string;
}): string {
  const marker: Marker = { kind: 'dispatch', proposal: i.proposal.id, console: i.consoleId, action: 'flag', agent: i.agentId, attempt: 1 };
  return [
    `## Needs a human decision`,
    '',
    `@${i.ownerLogin}, switchboard will not hand this issue to an agent yet.`,
    '',
    // The reason can quote tracker text (the blocking words); defuse it like any quote.
    `**Why:**`,
    quoteUntrusted(i.proposal.reason, 500),
    '',
    ...supervisorFooter(marker),
  ].join('\n');
}

/** Title of the daily summary issue. */
export const summaryTitle = (now: Date): string => `[Triage] Daily backlog summary — ${now.toISOString().slice(0, 10)}`;

/** The daily summary (reference layout: totals, top 10 ready, actions taken, skipped). */
export function dailySummary(i: {
  now: Date;
  totalOpen: number;
  scored: readonly ScoredIssue[];
  actions: readonly Pick<Proposal, 'number' | 'repo' | 'action' | 'agentId' | 'reason'>[];
  skipped: readonly Pick<Proposal, 'number' | 'repo' | 'reason'>[];
  consoleId: string;
}): string {
  const multiRepo = new Set(i.scored.map((s) => s.issue.repo)).size > 1;
  const ref = (repo: string, n: number) => (multiRepo ? `${repo}#${n}` : `#${n}`);
  const ready = i.scored.filter((s) => s.ready);
  const lines = [
    `# switchboard backlog triage — ${formatUtc(i.now)}`,
    '',
    `**Open issues:** ${i.totalOpen} | **Scored:** ${i.scored.length} | **Ready:** ${ready.length} | ` +
      `**Dispatched this cycle:** ${i.actions.length}`,
    '',
    '## Top 10 Ready Issues (by score)',
    '',
  ];
  const top = [...ready].sort((a, b) => b.score - a.score || a.issue.number - b.issue.number).slice(0, 10);
  for (const s of top) {
    const flag = s.type === 'bug' ? '🐛' : s.p0 ? '⚡' : '✦';
    const title = [...s.displayTitle].slice(0, 80).join('');
    lines.push(`- ${flag} **${ref(s.issue.repo, s.issue.number)}** (score=${s.score}, age=${s.ageDays}d) — ${defuse(escapeMarkdown(title))}`);
  }
  if (i.actions.length > 0) {
    lines.push('', '## Actions Taken', '');
    for (const a of i.actions) {
      lines.push(`- ${ref(a.repo, a.number)} → \`${a.action}\` (${a.agentId ?? '-'}): ${defuse(escapeMarkdown(a.reason.slice(0, 100)))}`);
    }
  }
  if (i.skipped.length > 0) {
    lines.push('', `## Skipped (${i.skipped.length} issues)`, '');
    for (const s of i.skipped.slice(0, 5)) lines.push(`- ${ref(s.repo, s.number)}: ${defuse(escapeMarkdown(s.reason.slice(0, 80)))}`);
    if (i.skipped.length > 5) lines.push(`- … and ${i.skipped.length - 5} more`);
  }
  lines.push(
    '',
    '---',
    '*Auto-generated by switchboard. Override any decision by reassigning or commenting.*',
    '',
    renderMarker({ kind: 'summary', proposal: i.now.toISOString().slice(0, 10), console: i.consoleId, action: 'summary', agent: '-' }),
  );
  return lines.join('\n');
}

/** "3 approvals carried over from an earlier run" (the console's notice, the headless line) */
export const carriedWords = (n: number): string => `${n} approval${n === 1 ? '' : 's'} carried over from an earlier run`;
