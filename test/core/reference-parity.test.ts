import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { issueFromGitea } from '../../src/adapters/gitea/issue.js';
import { parseConfig, triage, type Issue, type Proposal, type ScoredIssue } from '../../src/core/index.js';

/**
 * test/fixtures/reference holds 2,000 generated raw issues of realistic text (other languages,
 * CJK, emoji, markdown, code spans, checklists, bracket tags) and what the vendored reference
 * Python triage made of them (scripts/reference-expected.sh). The core must agree on every one.
 */

interface Expected {
  number: number;
  score: number;
  scope: number;
  acceptance: number;
  alignment: number;
  issue_type: string;
  is_p0: boolean;
  is_blocked: boolean;
  ready: boolean;
  action: 'assign_claude' | 'assign_kimi' | 'flag_alex' | 'skip';
  agent: string;
}

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8'));
const raw = fixture('issues.json') as unknown[];
const expected = fixture('expected.json') as Expected[];

const REFERENCE_ACTION: Record<Expected['action'], { action: Proposal['action']; agentId: string | null }> = {
  assign_claude: { action: 'dispatch', agentId: 'claude' },
  assign_kimi: { action: 'dispatch', agentId: 'kimi' },
  flag_alex: { action: 'flag', agentId: 'owner' },
  skip: { action: 'skip', agentId: null },
};

const issues: Issue[] = raw.map((r, i) => issueFromGitea(r, 'acme/backlog', i));
const { scored, proposals } = triage(issues, parseConfig({}), new Date('2026-03-20T10:00:00Z'), { armed: false });

const ours = (s: ScoredIssue, p: Proposal) => ({
  number: s.issue.number,
  score: s.score,
  scope: s.scope,
  acceptance: s.acceptance,
  alignment: s.alignment,
  type: s.type,
  p0: s.p0,
  blocked: s.blocked,
  ready: s.ready,
  action: p.action,
  agentId: p.agentId,
});

const theirs = (e: Expected) => ({
  number: e.number,
  score: e.score,
  scope: e.scope,
  acceptance: e.acceptance,
  alignment: e.alignment,
  type: e.issue_type,
  p0: e.is_p0,
  blocked: e.is_blocked,
  ready: e.ready,
  ...REFERENCE_ACTION[e.action],
});

describe('reference parity', () => {
  it('the fixture holds 2,000 issues with a reference verdict for each', () => {
    expect(raw).toHaveLength(2000);
    expect(expected.map((e) => e.number)).toEqual(issues.map((i) => i.number));
  });

  it('scores, classifies and decides all 2,000 fixture issues exactly as the reference', () => {
    const mismatches = scored
      .map((s, i) => ({ ours: ours(s, proposals[i]!), theirs: theirs(expected[i]!) }))
      .filter((m) => JSON.stringify(m.ours) !== JSON.stringify(m.theirs));
    // Show a few in full if any disagree: the count alone does not say what to fix.
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(mismatches).toHaveLength(0);
  });

  it('covers every action and every issue type of the reference', () => {
    const actions = new Set(expected.map((e) => e.action));
    expect([...actions].sort()).toEqual(['assign_claude', 'assign_kimi', 'flag_alex', 'skip']);
    const types = new Set(expected.map((e) => e.issue_type));
    expect([...types].sort()).toEqual(['bug', 'feature', 'philosophy', 'refactor', 'research', 'unknown']);
  });

  it('reaches every branch of decide, each many times', () => {
    const count = new Map<string, number>();
    const hit = (branch: string) => count.set(branch, (count.get(branch) ?? 0) + 1);
    scored.forEach((s, i) => {
      const e = expected[i]!;
      if (e.issue_type === 'philosophy') return hit('skip: philosophy');
      if (s.issue.assignees.length > 0) return hit('skip: assigned');
      if (!e.ready) return hit('skip: not ready');
      if (e.is_blocked) return hit('flag: blocked');
      if (e.action === 'assign_kimi') return hit(s.tagMatches.research.length > 0 ? 'kimi: research tag' : 'kimi: label');
      return hit(e.is_p0 ? 'claude: P0' : 'claude: ready');
    });
    for (const branch of ['skip: philosophy', 'skip: assigned', 'skip: not ready', 'flag: blocked', 'kimi: research tag', 'claude: P0', 'claude: ready']) {
      expect(count.get(branch) ?? 0, branch).toBeGreaterThanOrEqual(20);
    }
  });

  it('reaches every scoring rule: each sub-score value, penalties, long titles and blocked words', () => {
    for (const key of ['scope', 'acceptance', 'alignment'] as const) {
      for (const v of [0, 1, 2, 3]) expect(expected.filter((e) => e[key] === v).length, `${key}=${v}`).toBeGreaterThanOrEqual(10);
    }
    for (let total = 0; total <= 9; total++) expect(expected.some((e) => e.score === total), `score ${total}`).toBe(true);
    const n = (pred: (s: ScoredIssue) => boolean) => scored.filter(pred).length;
    expect(n((s) => s.tagMatches.meta.length > 0 && s.type !== 'philosophy'), 'meta penalty on another type').toBeGreaterThan(5);
    expect(n((s) => s.signals.titleLength >= 80), 'long titles').toBeGreaterThan(20);
    expect(n((s) => s.signals.acceptanceCount >= 3), 'three acceptance words').toBeGreaterThan(50);
    expect(n((s) => s.signals.blockedBy?.where === 'title'), 'blocked in the title').toBeGreaterThan(5);
    expect(n((s) => s.signals.blockedBy?.where === 'body'), 'blocked in the body').toBeGreaterThan(50);
    expect(n((s) => s.tagMatches.loop.length > 0 && s.type !== 'bug'), 'loop-generated bonus').toBeGreaterThan(10);
    expect(n((s) => s.tagMatches.p0.length > 0 && s.type !== 'bug'), 'P0 tag without a bug').toBeGreaterThan(10);
    expect(n((s) => s.issue.body === ''), 'empty or null bodies').toBeGreaterThan(20);
  });
});
