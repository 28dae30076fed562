import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AgentRef,
  type Check,
  ciVerdict,
  isLive,
  leadingPull,
  next,
  type PullSight,
  startSupervision,
  type WatchEvent,
  type WatchPolicy,
} from '../../src/core/supervision.js';

const AGENTS: AgentRef[] = [
  { id: 'claude', kind: 'tracker', login: 'claude', label: null },
  { id: 'kimi', kind: 'tracker', login: 'kimi-ready', label: 'kimi-ready' },
  { id: 'remote', kind: 'http', login: null, label: null },
  { id: 'local', kind: 'command', login: null, label: null },
];
const LOCK = 'switchboard:in-progress';
const T0 = Date.parse('2026-05-01T10:00:00Z');

const check = fc.record<Check>({
  context: fc.constantFrom('ci/test', 'lint', 'deploy/production'),
  state: fc.constantFrom('pending', 'success', 'failure', 'error', 'warning', 'skipped'),
  targetUrl: fc.constant('https://ci.example/1'),
});
const pull = fc.record<PullSight>({
  number: fc.integer({ min: 10, max: 12 }),
  state: fc.constantFrom('open', 'closed'),
  merged: fc.boolean(),
  headSha: fc.constantFrom('a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), 'd'.repeat(40)),
  mergeSha: fc.constantFrom(null, 'm'.repeat(40)),
  checks: fc.array(check, { maxLength: 3 }),
  mergeChecks: fc.array(check, { maxLength: 2 }),
});
const event: fc.Arbitrary<WatchEvent> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<WatchEvent>({ kind: 'accepted', detail: 'ok' }, { kind: 'refused', detail: 'HTTP 500' }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('cycle' as const),
      tracker: fc.option(
        fc.record({
          issue: fc.record({
            state: fc.constantFrom<'open' | 'closed'>('open', 'open', 'open', 'closed'),
            closedBy: fc.constantFrom(null, 'claude', 'alice', 'switchboard'),
            assignees: fc.constantFrom(['claude'], [], ['bob']),
            labels: fc.constantFrom([LOCK, 'kimi-ready'], [LOCK], [], ['kimi-ready']),
          }),
          pulls: fc.array(pull, { maxLength: 2 }),
          comments: fc.array(fc.record({ author: fc.constantFrom('claude', 'kimi-ready', 'stranger', 'maintainer', 'switchboard'), body: fc.constantFrom('same', 'again', '+1') }), { maxLength: 3 }),
        }),
        { nil: null },
      ),
      agent: fc.option(fc.record({ status: fc.constantFrom<'running' | 'succeeded' | 'failed'>('running', 'succeeded', 'failed'), detail: fc.constant('') }), { nil: null }),
    }),
  },
);

const policy = (maxHops: number, maxFixForward: number, deploy: boolean): WatchPolicy => ({
  selfLogin: 'switchboard',
  trusted: new Set(['maintainer']),
  inProgressLabel: LOCK,
  stallMinutes: 30,
  timeoutMinutes: 120,
  repeatThreshold: 3,
  maxRetries: 2,
  retryBackoffSeconds: 60,
  maxFixForward,
  maxHops,
  closeOnMerge: true,
  deployContext: deploy ? 'deploy/production' : null,
  retryNextAgent: true,
  agents: AGENTS,
});

describe('supervision invariants over arbitrary event sequences', () => {
  it('every dispatch that ends releases its lock in that step; every red CI is answered in its cycle; hops and fix-forwards stay within their limits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...AGENTS),
        fc.array(fc.tuple(event, fc.integer({ min: 0, max: 40 })), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (agent, events, maxHops, maxFixForward, deploy) => {
          const p = policy(maxHops, maxFixForward, deploy);
          let d = startSupervision({ proposalId: 'p', repo: 'acme/api', number: 7, agent }, new Date(T0));
          let now = T0;
          for (const [e, minutes] of events) {
            now += minutes * 60_000;
            const step = next(d, e, new Date(now), p);
            const kinds = step.actions.map((a) => a.kind);
            // Deploy tracking runs after the lock was released at the merge.
            if (isLive(d.phase) && !isLive(step.dispatch.phase) && d.phase !== 'deploying') expect(kinds).toContain('release-lock');
            if (!isLive(d.phase)) expect(step.actions).toEqual([]);
            if (d.phase === 'deploying') expect(kinds).not.toContain('release-lock');
            expect(kinds.filter((k) => k === 'release-lock').length).toBeLessThanOrEqual(1);
            expect(step.dispatch.hops).toBeLessThanOrEqual(maxHops);
            expect(step.dispatch.fixForwards).toBeLessThanOrEqual(maxFixForward);
            expect(step.dispatch.history.length).toBeLessThanOrEqual(50);
            if (step.dispatch.phase === 'escalated') expect(step.dispatch.escalation).not.toBeNull();
            // Every red CI is answered in the cycle that sees it: a fix-forward or an escalation.
            const lead = e.kind === 'cycle' && e.tracker?.issue.state === 'open' ? leadingPull(e.tracker.pulls) : null;
            const observing = isLive(d.phase) && !['dispatching', 'retry_wait', 'deploying', 'merged'].includes(d.phase);
            if (observing && lead && !lead.merged && lead.state === 'open' && ciVerdict(lead.checks) === 'red' && step.dispatch.phase !== 'cancelled') {
              expect(step.dispatch.fixedShas).toContain(lead.headSha);
              if (!d.fixedShas.includes(lead.headSha)) expect(kinds.some((k) => k === 'fix-forward' || k === 'escalate')).toBe(true);
            }
            d = step.dispatch;
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
