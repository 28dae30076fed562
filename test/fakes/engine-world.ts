import { type ConfigInput, parseConfig } from '../../src/core/config.js';
import { Engine, type EngineEvent, type EngineOptions } from '../../src/core/engine.js';
import type { LessonsStore } from '../../src/core/ports.js';
import type { Issue } from '../../src/core/issue.js';
import type { TrackedProposal } from '../../src/core/proposal-queue.js';
import { FakeClock } from './fake-clock.js';
import { FakeDispatchTarget } from './fake-dispatch-target.js';
import { FakeJournal } from './fake-journal.js';
import { FakeNotifier } from './fake-notifier.js';
import { FakeTracker } from './fake-tracker.js';

export interface WorldOptions {
  readonly config?: ConfigInput;
  readonly issues?: readonly Issue[];
  readonly consoleId?: string;
  /** share these with an earlier world (a restart) */
  readonly tracker?: FakeTracker;
  readonly journal?: FakeJournal;
  readonly clock?: FakeClock;
  readonly lessons?: LessonsStore;
  readonly readiness?: EngineOptions['readiness'];
}

/** auto-approve every P0 bug (the fixtures' default issue) */
export const P0_BUG_RULE = { when: { tier: 'P0', type: 'bug' } } as const;

/**
 * An engine over fakes: one enrolled repo (acme/api), the fixtures' author trusted, a 60 s
 * interval, the shipped agents (claude by assignee, kimi by label, owner) plus an http agent.
 */
export function world(options: WorldOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const tracker = options.tracker ?? new FakeTracker(() => clock.now());
  if (options.issues) tracker.seed(...options.issues);
  const journal = options.journal ?? new FakeJournal();
  const notifier = new FakeNotifier();
  const http = new FakeDispatchTarget();
  const command = new FakeDispatchTarget();
  const config = parseConfig({
    repos: ['acme/api'],
    trustedAuthors: ['alice'],
    intervalSeconds: 60,
    agents: [
      { id: 'claude', displayName: 'Claude Code', kind: 'tracker', assignee: 'claude', strengths: ['architecture'], maxConcurrent: 2, timeoutMinutes: 120 },
      { id: 'kimi', displayName: 'Kimi', kind: 'tracker', label: 'kimi-ready', strengths: ['research'], maxConcurrent: 2, timeoutMinutes: 120 },
      { id: 'owner', displayName: 'Owner', kind: 'owner', maxConcurrent: 100 },
      { id: 'hooky', displayName: 'Hooky', kind: 'http', endpoint: 'https://agents.example/run', maxConcurrent: 2, timeoutMinutes: 60 },
    ],
    ...options.config,
  });
  const engine = new Engine({
    config,
    tracker,
    clock,
    consoleId: options.consoleId ?? 'console-a',
    journal,
    notifier,
    ...(options.lessons ? { lessons: options.lessons } : {}),
    ...(options.readiness ? { readiness: options.readiness } : {}),
    targets: { http, command },
    selfLogin: tracker.selfLogin,
  });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));

  /** the live (not settled) proposal for an issue of acme/api */
  const proposalFor = (number: number, repo = 'acme/api'): TrackedProposal => {
    const found = [...engine.getSnapshot().proposals.values()].find(
      (p) => p.repo === repo && p.number === number && p.status !== 'superseded' && p.status !== 'executed' && p.status !== 'failed',
    );
    if (!found) throw new Error(`no live proposal for ${repo}#${number}`);
    return found;
  };
  const settled = (number: number): TrackedProposal[] =>
    [...engine.getSnapshot().proposals.values()].filter((p) => p.number === number && (p.status === 'executed' || p.status === 'failed' || p.status === 'superseded'));
  const writes = () => tracker.writes.map((w) => `${w.method} #${w.number ?? '-'} ${w.method === 'postComment' || w.method === 'editComment' ? firstLine(w.detail) : w.detail}`);

  return { engine, clock, tracker, journal, notifier, http, command, config, events, proposalFor, settled, writes };
}

const firstLine = (body: string): string => body.split('\n').find((l) => l.trim() !== '') ?? '';
