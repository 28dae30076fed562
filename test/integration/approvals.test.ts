import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DASHBOARD_TITLE } from '../../src/core/approvals.js';
import { parseConfig } from '../../src/core/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { Switchboard } from '../../src/wiring.js';
import { apiClient, eventually } from '../helpers/sandbox-client.js';
import {
  closedAfterEach,
  AUTHOR,
  addReadyIssue,
  countKind,
  DIALECT,
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
 * Approving from the tracker, over real HTTP: the dashboard issue's boxes and `/switchboard …`
 * comments, with the forge's own permissions as the gate (sandbox users with their own tokens).
 * Run once per sandbox dialect (vitest.config.ts).
 */

/** An edited issue: Gitea answers 201 (its swagger, issueEditIssue), GitHub 200 (issues/update). */
const EDITED = DIALECT === 'github' ? 200 : 201;

const WRITER = { login: 'wendy', token: 'tok-writer-wendy', permission: 'write' } as const;
const READER = { login: 'rita', token: 'tok-reader-rita', permission: 'read' } as const;

const dirs = stateDirs();
const track = closedAfterEach(afterEach);
afterAll(() => dirs.cleanup());

const config = (over: { armed?: boolean; dashboard?: boolean } = {}) =>
  parseConfig({
    armed: over.armed ?? true,
    trustedAuthors: [AUTHOR],
    approvals: { dashboard: over.dashboard ?? true, pollSeconds: 1, minEditSeconds: 1 },
  });

async function setup(over: { armed?: boolean; dashboard?: boolean } = {}) {
  const sandbox = track(await emptySandbox({ users: [WRITER, READER] }));
  const n = addReadyIssue(sandbox);
  const sb = track(await open(sandbox, await dirs.make(), { config: config(over) }));
  await sb.engine.runCycle();
  return { sandbox, sb, n, writer: apiClient(sandbox, WRITER.token), reader: apiClient(sandbox, READER.token) };
}

const proposalOf = (sb: Switchboard, n: number) => [...sb.engine.getSnapshot().proposals.values()].find((p) => p.number === n && p.status !== 'superseded');
const dashboardOf = (sandbox: Sandbox) => sandbox.store.issues(REPO).find((i) => i.title === DASHBOARD_TITLE && i.state === 'open');
const repliesOn = (sandbox: Sandbox, n: number) => sandbox.store.comments(REPO, n).filter((c) => c.author === sandbox.login && c.body.startsWith('switchboard:'));

describe('the dashboard issue', () => {
  it('a writer ticks a box and the proposal executes within 30 s', { timeout: 45_000 }, async () => {
    const { sandbox, sb, n, writer } = await setup();
    const id = proposalOf(sb, n)!.id;
    expect(proposalOf(sb, n)!.status).toBe('proposed');
    const dashboard = await eventually(() => dashboardOf(sandbox), 10_000, 'the dashboard issue');
    expect(dashboard.author).toBe(sandbox.login);
    expect(dashboard.body).toContain(`- [ ] <!-- sb:p:${id} --> ${REPO}#${n}`);

    const ticked = dashboard.body.replace(`- [ ] <!-- sb:p:${id} -->`, `- [x] <!-- sb:p:${id} -->`);
    const at = Date.now();
    expect((await writer.patch(`/repos/${REPO}/issues/${dashboard.number}`, { body: ticked })).status).toBe(EDITED);
    const proposal = () => sb.engine.getSnapshot().proposals.get(id);
    await eventually(() => (proposal()?.status === 'executed' ? true : undefined), 30_000, 'the execution');
    expect(markersOn(sandbox, n).map((m) => m.kind)).toEqual(['audit', 'dispatch']);
    expect(Date.now() - at).toBeLessThan(30_000);
    expect(proposal()).toMatchObject({ status: 'executed', approvedBy: `dashboard ${REPO}#${dashboard.number}` });
    // The audit comment says where the approval came from.
    expect(sandbox.store.comments(REPO, n).find((c) => c.body.includes('**Approved by:**'))?.body).toContain(`dashboard ${REPO}#${dashboard.number}`);
  });

  it("a reader's edit is refused by the sandbox as by the forge, and nothing is approved", async () => {
    const { sandbox, sb, n, reader } = await setup();
    const id = proposalOf(sb, n)!.id;
    const dashboard = await eventually(() => dashboardOf(sandbox), 10_000, 'the dashboard issue');
    const ticked = dashboard.body.replace(`- [ ] <!-- sb:p:${id} -->`, `- [x] <!-- sb:p:${id} -->`);
    // Neither the poster nor a writer → 403: Gitea routers/api/v1/repo/issue.go:773-783; GitHub's
    // repository roles (only write and above edit others' issues and comments).
    const refused = await reader.patch(`/repos/${REPO}/issues/${dashboard.number}`, { body: ticked });
    expect(refused.status).toBe(403);
    expect(sandbox.store.issue(REPO, dashboard.number)?.body).toBe(dashboard.body);
    await sb.approvals.poll();
    expect(proposalOf(sb, n)?.status).toBe('proposed');
  });

  it('unticking an approved box before it runs takes the approval back', async () => {
    const { sandbox, sb, n, writer } = await setup({ armed: false });
    const id = proposalOf(sb, n)!.id;
    const dashboard = await eventually(() => dashboardOf(sandbox), 10_000, 'the dashboard issue');
    await writer.patch(`/repos/${REPO}/issues/${dashboard.number}`, { body: dashboard.body.replace(`- [ ] <!-- sb:p:${id} -->`, `- [x] <!-- sb:p:${id} -->`) });
    await eventually(() => (proposalOf(sb, n)?.status === 'approved' ? true : undefined), 10_000, 'the approval');
    // Disarmed: approved-waiting, as from the console; the dashboard lists it with its gate.
    const listed = await eventually(() => (dashboardOf(sandbox)?.body.includes('### Approved, waiting (1)') ? dashboardOf(sandbox) : undefined), 10_000, 'the approved row');
    expect(listed.body).toMatch(new RegExp(`### Approved, waiting \\(1\\)\n- \\[x\\] <!-- sb:p:${id} -->.*waiting for arming`));
    await writer.patch(`/repos/${REPO}/issues/${dashboard.number}`, { body: listed.body.replace(`- [x] <!-- sb:p:${id} -->`, `- [ ] <!-- sb:p:${id} -->`) });
    await eventually(() => (proposalOf(sb, n)?.status === 'proposed' ? true : undefined), 10_000, 'the approval taken back');
    expect(proposalOf(sb, n)?.approvedBy).toBeNull();
  });

  it('is not edited again when nothing changed', async () => {
    const { sandbox, sb } = await setup();
    await eventually(() => dashboardOf(sandbox), 10_000, 'the dashboard issue');
    await sb.approvals.poll();
    const edits = (): number => sandbox.requestCount('PATCH /repos/{owner}/{repo}/issues/{index}');
    const reads = (): number => sandbox.requestCount('GET /repos/{owner}/{repo}/issues/{index}');
    const before = { edits: edits(), reads: reads(), unchanged: sandbox.notModifiedCount() };
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1100));
      await sb.approvals.poll();
    }
    expect(reads()).toBeGreaterThanOrEqual(before.reads + 3);
    expect(edits()).toBe(before.edits);
    // On GitHub each of those reads is conditional, and a quiet dashboard is a 304 GitHub does not count.
    if (DIALECT === 'github') expect(sandbox.notModifiedCount() - before.unchanged).toBeGreaterThanOrEqual(3);
  });
});

describe('comment commands', () => {
  it("a reader's /switchboard approve changes nothing and gets no answer", async () => {
    const { sandbox, sb, n, reader, writer } = await setup({ dashboard: false });
    expect((await reader.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard approve' })).status).toBe(201);
    await sb.approvals.poll();
    expect(proposalOf(sb, n)?.status).toBe('proposed');
    expect(repliesOn(sandbox, n)).toEqual([]);
    // The same read does obey a writer.
    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard approve' });
    await sb.approvals.poll();
    expect(proposalOf(sb, n)?.approvedBy).toBe(`wendy (comment on ${REPO}#${n})`);
    expect(repliesOn(sandbox, n).map((c) => c.body)).toEqual(['switchboard: approved by @wendy.']);
  });

  it("a stranger's command (not a collaborator: GitHub answers 404) is ignored and does not stop a writer's after it", async () => {
    const { sandbox, sb, n, writer } = await setup({ dashboard: false });
    sandbox.store.addComment(REPO, n, '/switchboard reject no', 'drive-by');
    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard approve' });
    // One read brings both: the stranger's comes first and must not end the round.
    await sb.approvals.poll();
    expect(proposalOf(sb, n)?.approvedBy).toBe(`wendy (comment on ${REPO}#${n})`);
    expect(repliesOn(sandbox, n).map((c) => c.body)).toEqual(['switchboard: approved by @wendy.']);
  });

  it("a writer's /switchboard reject needs a design rejects with that note", async () => {
    const { sandbox, sb, n, writer } = await setup({ dashboard: false });
    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: 'Not yet.\n/switchboard reject needs a design' });
    await eventually(() => (proposalOf(sb, n)?.status === 'rejected' ? true : undefined), 10_000, 'the rejection');
    expect(proposalOf(sb, n)?.note).toBe('needs a design');
    await eventually(() => (repliesOn(sandbox, n).length > 0 ? true : undefined), 5_000, 'the answer');
    expect(repliesOn(sandbox, n)[0]?.body).toBe('switchboard: rejected by @wendy with a note.');
    expect(markersOn(sandbox, n)).toEqual([]);
  });

  it('disarmed, an approval by comment waits like a console one, past the change the comment made', async () => {
    const { sandbox, sb, n, writer } = await setup({ armed: false, dashboard: false });
    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard approve' });
    await sb.approvals.poll();
    expect(proposalOf(sb, n)?.status).toBe('approved');
    // The comment and the answer changed the issue: the next fetch plans it afresh …
    await sb.engine.runCycle();
    await sb.approvals.poll();
    // … and the approval is carried to the new proposal, still waiting for arming.
    expect(proposalOf(sb, n)).toMatchObject({ status: 'approved', approvedBy: `wendy (comment on ${REPO}#${n})`, waiting: 'waiting for arming' });
    expect(markersOn(sandbox, n)).toEqual([]);
  });
});

describe('retry and cancel from the tracker', () => {
  /** Every proposal approved by rule; the sandbox's agent takes the issue and then goes quiet. */
  async function running(over: { dashboard: boolean }) {
    const sandbox = track(await emptySandbox({ users: [WRITER, READER], agents: { delayMs: 5, outcomes: { complete: 0, failCi: 0, stall: 1, never: 0, loop: 0 } } }));
    const n = addReadyIssue(sandbox);
    const clock = offsetClock();
    const sb = track(
      await open(sandbox, await dirs.make(), {
        clock,
        config: parseConfig({
          armed: true,
          autoApprove: [{ when: {} }],
          trustedAuthors: [AUTHOR],
          watch: { stallMinutes: 5, maxRetries: 0 },
          approvals: { dashboard: over.dashboard, pollSeconds: 1, minEditSeconds: 1 },
        }),
      }),
    );
    await sb.engine.runCycle();
    await eventually(() => (sandbox.store.comments(REPO, n).some((c) => c.author === 'claude') ? true : undefined), 5_000, "the agent's comment");
    await sb.engine.runCycle();
    const dispatch = () => [...sb.engine.getSnapshot().dispatches.values()].find((d) => d.number === n);
    expect(dispatch()?.phase).toBe('working');
    return { sandbox, sb, n, clock, dispatch, writer: apiClient(sandbox, WRITER.token), reader: apiClient(sandbox, READER.token) };
  }

  it("a writer's /switchboard retry re-dispatches an escalated dispatch, a cancel ends it, a second cancel is answered with the engine's reason", { timeout: 30_000 }, async () => {
    const { sandbox, sb, n, clock, dispatch, writer } = await running({ dashboard: false });
    clock.advanceMinutes(6);
    await sb.engine.runCycle();
    expect(dispatch()).toMatchObject({ phase: 'escalated', attempt: 1 });

    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard retry' });
    await eventually(() => (dispatch()?.attempt === 2 ? true : undefined), 10_000, 'the new attempt');
    expect(dispatch()?.history.some((h) => h.note.includes(`retried by wendy (comment on ${REPO}#${n})`))).toBe(true);
    await eventually(() => (countKind(markersOn(sandbox, n), 'dispatch') === 2 ? true : undefined), 10_000, 'the second dispatch comment');
    await eventually(() => (repliesOn(sandbox, n).length === 1 ? true : undefined), 5_000, 'the answer to retry');
    expect(repliesOn(sandbox, n)[0]?.body).toBe('switchboard: retried by @wendy.');
    // Sent out again: no longer waiting for a human, the lock taken again.
    await eventually(() => (labelsOf(sandbox, n).includes(IN_PROGRESS) ? true : undefined), 10_000, 'the lock taken again');
    expect(labelsOf(sandbox, n)).not.toContain('needs-human');

    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard cancel' });
    await eventually(() => (dispatch()?.phase === 'cancelled' ? true : undefined), 10_000, 'the cancellation');
    await eventually(() => (repliesOn(sandbox, n).length === 2 ? true : undefined), 5_000, 'the answer to cancel');
    expect(repliesOn(sandbox, n)[1]?.body).toBe('switchboard: cancelled by @wendy.');
    await writer.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard cancel' });
    const refused = await eventually(() => repliesOn(sandbox, n)[2], 10_000, 'the answer to the second cancel');
    expect(refused.body).toBe(`switchboard: could not cancel: the dispatch of ${REPO}#${n} has already ended (cancelled): there is nothing to cancel`);
  });

  it("a writer ticking an escalation's retry box re-dispatches it", { timeout: 30_000 }, async () => {
    const { sandbox, sb, n, clock, dispatch, writer } = await running({ dashboard: true });
    clock.advanceMinutes(6);
    await sb.engine.runCycle();
    expect(dispatch()?.phase).toBe('escalated');
    const id = dispatch()!.proposalId;
    const box = `- [ ] <!-- sb:retry:${id} -->`;
    const dashboard = await eventually(() => (dashboardOf(sandbox)?.body.includes(box) ? dashboardOf(sandbox) : undefined), 10_000, 'the retry box');
    expect(dashboard.body).toContain(`### Escalations (1)\n${box} retry ${REPO}#${n} — Claude Code — escalated: `);
    await writer.patch(`/repos/${REPO}/issues/${dashboard.number}`, { body: dashboard.body.replace(box, `- [x] <!-- sb:retry:${id} -->`) });
    await eventually(() => (dispatch()?.attempt === 2 ? true : undefined), 10_000, 'the new attempt');
    expect(dispatch()?.history.some((h) => h.note.includes(`retried by dashboard ${REPO}#${dashboard.number}`))).toBe(true);
    // Out of the escalations, in flight again with its cancel box.
    await eventually(() => (dashboardOf(sandbox)?.body.includes(`### Escalations (0)`) ? true : undefined), 10_000, 'the escalation gone');
    expect(dashboardOf(sandbox)?.body).toContain(`- [ ] <!-- sb:cancel:${id} -->`);
  });

  it("a reader's /switchboard cancel changes nothing; a writer ticking the cancel box in flight cancels", { timeout: 30_000 }, async () => {
    const { sandbox, sb, n, dispatch, reader, writer } = await running({ dashboard: true });
    const id = dispatch()!.proposalId;
    const box = `- [ ] <!-- sb:cancel:${id} -->`;
    const dashboard = await eventually(() => (dashboardOf(sandbox)?.body.includes(box) ? dashboardOf(sandbox) : undefined), 10_000, 'the cancel box in flight');
    expect(dashboard.body).toContain(`### In flight (1)\n${box} cancel ${REPO}#${n} — Claude Code — working`);

    expect((await reader.post(`/repos/${REPO}/issues/${n}/comments`, { body: '/switchboard cancel' })).status).toBe(201);
    // Two rounds: the second surely began after the comment was posted.
    await sb.approvals.poll();
    await sb.approvals.poll();
    expect(dispatch()?.phase).toBe('working');
    expect(repliesOn(sandbox, n)).toEqual([]);
    expect(labelsOf(sandbox, n)).toContain(IN_PROGRESS);

    const current = dashboardOf(sandbox)!;
    expect((await writer.patch(`/repos/${REPO}/issues/${current.number}`, { body: current.body.replace(box, `- [x] <!-- sb:cancel:${id} -->`) })).status).toBe(EDITED);
    await eventually(() => (dispatch()?.phase === 'cancelled' ? true : undefined), 10_000, 'the cancellation');
    expect(dispatch()?.history.at(-1)?.note).toBe(`cancelled by dashboard ${REPO}#${current.number}`);
    await eventually(() => (countKind(markersOn(sandbox, n), 'cancel') === 1 ? true : undefined), 10_000, 'the cancellation comment');
    expect(sandbox.store.comments(REPO, n).find((c) => c.body.startsWith('## Dispatch cancelled'))?.body).toContain(`dashboard ${REPO}#${current.number} cancelled the dispatch to **Claude Code**`);
    await eventually(() => (labelsOf(sandbox, n).includes(IN_PROGRESS) ? undefined : true), 10_000, 'the lock released');
    // The box goes with the dispatch at the next edit.
    await eventually(() => (dashboardOf(sandbox)?.body.includes('### In flight (0)') ? true : undefined), 10_000, 'the dashboard without it');
  });
});
