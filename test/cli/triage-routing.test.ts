import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// runCli passes HOME on: the binary reads the per-user config under it, never the real user's.
process.env.HOME = mkdtempSync(join(tmpdir(), 'switchboard-home-'));
const home = process.env.HOME;
const dir = mkdtempSync(join(tmpdir(), 'sb-routing-'));
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const raw = (number: number, title: string, body: string) => ({
  number,
  title,
  body,
  labels: [{ id: 1, name: 'feature', color: 'ee0701' }],
  assignees: [],
  user: { login: 'alice' },
  created_at: '2026-03-20T10:00:00Z',
  updated_at: '2026-03-21T10:00:00Z',
  state: 'open',
});
const WRITING = raw(21, 'Write the contributor story for the docs site', '## Problem\nNew contributors get lost.\n## Steps\nEdit docs/src/guide.py def contribute()\nshould explain setup, must pass tox');
const UNTITLED = raw(22, '   ', '## Problem\nEdit src/a.py def f() should pass, must pass tox');
const AGENTS = [
  { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture', 'refactoring', 'complex_reasoning', 'code_review'] },
  { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', strengths: ['creative', 'routine_coding', 'research'] },
  { id: 'owner', displayName: 'Owner', kind: 'owner' },
];
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('switchboard triage --dry-run --json with roles.coding "auto"', () => {
  it('routes a writing issue (task type creative) to the agent strong at creative, the reason naming the task type', async () => {
    const config = file('auto.json', { repos: ['acme/docs'], trustedAuthors: ['alice'], agents: AGENTS, roles: { coding: 'auto', research: 'kimi' } });
    const backlog = file('backlog.json', [WRITING, UNTITLED]);
    const r = await runCli(['--config', config, 'triage', '--dry-run', '--json', '--from-file', backlog, '--repo', 'acme/docs', '--now', '2026-04-01T00:00:00Z']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.issues.find((i: { number: number }) => i.number === 21).taskType).toBe('creative');
    const writing = doc.proposals.find((p: { number: number }) => p.number === 21);
    expect(writing).toMatchObject({ action: 'dispatch', agent: 'kimi' });
    expect(writing.reason).toMatch(/routed by task type creative → Kimi/i);
    // seed 000 _validate_task: a whitespace title is skipped with its reason
    const untitled = doc.proposals.find((p: { number: number }) => p.number === 22);
    expect(untitled).toMatchObject({ action: 'skip', agent: null, reason: 'The issue has no title — a task needs one before it can be dispatched.' });
  });

  it('without "auto" the same issue goes to the configured coding agent', async () => {
    const config = file('fixed.json', { repos: ['acme/docs'], trustedAuthors: ['alice'], agents: AGENTS, roles: { coding: 'claude', research: 'kimi' } });
    const r = await runCli(['--config', config, 'triage', '--dry-run', '--json', '--from-file', file('one.json', [WRITING]), '--repo', 'acme/docs', '--now', '2026-04-01T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).proposals[0]).toMatchObject({ action: 'dispatch', agent: 'claude' });
  });
});
