import type { AutoApproveRule } from './config.js';
import type { Decision } from './policy.js';
import type { ScoredIssue } from './scoring.js';

export interface RuleMatch {
  /** 0-based position in `config.autoApprove` */
  readonly index: number;
  /** for `approvedBy`: "rule #1 (tier P0, type bug)" */
  readonly approvedBy: string;
}

/** The conditions of a rule in words, in the order the config lists them. */
export function describeRule(rule: AutoApproveRule, index: number): string {
  const w = rule.when;
  const parts = [
    w.tier !== undefined ? `tier ${w.tier}` : null,
    w.type !== undefined ? `type ${w.type}` : null,
    w.action !== undefined ? `action ${w.action}` : null,
    w.repo !== undefined ? `repo ${w.repo}` : null,
    w.minScore !== undefined ? `score ≥ ${w.minScore}` : null,
    rule.agent !== undefined ? `agent ${rule.agent}` : null,
  ].filter((p): p is string => p !== null);
  return `rule #${index + 1} (${parts.length > 0 ? parts.join(', ') : 'any'})`;
}

/** The first auto-approve rule that approves this decision; skips are never approved. */
export function matchAutoApprove(
  rules: readonly AutoApproveRule[],
  scored: ScoredIssue,
  decision: Pick<Decision, 'action' | 'agentId'>,
): RuleMatch | null {
  if (decision.action === 'skip') return null;
  const index = rules.findIndex((rule) => {
    const w = rule.when;
    return (
      (w.tier === undefined || w.tier === scored.tier) &&
      (w.type === undefined || w.type === scored.type) &&
      (w.action === undefined || w.action === decision.action) &&
      (w.repo === undefined || w.repo === scored.issue.repo) &&
      (w.minScore === undefined || scored.score >= w.minScore) &&
      (rule.agent === undefined || rule.agent === decision.agentId)
    );
  });
  const rule = rules[index];
  return rule ? { index, approvedBy: describeRule(rule, index) } : null;
}
