import {
  DEFAULT_PROFILE,
  evaluate,
  extractSignals,
  parseConfig,
  policyContext,
  scoreIssue,
  type ConfigInput,
  type decide,
  type Issue,
  type PolicyContext,
  type PolicyState,
  type ScoredIssue,
} from '../../src/core/index.js';
import { issueFromGitea } from '../../src/adapters/gitea/issue.js';

/** Builders shaped like the reference tests' `_make_raw_issue` / `_make_scored_issue`. */

export const NOW = new Date('2026-03-20T10:00:00Z');
export const REPO = 'o/r';

export interface RawIssueOptions {
  number?: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  assignees?: string[];
  created_at?: string;
  updated_at?: string;
  author?: string;
}

export function rawIssue(o: RawIssueOptions = {}): Record<string, unknown> {
  return {
    number: o.number ?? 1,
    title: o.title ?? 'Fix the login bug',
    body: o.body === undefined ? '## Problem\nLogin fails on empty password.\n\n## Steps\nassert response == 200' : o.body,
    labels: (o.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ee0701' })),
    assignees: (o.assignees ?? []).map((login) => ({ login })),
    user: { login: o.author ?? 'alice' },
    created_at: o.created_at ?? '2026-03-20T10:00:00Z',
    updated_at: o.updated_at ?? o.created_at ?? '2026-03-20T10:00:00Z',
    state: 'open',
    html_url: `https://gitea.example.com/${REPO}/issues/${o.number ?? 1}`,
  };
}

export const makeIssue = (o: RawIssueOptions = {}, extra: Partial<Issue> = {}): Issue => ({ ...issueFromGitea(rawIssue(o), REPO), ...extra });

export const score = (o: RawIssueOptions = {}, extra: Partial<Issue> = {}): ScoredIssue => scoreIssue(makeIssue(o, extra), DEFAULT_PROFILE, NOW);

/** Sub-scores of a title/body with a given tag set (tags given as labels), as the reference's `_score_*`. */
export function subScores(title: string, body: string, tags: string[] = []) {
  return evaluate(extractSignals({ title, body, labels: tags }, DEFAULT_PROFILE), DEFAULT_PROFILE);
}

export type DecideInput = Parameters<typeof decide>[0];

/** What decide reads, with chosen values, like the reference's `_make_scored_issue` defaults. */
export function decideInput(o: Partial<Omit<DecideInput, 'tagMatches'>> & { tags?: string[] } = {}): DecideInput {
  const { tags = ['bug'], ...rest } = o;
  return {
    score: 7,
    ready: true,
    type: 'bug',
    p0: true,
    blocked: false,
    labels: [],
    assignees: [],
    ageDays: 3,
    ...rest,
    tagMatches: subScores('', '', tags).tagMatches,
  };
}

/** A policy context from config (enrolled o/r, armed unless said otherwise). */
export function context(config: ConfigInput = {}, state: Partial<PolicyState> = {}): PolicyContext {
  const cfg = parseConfig({ repos: [REPO], trustedAuthors: ['alice'], ...config });
  return policyContext(cfg, DEFAULT_PROFILE, { armed: true, ...state });
}
