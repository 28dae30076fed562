import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/core/engine.js';
import { eventRecord, formatEvent } from '../../src/headless/format-event.js';
import { proposalFor } from '../../src/core/policy.js';
import { type TrackedProposal, tracked } from '../../src/core/proposal-queue.js';

const NOW = new Date('2026-05-01T10:00:00Z');

const base = proposalFor(
  { repo: 'acme/api', number: 7, updatedAt: '2026-05-01T09:00:00Z' },
  { action: 'dispatch', agentId: 'claude', reason: 'P0/bug issue (score=9, age=3d). Assigning to Claude Code for immediate attention.' },
);
const proposal = (over: Partial<TrackedProposal>): TrackedProposal => ({
  ...tracked(base),
  id: 'abc123def456',
  status: 'approved',
  approvedBy: 'operator',
  ...over,
});

describe('headless log lines', () => {
  it('a skip says why, not just that it was proposed', () => {
    const e: EngineEvent = { type: 'proposal-added', proposal: proposal({ action: 'skip', agentId: null, status: 'proposed', reason: 'Score 3 < 5 threshold — needs more detail before assignment.' }) };
    expect(formatEvent(e, NOW, false)).toBe(
      '2026-05-01 10:00:00 INFO  proposal abc123def456 acme/api#7 skip: Score 3 < 5 threshold — needs more detail before assignment.',
    );
  });

  it('an approved proposal held by gates names each gate once after one "waiting:"', () => {
    const e: EngineEvent = {
      type: 'proposal-changed',
      previousStatus: 'proposed',
      proposal: proposal({ waiting: 'waiting: acme/api#3 is in progress in acme/api; Claude Code has 2 of 2 dispatches running' }),
    };
    expect(formatEvent(e, NOW, false)).toMatch(/dispatch → claude: approved \(waiting: acme\/api#3 is in progress in acme\/api; Claude Code has 2 of 2/);
  });

  it('NDJSON lines carry the schema fields and no terminal control characters from tracker text', () => {
    const e: EngineEvent = { type: 'error', at: NOW.toISOString(), level: 'error', message: 'issue \u001b]52;c;evil\u0007 failed' };
    const line = formatEvent(e, NOW, true);
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(JSON.parse(line)).toEqual({ v: 1, ts: '2026-05-01T10:00:00.000Z', level: 'error', event: 'error', message: 'issue  failed' });
    expect(eventRecord(e, NOW).event).toBe('error');
  });
});
