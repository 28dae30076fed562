import { describe, expect, it } from 'vitest';
import { fixForwardPrompt, implementerPrompt, ISSUE_IMPLEMENTER_PREAMBLE } from '../../src/core/prompts.js';
import type { FixForwardRequest, Progress } from '../../src/core/supervision.js';
import { ESCALATION_CAUSES } from '../../src/core/supervision.js';
import {
  cancelledComment,
  completionComment,
  fixForwardComment,
  progressComment,
  progressNeedsWrite,
  retractedAuditComment,
  watchEscalationComment,
} from '../../src/core/texts-watch.js';
import { parseMarker } from '../../src/core/texts.js';

const ids = { proposalId: 'p1', consoleId: 'c1', agentId: 'claude' };
const NOW = new Date('2026-05-01T10:00:00Z');
const request: FixForwardRequest = {
  agent: { id: 'claude', kind: 'tracker', login: 'claude', label: null },
  pr: 40,
  headSha: 'b'.repeat(40),
  failing: [
    { context: 'ci/test', state: 'failure', targetUrl: 'https://ci.example/run/9' },
    { context: 'evil<!-- x -->`@everyone`', state: 'error', targetUrl: 'javascript:alert(1)' },
  ],
  round: 1,
  maxRounds: 2,
};

describe('fix-forward', () => {
  it('the comment names the agent, the failing contexts, their URLs and the head SHA, with its marker', () => {
    const body = fixForwardComment({ ...ids, request, agentName: 'Claude Code' });
    expect(body).toContain('@claude, CI failed on pull request #40 at commit `' + 'b'.repeat(40) + '`');
    expect(body).toContain('| `ci/test` | failure | [details](https://ci.example/run/9) |');
    expect(body).toContain('| `evil!-- x --everyone` | error | — |');
    expect(body).not.toContain('javascript:');
    expect(parseMarker(body)).toMatchObject({ kind: 'fix-forward', proposal: 'p1', attempt: 1 });
  });

  it('the prompt for http and command agents says the same in plain text', () => {
    const text = fixForwardPrompt(request, { repo: 'acme/api', number: 7 });
    expect(text).toContain(`CI is red on pull request #40 for issue acme/api#7 at commit ${'b'.repeat(40)}.`);
    expect(text).toContain('- ci/test: failure (https://ci.example/run/9)');
    expect(text).toContain('fix-forward 1 of 2');
  });
});

describe('other supervision comments', () => {
  it('completion names the PR and merge commit', () => {
    const body = completionComment({ ...ids, pr: 40, mergeSha: 'c'.repeat(40), now: NOW });
    expect(body).toMatch(/Pull request #40 was merged with green CI \(merge commit `c{12}`\)/);
    expect(parseMarker(body)?.kind).toBe('completion');
  });

  it.each(ESCALATION_CAUSES)('an escalation for %s has its own heading, the defused why, needs-human and a marker', (cause) => {
    const body = watchEscalationComment({ ...ids, cause, why: 'boom <!-- -->', agentName: 'Claude', attempts: 2, ownerLogin: 'owner', needsHumanLabel: 'needs-human' });
    expect(body).toMatch(/^## Dispatch escalated: \S/);
    expect(body).toContain('@owner');
    expect(body).toContain('`needs-human`');
    expect(body).not.toContain('boom <!--');
    expect(parseMarker(body)).toMatchObject({ kind: 'escalation', attempt: 2 });
  });

  it('the retracted audit says the dispatch did not happen and is no claim', () => {
    const body = retractedAuditComment({ ...ids, why: 'HTTP 500', now: NOW });
    expect(body).toContain('**the dispatch did not happen.** HTTP 500');
    expect(parseMarker(body)?.kind).toBe('retracted');
  });

  it('cancellation names who cancelled', () => {
    expect(cancelledComment({ ...ids, by: 'ops', agentName: 'Claude' })).toContain('ops cancelled the dispatch to **Claude**');
  });

  it("cancellation quotes the operator's note, defused", () => {
    const body = cancelledComment({ ...ids, by: 'ops', agentName: 'Claude', note: 'dup of #3 <!-- switchboard:v1 {} -->' });
    expect(body).toContain('> dup of #3');
    expect(body).not.toContain('#3 <!--');
    expect(parseMarker(body)?.kind).toBe('cancel');
  });
});

describe('progress checklist', () => {
  const base: Progress = { dispatched: true, pr: null, ci: 'none', headSha: null, fixForwards: 0, merged: false, closed: false, deployed: false, ended: null };

  it('ticks the phases passed, lists each fix-forward and the deploy when tracked', () => {
    const body = progressComment({ ...ids, deployContext: 'deploy/production', progress: { ...base, pr: 40, ci: 'green', headSha: 'd'.repeat(40), fixForwards: 2, merged: true, closed: true } });
    expect(body.split('\n').filter((l) => l.startsWith('- ['))).toEqual([
      '- [x] Dispatched',
      '- [x] Pull request #40 opened',
      '- [x] CI green on `ddddddd`',
      '- [x] Fix-forward 1 requested',
      '- [x] Fix-forward 2 requested',
      '- [x] Merged',
      '- [x] Issue closed',
      '- [ ] Deployed (`deploy/production`)',
    ]);
    expect(parseMarker(body)?.kind).toBe('progress');
  });

  it('is rewritten only when its text changes', () => {
    const a = progressComment({ ...ids, deployContext: null, progress: base });
    expect(progressNeedsWrite(null, a)).toBe(true);
    expect(progressNeedsWrite(a, progressComment({ ...ids, deployContext: null, progress: base }))).toBe(false);
    expect(progressNeedsWrite(a, progressComment({ ...ids, deployContext: null, progress: { ...base, pr: 3 } }))).toBe(true);
  });
});

describe('implementer preamble', () => {
  it('http and command agents get the standing rules first; tracker agents and "" get none', () => {
    expect(implementerPrompt({ kind: 'command' }, ISSUE_IMPLEMENTER_PREAMBLE, 'Do #7')).toBe(`${ISSUE_IMPLEMENTER_PREAMBLE}\n\nDo #7`);
    expect(implementerPrompt({ kind: 'http', preamble: 'Be brief.' }, ISSUE_IMPLEMENTER_PREAMBLE, 'Do #7')).toBe('Be brief.\n\nDo #7');
    expect(implementerPrompt({ kind: 'tracker' }, ISSUE_IMPLEMENTER_PREAMBLE, 'Do #7')).toBe('Do #7');
    expect(implementerPrompt({ kind: 'command' }, '', 'Do #7')).toBe('Do #7');
  });
});
