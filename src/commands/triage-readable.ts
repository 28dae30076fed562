import { GATE_LABELS, type Proposal } from '../core/policy.js';
import { sanitize } from '../core/sanitize.js';
import type { ScoredIssue } from '../core/scoring.js';
import { type Column, renderTable } from '../text/width.js';

/** The readable preview: issues by score, then the proposals that would act. */
export function renderReadable(scored: readonly ScoredIssue[], proposals: readonly Proposal[], width: number): string {
  const multiRepo = new Set(scored.map((s) => s.issue.repo)).size > 1;
  const ref = (repo: string, n: number) => (multiRepo ? `${sanitize(repo)}#${n}` : `#${n}`);
  const sorted = [...scored].sort((a, b) => b.score - a.score || a.issue.number - b.issue.number);
  const flags = (s: ScoredIssue) =>
    [s.blocked ? 'blocked' : '', s.issue.assignees.length > 0 ? 'assigned' : '', s.ready ? 'ready' : ''].filter(Boolean).join(',');
  const issueColumns: Column<ScoredIssue>[] = [
    { header: 'issue', width: multiRepo ? 22 : 7, value: (s) => ref(s.issue.repo, s.issue.number) },
    { header: 'score', width: 5, align: 'right', value: (s) => String(s.score) },
    { header: 'S A L', width: 5, value: (s) => `${s.scope} ${s.acceptance} ${s.alignment}` },
    { header: 'type', width: 10, value: (s) => s.type },
    { header: 'tier', width: 4, value: (s) => s.tier },
    { header: 'age', width: 5, align: 'right', value: (s) => `${s.ageDays}d` },
    { header: 'flags', width: 16, value: flags },
    { header: 'title', value: (s) => sanitize(s.displayTitle) },
  ];
  const acting = proposals.filter((p) => p.action !== 'skip');
  const proposalColumns: Column<Proposal>[] = [
    { header: 'proposal', width: 12, value: (p) => p.id },
    { header: 'issue', width: multiRepo ? 22 : 7, value: (p) => ref(p.repo, p.number) },
    { header: 'decision', width: 18, value: (p) => `${p.action} → ${p.agentId}` },
    {
      header: 'waiting for',
      width: 34,
      value: (p) => (p.blockedBy.length ? p.blockedBy.map((g) => GATE_LABELS[g.kind]).join(', ') : 'ready to run'),
    },
    { header: 'reason', value: (p) => sanitize(p.reason) },
  ];
  const skipped = proposals.length - acting.length;
  const ready = scored.filter((s) => s.ready).length;
  return [
    `Backlog: ${scored.length} open · ${ready} ready · ${scored.filter((s) => s.p0).length} P0`,
    ...renderTable(sorted, issueColumns, width),
    '',
    `Proposals: ${acting.length} to act on · ${skipped} skipped (dry run: nothing is written)`,
    ...(acting.length ? renderTable(acting, proposalColumns, width) : ['  (none)']),
    '',
  ].join('\n');
}
