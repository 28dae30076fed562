import { plainContext, safeTargetUrl } from './prompts.js';
import type { CiVerdict, CommitSeen, EscalationCause, FixForwardRequest, Progress, Supervised, WatchPhase } from './supervision-types.js';
import { formatUtc, type Marker, quoteUntrusted, renderMarker } from './texts.js';

/**
 * The comments of a supervised dispatch: fix-forward, completion, escalation per cause, the
 * retracted audit, cancellation, awaiting review and the progress checklist. Pure; every piece
 * of tracker or agent text in them is defused.
 */

export interface WatchCommentIds {
  readonly proposalId: string;
  readonly consoleId: string;
  readonly agentId: string;
}

const marker = (kind: Marker['kind'], i: WatchCommentIds, action: string, attempt?: number): string =>
  renderMarker({ kind, proposal: i.proposalId, console: i.consoleId, action, agent: i.agentId, ...(attempt === undefined ? {} : { attempt }) });

/** One line of untrusted text, defused for embedding. */
const defuse = (text: string, max = 300): string => quoteUntrusted(text.replace(/\n/g, ' '), max).slice(2);

const footer = (m: string): string[] => ['---', '*switchboard agent supervisor.*', '', m];

/** The corrective turn addressed to a tracker agent: failing contexts, their URLs, the head SHA. */
export function fixForwardComment(i: WatchCommentIds & { readonly request: FixForwardRequest; readonly agentName: string }): string {
  const r = i.request;
  const who = r.agent.login ? `@${r.agent.login}` : i.agentName;
  const rows = r.failing.map((c) => {
    const url = safeTargetUrl(c.targetUrl);
    return `| \`${plainContext(c.context)}\` | ${c.state} | ${url ? `[details](${url})` : '—'} |`;
  });
  return [
    `## CI is red — fix forward (${r.round}/${r.maxRounds})`,
    '',
    `${who}, CI failed on pull request #${r.pr} at commit \`${r.headSha}\`.`,
    '',
    '| check | state | details |',
    '|---|---|---|',
    ...(rows.length > 0 ? rows : ['| (no context named) | failure | — |']),
    '',
    'Please push a fix to the same branch; a new commit starts CI again. ' +
      (r.round >= r.maxRounds ? 'This is the last fix-forward before a human is asked.' : ''),
    '',
    ...footer(marker('fix-forward', i, 'fix-forward', r.round)),
  ].join('\n');
}

/** Posted when switchboard closes an issue whose merged PR did not close it. */
export function completionComment(i: WatchCommentIds & { readonly pr: number; readonly mergeSha: string | null; readonly now: Date }): string {
  const sha = i.mergeSha ? ` (merge commit \`${i.mergeSha.slice(0, 12)}\`)` : '';
  return [
    `## Done: pull request #${i.pr} merged`,
    '',
    `Pull request #${i.pr} was merged with green CI${sha}, but the merge did not close this issue, ` +
      `so switchboard closes it (${formatUtc(i.now)}). Reopen it if the work is not finished.`,
    '',
    ...footer(marker('completion', i, 'complete')),
  ].join('\n');
}

const CAUSE_HEADINGS: Record<EscalationCause, string> = {
  refused: 'The agent refused the dispatch',
  stall: 'The agent went quiet',
  timeout: 'No result in time',
  'agent-failed': 'The agent reported a failure',
  loop: 'The agent is repeating itself',
  'ci-red': 'CI stayed red after fixing forward',
  'max-hops': 'Too many re-dispatches',
  'merged-red': 'Merged with red CI',
  'deploy-failed': 'The deploy failed',
};

const CAUSE_ADVICE: Record<EscalationCause, string> = {
  refused: 'The dispatch did not happen: no agent is working on this issue.',
  stall: 'No commit, CI change or comment from the agent or a maintainer came in time.',
  timeout: 'The agent ran past its time limit.',
  'agent-failed': 'The agent ended its run with an error.',
  loop: 'It kept posting the same thing without a new commit or a CI change.',
  'ci-red': 'The pull request needs a human to look at the failing checks.',
  'max-hops': 'Retries, re-routes and fix-forwards reached the limit for one issue.',
  'merged-red': 'The default branch may be broken now.',
  'deploy-failed': 'The change is merged but did not deploy.',
};

export const escalationHeading = (cause: EscalationCause): string => CAUSE_HEADINGS[cause];

/** Seed 004 `SuggestNextSteps`: what a human can do next, by cause. */
const NEXT_STEPS: Record<EscalationCause, readonly string[]> = {
  refused: [
    "Check the agent is up and reachable (`switchboard doctor` runs the readiness checks).",
    'Re-route the issue to another agent (`switchboard dispatch reroute ID AGENT`) or retry once it is back.',
  ],
  stall: [
    "Read the agent's last comment and branch: it may be waiting for an answer.",
    'Retry (`switchboard dispatch retry ID`), or re-route to an agent suited to the task type.',
    'If the issue is unclear, sharpen its acceptance criteria before dispatching again.',
  ],
  timeout: [
    'Look at the partial work: a long task may need splitting into smaller issues.',
    "Raise the agent's `timeoutMinutes` if this kind of work routinely takes longer, then retry.",
  ],
  'agent-failed': ["Read the agent's log or status for the error.", 'Fix the cause (credentials, environment), then retry or re-route.'],
  loop: [
    'The agent keeps saying the same thing: answer its question or give it the missing detail on the issue.',
    'Re-route to another agent, or take the issue yourself.',
  ],
  'ci-red': [
    'Open the failing checks below; decide whether the test or the change is wrong.',
    'Push a fix to the pull request yourself, or close it and re-dispatch with what was learned.',
  ],
  'max-hops': ['The issue has gone round several agents: read its history before sending it out again.', 'Split it or clarify it, then dispatch once more.'],
  'merged-red': ['Check the default branch now: revert the merge if it broke the build.', 'Open a follow-up issue for the failing checks.'],
  'deploy-failed': ['Look at the deploy job of the merge commit.', 'Roll back or redeploy; reopen the issue if the change must be reworked.'],
};

export const nextSteps = (cause: EscalationCause): readonly string[] => NEXT_STEPS[cause];

/** Seed 004 `GetAgentCommitRange` and `GetProgressSummary`, from what the watch saw. */
export interface EscalationGuidance {
  /** the commits the agent produced on its pull request(s), oldest to newest */
  readonly commits: { readonly pr: number | null; readonly first: string | null; readonly last: string | null; readonly count: number };
  /** phases reached, in order, each once */
  readonly phases: readonly WatchPhase[];
  /** head commits' CI verdicts as they changed, oldest first */
  readonly ci: readonly CommitSeen[];
  readonly fixForwards: number;
  readonly attempts: number;
}

export function escalationGuidance(d: Supervised): EscalationGuidance {
  const trail = d.trail ?? [];
  const shas = [...new Set(trail.map((c) => c.sha))];
  const phases = [...new Set(d.history.map((h) => h.phase))];
  return {
    commits: { pr: d.pr?.number ?? trail.at(-1)?.pr ?? null, first: shas[0] ?? null, last: shas.at(-1) ?? null, count: shas.length },
    phases,
    ci: trail,
    fixForwards: d.fixForwards,
    attempts: d.attempt,
  };
}

const PHASE_WORDS: Partial<Record<WatchPhase, string>> = {
  dispatching: 'dispatched',
  retry_wait: 'retry waited',
  assigned: 'assigned',
  working: 'working',
  pr_open: 'PR opened',
  ci_running: 'CI ran',
  ci_failed: 'CI red',
  ci_passed: 'CI green',
  merged: 'merged',
  deploying: 'deploying',
};
const VERDICT_WORDS: Record<CiVerdict, string> = { none: 'no CI', pending: 'running', green: 'green', red: 'red' };
const sha7 = (sha: string): string => `\`${sha.replace(/[^0-9a-f]/gi, '').slice(0, 7)}\``;

/** The guidance block of an escalation comment: commit range, progress summary, next steps. */
export function guidanceLines(cause: EscalationCause, g: EscalationGuidance): string[] {
  const c = g.commits;
  const range =
    c.first === null || c.last === null
      ? 'no commits seen on a pull request.'
      : c.first === c.last
        ? `${sha7(c.last)} on pull request #${c.pr} (1 commit seen).`
        : `${sha7(c.first)}…${sha7(c.last)} on pull request #${c.pr} (${c.count} commits seen).`;
  const phases = g.phases.map((p) => PHASE_WORDS[p]).filter((w): w is string => w !== undefined);
  const ci = g.ci.length === 0 ? 'none seen' : g.ci.slice(-8).map((s) => `${sha7(s.sha)} ${VERDICT_WORDS[s.ci]}`).join(' → ');
  return [
    '### What happened',
    `- **Commits:** ${range}`,
    `- **Phases reached:** ${phases.length > 0 ? phases.join(' → ') : 'none'}.`,
    `- **CI history:** ${ci}${g.ci.length > 8 ? ` (last 8 of ${g.ci.length})` : ''}.`,
    `- **Fix-forwards:** ${g.fixForwards}; attempts: ${g.attempts}.`,
    '',
    '### Next steps',
    ...NEXT_STEPS[cause].map((step, n) => `${n + 1}. ${step}`),
  ];
}

/** Escalation of a supervised dispatch, one text per cause, with its marker. */
export function watchEscalationComment(
  i: WatchCommentIds & {
    readonly cause: EscalationCause;
    readonly why: string;
    readonly agentName: string;
    readonly attempts: number;
    readonly ownerLogin: string;
    readonly needsHumanLabel: string;
    /** commit range, progress summary and next steps (seed 004); from `escalationGuidance` */
    readonly guidance?: EscalationGuidance;
  },
): string {
  return [
    `## Dispatch escalated: ${CAUSE_HEADINGS[i.cause]}`,
    '',
    `${CAUSE_ADVICE[i.cause]} Agent: **${defuse(i.agentName, 60)}**, ${i.attempts} attempt(s).`,
    '',
    `**Why:** ${defuse(i.why)}`,
    '',
    ...(i.guidance ? [...guidanceLines(i.cause, i.guidance), ''] : []),
    `Manual intervention required: @${i.ownerLogin}. The issue is labelled \`${i.needsHumanLabel}\` and no longer locks its repository.`,
    '',
    ...footer(marker('escalation', i, 'escalate', i.attempts)),
  ].join('\n');
}

/** The audit comment rewritten after a dispatch that never happened, so nobody takes it for a live claim. */
export function retractedAuditComment(i: WatchCommentIds & { readonly why: string; readonly now: Date }): string {
  return [
    `**[switchboard triage — ${formatUtc(i.now)}]**`,
    '',
    `~~Dispatch announced here~~ — **the dispatch did not happen.** ${defuse(i.why)}`,
    '',
    'No agent is working on this issue and switchboard holds no claim on it.',
    '',
    marker('retracted', i, 'retract'),
  ].join('\n');
}

/** Said on the issue when the operator cancels a dispatch. */
export function cancelledComment(i: WatchCommentIds & { readonly by: string; readonly agentName: string; readonly note?: string }): string {
  return [
    `## Dispatch cancelled`,
    '',
    `${defuse(i.by, 60)} cancelled the dispatch to **${defuse(i.agentName, 60)}**. The repository lock is released.`,
    '',
    ...(i.note ? [`> ${defuse(i.note, 300)}`, ''] : []),
    ...footer(marker('cancel', i, 'cancel')),
  ].join('\n');
}

/** A command agent finished without a pull request: its owner has work to review. */
export function awaitingReviewComment(i: WatchCommentIds & { readonly ownerLogin: string; readonly agentName: string; readonly why: string }): string {
  return [
    `## Done, awaiting review`,
    '',
    `@${i.ownerLogin}, **${defuse(i.agentName, 60)}** finished without opening a pull request: ${defuse(i.why)}`,
    '',
    'Please review its work; the repository lock is released.',
    '',
    ...footer(marker('dispatch', i, 'review')),
  ].join('\n');
}

const box = (done: boolean, text: string): string => `- [${done ? 'x' : ' '}] ${text}`;

const CI_WORDS: Record<Progress['ci'], string> = { none: 'CI', pending: 'CI running', green: 'CI green', red: 'CI red' };

/** Seed 003's phase checklist, one comment edited in place; no clock in it, so equal text means nothing changed. */
export function progressComment(i: WatchCommentIds & { readonly progress: Progress; readonly deployContext: string | null }): string {
  const p = i.progress;
  const lines = [
    box(p.dispatched, 'Dispatched'),
    box(p.pr !== null, p.pr !== null ? `Pull request #${p.pr} opened` : 'Pull request opened'),
    box(p.ci === 'green' || p.merged, `${CI_WORDS[p.ci]}${p.headSha ? ` on \`${p.headSha.slice(0, 7)}\`` : ''}`),
    ...Array.from({ length: p.fixForwards }, (_, n) => box(true, `Fix-forward ${n + 1} requested`)),
    box(p.merged, 'Merged'),
    box(p.closed, 'Issue closed'),
    ...(i.deployContext !== null ? [box(p.deployed, `Deployed (\`${plainContext(i.deployContext)}\`)`)] : []),
  ];
  const ended = p.ended === null ? [] : ['', `**${p.ended === 'awaiting_review' ? 'Done, awaiting review' : p.ended === 'cancelled' ? 'Cancelled' : 'Escalated to a human'}.**`];
  return ['## Progress', '', ...lines, ...ended, '', ...footer(marker('progress', i, 'progress'))].join('\n');
}

/** The progress comment needs writing: none yet, or its text differs from what it should say. */
export const progressNeedsWrite = (current: string | null, wanted: string): boolean => current === null || current.trimEnd() !== wanted.trimEnd();
