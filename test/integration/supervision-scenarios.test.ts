import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ConfigInput, DEFAULT_AGENTS } from '../../src/core/config.js';
import type { Supervised } from '../../src/core/supervision-types.js';
import { parseMarker } from '../../src/core/texts.js';
import type { Sandbox, SimulatedAgentOptions } from '../../src/sandbox/index.js';
import { CI_CONTEXT } from '../../src/sandbox/agents.js';
import type { Switchboard } from '../../src/wiring.js';
import { json, type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import {
  closedAfterEach,
  addReadyIssue,
  autoConfig,
  countKind,
  emptySandbox,
  IN_PROGRESS,
  labelsOf,
  markersOn,
  offsetClock,
  open,
  REPO,
  stateDirs,
} from '../helpers/switchboard-harness.js';

/**
 * Issue 12, "What it must show": every lifecycle transition, for each agent kind, with the real
 * engine on the sandbox over HTTP and a clock the test moves. Tracker agents are the sandbox's
 * simulated agents (src/sandbox/agents.ts); http and command agents are played by `ScriptedAgent`,
 * which does the same work on the forge when its endpoint is called or its process runs. What is
 * asserted is what a user of the tracker sees: labels, switchboard's markers, the issue's state.
 */

/**
 * What the agent does with the issue it is given. `loop` is played only by the sandbox's tracker
 * agents (only their comments count); `refuse`, `noPr` and `fail` only by `ScriptedAgent`.
 */
type Play = 'complete' | 'mergeNoClose' | 'failCi' | 'stubborn' | 'stall' | 'never' | 'refuse' | 'noPr' | 'fail' | 'loop';

interface Kind {
  readonly name: string;
  readonly agentId: string;
  /** the login the agent comments and pushes as */
  readonly login: string;
  readonly kind: 'tracker' | 'http' | 'command';
}

const KINDS: readonly Kind[] = [
  { name: 'tracker agent (assignee)', agentId: 'claude', login: 'claude', kind: 'tracker' },
  { name: 'tracker agent (label)', agentId: 'kimi', login: 'kimi-ready', kind: 'tracker' },
  { name: 'http agent', agentId: 'relay', login: 'relay-bot', kind: 'http' },
  { name: 'command agent', agentId: 'local', login: 'local-bot', kind: 'command' },
];
/** A tracker agent is handed the work by tracker writes: there is no call it could refuse. */
const CALLED = KINDS.filter((k) => k.kind !== 'tracker');

const MAINTAINER = { login: 'bob', token: 'tok-bob-6c21', permission: 'write' } as const;
const STEP_MS = 5;

const dirs = stateDirs();
const track = closedAfterEach(afterEach);
afterAll(() => dirs.cleanup());

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (...parts: (string | number)[]): string => createHash('sha1').update(parts.join('/')).digest('hex');
const ciUrl = (headSha: string) => `https://ci.invalid/${REPO}/${headSha.slice(0, 12)}`;

/** What the agent was told: a dispatch or a fix-forward. */
interface Turn {
  readonly number: number;
  readonly fixForward: boolean;
  readonly prompt: string;
}

/**
 * An http or command agent's work on the forge, step by step as the sandbox's simulated agents
 * do it for tracker agents: a comment, a PR (`Fixes #N`, or `Refs #N` for a merge that does not
 * close), CI pending then green (merged) or red; a fix-forward pushes a new commit to the same PR.
 */
class ScriptedAgent {
  readonly turns: Turn[] = [];
  /** command runs that ended before their turn was done: stopped by switchboard */
  stopped = 0;
  /** turns whose work is done */
  finished = 0;
  private readonly prs = new Map<number, number>();
  constructor(
    private readonly sandbox: Sandbox,
    private readonly login: string,
    readonly play: Play,
  ) {
    sandbox.store.setPermission(login, 'write');
  }

  /** Resolves once the turn's work is on the forge; never for an agent that stalls or does nothing. */
  async take(turn: Turn): Promise<void> {
    this.turns.push(turn);
    await this.work(turn);
    this.finished += 1;
  }

  private async work(turn: Turn): Promise<void> {
    const { store } = this.sandbox;
    const n = turn.number;
    const round = this.turns.filter((t) => t.number === n && t.fixForward).length;
    if (this.play === 'never') return new Promise(() => {});
    await sleep(STEP_MS);
    if (this.play === 'stall') {
      store.addComment(REPO, n, "Picking this up. I'll reproduce it first.", this.login);
      return new Promise(() => {});
    }
    if (this.play === 'noPr' || this.play === 'fail') {
      store.addComment(REPO, n, this.play === 'fail' ? 'The build tool crashed.' : 'Done: the fix is on branch local/issue-1 for review.', this.login);
      return;
    }
    const head = sha(n, this.login, round);
    const pr = this.prs.get(n);
    if (turn.fixForward && pr !== undefined) {
      store.pushToPullRequest(REPO, pr, head);
    } else {
      store.addComment(REPO, n, "Picking this up. I'll reproduce it first, then open a PR that references this issue.", this.login);
      await sleep(STEP_MS);
      const keyword = this.play === 'mergeNoClose' ? 'Refs' : 'Fixes';
      const created = store.createPullRequest(REPO, { title: `${this.play === 'mergeNoClose' ? 'Work on' : 'Fix'} #${n}`, body: `${keyword} #${n}\n\nAdds a regression test.`, author: this.login, headRef: `${this.login}/issue-${n}`, headSha: head });
      this.prs.set(n, created.number);
    }
    store.setCommitStatus(REPO, head, { state: 'pending', context: CI_CONTEXT, description: 'CI is running', targetUrl: ciUrl(head), creator: this.login });
    await sleep(STEP_MS);
    const red = this.play === 'stubborn' || (this.play === 'failCi' && !turn.fixForward);
    store.setCommitStatus(REPO, head, { state: red ? 'failure' : 'success', context: CI_CONTEXT, description: red ? 'Some checks failed' : 'All checks passed', targetUrl: ciUrl(head), creator: this.login });
    if (red) return;
    await sleep(STEP_MS);
    store.mergePullRequest(REPO, this.prs.get(n)!, this.login);
  }
}

/** The command agent's program: tells the test's agent what it was asked and exits when that is done. */
const COMMAND_SCRIPT = `
const [brain, , number, prompt] = process.argv.slice(2);
setTimeout(() => process.exit(2), 30_000);
try {
  const res = await fetch(brain, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: Number(number), prompt }) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
`;

interface World {
  readonly sandbox: Sandbox;
  readonly sb: Switchboard;
  readonly clock: ReturnType<typeof offsetClock>;
  readonly n: number;
  /** http/command: what the agent was told; tracker: undefined */
  readonly agent?: ScriptedAgent;
  dispatch(): Supervised | undefined;
  /** http: the dispatches POSTed to the agent's endpoint, refused or not */
  calls(): number;
}

async function world(kind: Kind, play: Play, watch: NonNullable<ConfigInput['watch']> = {}, timeoutMinutes = 120): Promise<World> {
  const simulated: Partial<SimulatedAgentOptions> | undefined =
    kind.kind === 'tracker' ? { delayMs: STEP_MS, outcomes: { complete: 0, failCi: 0, stall: 0, never: 0, loop: 0, [play]: 1 } } : undefined;
  const sandbox = track(await emptySandbox({ users: [MAINTAINER], ...(simulated ? { agents: simulated } : {}) }));
  const n = addReadyIssue(sandbox);
  const clock = offsetClock();
  let agent: ScriptedAgent | undefined;
  let calls = () => 0;
  const agents: NonNullable<ConfigInput['agents']> = DEFAULT_AGENTS.map((a) => (a.id === kind.agentId ? { ...a, timeoutMinutes } : a));
  if (kind.kind !== 'tracker') {
    const scripted = new ScriptedAgent(sandbox, kind.login, play);
    agent = scripted;
    const brain: LoopbackServer = track(
      await loopbackServer((req, res) => {
        if (req.method === 'GET') {
          // the run's own account: finished once its turn is done (no PR), failed, else running
          const over = scripted.finished > 0;
          if (over && play === 'noPr') return json(res, 200, { status: 'done', detail: 'finished: the fix is on a branch' });
          if (over && play === 'fail') return json(res, 200, { status: 'failed', detail: 'exit 3' });
          return json(res, 200, { status: 'running' });
        }
        if (req.url === '/dispatch') {
          if (play === 'refuse') return json(res, 500, { error: 'no capacity' });
          const body = JSON.parse(req.body.toString()) as { issue_number: number; prompt: string; fix_forward?: unknown };
          void scripted.take({ number: body.issue_number, fixForward: body.fix_forward !== undefined, prompt: body.prompt });
          return json(res, 202, { run_id: `run-${scripted.turns.length}` });
        }
        // the command agent's process: answered once its turn's work is done
        const body = JSON.parse(req.body.toString()) as { number: number; prompt: string };
        res.on('close', () => {
          if (!res.writableEnded) scripted.stopped += 1;
        });
        void scripted
          .take({ number: body.number, fixForward: /^CI is red on pull request/m.test(body.prompt), prompt: body.prompt })
          .then(() => json(res, play === 'fail' ? 500 : 200, {}));
      }),
    );
    calls = () => brain.received.filter((r) => r.url === '/dispatch').length;
    if (kind.kind === 'http') {
      agents.push({ id: kind.agentId, displayName: 'Relay', kind: 'http', endpoint: `${brain.url}/dispatch`, statusUrl: `${brain.url}/runs/{runId}`, timeoutMinutes });
    } else {
      const work = await dirs.make();
      const script = join(work, 'agent.mjs');
      await writeFile(script, COMMAND_SCRIPT);
      // A program that is not there cannot start: the dispatch is refused.
      const program = play === 'refuse' ? join(work, 'no-such-agent') : process.execPath;
      agents.push({ id: kind.agentId, displayName: 'Local CLI', kind: 'command', command: [program, script, `${brain.url}/run`, '--', '{number}', '{prompt}'], cwd: work, timeoutMinutes });
    }
  }
  const config = autoConfig({ agents, roles: { coding: kind.agentId, research: kind.agentId }, watch });
  const sb = track(await open(sandbox, await dirs.make(), { config, clock }));
  const dispatch = () => [...sb.engine.getSnapshot().dispatches.values()].find((d) => d.number === n);
  return { sandbox, sb, clock, n, ...(agent ? { agent } : {}), dispatch, calls };
}

/** A maintainer closes the issue over the sandbox's HTTP API, in its dialect. */
async function closeAs(sandbox: Sandbox, user: { token: string }, number: number): Promise<void> {
  const github = sandbox.dialect === 'github';
  const res = await fetch(`${sandbox.apiUrl}/repos/${REPO}/issues/${number}`, {
    method: 'PATCH',
    headers: { Authorization: github ? `Bearer ${user.token}` : `token ${user.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ state: 'closed' }),
    signal: AbortSignal.timeout(5000),
  });
  // Gitea answers an issue edit 201 (routers/api/v1/repo/issue.go EditIssue), GitHub 200
  expect(res.status, (await res.text()).slice(0, 200)).toBe(github ? 200 : 201);
}

const issueOf = (w: World) => w.sandbox.store.issue(REPO, w.n)!;
/** Who closed the issue last, as its timeline says. */
const closer = (w: World) => w.sandbox.store.timeline(REPO, w.n).filter((e) => e.type === 'close').at(-1)?.author;
const mergedPull = (w: World) => w.sandbox.store.pulls(REPO).find((p) => p.pull?.merged);
const headOf = (w: World) => w.sandbox.store.pulls(REPO).find((p) => p.state === 'open')?.pull?.headSha;
/** The open PR's head once its CI is red, else undefined. */
const redHead = (w: World, not?: string) => {
  const head = headOf(w);
  return head && head !== not && w.sandbox.store.latestStatuses(REPO, head).some((s) => s.state === 'failure') ? head : undefined;
};

/** http/command: the agent has its first turn (a command's process starts after the cycle that ran it). */
async function atWork(w: World): Promise<void> {
  const { agent } = w;
  if (agent) await eventually(() => (agent.turns.length > 0 ? true : undefined), 'the agent to be at work');
}

/** The stalling agent's one comment is on the issue (later, it would count as progress). */
const agentSpoke = (w: World, kind: Kind) =>
  eventually(() => (w.sandbox.store.comments(REPO, w.n).some((c) => c.author === kind.login) ? true : undefined), "the agent's comment");

/** What the agent was handed on the first cycle, as its kind shows it. */
function expectDispatched(w: World, kind: Kind): void {
  expect(markersOn(w.sandbox, w.n).map((m) => m.kind)).toEqual(['audit', 'dispatch']);
  expect(labelsOf(w.sandbox, w.n)).toContain(IN_PROGRESS);
  if (kind.agentId === 'claude') expect(issueOf(w).assignees).toEqual(['claude']);
  if (kind.agentId === 'kimi') expect(labelsOf(w.sandbox, w.n)).toContain('kimi-ready');
}

describe.each(KINDS)('$name', (kind) => {
  it('a merged PR with green CI completes the dispatch: lock released, issue closed', async () => {
    const w = await world(kind, 'complete');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);

    await eventually(() => mergedPull(w), 'the agent to merge its PR');
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('completed');
    expect(issueOf(w).state).toBe('closed');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(0);
  });

  it('a merge that leaves the issue open: switchboard closes it with a completion comment (watch.closeOnMerge)', async () => {
    const w = await world(kind, 'mergeNoClose');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);

    await eventually(() => mergedPull(w), 'the agent to merge its PR');
    expect(issueOf(w).state).toBe('open');
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('completed');
    expect(issueOf(w).state).toBe('closed');
    expect(closer(w)).toBe(w.sandbox.login);
    expect(countKind(markersOn(w.sandbox, w.n), 'completion')).toBe(1);
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });

  it('red CI gets a fix-forward within the cycle that sees it, then the PR merges and the dispatch completes', async () => {
    const w = await world(kind, 'failCi');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);

    const red = await eventually(() => redHead(w), 'red CI on the PR');
    await w.sb.engine.runCycle();
    // within that cycle: the corrective turn, naming the failing context, its target URL and the head
    expect(w.dispatch()).toMatchObject({ phase: 'ci_failed', fixForwards: 1 });
    const ff = w.sandbox.store.comments(REPO, w.n).filter((c) => c.author === w.sandbox.login && parseMarker(c.body)?.kind === 'fix-forward');
    expect(ff).toHaveLength(1);
    expect(ff[0]!.body).toContain(red);
    expect(ff[0]!.body).toContain(CI_CONTEXT);
    if (w.agent) {
      // http: the POST was answered within the cycle; command: the new run was started in it and reports in
      const { agent } = w;
      const turn = await eventually(() => agent.turns.find((t) => t.fixForward), 'the fix-forward to reach the agent');
      expect(turn.prompt).toContain(red);
      expect(turn.prompt).toContain(ciUrl(red));
    }
    expect(labelsOf(w.sandbox, w.n)).toContain(IN_PROGRESS);

    await eventually(() => mergedPull(w), 'the fixed PR to merge');
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'completed', fixForwards: 1 });
    expect(mergedPull(w)?.pull?.headSha).not.toBe(red);
    // one checklist, edited in place as the phases passed
    const checklists = w.sandbox.store.comments(REPO, w.n).filter((c) => parseMarker(c.body)?.kind === 'progress');
    expect(checklists).toHaveLength(1);
    expect(checklists[0]!.body).toContain('- [x] Fix-forward 1 requested');
    expect(checklists[0]!.body).toContain('- [x] Merged');
    expect(checklists[0]!.body).toContain('- [x] Issue closed');
    expect(issueOf(w).state).toBe('closed');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
  });

  it('red CI past watch.maxFixForward escalates: comment, needs-human, lock removed', async () => {
    const w = await world(kind, 'stubborn', { maxFixForward: 1 });
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);

    const first = await eventually(() => redHead(w), 'red CI on the PR');
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'ci_failed', fixForwards: 1 });
    expect(countKind(markersOn(w.sandbox, w.n), 'fix-forward')).toBe(1);

    const second = await eventually(() => redHead(w, first), 'red CI again on a new commit');
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', escalation: { cause: 'ci-red' } });
    expect(countKind(markersOn(w.sandbox, w.n), 'fix-forward')).toBe(1);
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(1);
    const escalation = w.sandbox.store.comments(REPO, w.n).filter((c) => c.author === w.sandbox.login).at(-1)!.body;
    expect(escalation).toMatch(/^## Dispatch escalated/);
    expect(escalation).toContain(second.slice(0, 7));
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(issueOf(w).state).toBe('open');
  });

  it('a stall is retried, then escalated when the agent stalls again', async () => {
    const w = await world(kind, 'stall', { stallMinutes: 5, maxRetries: 1 });
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);
    await agentSpoke(w, kind);
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('working');

    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'assigned', attempt: 2 });
    expect(markersOn(w.sandbox, w.n).filter((m) => m.kind === 'dispatch').map((m) => m.attempt)).toEqual([1, 2]);
    if (w.agent) {
      const { agent } = w;
      await eventually(() => (agent.turns.length === 2 ? true : undefined), 'the second attempt to reach the agent');
      // the stalled run does not go on working beside the new one
      if (kind.kind === 'command') await eventually(() => (agent.stopped === 1 ? true : undefined), 'the stalled first run to be stopped');
    }
    expect(labelsOf(w.sandbox, w.n)).toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
    // the cycles go on while the clock runs (an http/command agent's first "running" is progress)
    await w.sb.engine.runCycle();

    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', escalation: { cause: 'stall' } });
    expect(w.sandbox.store.comments(REPO, w.n).at(-1)?.body).toMatch(/^## Dispatch escalated: The agent went quiet/);
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(1);
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    if (kind.kind === 'command') {
      const { agent } = w;
      await eventually(() => (agent!.stopped === 2 ? true : undefined), 'the second stalled run to be stopped');
    }
  });

  it('a human closing the issue cancels the dispatch: lock released, no escalation', async () => {
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);
    await atWork(w);
    await w.sb.engine.runCycle();

    await closeAs(w.sandbox, MAINTAINER, w.n);
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('cancelled');
    expect(w.dispatch()?.history.at(-1)?.note).toBe(`@${MAINTAINER.login} closed the issue`);
    expect(issueOf(w).state).toBe('closed');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(0);
    if (kind.kind === 'command') {
      const { agent } = w;
      await eventually(() => (agent!.stopped > 0 ? true : undefined), 'the run to be stopped');
    }
  });
});

describe.each(KINDS)('$name, more endings', (kind) => {
  it('removing the in-progress label cancels the dispatch', async () => {
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);
    await atWork(w);
    await w.sb.engine.runCycle();
    const lock = w.sandbox.store.labels(REPO).find((l) => l.name === IN_PROGRESS)!;
    w.sandbox.store.removeLabel(REPO, w.n, lock.id);
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('cancelled');
    expect(w.dispatch()?.history.at(-1)?.note).toBe(`the ${IN_PROGRESS} label was removed`);
    expect(issueOf(w).state).toBe('open');
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
    // a cancelled dispatch is not taken up again: the label stays off
    await w.sb.engine.runCycle();
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    if (kind.kind === 'command') {
      const { agent } = w;
      await eventually(() => (agent!.stopped > 0 ? true : undefined), 'the run to be stopped');
    }
  });

  it('with watch.deployContext the merge ends deploying, then deployed once the merge commit reports it', async () => {
    const w = await world(kind, 'complete', { deployContext: 'deploy/production' });
    await w.sb.engine.runCycle();
    const pr = await eventually(() => mergedPull(w), 'the agent to merge its PR');
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('deploying');
    expect(issueOf(w).state).toBe('closed');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);

    w.sandbox.store.setCommitStatus(REPO, pr.pull!.mergeCommitSha!, { state: 'success', context: 'deploy/production', description: 'Deployed', creator: 'deploy-bot' });
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('deployed');
    const checklist = w.sandbox.store.comments(REPO, w.n).find((c) => parseMarker(c.body)?.kind === 'progress');
    expect(checklist?.body).toMatch(/- \[x\] .*deploy/i);
  });

  it('a PR merged with red CI is escalated, not completed', async () => {
    const w = await world(kind, 'stubborn');
    await w.sb.engine.runCycle();
    await eventually(() => redHead(w), 'red CI on the PR');
    const pr = w.sandbox.store.pulls(REPO).find((p) => p.state === 'open')!;
    w.sandbox.store.mergePullRequest(REPO, pr.number, MAINTAINER.login);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', escalation: { cause: 'merged-red' } });
    expect(countKind(markersOn(w.sandbox, w.n), 'fix-forward')).toBe(0);
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(1);
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });

  it('watch.maxHops ends the retries: a second stall is escalated as too many re-dispatches', async () => {
    const w = await world(kind, 'stall', { stallMinutes: 5, maxRetries: 5, maxHops: 1 });
    await w.sb.engine.runCycle();
    await agentSpoke(w, kind);
    await w.sb.engine.runCycle();
    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ attempt: 2, hops: 1 });
    await w.sb.engine.runCycle();
    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', attempt: 2, escalation: { cause: 'max-hops' } });
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });

  it('an agent with no result by its timeout is escalated (no retries left)', async () => {
    const w = await world(kind, 'never', { maxRetries: 0, stallMinutes: 600 }, 30);
    await w.sb.engine.runCycle();
    await w.sb.engine.runCycle();
    w.clock.advanceMinutes(20);
    await w.sb.engine.runCycle();
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(0);
    w.clock.advanceMinutes(11);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', escalation: { cause: 'timeout' } });
    expect(w.sandbox.store.comments(REPO, w.n).at(-1)?.body).toMatch(/No result in time/);
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });
});

describe.each(KINDS)("$name, the operator's hand", (kind) => {
  const OPERATOR = 'olivia';

  it('cancel: the dispatch ends, the issue says so, the lock is released (a command run is stopped)', async () => {
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    await atWork(w);
    await w.sb.engine.runCycle();
    await w.sb.engine.operate(w.dispatch()!.proposalId, 'cancel', { by: OPERATOR });
    await eventually(() => (countKind(markersOn(w.sandbox, w.n), 'cancel') === 1 ? true : undefined), 'the cancellation comment');
    expect(w.dispatch()?.phase).toBe('cancelled');
    const said = w.sandbox.store.comments(REPO, w.n).find((c) => parseMarker(c.body)?.kind === 'cancel')!;
    expect(said.body).toMatch(/^## Dispatch cancelled/);
    expect(said.body).toContain(OPERATOR);
    await eventually(() => (labelsOf(w.sandbox, w.n).includes(IN_PROGRESS) ? undefined : true), 'the lock to be released');
    expect(issueOf(w).state).toBe('open');
    if (kind.kind === 'command') {
      const { agent } = w;
      await eventually(() => (agent!.stopped > 0 ? true : undefined), 'the run to be stopped');
    }
  });

  it('mark done: completed, lock released (a command run still going is stopped)', async () => {
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    await atWork(w);
    await w.sb.engine.runCycle();
    await w.sb.engine.operate(w.dispatch()!.proposalId, 'done', { by: OPERATOR });
    await eventually(() => (labelsOf(w.sandbox, w.n).includes(IN_PROGRESS) ? undefined : true), 'the lock to be released');
    expect(w.dispatch()?.phase).toBe('completed');
    expect(w.dispatch()?.history.at(-1)?.note).toBe(`marked done by ${OPERATOR}`);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
    if (kind.kind === 'command') {
      const { agent } = w;
      await eventually(() => (agent!.stopped > 0 ? true : undefined), 'the run to be stopped');
    }
  });

  it('retry after an escalation: a new attempt, needs-human taken off, the lock taken again; ack is recorded', async () => {
    const w = await world(kind, 'stall', { stallMinutes: 5, maxRetries: 0 });
    await w.sb.engine.runCycle();
    await agentSpoke(w, kind);
    await w.sb.engine.runCycle();
    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('escalated');
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');

    await w.sb.engine.operate(w.dispatch()!.proposalId, 'ack', { by: OPERATOR });
    expect(w.dispatch()?.escalation?.acknowledgedBy).toBe(OPERATOR);

    await w.sb.engine.operate(w.dispatch()!.proposalId, 'retry', { by: OPERATOR });
    await eventually(() => (countKind(markersOn(w.sandbox, w.n), 'dispatch') === 2 ? true : undefined), 'the second dispatch comment');
    await eventually(() => (labelsOf(w.sandbox, w.n).includes(IN_PROGRESS) ? true : undefined), 'the lock taken again');
    expect(w.dispatch()).toMatchObject({ attempt: 2, escalation: null });
    expect(w.dispatch()?.phase).not.toBe('escalated');
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
  });

  it('re-route: the next attempt goes to the other agent', async () => {
    const to = kind.agentId === 'claude' ? KINDS[1]! : KINDS[0]!;
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    await atWork(w);
    await w.sb.engine.runCycle();
    await w.sb.engine.operate(w.dispatch()!.proposalId, 'reroute', { by: OPERATOR, agentId: to.agentId });
    await eventually(() => (countKind(markersOn(w.sandbox, w.n), 'dispatch') === 2 ? true : undefined), 'the second dispatch comment');
    expect(markersOn(w.sandbox, w.n).filter((m) => m.kind === 'dispatch').map((m) => [m.agent, m.attempt])).toEqual([
      [kind.agentId, 1],
      [to.agentId, 2],
    ]);
    expect(w.dispatch()).toMatchObject({ attempt: 2, agent: { id: to.agentId } });
    if (to.agentId === 'claude') expect(issueOf(w).assignees).toEqual(['claude']);
    else expect(labelsOf(w.sandbox, w.n)).toContain('kimi-ready');
    expect(labelsOf(w.sandbox, w.n)).toContain(IN_PROGRESS);
  });
});

describe.each(KINDS)('$name, retried on the next agent', (kind) => {
  it('with watch.retryNextAgent a stall is retried on the next agent in the registry', async () => {
    const w = await world(kind, 'stall', { stallMinutes: 5, maxRetries: 1, retryNextAgent: true });
    // the registry's order, round: claude, kimi, (owner, never dispatched to), then the http/command agent
    const next = { claude: 'kimi', kimi: 'claude', relay: 'claude', local: 'claude' }[kind.agentId]!;
    await w.sb.engine.runCycle();
    await agentSpoke(w, kind);
    await w.sb.engine.runCycle();
    w.clock.advanceMinutes(6);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ attempt: 2, agent: { id: next } });
    expect(markersOn(w.sandbox, w.n).filter((m) => m.kind === 'dispatch').map((m) => [m.agent, m.attempt])).toEqual([
      [kind.agentId, 1],
      [next, 2],
    ]);
    expect(labelsOf(w.sandbox, w.n)).toContain(IN_PROGRESS);
  });
});

/** Only a tracker agent has a login on the tracker: its comments count, its assignment can be taken away. */
describe.each(KINDS.filter((k) => k.kind === 'tracker'))('$name, on the tracker', (kind) => {
  it('the agent posting the same comment over and over is a loop: escalated without a retry', async () => {
    const w = await world(kind, 'loop', { repeatThreshold: 3, maxRetries: 2 });
    await w.sb.engine.runCycle();
    await eventually(() => (w.sandbox.store.comments(REPO, w.n).filter((c) => c.author === kind.login).length >= 3 ? true : undefined), 'three repeats');
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', attempt: 1, escalation: { cause: 'loop' } });
    expect(countKind(markersOn(w.sandbox, w.n), 'escalation')).toBe(1);
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });

  it("removing the agent's assignment cancels the dispatch and releases the lock", async () => {
    const w = await world(kind, 'never');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);
    await w.sb.engine.runCycle();
    if (kind.agentId === 'claude') w.sandbox.store.updateAssignees(REPO, w.n, []);
    else w.sandbox.store.removeLabel(REPO, w.n, w.sandbox.store.labels(REPO).find((l) => l.name === kind.login)!.id);
    await w.sb.engine.runCycle();
    expect(w.dispatch()?.phase).toBe('cancelled');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');
  });
});

describe.each(CALLED)('$name, its own account', (kind) => {
  it('finished without a pull request: done, awaiting review — lock released, the owner asked to review', async () => {
    const w = await world(kind, 'noPr');
    await w.sb.engine.runCycle();
    expectDispatched(w, kind);
    const { agent } = w;
    await eventually(() => (agent!.finished > 0 ? true : undefined), 'the agent to finish');
    await eventually(async () => {
      await w.sb.engine.runCycle();
      return w.dispatch()?.phase === 'awaiting_review' ? true : undefined;
    }, 'the run to be seen finished');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(issueOf(w).state).toBe('open');
    const review = w.sandbox.store.comments(REPO, w.n).filter((c) => c.author === w.sandbox.login).at(-1)!;
    expect(review.body).toMatch(/^## Done, awaiting review/);
    expect(parseMarker(review.body)).toMatchObject({ kind: 'dispatch', action: 'review' });
  });

  it('a run that fails is retried as a new run, then escalated when it fails again', async () => {
    const w = await world(kind, 'fail', { maxRetries: 1 });
    await w.sb.engine.runCycle();
    const { agent } = w;
    await eventually(() => (agent!.finished > 0 ? true : undefined), 'the first run to end');
    await eventually(async () => {
      await w.sb.engine.runCycle();
      return w.dispatch()?.attempt === 2 ? true : undefined;
    }, 'the failed run to be retried');
    expect(markersOn(w.sandbox, w.n).filter((m) => m.kind === 'dispatch').map((m) => m.attempt)).toEqual([1, 2]);
    await eventually(() => (agent!.finished > 1 ? true : undefined), 'the second run to end');
    await eventually(async () => {
      await w.sb.engine.runCycle();
      return w.dispatch()?.phase === 'escalated' ? true : undefined;
    }, 'the second failure to be escalated');
    expect(w.dispatch()?.escalation?.cause).toBe('agent-failed');
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
  });
});

describe.each(CALLED)('$name refusing the dispatch', (kind) => {
  it('is retried after the backoff, then escalated with the audit comment saying the dispatch did not happen', async () => {
    const w = await world(kind, 'refuse', { maxRetries: 1, retryBackoffSeconds: 60 });
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'retry_wait', attempt: 1 });
    expect(markersOn(w.sandbox, w.n).map((m) => m.kind)).toEqual(['audit']);
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(labelsOf(w.sandbox, w.n)).not.toContain('needs-human');

    // not before the backoff has passed
    w.clock.advanceMinutes(0.5);
    await w.sb.engine.runCycle();
    expect(w.dispatch()).toMatchObject({ phase: 'retry_wait', attempt: 1 });
    if (kind.kind === 'http') expect(w.calls()).toBe(1);

    w.clock.advanceMinutes(1);
    await w.sb.engine.runCycle();
    if (kind.kind === 'http') expect(w.calls()).toBe(2);
    expect(w.dispatch()).toMatchObject({ phase: 'escalated', attempt: 2, escalation: { cause: 'refused' } });
    const own = w.sandbox.store.comments(REPO, w.n).filter((c) => c.author === w.sandbox.login);
    expect(own.map((c) => parseMarker(c.body)?.kind)).toEqual(['retracted', 'escalation']);
    expect(own[0]!.body).toContain('the dispatch did not happen.');
    expect(own[1]!.body).toMatch(/^## Dispatch escalated: The agent refused the dispatch/);
    expect(labelsOf(w.sandbox, w.n)).toContain('needs-human');
    expect(labelsOf(w.sandbox, w.n)).not.toContain(IN_PROGRESS);
    expect(issueOf(w)).toMatchObject({ state: 'open', assignees: [] });
  });
});
