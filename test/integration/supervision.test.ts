import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Supervised } from '../../src/core/supervision-types.js';
import { isLive } from '../../src/core/supervision-types.js';
import { parseMarker } from '../../src/core/texts.js';
import { headlessConfig } from '../../src/headless/run.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { Switchboard } from '../../src/wiring.js';
import {
  closedAfterEach,
  addReadyIssue,
  AUTHOR,
  autoConfig,
  emptySandbox,
  IN_PROGRESS,
  labelsOf,
  markersOn,
  offsetClock,
  open,
  REPO,
  stateDirs,
} from '../helpers/switchboard-harness.js';
import { parseConfig } from '../../src/core/config.js';

/**
 * Supervision end to end (issue 12): switchboard on the sandbox over real HTTP, with its
 * simulated agents, in both dialects (the `github` project reruns this file).
 */

const READER = { login: 'mallory', token: 'tok-mallory-51d0', permission: 'read' } as const;

const dirs = stateDirs();
const track = closedAfterEach(afterEach);
afterAll(() => dirs.cleanup());

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A comment posted over the sandbox's HTTP API as `user`, in the sandbox's dialect. */
async function commentAs(sandbox: Sandbox, user: { token: string }, number: number, body: string): Promise<void> {
  const github = sandbox.dialect === 'github';
  const res = await fetch(`${sandbox.apiUrl}/repos/${REPO}/issues/${number}/comments`, {
    method: 'POST',
    headers: { Authorization: github ? `Bearer ${user.token}` : `token ${user.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ body }),
    signal: AbortSignal.timeout(5000),
  });
  expect(res.status, await res.text()).toBe(201);
}

const dispatchOf = (sb: Switchboard, number: number): Supervised | undefined => [...sb.engine.getSnapshot().dispatches.values()].find((d) => d.number === number);

describe("a stranger's comments (a read-only user, over HTTP)", () => {
  it('never escalate a dispatch as a loop nor hold off its stall', async () => {
    const sandbox = track(await emptySandbox({ users: [READER], agents: { delayMs: 5, outcomes: { complete: 0, failCi: 0, stall: 1, never: 0, loop: 0 } } }));
    const n = addReadyIssue(sandbox);
    const clock = offsetClock();
    const config = autoConfig({ watch: { stallMinutes: 5, maxRetries: 0, repeatThreshold: 3 } });
    const sb = track(await open(sandbox, await dirs.make(), { config, clock }));

    await sb.engine.runCycle();
    await eventually(() => (sandbox.store.comments(REPO, n).some((c) => c.author === 'claude') ? true : undefined), 3000, "the agent's comment");
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('working');

    for (let i = 0; i < 4; i++) await commentAs(sandbox, READER, n, '+1');
    // the forge has them as the stranger's (in either dialect)
    expect(sandbox.store.comments(REPO, n).filter((c) => c.author === READER.login)).toHaveLength(4);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.escalation ?? null).toBeNull();
    expect(dispatchOf(sb, n)?.phase).toBe('working');

    clock.advanceMinutes(4);
    await commentAs(sandbox, READER, n, 'any news? +1');
    await sb.engine.runCycle();
    clock.advanceMinutes(2);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)).toMatchObject({ phase: 'escalated', escalation: { cause: 'stall' } });
    expect(sandbox.store.comments(REPO, n).at(-1)?.body).toMatch(/^## Dispatch escalated: The agent went quiet/);
    expect(labelsOf(sandbox, n)).toContain('needs-human');
    expect(labelsOf(sandbox, n)).not.toContain(IN_PROGRESS);
  });

  it("a trusted maintainer's comment does hold off the stall", async () => {
    const sandbox = track(await emptySandbox({ agents: { delayMs: 5, outcomes: { complete: 0, failCi: 0, stall: 1, never: 0, loop: 0 } } }));
    const n = addReadyIssue(sandbox);
    const clock = offsetClock();
    const sb = track(await open(sandbox, await dirs.make(), { config: autoConfig({ watch: { stallMinutes: 5, maxRetries: 0 } }), clock }));
    await sb.engine.runCycle();
    await eventually(() => (sandbox.store.comments(REPO, n).some((c) => c.author === 'claude') ? true : undefined), 3000, "the agent's comment");
    clock.advanceMinutes(4);
    sandbox.store.addComment(REPO, n, 'Claude, the check belongs in the session middleware.', AUTHOR);
    await sb.engine.runCycle();
    clock.advanceMinutes(2);
    await sb.engine.runCycle();
    expect(dispatchOf(sb, n)?.phase).toBe('working');
  });
});

describe('a headless run on the sandbox with simulated agents (--approve all)', () => {
  it('leaves no lock on a closed issue or a finished dispatch, answers every red CI within one cycle, and closes every merged issue', async () => {
    const sandbox = track(
      await emptySandbox({
        agents: { delayMs: 60, outcomes: { complete: 0.3, failCi: 0.25, mergeNoClose: 0.2, stubborn: 0.1, stall: 0.1, never: 0.05, loop: 0 } },
      }),
    );
    const numbers = Array.from({ length: 14 }, (_, i) => addReadyIssue(sandbox, `[bug] Login fails on empty password, case ${i + 1}`));
    const base = parseConfig({
      trustedAuthors: [AUTHOR],
      repos: [REPO],
      intervalSeconds: 1,
      limits: { repoLock: false, dispatchesPerCycle: 20 },
      watch: { stallMinutes: 0.05, maxRetries: 1, retryNextAgent: true, retryBackoffSeconds: 1 },
    });
    const config = { ...headlessConfig(base, { approve: 'all' }), armed: true };
    const sb = track(await open(sandbox, await dirs.make(), { config }));

    // At each cycle's start: the red heads the cycle will see; at its end: whether each was answered.
    const issueOfPull = (body: string): number | null => Number(/(?:Fixes|Refs) #(\d+)/.exec(body)?.[1] ?? NaN) || null;
    const redHeads = (): Map<string, number> => {
      const out = new Map<string, number>();
      for (const pr of sandbox.store.pulls(REPO)) {
        const n = issueOfPull(pr.body);
        const sha = pr.pull?.headSha;
        if (n === null || !sha || pr.state !== 'open') continue;
        if (sandbox.store.latestStatuses(REPO, sha).some((s) => s.state === 'failure')) out.set(sha, n);
      }
      return out;
    };
    const answered = (sha: string, n: number): boolean =>
      sandbox.store
        .comments(REPO, n)
        .filter((c) => c.author === sandbox.login)
        .some((c) => (parseMarker(c.body)?.kind === 'fix-forward' && c.body.includes(sha)) || parseMarker(c.body)?.kind === 'escalation');
    let seenAtStart = new Map<string, number>();
    const unanswered: string[] = [];
    const redSeen = new Set<string>();
    sb.engine.onEvent((e) => {
      if (e.type === 'cycle-started') {
        seenAtStart = redHeads();
        for (const sha of seenAtStart.keys()) redSeen.add(sha);
      }
      if (e.type === 'cycle-finished') for (const [sha, n] of seenAtStart) if (!answered(sha, n)) unanswered.push(`#${n} ${sha.slice(0, 7)} (cycle ${e.cycle})`);
    });

    await sb.engine.start();
    const settled = () => numbers.every((n) => {
      const d = dispatchOf(sb, n);
      return d !== undefined && !isLive(d.phase);
    });
    await eventually(() => (settled() ? true : undefined), 40_000, 'every dispatch to end').catch(() => undefined);
    // one more cycle, so what the last one asked for is done
    await sb.engine.runCycle();
    await sb.engine.stop();

    const ended = numbers.map((n) => dispatchOf(sb, n)).filter((d): d is Supervised => d !== undefined && !isLive(d.phase));
    expect(ended.length).toBeGreaterThanOrEqual(10);
    for (const n of numbers) {
      const issue = sandbox.store.issue(REPO, n)!;
      const d = dispatchOf(sb, n);
      if (issue.state === 'closed' || (d && !isLive(d.phase))) expect({ n, labels: labelsOf(sandbox, n) }).toEqual({ n, labels: expect.not.arrayContaining([IN_PROGRESS]) });
    }
    for (const pr of sandbox.store.pulls(REPO).filter((p) => p.pull?.merged)) {
      const n = issueOfPull(pr.body)!;
      const d = dispatchOf(sb, n);
      // a merge with red CI is escalated, not closed
      if (d?.escalation?.cause === 'merged-red') continue;
      expect({ n, state: sandbox.store.issue(REPO, n)?.state }).toEqual({ n, state: 'closed' });
    }
    expect(redSeen.size).toBeGreaterThan(0);
    expect(sandbox.store.pulls(REPO).filter((p) => p.pull?.merged).length).toBeGreaterThan(0);
    expect(unanswered).toEqual([]);
    // the run showed the endings a newcomer should see
    const phases = ended.map((d) => d.phase);
    expect(phases).toContain('completed');
    expect(phases).toContain('escalated');
    expect(ended.some((d) => d.fixForwards > 0 && d.phase === 'completed')).toBe(true);
    expect(markersOn(sandbox, numbers[0]!).length).toBeGreaterThan(0);
  }, 60_000);
});
