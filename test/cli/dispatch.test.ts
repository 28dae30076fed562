import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, isolatedHome, startCli, waitFor } from './harness.js';

const home = isolatedHome();

const LIVE = { proposal: 'dddd0000aaaa', issue: 'acme/api#9', agent: 'kimi', state: 'ci_failed', attempt: 2, live: true, pr: 31, escalation: null, acknowledgedBy: null };
const ESCALATED = {
  proposal: 'eeee0000bbbb',
  issue: 'acme/api#4',
  agent: 'claude',
  state: 'escalated',
  attempt: 3,
  live: false,
  pr: null,
  escalation: 'stall: no activity for 60 minutes',
  acknowledgedBy: null,
};

/** A state dir with status.json as an engine (alive: this test process's pid, or stopped) wrote it. */
function stateWith(name: string, running: boolean): string {
  const dir = join(home.dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const status = { v: 1, pid: process.pid, running, updatedAt: '2026-01-01T00:00:00.000Z', armed: true, dryRun: false, cycle: 3, nextCycleAt: null, proposals: [], dispatches: [LIVE, ESCALATED] };
  writeFileSync(join(dir, 'status.json'), JSON.stringify(status), { mode: 0o600 });
  return dir;
}

const journalOf = (dir: string): Record<string, unknown>[] => {
  const file = join(dir, 'journal.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
};

/** Play the running engine: wait for the command line, then answer it in the journal as the engine would. */
async function answer(dir: string, reply: (commandId: string) => Record<string, unknown>): Promise<Record<string, unknown>> {
  const command = await waitFor(() => journalOf(dir).find((e) => e.type === 'command'), 10_000, 'the command in the journal');
  appendFileSync(join(dir, 'journal.jsonl'), `${JSON.stringify({ at: new Date().toISOString(), console: 'test', ...reply(String(command.commandId)) })}\n`);
  return command;
}

describe('switchboard dispatch', () => {
  it('list shows live work with its phase first, then ended work with its escalation', async () => {
    const dir = stateWith('list', true);
    const r = await cli(home, ['dispatch', 'list', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/In flight \(1\):\n {2}dddd0000aaaa {2}acme\/api#9 {2}kimi {2}ci_failed {2}attempt 2 {2}PR #31\n/);
    expect(r.stdout).toMatch(/Ended \(1\):\n {2}eeee0000bbbb {2}acme\/api#4 {2}claude {2}escalated {2}attempt 3 {2}escalated: stall: no activity for 60 minutes\n/);
    const json = await cli(home, ['dispatch', 'list', '--json', '--state-dir', dir]);
    expect(JSON.parse(json.stdout)).toHaveLength(2);
    // `status` counts only live work in flight and points at the list for the rest
    const status = await cli(home, ['status', '--state-dir', dir]);
    expect(status.stdout).toMatch(/In flight \(1\):\n {2}dddd0000aaaa/);
    expect(status.stdout).toMatch(/Ended: 1 \(switchboard dispatch list shows them\)/);
  });

  it('with no engine running, a command is journaled for the next start (unique prefix resolved)', async () => {
    const dir = stateWith('stopped', false);
    const r = await cli(home, ['dispatch', 'retry', 'dddd', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queued retry of acme\/api#9 \(dddd0000aaaa\); it is applied when the engine next starts/);
    expect(journalOf(dir)).toMatchObject([{ type: 'command', command: 'dispatch', op: 'retry', proposalId: 'dddd0000aaaa' }]);
  });

  it('waits for the running engine to apply it and says so', async () => {
    const dir = stateWith('applied', true);
    const run = cli(home, ['dispatch', 'ack', 'eeee0000', '--note', 'looking at it', '--state-dir', dir]);
    const command = await answer(dir, (commandId) => ({ type: 'withdrawn', proposalId: 'x', by: 'operator', commandId }));
    const r = await run;
    expect(command).toMatchObject({ command: 'dispatch', op: 'ack', proposalId: 'eeee0000bbbb', note: 'looking at it' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acknowledge of acme\/api#4 \(eeee0000bbbb\): done\./);
  });

  it('a refusal by the engine is its sentence and exit 2', async () => {
    const dir = stateWith('refused', true);
    const run = cli(home, ['dispatch', 'reroute', 'dddd0000', '--agent', 'claude', '--state-dir', dir]);
    const command = await answer(dir, (commandId) => ({ type: 'command-failed', commandId, message: 'dispatch dddd0000aaaa is being written to; try again in a moment' }));
    const r = await run;
    expect(command).toMatchObject({ op: 'reroute', agentId: 'claude' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/re-route of acme\/api#9 \(dddd0000aaaa\) to claude was refused: dispatch dddd0000aaaa is being written to; try again in a moment\./);
  });

  it('an engine that does not answer in time is exit 1, the command still queued', async () => {
    const dir = stateWith('silent', true);
    const r = await cli(home, ['dispatch', 'cancel', 'dddd0000', '--wait', '1', '--state-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cancel of acme\/api#9 \(dddd0000aaaa\) is queued, but the engine \(pid \d+\) has not answered within 1 s/);
    expect(journalOf(dir)).toMatchObject([{ command: 'dispatch', op: 'cancel' }]);
  });

  it('bad ids and agents are one sentence, exit 2, and nothing is journaled', async () => {
    const dir = stateWith('bad', true);
    const cases: [string[], RegExp][] = [
      [['dispatch', 'retry', 'ffff'], /no dispatch "ffff" is known/],
      [['dispatch', 'done', 'dd'], /too short: give at least 4 characters/],
      [['dispatch', 'reroute', 'dddd'], /re-route needs the agent/],
      [['dispatch', 'reroute', 'dddd', '--agent', 'nobody'], /"nobody" is not a coding agent of this config; the agents are claude, kimi/],
      [['dispatch', 'reroute', 'dddd', '--agent', 'kimi'], /already with kimi/],
      [['dispatch', 'retry', 'dddd', '--agent', 'kimi'], /--agent goes with reroute only/],
      [['dispatch', 'cancel'], /needs the dispatch's id/],
      [['dispatch', 'retry', '$(rm -rf)'], /is not a dispatch id/],
    ];
    for (const [args, said] of cases) {
      const r = await cli(home, [...args, '--state-dir', dir]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(said);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    const unknownVerb = await cli(home, ['dispatch', 'explode', 'dddd', '--state-dir', dir]);
    expect(unknownVerb.code).toBe(2);
    expect(journalOf(dir)).toEqual([]);
  });
});

describe('switchboard dispatch against a running engine on the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ issues: 12, seed: 5, token: 'sbx_dispatch_cli_secret_token_012345' });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('marks a live dispatch done within seconds, then refuses to end it twice with the engine\'s sentence', async () => {
    const state = join(home.dir, 'engine');
    const env = { GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: sandbox.repos.join(',') };
    const run = startCli(home, ['run', '--headless', '--approve', 'all', '--arm', '--interval', '1h', '--state-dir', state], env);
    try {
      type Line = { proposal: string; issue: string; state: string; live?: boolean };
      const statusNow = (): { running: boolean; dispatches: Line[] } | undefined => {
        try {
          return JSON.parse(readFileSync(join(state, 'status.json'), 'utf8')) as { running: boolean; dispatches: Line[] };
        } catch {
          return undefined;
        }
      };
      const live = await waitFor(() => statusNow()?.dispatches.find((d) => d.live === true), 20_000, 'a live dispatch in status.json');
      const started = Date.now();
      const done = await cli(home, ['dispatch', 'done', live.proposal.slice(0, 8), '--state-dir', state], env);
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      expect(done.stdout).toContain(`mark done of ${live.issue} (${live.proposal}): done.`);
      expect(Date.now() - started).toBeLessThan(8_000);
      await waitFor(() => (statusNow()?.dispatches.find((d) => d.proposal === live.proposal)?.state === 'completed' ? true : undefined), 5_000, 'completed in status.json');
      const list = await cli(home, ['dispatch', 'list', '--state-dir', state], env);
      expect(list.stdout).toMatch(new RegExp(`Ended \\(\\d+\\):\\n(.*\\n)*  ${live.proposal}  ${live.issue.replace('/', '\\/')}  \\S+  completed`));
      const again = await cli(home, ['dispatch', 'done', live.proposal, '--state-dir', state], env);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/was refused: the dispatch of .* has already ended \(completed\)/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }, 60_000);
});
