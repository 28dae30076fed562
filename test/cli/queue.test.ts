import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

const home = isolatedHome();

function stateWith(name: string, ids: string[], running = true): string {
  const dir = join(home.dir, name);
  mkdirSync(dir, { recursive: true });
  const proposals = ids.map((id, i) => ({
    id,
    issue: `acme/api#${i + 1}`,
    title: `Issue ${i + 1}`,
    action: 'dispatch',
    agent: 'claude',
    status: i === 0 ? 'approved' : 'proposed',
    waiting: i === 0 ? 'waiting for arming' : null,
    reason: 'r',
    gates: [],
  }));
  const status = { v: 1, pid: 1, running, updatedAt: '2026-01-01T00:00:00.000Z', armed: false, dryRun: false, cycle: 3, nextCycleAt: null, proposals, dispatches: [{ proposal: 'dddd0000aaaa', issue: 'acme/api#9', agent: 'kimi', state: 'working', attempt: 1 }] };
  writeFileSync(join(dir, 'status.json'), JSON.stringify(status));
  return dir;
}

const journal = (dir: string) => readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('switchboard approve, reject, reroute and status', () => {
  it('status prints pending, waiting and in flight from status.json', async () => {
    const dir = stateWith('s1', ['aaaa11112222', 'bbbb11112222']);
    const r = await cli(home, ['status', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Pending \(1\):\n {2}bbbb11112222 {2}acme\/api#2/);
    expect(r.stdout).toMatch(/Waiting \(1\):\n {2}aaaa11112222 .*waiting for arming/);
    expect(r.stdout).toMatch(/In flight \(1\):\n {2}dddd0000aaaa {2}acme\/api#9 {2}kimi {2}working/);
    const json = await cli(home, ['status', '--json', '--state-dir', dir]);
    expect(JSON.parse(json.stdout).proposals).toHaveLength(2);
  });

  it('status shows a rejection with its note', async () => {
    const dir = stateWith('s9', ['aaaa11112222']);
    const file = join(dir, 'status.json');
    const status = JSON.parse(readFileSync(file, 'utf8'));
    status.proposals[0] = { ...status.proposals[0], status: 'rejected', waiting: null, note: 'duplicate of #9' };
    writeFileSync(file, JSON.stringify(status));
    const r = await cli(home, ['status', '--state-dir', dir]);
    expect(r.stdout).toMatch(/Rejected \(1\):\n {2}aaaa11112222 .*— note: duplicate of #9/);
  });

  it('status says when no engine status is known', async () => {
    const r = await cli(home, ['status', '--state-dir', join(home.dir, 'empty')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No engine status is known/);
  });

  it('approve accepts a unique prefix and appends the full id to the journal', async () => {
    const dir = stateWith('s2', ['aaaa11112222', 'bbbb11112222']);
    const r = await cli(home, ['approve', 'bbbb1', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/queued approve bbbb11112222; the running engine applies it within a second/);
    expect(journal(dir)).toMatchObject([{ type: 'command', command: 'approve', proposalId: 'bbbb11112222' }]);
  });

  it('reject with a note and reroute to an agent are journalled for the next start', async () => {
    const dir = stateWith('s3', ['aaaa11112222', 'bbbb11112222'], false);
    expect((await cli(home, ['reject', 'aaaa', '--note', 'not now', '--state-dir', dir])).code).toBe(0);
    const r = await cli(home, ['reroute', 'bbbb', 'kimi', '--state-dir', dir]);
    expect(r.stdout).toMatch(/applied when the engine next starts/);
    expect(journal(dir)).toMatchObject([
      { command: 'reject', proposalId: 'aaaa11112222', note: 'not now' },
      { command: 'reroute', proposalId: 'bbbb11112222', agentId: 'kimi' },
    ]);
  });

  it('an ambiguous prefix is exit 2 listing the candidates', async () => {
    const dir = stateWith('s4', ['abcd11112222', 'abcd99998888']);
    const r = await cli(home, ['approve', 'abcd', '--state-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ambiguous: it matches abcd11112222, abcd99998888/);
  });

  it('an unknown or too short id is exit 2 with a sentence', async () => {
    const dir = stateWith('s5', ['abcd11112222']);
    const unknown = await cli(home, ['approve', 'ffff', '--state-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no proposal "ffff" in the queue/);
    const short = await cli(home, ['reject', 'ab', '--state-dir', dir]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/too short: give at least 4 characters/);
  });
});
