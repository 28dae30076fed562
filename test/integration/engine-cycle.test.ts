import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_AGENTS } from '../../src/core/config.js';
import type { Supervised } from '../../src/core/supervision-types.js';
import type { Sandbox, SimulatedAgentOptions } from '../../src/sandbox/index.js';
import type { Switchboard } from '../../src/wiring.js';
import { json, type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { eventually } from '../helpers/sandbox-client.js';
import {
  closedAfterEach,
  addReadyIssue,
  autoConfig,
  countKind,
  emptySandbox,
  labelsOf,
  markersOn,
  offsetClock,
  open,
  REPO,
  stateDirs,
  IN_PROGRESS,
} from '../helpers/switchboard-harness.js';

const outcome = (o: keyof SimulatedAgentOptions['outcomes']): Partial<SimulatedAgentOptions> => ({
  delayMs: 10,
  outcomes: { complete: 0, failCi: 0, stall: 0, never: 0, loop: 0, [o]: 1 },
});
/** The default registry with claude's limits changed. */
const agentsWith = (claude: Record<string, unknown>) => DEFAULT_AGENTS.map((a) => (a.id === 'claude' ? { ...a, ...claude } : a));
const dispatchOf = (sb: Switchboard, number: number): Supervised | undefined =>
  [...sb.engine.getSnapshot().dispatches.values()].find((d) => d.number === number);

const dirs = stateDirs();
const track = closedAfterEach(afterEach);
afterAll(() => dirs.cleanup());

describe('one engine against the sandbox tracker', () => {
  it('takes a ready bug from fetch to a completed dispatch once the agent merges its PR', async () => {
    const sandbox = track(await emptySandbox({ agents: outcome('complete') }));
    const n = addReadyIssue(sandbox);
    const sb = track(await open(sandbox, await dirs.make(), { config: autoConfig() }));
    const states: string[] = [];
    sb.engine.onEvent((e) => {
      if (e.type === 'dispatch-changed') states.push(e.dispatch.phase);
    });

    await sb.engine.runCycle();
    const markers = markersOn(sandbox, n);
    expect(markers.map((m) => m.kind)).toEqual(['audit', 'dispatch']);
    expect(sandbox.store.issue(REPO, n)?.assignees).toEqual(['claude']);
    expect(labelsOf(sandbox, n)).toContain(IN_PROGRESS);

    await eventually(() => (sandbox.store.issue(REPO, n)?.state === 'closed' ? true : undefined), 5000, 'the agent to merge');
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('completed');
    expect(states[0]).toBe('assigned');
    expect(sandbox.store.pulls(REPO)[0]?.pull?.merged).toBe(true);
    const journal = await readFile(join(sb.stateDir, 'journal.jsonl'), 'utf8');
    expect(journal).toMatch(/"type":"executed"/);
  });

  it('an issue deleted after it was proposed leaves the backlog and its proposal is superseded: issue deleted', async () => {
    const sandbox = track(await emptySandbox({}));
    const n = addReadyIssue(sandbox);
    const sb = track(await open(sandbox, await dirs.make(), { config: autoConfig({ autoApprove: [] }) }));
    await sb.engine.runCycle();
    const proposal = [...sb.engine.getSnapshot().proposals.values()].find((p) => p.number === n && p.action === 'dispatch')!;
    expect(proposal.status).toBe('proposed');
    sandbox.store.deleteIssue(REPO, n);
    // An incremental fetch never reports the deletion: the write path finds it (comments answer 500).
    await sb.engine.approve(proposal.id);
    await eventually(() => (sb.engine.getSnapshot().proposals.get(proposal.id)?.status === 'superseded' ? true : undefined), 5000, 'the proposal to be superseded');
    const after = sb.engine.getSnapshot();
    expect(after.proposals.get(proposal.id)?.outcome).toBe('issue deleted');
    expect([...after.backlog.values()].some((x) => x.issue.number === n)).toBe(false);
    await sb.engine.runCycle();
    expect([...sb.engine.getSnapshot().backlog.values()].some((x) => x.issue.number === n)).toBe(false);
  });

  it('escalates a dispatch whose agent never answers once the agent timeout passes', async () => {
    const sandbox = track(await emptySandbox({ agents: outcome('never') }));
    const hook = track(await loopbackServer((_req, res) => json(res, 200, { ok: true })));
    const n = addReadyIssue(sandbox);
    const clock = offsetClock();
    const config = autoConfig({ agents: agentsWith({ timeoutMinutes: 30 }), watch: { maxRetries: 0 }, notify: { webhookUrl: `${hook.url}/hook` } });
    const sb = track(await open(sandbox, await dirs.make(), { config, clock }));

    await sb.engine.runCycle();
    expect(labelsOf(sandbox, n)).toContain(IN_PROGRESS);
    clock.advanceMinutes(10);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('assigned');
    expect(countKind(markersOn(sandbox, n), 'escalation')).toBe(0);

    clock.advanceMinutes(25);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('escalated');
    const escalation = sandbox.store.comments(REPO, n).at(-1);
    expect(escalation?.body).toMatch(/No result in time/);
    expect(markersOn(sandbox, n).map((m) => m.kind)).toEqual(['audit', 'dispatch', 'escalation']);
    expect(labelsOf(sandbox, n)).toContain('needs-human');
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
    await eventually(() => (hook.received.length > 0 ? true : undefined), 3000, 'the webhook');
    expect(hook.received[0]?.body.toString()).toContain(`${REPO}#${n}`);
  });

  it('retries a stalled agent once, then escalates when it stalls again', async () => {
    const sandbox = track(await emptySandbox({ agents: outcome('stall') }));
    const n = addReadyIssue(sandbox);
    const clock = offsetClock();
    const config = autoConfig({ watch: { stallMinutes: 5, maxRetries: 1 } });
    const sb = track(await open(sandbox, await dirs.make(), { config, clock }));

    await sb.engine.runCycle();
    await eventually(() => (sandbox.store.comments(REPO, n).some((c) => c.author === 'claude') ? true : undefined), 3000, "the agent's comment");
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('working');

    clock.advanceMinutes(6);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)).toMatchObject({ phase: 'assigned', attempt: 2 });
    expect(markersOn(sandbox, n).filter((m) => m.kind === 'dispatch').map((m) => m.attempt)).toEqual([1, 2]);
    expect(labelsOf(sandbox, n)).not.toContain('needs-human');

    clock.advanceMinutes(6);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('escalated');
    expect(sandbox.store.comments(REPO, n).at(-1)?.body).toMatch(/The agent went quiet/);
    expect(countKind(markersOn(sandbox, n), 'escalation')).toBe(1);
    expect(labelsOf(sandbox, n)).toContain('needs-human');
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
  });

  it('escalates an agent that keeps posting the same comment, without a retry', async () => {
    const sandbox = track(await emptySandbox({ agents: outcome('loop') }));
    const n = addReadyIssue(sandbox);
    const sb = track(await open(sandbox, await dirs.make(), { config: autoConfig({ watch: { repeatThreshold: 3, maxRetries: 2 } }) }));

    await sb.engine.runCycle();
    await eventually(() => (sandbox.store.comments(REPO, n).filter((c) => c.author === 'claude').length >= 3 ? true : undefined), 3000, 'three repeats');
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)).toMatchObject({ phase: 'escalated', attempt: 1 });
    expect(countKind(markersOn(sandbox, n), 'dispatch')).toBe(1);
    expect(countKind(markersOn(sandbox, n), 'escalation')).toBe(1);
    expect(sandbox.store.comments(REPO, n).find((c) => c.author === sandbox.login && /same comment/.test(c.body))).toBeDefined();
    expect(labelsOf(sandbox, n)).toContain('needs-human');
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
  });
});

describe('agents outside the tracker', () => {
  it('signs the http dispatch with the secret from the environment and completes when the service says done', async () => {
    const secret = 'relay-secret-7f3a9c';
    let status = 'running';
    const service = track(
      await loopbackServer((req, res) => (req.method === 'POST' ? json(res, 202, { run_id: 'run-42' }) : json(res, 200, { status }))),
    );
    const sandbox = track(await emptySandbox());
    const n = addReadyIssue(sandbox);
    const relay = { id: 'relay', displayName: 'Relay', kind: 'http' as const, endpoint: `${service.url}/dispatch`, statusUrl: `${service.url}/runs/{runId}`, secretEnv: 'RELAY_SECRET' };
    const config = autoConfig({ agents: [...DEFAULT_AGENTS, relay], roles: { coding: 'relay', research: 'relay' } });
    const sb = track(await open(sandbox, await dirs.make(), { config, env: { RELAY_SECRET: secret } }));
    const events: string[] = [];
    sb.engine.onEvent((e) => events.push(JSON.stringify(e)));

    await sb.engine.runCycle();
    const post = service.received.find((r) => r.method === 'POST');
    expect(post?.url).toBe('/dispatch');
    const dispatchId = String(post?.headers['x-switchboard-dispatch']);
    const t = /^t=(\d+),/.exec(String(post?.headers['x-switchboard-signature']))?.[1];
    const expected = `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${dispatchId}.`).update(post!.body).digest('hex')}`;
    expect(post?.headers['x-switchboard-signature']).toBe(expected);
    expect(JSON.parse(post!.body.toString())).toMatchObject({ issue_number: n, repo: REPO, agent: 'relay', title: '[bug] Login fails on empty password' });
    expect(markersOn(sandbox, n).map((m) => m.kind)).toEqual(['audit', 'dispatch']);
    expect(sandbox.store.issue(REPO, n)?.assignees).toEqual([]);

    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('working');
    status = 'done';
    await sb.engine.runCycle();
    // Issue 12: "done" with no pull request is done, awaiting review (it used to read completed).
    expect(dispatchOf(sb, n)?.phase).toBe('awaiting_review');
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
    expect(service.received.filter((r) => r.method === 'GET').map((r) => r.url)).toContain('/runs/run-42');

    const traces = [await readFile(join(sb.stateDir, 'journal.jsonl'), 'utf8'), ...events, ...sandbox.store.comments(REPO, n).map((c) => c.body)];
    expect(traces.filter((t) => t.includes(secret))).toEqual([]);
  });

  it('hands a shell-laden title to a command agent as one argv element and runs none of it', async () => {
    const title = '[bug] Login fails for $(touch pwned) users; rm -rf ~';
    const work = await dirs.make();
    const home = await dirs.make();
    const script = join(work, 'agent.mjs');
    const out = join(work, 'argv.json');
    await writeFile(script, "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], JSON.stringify(process.argv.slice(3)));\n");
    const sandbox = track(await emptySandbox());
    const n = addReadyIssue(sandbox, title);
    const local = { id: 'local', displayName: 'Local CLI', kind: 'command' as const, command: [process.execPath, script, out, '{title}'], cwd: work, timeoutMinutes: 1 };
    const config = autoConfig({ agents: [...DEFAULT_AGENTS, local], roles: { coding: 'local', research: 'local' } });
    // HOME points at a scratch dir: were the title ever given to a shell, `~` would be that.
    const sb = track(await open(sandbox, await dirs.make(), { config, env: { HOME: home, PATH: process.env.PATH ?? '' } }));

    await sb.engine.runCycle();
    expect(markersOn(sandbox, n).map((m) => m.kind)).toEqual(['audit', 'dispatch']);
    // Until it parses: the agent's writeFileSync makes the file before it fills it.
    const argv = await eventually(async () => {
      try {
        return JSON.parse(await readFile(out, 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    }, 5000, 'the agent to write its argv');
    expect(argv).toEqual([title]);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    expect(existsSync(join(home, 'pwned'))).toBe(false);
    expect(existsSync(script)).toBe(true);

    await eventually(async () => {
      await sb.engine.runCycle();
      return dispatchOf(sb, n)?.phase === 'awaiting_review' ? true : undefined;
    }, 5000, 'the run to be seen finished');
    // exit 0 without a pull request: the lock is released and the owner asked to review
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
    expect(sandbox.store.comments(REPO, n).some((c) => c.body.startsWith('## Done, awaiting review'))).toBe(true);
  });
});
