import { describe, expect, it } from 'vitest';
import { defaultConfig, type Issue, triage } from '../../src/core/index.js';
import { type SandboxState, seedBacklog } from '../../src/sandbox/index.js';

const NOW = new Date('2025-06-01T12:00:00Z');

/** The open issues of a seeded state as switchboard's core sees them. */
function openIssues(state: SandboxState): Issue[] {
  return state.repos.flatMap((repo) =>
    repo.issues
      .filter((i) => i.state === 'open' && i.pull === null)
      .map((i) => ({
        repo: `${repo.owner}/${repo.name}`,
        number: i.number,
        title: i.title,
        body: i.body,
        labels: i.labelIds.map((id) => repo.labels.find((l) => l.id === id)!.name),
        assignees: i.assignees,
        author: i.author,
        authorTrusted: undefined,
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
        state: 'open' as const,
        url: '',
      })),
  );
}

/** Which branch of the reference `decide` each open issue takes. */
function branches(state: SandboxState): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of triage(openIssues(state), defaultConfig(), NOW, { armed: true }).proposals) {
    const branch =
      p.action === 'flag'
        ? 'blocked → flag owner'
        : p.action === 'skip'
          ? p.reason.startsWith('Philosophy')
            ? 'philosophy skip'
            : p.reason.startsWith('Already assigned')
              ? 'assigned skip'
              : 'not ready skip'
          : p.agentId === 'kimi'
            ? 'research → kimi'
            : p.reason.startsWith('P0/')
              ? 'P0 → claude'
              : 'ready → claude';
    counts[branch] = (counts[branch] ?? 0) + 1;
  }
  return counts;
}

const ALL_BRANCHES = ['P0 → claude', 'assigned skip', 'blocked → flag owner', 'not ready skip', 'philosophy skip', 'ready → claude', 'research → kimi'];

describe('the seeded backlog', () => {
  it('is the same byte for byte for the same seed, and different for another seed', () => {
    const a = JSON.stringify(seedBacklog({ seed: 7, now: NOW }));
    expect(JSON.stringify(seedBacklog({ seed: 7, now: NOW }))).toBe(a);
    expect(JSON.stringify(seedBacklog({ seed: 8, now: NOW }))).not.toBe(a);
  });

  it('spreads 60 open issues over demo/api, demo/web and demo/infra', () => {
    const state = seedBacklog({ now: NOW });
    expect(state.repos.map((r) => `${r.owner}/${r.name}`)).toEqual(['demo/api', 'demo/web', 'demo/infra']);
    expect(state.repos.map((r) => r.issues.filter((i) => i.state === 'open' && !i.pull).length)).toEqual([20, 20, 20]);
  });

  it('takes every branch of the reference decide in the default seed', () => {
    const counts = branches(seedBacklog({ now: NOW }));
    expect(Object.keys(counts).sort()).toEqual(ALL_BRANCHES);
    // dispatchable work dominates, but every kind of skip is well represented
    expect(counts['P0 → claude']! + counts['ready → claude']!).toBeGreaterThanOrEqual(15);
    expect(counts['not ready skip']).toBeGreaterThanOrEqual(3);
    expect(counts['philosophy skip']).toBeGreaterThanOrEqual(2);
  });

  it.each([2, 3, 42, 1234])('takes every branch with seed %i too', (seed) => {
    expect(Object.keys(branches(seedBacklog({ seed, now: NOW }))).sort()).toEqual(ALL_BRANCHES);
  });

  it('reads like a real backlog: structured bugs with files and functions, distinct titles, several authors', () => {
    const state = seedBacklog({ now: NOW });
    const issues = state.repos.flatMap((r) => r.issues.filter((i) => !i.pull));
    const bugs = issues.filter((i) => i.body.includes('## Steps'));
    expect(bugs.length).toBeGreaterThan(5);
    for (const bug of bugs) {
      expect(bug.body).toMatch(/`[\w/.-]+\.(?:ts|tsx|sh|py|yaml)`/);
      expect(bug.body).toMatch(/`\w+\(\)`/);
    }
    expect(issues.some((i) => /blocked (?:by|on|until) #\d+/i.test(i.body))).toBe(true);
    expect(issues.some((i) => i.title.startsWith('[research]'))).toBe(true);
    for (const repo of state.repos) {
      const titles = repo.issues.filter((i) => i.state === 'open' && !i.pull).map((i) => i.title);
      expect(new Set(titles).size, repo.name).toBe(titles.length);
    }
    expect(new Set(issues.map((i) => i.author)).size).toBeGreaterThanOrEqual(6);
    expect(issues.some((i) => /lorem|ipsum/i.test(i.body))).toBe(false);
  });

  it('creates labels with ids and colours in every repo, and users with a mix of access', () => {
    const state = seedBacklog({ now: NOW });
    const ids = state.repos.flatMap((r) => r.labels.map((l) => l.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const repo of state.repos) {
      expect(repo.labels.map((l) => l.name)).toEqual(expect.arrayContaining(['bug', 'security', 'rfc', 'spike', 'kimi-ready']));
      expect(repo.labels.every((l) => /^[0-9a-f]{6}$/.test(l.color))).toBe(true);
    }
    const access = new Map(state.users.map((u) => [u.login, u.access]));
    expect(access.get('switchboard')).toBe('admin');
    expect(access.get('claude')).toBe('write');
    expect(new Set(state.users.map((u) => u.access))).toEqual(new Set(['admin', 'owner', 'write', 'read']));
  });

  it('numbers issues in creation order and keeps history: closed issues and merged PRs that fixed them', () => {
    const state = seedBacklog({ now: NOW });
    for (const repo of state.repos) {
      expect(repo.issues.map((i) => i.number)).toEqual(repo.issues.map((_, i) => i + 1));
      const created = repo.issues.map((i) => i.createdAt);
      expect(created).toEqual([...created].sort());
      expect(repo.issues.every((i) => i.createdAt <= i.updatedAt && i.updatedAt <= '2025-06-01T12:00:00Z')).toBe(true);
    }
    const prs = state.repos.flatMap((r) => r.issues.filter((i) => i.pull));
    expect(prs.length).toBeGreaterThan(0);
    expect(prs.every((p) => p.pull!.merged && /^Fixes #\d+/.test(p.body))).toBe(true);
  });

  // How fast it seeds is a benchmark's business (bench/), not a test's: this checks what it seeds.
  it('seeds 20,000 open issues in one repo, numbered 1 to 20,000', () => {
    const state = seedBacklog({ repos: ['big'], issues: 20_000, now: NOW });
    const open = state.repos[0]!.issues.filter((i) => i.state === 'open' && !i.pull);
    expect(open).toHaveLength(20_000);
    expect(new Set(open.map((i) => i.number)).size).toBe(20_000);
  });
});
