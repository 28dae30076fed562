import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// runCli passes HOME on: the binary reads the per-user config under it, never the real user's.
process.env.HOME = mkdtempSync(join(tmpdir(), 'switchboard-home-'));
const home = process.env.HOME;
afterAll(() => rmSync(home, { recursive: true, force: true }));

const NOW = '2026-04-01T00:00:00Z';
let dir: string;

const raw = (number: number, title: string, body: string | null, labels: string[] = [], assignees: string[] = []) => ({
  number,
  title,
  body,
  labels: labels.map((name, i) => ({ id: i + 1, name, color: 'ee0701' })),
  assignees: assignees.map((login) => ({ login })),
  user: { login: 'alice' },
  created_at: '2026-03-20T10:00:00Z',
  updated_at: '2026-03-21T10:00:00Z',
  state: 'open',
});

const READY_BUG = raw(
  12,
  '[Bug] Login fails on empty password',
  '## Problem\nLogin crashes.\n## Steps\nEdit src/auth.py def login()\nshould return 401\nmust pass tox',
  ['bug'],
);
const VAGUE = raw(13, 'make it better', null);
const BLOCKED = raw(14, 'Add export', 'Blocked by #3. Add src/export.py def export() should return csv, must pass tox', ['feature']);
const SPIKE = raw(15, '[research] Survey retry strategies', 'Look at src/sync.py def retry() — should verify, must compare, expect numbers', ['spike']);

const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-triage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard triage --from-file', () => {
  it('prints one JSON document with every issue scored and a proposal for each', async () => {
    const path = file('backlog.json', [READY_BUG, VAGUE, BLOCKED, SPIKE]);
    const r = await runCli(['triage', '--dry-run', '--json', '--from-file', path, '--repo', 'acme/api', '--now', NOW]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.issues).toHaveLength(4);
    const bug = doc.issues.find((i: { number: number }) => i.number === 12);
    expect(bug).toMatchObject({
      repo: 'acme/api',
      title: 'Login fails on empty password',
      score: 9,
      scope: 3,
      acceptance: 3,
      alignment: 3,
      type: 'bug',
      p0: true,
      blocked: false,
      ready: true,
      tier: 'P0',
      ageDays: 11,
    });
    const byNumber = Object.fromEntries(doc.proposals.map((p: { number: number }) => [p.number, p]));
    expect(byNumber[12]).toMatchObject({ action: 'dispatch', agent: 'claude', repo: 'acme/api' });
    expect(byNumber[12].reason).toMatch(/^P0\/bug issue \(score=9, age=11d\)/);
    expect(byNumber[12].id).toMatch(/^[0-9a-f]{12}$/);
    expect(byNumber[13]).toMatchObject({ action: 'skip', agent: null, blockedBy: [] });
    expect(byNumber[14]).toMatchObject({ action: 'flag', agent: 'owner' });
    expect(byNumber[15]).toMatchObject({ action: 'dispatch', agent: 'kimi' });
  });

  it('shows that the shipped defaults gate every action: disarmed, repo not enrolled, author unknown', async () => {
    const path = file('one.json', [READY_BUG]);
    const r = await runCli(['triage', '--json', '--from-file', path, '--repo', 'acme/api', '--now', NOW]);
    const [proposal] = JSON.parse(r.stdout).proposals;
    expect(proposal.blockedBy.map((g: { kind: string }) => g.kind)).toEqual(['disarmed', 'repo-not-enrolled', 'untrusted-author']);
  });

  it('explains what would change a skipped decision', async () => {
    const almost = raw(20, 'Export to CSV', 'Users want a CSV export. It should include every column.', ['feature']);
    const path = file('almost.json', [almost]);
    const r = await runCli(['triage', '--json', '--from-file', path, '--now', NOW]);
    const doc = JSON.parse(r.stdout);
    expect(doc.issues[0]).toMatchObject({ score: 4, scope: 1, acceptance: 1, alignment: 2, ready: false });
    expect(doc.proposals[0]).toMatchObject({ action: 'skip', reason: 'Score 4 < 5 threshold — needs more detail before assignment.' });
    expect(doc.proposals[0].whatWouldChange).toContain('name the files involved (+1 scope) → ready → dispatch/claude');
  });

  it('applies a config file: enrolled, trusted and armed leaves the proposal ready to run', async () => {
    const config = file('config.json', { armed: true, repos: ['acme/api'], trustedAuthors: ['alice'] });
    const path = file('one-more.json', [READY_BUG]);
    const r = await runCli(['--config', config, 'triage', '--json', '--from-file', path, '--repo', 'acme/api', '--now', NOW]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).proposals[0].blockedBy).toEqual([]);
  });

  it('reads an object of arrays by repo and keeps only the repos asked for', async () => {
    const path = file('multi.json', { 'acme/api': [READY_BUG], 'acme/web': [VAGUE, SPIKE] });
    const all = JSON.parse((await runCli(['triage', '--json', '--from-file', path, '--now', NOW])).stdout);
    expect(all.issues.map((i: { repo: string; number: number }) => `${i.repo}#${i.number}`)).toEqual([
      'acme/api#12',
      'acme/web#13',
      'acme/web#15',
    ]);
    const web = JSON.parse((await runCli(['triage', '--json', '--from-file', path, '--repo', 'acme/web', '--now', NOW])).stdout);
    expect(web.issues.map((i: { number: number }) => i.number)).toEqual([13, 15]);
  });

  it('prints a readable table sorted by score, then the proposals', async () => {
    const path = file('table.json', [VAGUE, READY_BUG, SPIKE]);
    const r = await runCli(['triage', '--dry-run', '--from-file', path, '--now', NOW]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Backlog: 3 open · 2 ready · 1 P0');
    const rows = lines.filter((l) => /^#\d+/.test(l));
    expect(rows[0]).toMatch(/^#12\s+9\s+3 3 3\s+bug\s+P0/);
    expect(rows[2]).toMatch(/^#13\s+/);
    expect(r.stdout).toMatch(/Proposals: 2 to act on · 1 skipped/);
    expect(r.stdout).toMatch(/dispatch → kimi/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('renders hostile titles as plain text in the table and escapes them in JSON', async () => {
    const hostile = raw(
      66,
      'Fix \u001b[2J\u001b]52;c;cHduZWQ=\u0007clipboard \u001b]8;;http://evil\u0007link\u001b]8;;\u0007 \u202eevil\u202c',
      'should must expect tox ## Steps src/a.py',
      ['bug'],
    );
    const path = file('hostile.json', [hostile]);
    const table = await runCli(['triage', '--from-file', path, '--now', NOW]);
    expect(table.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    // "[2J\u001b]" reads as a [bracket] tag, as in the reference, and leaves the displayed title.
    expect(table.stdout).toMatch(/#66 .*Fix 2;c;cHduZWQ=clipboard link evil/);
    const json = await runCli(['triage', '--json', '--from-file', path, '--now', NOW]);
    expect(json.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(json.stdout).issues[0].title).toContain('\u001b]8;;http://evil\u0007link'); // lossless once parsed
  });

  it('prints the daily summary document with --markdown', async () => {
    const path = file('summary.json', [READY_BUG, VAGUE]);
    const r = await runCli(['triage', '--markdown', '--from-file', path, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('**Open issues:** 2 | **Scored:** 2 | **Ready:** 1');
    expect(r.stdout).toContain('## Top 10 Ready Issues (by score)');
    expect(r.stdout).toContain('**#12** (score=9, age=11d) — Login fails on empty password');
  });
});

describe('switchboard triage on bad input', () => {
  const expectOneSentence = (stderr: string) => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it('a missing file is one sentence and exit 2', async () => {
    const r = await runCli(['triage', '--from-file', join(dir, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchboard: backlog file .*missing\.json does not exist\.$/m);
    expectOneSentence(r.stderr);
  });

  it('a file that is not JSON is one sentence and exit 2', async () => {
    const r = await runCli(['triage', '--from-file', file('bad.json', '[{"number": 1,')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON/);
    expectOneSentence(r.stderr);
  });

  it('an issue with a wrong field type names the issue and the field', async () => {
    const r = await runCli(['triage', '--from-file', file('types.json', [READY_BUG, { ...VAGUE, title: 42 }]), '--repo', 'acme/api']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/issue acme\/api#13: field "title" should be string/);
    expectOneSentence(r.stderr);
  });

  it('a JSON value that is not a backlog is one sentence and exit 2', async () => {
    const r = await runCli(['triage', '--from-file', file('scalar.json', '42')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/should hold a JSON array of issues/);
  });

  it('an invalid config names every bad path', async () => {
    const config = file('bad-config.json', { intervalSeconds: 0, repos: ['not a repo'], agents: [{ id: 'X Y', kind: 'robot' }] });
    const r = await runCli(['--config', config, 'triage', '--from-file', file('ok.json', [VAGUE])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('intervalSeconds');
    expect(r.stderr).toContain('repos[0]: use owner/name');
    expect(r.stderr).toContain('agents[0].id');
    expect(r.stderr).toContain('agents[0].kind');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown flag is exit 2 with a sentence', async () => {
    const r = await runCli(['triage', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchboard: unknown option '--bogus'\./);
  });

  it('nothing to triage says what to pass', async () => {
    const r = await runCli(['triage', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to triage: pass --from-file FILE/);
  });
});

describe('switchboard --version and --help', () => {
  it('prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('triage --help shows options and examples', async () => {
    const r = await runCli(['triage', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--from-file <file>');
    expect(r.stdout).toContain('Examples:');
  });
});
