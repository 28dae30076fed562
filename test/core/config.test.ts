import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, profileFromConfig, ValidationError } from '../../src/core/index.js';

const problemsOf = (raw: unknown): { path: string; message: string }[] => {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ValidationError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ValidationError');
};

describe('config', () => {
  it('ships disarmed, with no enrolled repos, no auto-approve rules and the reference threshold', () => {
    const cfg = defaultConfig();
    expect(cfg.armed).toBe(false);
    expect(cfg.repos).toEqual([]);
    expect(cfg.autoApprove).toEqual([]);
    expect(cfg.scoring.threshold).toBe(5);
  });

  it('lists every bad path with its reason, not just the first', () => {
    const problems = problemsOf({ repos: ['not-a-repo', 'o/ok'], intervalSeconds: 0, ownerLogin: 'bad login!', limits: { dispatchesPerCycle: -1 }, tracker: { url: 'ftp://x' } });
    expect(problems.map((p) => p.path).sort()).toEqual(['intervalSeconds', 'limits.dispatchesPerCycle', 'ownerLogin', 'repos[0]', 'tracker.url']);
    expect(problems.find((p) => p.path === 'repos[0]')?.message).toBe('use owner/name');
  });

  it('the error message names the source and counts the problems', () => {
    expect(() => parseConfig({ repos: ['x'], armed: 'yes' }, 'switchboard.json')).toThrow(/^switchboard\.json is invalid \(2 problems\):\n {2}/);
  });

  it('roles must name agents of the right kind', () => {
    const problems = problemsOf({ roles: { coding: 'owner', research: 'nobody' } });
    expect(problems).toEqual([
      { path: 'roles.coding', message: 'agent "owner" must be a coding agent (tracker, http or command)' },
      { path: 'roles.research', message: 'no agent with id "nobody"' },
    ]);
  });

  it('duplicate agent ids are reported at the duplicate', () => {
    const agent = { id: 'claude', displayName: 'C', kind: 'tracker', assignee: 'claude' };
    const problems = problemsOf({ agents: [agent, agent, { id: 'kimi', displayName: 'K', kind: 'tracker', label: 'k' }, { id: 'owner', displayName: 'O', kind: 'owner' }] });
    expect(problems).toEqual([{ path: 'agents[1].id', message: 'duplicate agent id "claude"' }]);
  });

  it('a scoring pattern that is not a valid JavaScript regex is reported at its source, with where it breaks', () => {
    expect(problemsOf({ scoring: { patterns: { blocked: { source: '(unclosed' } } } })).toEqual([
      { path: 'scoring.patterns.blocked.source', message: 'not a valid JavaScript regular expression: unterminated group at the end' },
    ]);
    expect(problemsOf({ scoring: { patterns: { fileRef: { source: 'é\\q+' } } } })).toEqual([
      { path: 'scoring.patterns.fileRef.source', message: 'not a valid JavaScript regular expression: invalid escape at character 3' },
    ]);
  });

  it('scoring patterns are JavaScript regexes with the u flag: \\p{…} classes and look-behinds work', () => {
    const config = parseConfig({ scoring: { patterns: { blocked: { source: '(?<!\\p{L})wartet(?!\\p{L})' } } } });
    expect(profileFromConfig(config).re.blocked.test('Ticket wartet auf #3')).toBe(true);
    expect(profileFromConfig(config).re.blocked.test('Ticket erwartet #3')).toBe(false);
  });

  it('scoring tags are lower-cased and trimmed', () => {
    expect(parseConfig({ scoring: { tags: { bug: [' Defect ', 'BUG'] } } }).scoring.tags.bug).toEqual(['defect', 'bug']);
  });
});

describe('enrolled repos', () => {
  it('a repo enrolled twice or in another letter case is one repo, in its first spelling', async () => {
    expect(parseConfig({ repos: ['demo/api', 'Demo/API', 'demo/web', 'demo/api'] }).repos).toEqual(['demo/api', 'demo/web']);
    const { resolveConnection } = await import('../../src/adapters/connection.js');
    const conn = resolveConnection(defaultConfig(), {}, { SWITCHBOARD_REPOS: 'acme/API,acme/api, acme/web' });
    expect(conn.repos).toEqual(['acme/API', 'acme/web']);
  });
});
