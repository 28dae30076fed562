import { describe, expect, it } from 'vitest';
import { type Check, next, type PullSight, startSupervision, type Supervised, type WatchEvent, type WatchPolicy } from '../../src/core/supervision.js';
import { escalationGuidance, nextSteps, watchEscalationComment } from '../../src/core/texts-watch.js';
import { ESCALATION_CAUSES } from '../../src/core/supervision-types.js';

const T0 = new Date('2026-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const CLAUDE = { id: 'claude', kind: 'tracker' as const, login: 'claude', label: null };
const policy: WatchPolicy = {
  selfLogin: 'switchboard', trusted: new Set(), inProgressLabel: 'lock', stallMinutes: 60, timeoutMinutes: 240, repeatThreshold: 3,
  maxRetries: 1, retryBackoffSeconds: 60, maxFixForward: 2, maxHops: 5, closeOnMerge: true, deployContext: null, retryNextAgent: false, agents: [CLAUDE],
};
const check = (state: Check['state']): Check => ({ context: 'ci/test', state, targetUrl: 'https://ci.example/1' });
const pull = (sha: string, state: Check['state'] | null): PullSight => ({
  number: 40, state: 'open', merged: false, headSha: sha.repeat(40), mergeSha: null, checks: state ? [check(state)] : [], mergeChecks: [],
});
const cycle = (p: PullSight): WatchEvent => ({
  kind: 'cycle', agent: null, tracker: { issue: { state: 'open', closedBy: null, assignees: ['claude'], labels: ['lock'] }, pulls: [p], comments: [] },
});

function redThrice(): Supervised {
  let d = startSupervision({ proposalId: 'p1', repo: 'acme/api', number: 7, agent: CLAUDE }, T0);
  const events: WatchEvent[] = [
    { kind: 'accepted', detail: 'assigned' },
    cycle(pull('a', 'pending')),
    cycle(pull('a', 'failure')),
    cycle(pull('b', 'failure')),
    cycle(pull('c', 'failure')),
  ];
  events.forEach((e, n) => (d = next(d, e, at(n * 5), policy).dispatch));
  return d;
}

const ids = { proposalId: 'p1', consoleId: 'c1', agentId: 'claude' };

describe('escalation guidance (seed 004 SuggestNextSteps, GetAgentCommitRange, GetProgressSummary)', () => {
  it('an escalation after red CI carries the commit range, phases, CI history, fix-forwards and next steps', () => {
    const d = redThrice();
    expect(d.escalation?.cause).toBe('ci-red');
    const text = watchEscalationComment({ ...ids, cause: 'ci-red', why: d.escalation!.why, agentName: 'Claude', attempts: d.attempt, ownerLogin: 'owner', needsHumanLabel: 'needs-human', guidance: escalationGuidance(d) });
    expect(text).toContain('**Commits:** `aaaaaaa`…`ccccccc` on pull request #40 (3 commits seen).');
    expect(text).toContain('**Phases reached:** dispatched → assigned → CI ran → CI red.');
    expect(text).toContain('**CI history:** `aaaaaaa` running → `aaaaaaa` red → `bbbbbbb` red → `ccccccc` red.');
    expect(text).toContain('**Fix-forwards:** 2; attempts: 1.');
    expect(text).toContain('### Next steps\n1. Open the failing checks below');
  });

  it('a stall with no pull request says no commits were seen and suggests retrying or re-routing', () => {
    let d = startSupervision({ proposalId: 'p1', repo: 'acme/api', number: 7, agent: CLAUDE }, T0);
    d = next(d, { kind: 'accepted', detail: 'assigned' }, T0, policy).dispatch;
    const text = watchEscalationComment({ ...ids, cause: 'stall', why: 'quiet', agentName: 'Claude', attempts: 2, ownerLogin: 'owner', needsHumanLabel: 'needs-human', guidance: escalationGuidance(d) });
    expect(text).toContain('**Commits:** no commits seen on a pull request.');
    expect(text).toContain('**CI history:** none seen.');
    expect(text).toMatch(/Next steps\n1\. Read the agent's last comment/);
    expect(text).toContain('dispatch retry');
  });

  it.each(ESCALATION_CAUSES)('the next steps for %s are its own', (cause) => {
    const others = ESCALATION_CAUSES.filter((c) => c !== cause).map((c) => nextSteps(c)[0]);
    expect(nextSteps(cause).length).toBeGreaterThan(0);
    expect(others).not.toContain(nextSteps(cause)[0]);
  });

  it('a quiet cycle adds nothing to the trail (the same dispatch object comes back)', () => {
    const d = redThrice();
    const again = next(d, cycle(pull('c', 'failure')), at(60), policy);
    expect(again.dispatch.trail).toBe(d.trail);
  });
});
