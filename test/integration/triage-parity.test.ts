import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IssueRow, liveBacklog, type ProposalRow, runTriage } from '../../src/commands/triage.js';
import { type Config, parseConfig } from '../../src/core/config.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { IN_PROGRESS, open, READY_BODY, stateDirs } from '../helpers/switchboard-harness.js';

/**
 * One planner: `triage --dry-run` previews exactly what a cycle of the engine decides, gates and
 * all, on the same tracker — authors trusted by config, by their permission on the tracker, or
 * not at all; agent capacity and the cycle cap taken by approved work; repos locked by work in
 * progress.
 */

const REPOS = ['demo/api', 'demo/web'];
let sandbox: Sandbox;
const dirs = stateDirs();
const input = {
  repos: REPOS,
  trustedAuthors: ['carol'],
  armed: false,
  // approved work reserves capacity: claude takes two
  autoApprove: [{ when: { tier: 'P0', type: 'bug' } }],
  limits: { dispatchesPerCycle: 5, repoLock: true },
};
const config = parseConfig(input);

beforeAll(async () => {
  sandbox = await startSandbox({ repos: ['api', 'web'], issues: 0 });
  sandbox.store.setPermission('alice', 'write');
  sandbox.store.setPermission('mallory', 'read');
  sandbox.store.setPermission('carol', 'read');
  sandbox.store.createLabel('demo/web', { name: IN_PROGRESS, color: 'ededed' });
  const bug = (repo: string, author: string, title = '[bug] Login fails on empty password', labels: string[] = []) =>
    sandbox.store.createIssue(repo, { title, body: READY_BODY, author, labels });
  for (const author of ['alice', 'alice', 'carol', 'alice', 'mallory', 'nobody-known']) bug('demo/api', author);
  bug('demo/api', 'alice', '[research] [feature] Survey retry strategies for the sync client');
  bug('demo/web', 'alice', '[bug] Sync drops the last page', [IN_PROGRESS]);
  bug('demo/web', 'carol');
});
afterAll(async () => {
  await dirs.cleanup();
  await sandbox.close();
});

type Decision = { issue: string; action: string; agent: string | null; gates: string[] };
const gates = (blockedBy: readonly { kind: string; detail: string }[]) => blockedBy.map((g) => `${g.kind}: ${g.detail}`);
const byIssue = (a: Decision, b: Decision) => a.issue.localeCompare(b.issue, 'en', { numeric: true });
const kinds = (ds: Decision[]) => new Set(ds.flatMap((d) => d.gates.map((g) => g.split(':')[0])));

/** What `switchboard triage --dry-run --json` previews for this config. */
async function preview(config: Config): Promise<Decision[]> {
  const token = process.env.GITEA_TOKEN;
  process.env.GITEA_TOKEN = sandbox.token;
  let text = '';
  try {
    const live = await liveBacklog(config, { url: sandbox.url, repo: REPOS });
    await runTriage({ json: true }, config, { write: (t) => (text += t), columns: 120 }, live?.fetch);
  } finally {
    if (token === undefined) delete process.env.GITEA_TOKEN;
    else process.env.GITEA_TOKEN = token;
  }
  const report = JSON.parse(text) as { issues: IssueRow[]; proposals: ProposalRow[] };
  return report.proposals.map((p) => ({ issue: `${p.repo}#${p.number}`, action: p.action, agent: p.agent, gates: gates(p.blockedBy) })).sort(byIssue);
}

/** What a cycle of the engine plans for this config: each proposal as it was first decided. */
async function cycle(config: Config): Promise<Decision[]> {
  const sb = await open(sandbox, await dirs.make(), { config, connection: { url: sandbox.url, token: sandbox.token, tokenSource: 'test', repos: REPOS } });
  const decided: Decision[] = [];
  sb.engine.onEvent((e) => {
    if (e.type === 'proposal-added') decided.push({ issue: e.proposal.issueKey, action: e.proposal.action, agent: e.proposal.agentId, gates: gates(e.proposal.blockedBy) });
  });
  try {
    await sb.engine.runCycle();
  } finally {
    await sb.close();
  }
  return decided.sort(byIssue);
}

describe('triage --dry-run and an engine cycle', () => {
  it('disarmed: the same decisions with the same gates (authors trusted by config, by the tracker, or not; repo locks)', async () => {
    const previewed = await preview(config);
    expect(previewed).toEqual(await cycle(config));
    expect(kinds(previewed)).toEqual(new Set(['disarmed', 'untrusted-author', 'repo-locked']));
    const untrusted = previewed.filter((d) => d.gates.some((g) => g.startsWith('untrusted-author'))).map((d) => d.issue);
    expect(untrusted).toEqual(['demo/api#5', 'demo/api#6']);
  });

  it('armed (the engine in dry-run): approved work takes agent capacity, pending proposals do not', async () => {
    // without repo locks, so capacity is what holds the third approved dispatch to claude
    const armed = parseConfig({ ...input, armed: true, dryRun: true, limits: { dispatchesPerCycle: 5, repoLock: false } });
    const previewed = await preview(armed);
    expect(previewed).toEqual(await cycle(armed));
    expect(kinds(previewed)).toEqual(new Set(['untrusted-author', 'agent-at-capacity']));
    // two approved dispatches to claude take its capacity; the untrusted ones are pending and take none
    expect(previewed.filter((d) => d.agent === 'claude' && d.gates.length === 0).map((d) => d.issue)).toEqual(['demo/api#1', 'demo/api#2']);
    expect(sandbox.store.comments('demo/api', 1)).toEqual([]);
  });
});
