import type { Config } from './config.js';
import {
  type Dispatch,
  type DispatchState,
  escalated,
  LIVE_STATES,
  next,
  type Observation,
  type PullObservation,
  resolve,
  startDispatch,
  stateWords,
  TROUBLE_STATES,
} from './dispatch.js';
import { agentCallKey, replayJournal, type Watch } from './engine-journal.js';
import type { Clock, DispatchTarget, Journal, JournalCommand, JournalEntry, Notifier, NotifyEvent, ProposalRef, TimerHandle, WriteStep } from './engine-ports.js';
import { type EngineError, type EngineSnapshot, initialSnapshot, reduceSnapshot, type SnapshotAction, type WriteRecord } from './engine-state.js';
import { IssueGoneError, isTransient, UsageError } from './errors.js';
import { WriteLanes } from './write-lanes.js';
import { DispatchRefusedError, Executor, StopRequestedError } from './executor.js';
import { type Issue, issueKey } from './issue.js';
import { canCarryOut, type Proposal } from './policy.js';
import type { LinkedPullRequest, Tracker } from './ports.js';
import type { ScoringProfile } from './profile.js';
import { planProposals, type ProposalEvent, type ProposalStatus, type TrackedProposal, transition } from './proposal-queue.js';
import { suggestAgents } from './routing.js';
import { sanitize } from './sanitize.js';
import { ageInDays, type ScoredIssue, scoreIssue } from './scoring.js';
import { dailySummary, summaryTitle } from './texts.js';
import { profileFromConfig } from './triage.js';

export interface EngineOptions {
  readonly config: Config;
  readonly tracker: Tracker;
  readonly clock: Clock;
  /** this console's id (host + random: the caller's business); it signs every marker */
  readonly consoleId: string;
  readonly targets?: Partial<Record<'http' | 'command', DispatchTarget>>;
  readonly notifier?: Notifier;
  readonly journal?: Journal;
  /** the tracker login switchboard writes as; asked of the tracker once when absent */
  readonly selfLogin?: string;
  /** how long another console's audit comment holds its claim (default 24 h) */
  readonly claimTtlMs?: number;
  /** how often commands from other processes are picked up (default 1 s) */
  readonly commandPollMs?: number;
  /** write sequences of different issues in flight at once (default 16); one issue's are always in order */
  readonly writeConcurrency?: number;
}

export interface CycleCounts {
  readonly backlog: number;
  readonly proposals: number;
  readonly approved: number;
  readonly executed: number;
  readonly dispatches: number;
  readonly writes: number;
}

export type EngineEvent =
  | { readonly type: 'cycle-started'; readonly cycle: number; readonly at: string }
  | {
      readonly type: 'cycle-finished';
      readonly cycle: number;
      readonly at: string;
      readonly durationMs: number;
      readonly counts: CycleCounts;
      readonly errors: readonly string[];
    }
  | { readonly type: 'proposal-added'; readonly proposal: TrackedProposal }
  | { readonly type: 'proposal-changed'; readonly proposal: TrackedProposal; readonly previousStatus: ProposalStatus }
  | { readonly type: 'write-made'; readonly write: WriteRecord }
  | { readonly type: 'dispatch-changed'; readonly dispatch: Dispatch; readonly previousState: DispatchState | null }
  | ({ readonly type: 'error' } & EngineError)
  | { readonly type: 'armed' | 'disarmed' | 'paused' | 'resumed'; readonly at: string }
  | { readonly type: 'dry-run'; readonly on: boolean; readonly at: string };

const HOUR = 3_600_000;
/** outcome prefix of a proposal "executed" in dry-run: nothing was written */
const DRY_RUN = 'dry run:';
const DISPATCH_HISTORY_LIMIT = 50;
/** actions a daily summary can list; older ones are dropped first */
const SUMMARY_ACTIONS_LIMIT = 500;
/** Each write sequence is a handful of round trips; a few side by side hide the latency without crowding the forge. */
const DEFAULT_WRITE_CONCURRENCY = 16;

/** Delay before the next cycle: the interval, doubled per failed cycle in a row, capped. */
export function cycleDelay(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  const cap = Math.max(intervalMs, Math.min(16 * intervalMs, HOUR));
  return Math.min(cap, intervalMs * 2 ** Math.min(failures, 30));
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The open PR that says most about the work: open first, then merged, newest first. */
function pickPull(prs: readonly LinkedPullRequest[]): LinkedPullRequest | null {
  const rank = (p: LinkedPullRequest) => (p.state === 'open' ? 0 : p.merged ? 1 : 2);
  return [...prs].sort((a, b) => rank(a) - rank(b) || b.updatedAt.localeCompare(a.updatedAt))[0] ?? null;
}

const refOf = (p: TrackedProposal): ProposalRef => {
  if (p.action === 'skip' || p.agentId === null) throw new Error(`proposal ${p.id} is a skip`);
  return { id: p.id, repo: p.repo, number: p.number, action: p.action, agentId: p.agentId, reason: p.reason, updatedAt: p.updatedAt };
};

type EntryBody = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, 'at' | 'console'> : never) : never;

/**
 * The heart the console and headless mode share: owns the state and the loop, and talks to the
 * world only through ports. A cycle reconciles dispatches in flight, resolves the troubled ones,
 * fetches and decides the backlog, then executes what is approved. Listeners get an immutable
 * snapshot (a new object only when something changed) and typed events.
 */
export class Engine {
  private state: EngineSnapshot;
  private readonly config: Config;
  private readonly profile: ScoringProfile;
  private readonly tracker: Tracker;
  private readonly clock: Clock;
  private readonly journal: Journal | undefined;
  private readonly notifier: Notifier | undefined;
  private readonly targets: Partial<Record<'http' | 'command', DispatchTarget>>;
  private readonly executor: Executor;
  private readonly commandPollMs: number;

  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: EngineEvent) => void>();
  private cyclePromise: Promise<void> | null = null;
  private commandsPromise: Promise<void> | null = null;
  private cycleTimer: TimerHandle | null = null;
  private commandTimer: TimerHandle | null = null;
  private readonly lanes: WriteLanes;
  private journalTail: Promise<void> = Promise.resolve();
  private running = false;
  private stopping = false;
  private failures = 0;
  private executedThisCycle = 0;
  private writesThisCycle = 0;
  private self: string | null;
  private readonly watches = new Map<string, Watch>();
  private readonly agentCalls = new Map<string, { runId?: string; detail?: string }>();
  private readonly ownConsoles = new Set<string>();
  private readonly summaryDays = new Set<string>();
  private readonly trust = new Map<string, boolean>();
  private readonly decisions = new WeakMap<ScoredIssue, Proposal>();
  private actionsSinceSummary: Pick<TrackedProposal, 'repo' | 'number' | 'action' | 'agentId' | 'reason'>[] = [];

  constructor(options: EngineOptions) {
    this.config = options.config;
    this.profile = profileFromConfig(options.config);
    this.tracker = options.tracker;
    this.clock = options.clock;
    this.journal = options.journal;
    this.notifier = options.notifier;
    this.targets = options.targets ?? {};
    this.self = options.selfLogin ?? null;
    this.commandPollMs = options.commandPollMs ?? 1000;
    this.lanes = new WriteLanes(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
    this.ownConsoles.add(options.consoleId);
    this.state = initialSnapshot({ consoleId: options.consoleId, armed: options.config.armed, dryRun: options.config.dryRun });
    this.executor = new Executor({
      tracker: this.tracker,
      targets: this.targets,
      config: this.config,
      profile: this.profile,
      consoleId: options.consoleId,
      claimTtlMs: options.claimTtlMs ?? 24 * HOUR,
      now: () => this.clock.now(),
      selfLogin: () => this.self ?? '',
      isOwnConsole: (id) => this.ownConsoles.has(id),
      dryRun: () => this.state.dryRun,
      stopping: () => this.stopping || !this.state.armed,
      beforeWrite: (id, step, attempt) => this.beforeWrite(id, step, attempt),
      recordWrite: (write, extra) => this.recordWrite(write, extra),
      agentCallDone: (id, attempt) => this.agentCalls.get(agentCallKey(id, attempt)),
      notify: (event) => this.notify(event),
    });
  }

  /** The current snapshot; the same object until something changes (useSyncExternalStore). */
  readonly getSnapshot = (): EngineSnapshot => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Run a cycle now; while one runs, its promise. Never rejects: errors are in events. */
  runCycle(): Promise<void> {
    if (this.cyclePromise) return this.cyclePromise;
    this.clearCycleTimer();
    const p = this.cycle().finally(() => {
      this.cyclePromise = null;
      this.scheduleCycle();
    });
    this.cyclePromise = p;
    return p;
  }

  /** Restore from the journal, run the first cycle (which finishes interrupted work), then loop. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.apply({ type: 'started' });
    let pending: JournalCommand[] = [];
    if (this.journal) {
      try {
        pending = this.restore(await this.journal.replay());
      } catch (err) {
        this.report('error', `could not replay the journal: ${message(err)}`);
      }
    }
    this.scheduleCommands();
    await this.runCycle();
    for (const command of pending) await this.applyCommand(command);
  }

  /**
   * Let the write in progress finish, start no other, leave no timer. Also for an engine driven by
   * runCycle/approve without start(): its writes and journal lines settle before this does.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearCycleTimer();
    if (this.commandTimer !== null) this.clock.clearTimeout(this.commandTimer);
    this.commandTimer = null;
    await Promise.allSettled([this.cyclePromise, this.commandsPromise]);
    await this.lanes.idle();
    for (let tail = this.journalTail; ; tail = this.journalTail) {
      await tail;
      if (tail === this.journalTail) break;
    }
    this.running = false;
    this.stopping = false;
    this.apply({ type: 'stopped' });
  }

  pause(): void {
    if (this.state.paused) return;
    this.clearCycleTimer();
    this.apply({ type: 'paused' });
    this.emit({ type: 'paused', at: this.nowIso() });
  }

  /** Resume the loop with a cycle now. */
  resume(): void {
    if (!this.state.paused) return;
    this.apply({ type: 'resumed' });
    this.emit({ type: 'resumed', at: this.nowIso() });
    if (this.running) void this.runCycle();
  }

  /** Allow writes. Approved proposals whose gates are clear run at once. */
  arm(): Promise<void> {
    if (this.config.repos.length === 0) {
      throw new UsageError('cannot arm: no repositories are enrolled', 'add at least one owner/name to "repos" in the config');
    }
    if (this.state.armed) return Promise.resolve();
    this.apply({ type: 'armed' });
    this.emit({ type: 'armed', at: this.nowIso() });
    this.replan();
    return this.executeReady();
  }

  /** Stop writing: the write in progress finishes; approvals wait for arming. */
  disarm(): void {
    if (!this.state.armed) return;
    this.apply({ type: 'disarmed' });
    this.emit({ type: 'disarmed', at: this.nowIso() });
    this.replan();
  }

  /** Turning dry-run off forgets what it previewed: those proposals are decided afresh, for real. */
  setDryRun(on: boolean): void {
    if (this.state.dryRun === on) return;
    this.apply({ type: 'dry-run', on });
    this.emit({ type: 'dry-run', on, at: this.nowIso() });
    if (!on) {
      const kept = [...this.state.proposals].filter(([, p]) => !(p.status === 'executed' && p.outcome?.startsWith(DRY_RUN)));
      if (kept.length !== this.state.proposals.size) this.replan(new Map(kept));
    }
  }

  /**
   * Approve a proposal; it executes at once when its gates are clear (the promise settles then).
   * Throws UsageError at once for an unknown proposal or one that cannot be approved.
   */
  approve(id: string): Promise<void> {
    return this.approveAs(id, 'operator');
  }

  /** Reject a proposal; remembered until the issue changes. */
  reject(id: string, note?: string): Promise<void> {
    return this.rejectAs(id, note);
  }

  /** Hand a proposal to another registered agent that can carry out its action. */
  reroute(id: string, agentId: string): Promise<void> {
    return this.rerouteAs(id, agentId);
  }

  private approveAs(id: string, by: string, commandId?: string): Promise<void> {
    const p = this.intent(id, { type: 'approve', by });
    this.record({ type: 'approved', proposal: refOf(p), approvedBy: by, ...(commandId ? { commandId } : {}) });
    return this.enqueue(p.issueKey, () => this.executeOne(id));
  }

  private rejectAs(id: string, note?: string, commandId?: string): Promise<void> {
    const p = this.intent(id, { type: 'reject', note: note ?? null });
    return this.record({ type: 'rejected', proposal: refOf(p), ...(note !== undefined ? { note } : {}), ...(commandId ? { commandId } : {}) });
  }

  private rerouteAs(id: string, agentId: string, commandId?: string): Promise<void> {
    const current = this.proposal(id);
    const agent = this.config.agents.find((a) => a.id === agentId);
    if (current.action !== 'skip' && !canCarryOut(agent, current.action)) {
      const fits = this.config.agents.filter((a) => canCarryOut(a, current.action)).map((a) => a.id);
      throw new UsageError(`agent "${agentId}" cannot carry out a ${current.action}; choose one of: ${fits.join(', ')}`);
    }
    const from = current.agentId ?? '';
    const p = this.intent(id, { type: 'reroute', agentId, agentName: agent?.displayName ?? agentId });
    if (p === current) return Promise.resolve();
    const recorded = this.record({ type: 'rerouted', proposal: refOf(p), from, ...(commandId ? { commandId } : {}) });
    return p.status === 'approved' ? Promise.all([recorded, this.enqueue(p.issueKey, () => this.executeOne(id))]).then(() => undefined) : recorded;
  }

  private proposal(id: string): TrackedProposal {
    const p = this.state.proposals.get(id);
    if (!p) throw new UsageError(`no proposal "${id}" (it may have been superseded by a newer one)`);
    return p;
  }

  /** Apply an operator event to a proposal and re-plan around it (one change), or throw the refusal. */
  private intent(id: string, event: ProposalEvent): TrackedProposal {
    const before = this.proposal(id);
    const t = transition(before, event);
    if (!t.ok) throw new UsageError(t.error);
    if (t.proposal !== before) this.replan(new Map(this.state.proposals).set(id, t.proposal));
    return this.state.proposals.get(id) ?? t.proposal;
  }

  /** Apply an internal event; refusals mean the proposal moved on meanwhile and are ignored. */
  private move(id: string, event: ProposalEvent): TrackedProposal | null {
    const p = this.state.proposals.get(id);
    if (!p) return null;
    const t = transition(p, event);
    if (!t.ok) return null;
    this.putProposal(t.proposal);
    return t.proposal;
  }

  private async cycle(): Promise<void> {
    const started = this.clock.now();
    const cycle = this.state.cycle + 1;
    this.executedThisCycle = 0;
    this.writesThisCycle = 0;
    this.apply({ type: 'cycle-started', cycle });
    this.emit({ type: 'cycle-started', cycle, at: started.toISOString() });
    const errors: string[] = [];
    let failed = false;
    try {
      await this.ensureSelf();
      await this.reconcile(errors);
      if (!this.stopping) await this.resolveTroubles(errors);
      if (!this.stopping) failed = !(await this.fetch(cycle, errors));
      if (!this.stopping) {
        this.replan();
        await this.executeReady();
      }
      if (!this.stopping) await this.dailySummary(errors);
    } catch (err) {
      failed = true;
      errors.push(message(err));
      this.report('error', `cycle ${cycle} failed: ${message(err)}`);
    }
    this.failures = failed ? this.failures + 1 : 0;
    this.apply({ type: 'rate-limit', rateLimit: this.tracker.rateLimit() });
    const durationMs = this.clock.now().getTime() - started.getTime();
    const summary = { cycle, startedAt: started.toISOString(), durationMs, errors };
    this.apply({ type: 'cycle-finished', summary });
    const proposals = [...this.state.proposals.values()];
    this.emit({
      type: 'cycle-finished',
      cycle,
      at: this.nowIso(),
      durationMs,
      errors,
      counts: {
        backlog: this.state.backlog.size,
        proposals: proposals.filter((p) => p.status === 'proposed' && p.action !== 'skip').length,
        approved: proposals.filter((p) => p.status === 'approved').length,
        executed: this.executedThisCycle,
        dispatches: [...this.state.dispatches.values()].filter((d) => LIVE_STATES.has(d.state) || TROUBLE_STATES.has(d.state)).length,
        writes: this.writesThisCycle,
      },
    });
  }

  private scheduleCycle(): void {
    this.clearCycleTimer();
    if (!this.running || this.stopping || this.state.paused) {
      this.apply({ type: 'scheduled', at: null });
      return;
    }
    const delay = cycleDelay(this.config.intervalSeconds * 1000, this.failures);
    this.cycleTimer = this.clock.setTimeout(() => {
      this.cycleTimer = null;
      void this.runCycle();
    }, delay);
    this.apply({ type: 'scheduled', at: new Date(this.clock.now().getTime() + delay).toISOString() });
  }

  private clearCycleTimer(): void {
    if (this.cycleTimer !== null) this.clock.clearTimeout(this.cycleTimer);
    this.cycleTimer = null;
  }

  private async reconcile(errors: string[]): Promise<void> {
    for (const d of [...this.state.dispatches.values()]) {
      if (this.stopping) return;
      if (!LIVE_STATES.has(d.state)) continue;
      try {
        const watch = this.watches.get(d.proposalId) ?? { lastCommentId: 0, lastIssueState: 'open' as const };
        const { observation, watch: seen } = await this.observe(d, watch);
        const agent = this.config.agents.find((a) => a.id === d.agentId);
        const moved = next(d, observation, this.clock.now(), {
          stallMinutes: this.config.watch.stallMinutes,
          timeoutMinutes: agent?.timeoutMinutes ?? 120,
          repeatThreshold: this.config.watch.repeatThreshold,
        });
        this.putDispatch(moved, seen);
      } catch (err) {
        if (err instanceof IssueGoneError) this.forgetIssue(err);
        const text = `could not observe ${issueKey(d.repo, d.number)}: ${message(err)}`;
        errors.push(text);
        this.report('warning', text);
      }
    }
  }

  private async observe(d: Dispatch, watch: Watch): Promise<{ observation: Observation; watch: Watch }> {
    const agent = this.config.agents.find((a) => a.id === d.agentId);
    if (agent && (agent.kind === 'http' || agent.kind === 'command')) {
      const target = this.targets[agent.kind];
      if (!target || watch.runId === undefined) return { observation: { kind: 'none' }, watch };
      const s = await target.observe(watch.runId);
      return { observation: { kind: 'agent', status: s.status, detail: sanitize(s.detail) }, watch };
    }
    const issue = await this.tracker.getIssue(d.repo, d.number);
    const comments = await this.tracker.listComments(d.repo, d.number);
    const pull = pickPull(await this.tracker.linkedPullRequests(d.repo, d.number));
    let pr: PullObservation | null = null;
    if (pull) {
      let ci: PullObservation['ci'] = 'none';
      if (pull.state === 'open' && !pull.merged) {
        const status = await this.tracker.combinedStatus(d.repo, pull.headSha);
        ci = status.total === 0 ? 'none' : status.state;
      }
      pr = { number: pull.number, state: pull.state, merged: pull.merged, headSha: pull.headSha, ci };
    }
    const observation: Observation = {
      kind: 'tracker',
      issueState: issue.state,
      newComments: comments.filter((c) => c.id > watch.lastCommentId && c.author !== this.self).map((c) => ({ author: c.author, body: c.body })),
      reopened: watch.lastIssueState === 'closed' && issue.state === 'open',
      pr,
    };
    const lastCommentId = Math.max(watch.lastCommentId, ...comments.map((c) => c.id));
    return { observation, watch: { ...watch, lastCommentId, lastIssueState: issue.state } };
  }

  /** Retry or escalate every dispatch in trouble. Waits while disarmed: both are writes. */
  private async resolveTroubles(errors: string[]): Promise<void> {
    if (!this.state.armed) return;
    const troubled = [...this.state.dispatches.values()].filter((d) => TROUBLE_STATES.has(d.state));
    await Promise.all(troubled.map((d) => this.enqueue(issueKey(d.repo, d.number), () => this.resolveOne(d.proposalId, errors))));
  }

  private async resolveOne(id: string, errors: string[]): Promise<void> {
    const d = this.state.dispatches.get(id);
    if (!d || !TROUBLE_STATES.has(d.state) || this.stopping) return;
    const r = resolve(d, this.config.watch.maxRetries);
    if (r === null) return;
    try {
      if (r.kind === 'retry') {
        const agent = this.retryAgent(d);
        const { runId, lastCommentId } = await this.executor.retry(d, agent, r.attempt);
        const fresh = startDispatch({ ...d, agentId: agent.id, attempt: r.attempt }, this.clock.now(), `retry after ${stateWords(d.state)}${agent.id === d.agentId ? '' : ` → ${agent.id}`}`);
        const history = [...d.history, ...fresh.history].slice(-DISPATCH_HISTORY_LIMIT);
        this.putDispatch({ ...fresh, history }, { ...(runId !== undefined ? { runId } : {}), lastCommentId, lastIssueState: 'open' });
      } else {
        await this.executor.escalate(d, r.why);
        this.putDispatch(escalated(d, r.why, this.clock.now()), this.watches.get(id));
      }
    } catch (err) {
      if (err instanceof StopRequestedError) return;
      const text = `could not ${r.kind} ${issueKey(d.repo, d.number)}: ${message(err)}`;
      errors.push(text);
      this.report('error', text);
    }
  }

  /** The same agent, or with `retryNextAgent` the next one suited to the task. */
  private retryAgent(d: Dispatch) {
    const current = this.config.agents.find((a) => a.id === d.agentId);
    if (!current) throw new DispatchRefusedError(`agent "${d.agentId}" is no longer in the registry`);
    if (!this.config.watch.retryNextAgent) return current;
    const taskType = this.state.backlog.get(issueKey(d.repo, d.number))?.taskType ?? 'routine_coding';
    const ranked = suggestAgents(taskType, this.config.agents, 'dispatch');
    const at = ranked.findIndex((a) => a.id === current.id);
    return ranked.length > 1 ? (ranked[(at + 1) % ranked.length] ?? current) : current;
  }

  /** Fetch every enrolled repo; false when every fetch failed. */
  private async fetch(cycle: number, errors: string[]): Promise<boolean> {
    const repos = this.config.repos;
    const full = (cycle - 1) % this.config.fullResyncEvery === 0;
    if (full) this.trust.clear();
    const results = await Promise.all(
      repos.map(async (repo) => {
        try {
          return { repo, issues: (await this.tracker.fetchBacklog(repo, { full })).issues };
        } catch (err) {
          return { repo, error: message(err) };
        }
      }),
    );
    let fetched = 0;
    for (const r of results) {
      if ('error' in r) {
        const text = `could not fetch ${r.repo}: ${r.error ?? 'unknown error'}`;
        errors.push(text);
        const error: EngineError = { at: this.nowIso(), level: 'error', message: text };
        this.apply({ type: 'fetch-failed', repo: r.repo, error });
        this.emit({ type: 'error', ...error });
        continue;
      }
      fetched++;
      const issues = await this.withTrust(r.issues);
      this.apply({ type: 'backlog', repo: r.repo, scored: issues.map((i) => this.score(i)) });
    }
    return repos.length === 0 || fetched > 0;
  }

  /** The previous score object when the issue and its age are unchanged. */
  private score(issue: Issue): ScoredIssue {
    const now = this.clock.now();
    const prev = this.state.backlog.get(issueKey(issue.repo, issue.number));
    if (prev && prev.ageDays === ageInDays(issue.createdAt, now) && JSON.stringify(prev.issue) === JSON.stringify(issue)) return prev;
    return scoreIssue(issue, this.profile, now);
  }

  /** Ask the tracker whether unknown authors may write (the trusted-author gate), once per full resync. */
  private async withTrust(issues: readonly Issue[]): Promise<Issue[]> {
    const trusted = new Set(this.config.trustedAuthors);
    const out: Issue[] = [];
    for (const issue of issues) {
      if (issue.authorTrusted !== undefined || trusted.has(issue.author) || issue.author === '') {
        out.push(issue);
        continue;
      }
      const key = `${issue.repo}\0${issue.author}`;
      let known = this.trust.get(key);
      if (known === undefined) {
        try {
          const level = await this.tracker.permission(issue.repo, issue.author);
          known = level === 'write' || level === 'admin' || level === 'owner';
          this.trust.set(key, known);
        } catch {
          // Unknown stays unknown: the gate says so and a later resync asks again.
        }
      }
      out.push(known === undefined ? issue : { ...issue, authorTrusted: known });
    }
    return out;
  }

  private replan(previous: ReadonlyMap<string, TrackedProposal> = this.state.proposals): void {
    const plan = planProposals({
      config: this.config,
      profile: this.profile,
      backlog: this.state.backlog,
      previous,
      dispatches: this.state.dispatches,
      armed: this.state.armed,
      executedThisCycle: this.executedThisCycle,
      decisions: this.decisions,
    });
    this.setProposals(plan.proposals);
    for (const p of plan.autoApproved) void this.record({ type: 'approved', proposal: refOf(p), approvedBy: p.approvedBy ?? 'rule' });
  }

  private putProposal(p: TrackedProposal): void {
    this.setProposals(new Map(this.state.proposals).set(p.id, p));
  }

  private setProposals(proposals: ReadonlyMap<string, TrackedProposal>): void {
    const before = this.state.proposals;
    if (before === proposals) return;
    this.apply({ type: 'proposals', proposals });
    for (const p of proposals.values()) {
      const prev = before.get(p.id);
      if (!prev) this.emit({ type: 'proposal-added', proposal: p });
      else if (prev !== p) this.emit({ type: 'proposal-changed', proposal: p, previousStatus: prev.status });
    }
  }

  private executeReady(): Promise<void> {
    const ready = [...this.state.proposals.values()].filter((p) => p.status === 'approved' && p.executable);
    return Promise.all(ready.map((p) => this.enqueue(p.issueKey, () => this.executeOne(p.id)))).then(() => undefined);
  }

  /** One proposal, gates checked again now; writes go through the serial queue. */
  private async executeOne(id: string): Promise<void> {
    if (this.stopping) return;
    // Markers are only trusted from our own login: know it before the first write.
    await this.ensureSelf();
    this.replan();
    const ready = this.state.proposals.get(id);
    if (!ready || ready.status !== 'approved' || !ready.executable) return;
    const p = this.move(id, { type: 'start' });
    if (!p) return;
    const dryRun = this.state.dryRun;
    try {
      const outcome = await this.executor.execute(p);
      let text: string;
      switch (outcome.kind) {
        case 'dispatched':
          this.executedThisCycle++;
          text = dryRun ? `${DRY_RUN} would dispatch to ${outcome.agentId}` : `dispatched to ${outcome.agentId}`;
          if (!dryRun) {
            const d = startDispatch({ proposalId: p.id, repo: p.repo, number: p.number, agentId: outcome.agentId, attempt: 1 }, this.clock.now());
            this.putDispatch(d, { ...(outcome.runId !== undefined ? { runId: outcome.runId } : {}), lastCommentId: outcome.lastCommentId, lastIssueState: 'open' });
          }
          break;
        case 'flagged':
          text = dryRun ? `${DRY_RUN} would flag for @${this.config.ownerLogin}` : `flagged for @${this.config.ownerLogin}`;
          break;
        case 'stood-down':
          text = `${dryRun ? `${DRY_RUN} would have ` : ''}stood down: ${outcome.winner} claimed the issue first`;
          break;
        default: {
          const never: never = outcome;
          return never;
        }
      }
      this.move(id, { type: 'succeed', outcome: text });
      if (outcome.kind !== 'stood-down' && this.config.dailySummary.enabled) {
        // Only kept for the next daily summary, and bounded: a long-running engine keeps no history it never posts.
        this.actionsSinceSummary.push({ repo: p.repo, number: p.number, action: p.action, agentId: p.agentId, reason: p.reason });
        if (this.actionsSinceSummary.length > SUMMARY_ACTIONS_LIMIT) this.actionsSinceSummary.splice(0, this.actionsSinceSummary.length - SUMMARY_ACTIONS_LIMIT);
      }
      this.record({ type: 'executed', proposalId: id, outcome: text });
    } catch (err) {
      if (err instanceof StopRequestedError) {
        this.move(id, { type: 'interrupt', why: this.stopping ? 'stopped before its writes finished; resumes at the next start' : 'waiting for arming' });
      } else if (err instanceof IssueGoneError) {
        this.forgetIssue(err);
        this.move(id, { type: 'supersede', why: 'issue deleted', gone: true });
      } else {
        const final = err instanceof DispatchRefusedError;
        // An outage never fails approved work for good: it is retried each cycle until the tracker answers.
        const after = this.move(id, { type: 'fail', message: message(err), final, transient: isTransient(err) });
        this.report('error', `could not execute ${p.issueKey}: ${message(err)}`);
        if (after?.status === 'failed') this.record({ type: 'failed', proposalId: id, message: message(err) });
      }
    }
    this.replan();
  }

  /** A deleted issue leaves the backlog now: incremental fetches would never say so. */
  private forgetIssue(gone: IssueGoneError): void {
    const key = issueKey(gone.repo, gone.number);
    if (!this.state.backlog.has(key)) return;
    const rest = [...this.state.backlog.values()].filter((x) => x.issue.repo === gone.repo && issueKey(x.issue.repo, x.issue.number) !== key);
    this.apply({ type: 'backlog', repo: gone.repo, scored: rest });
  }

  /** One lane per issue (its writes stay in order), lanes side by side; stop() waits for them all. */
  private enqueue(issue: string, task: () => Promise<void>): Promise<void> {
    const run = this.lanes.run(issue, task);
    run.catch((err: unknown) => this.report('error', message(err)));
    return run;
  }

  private async beforeWrite(proposalId: string | null, step: WriteStep, attempt: number): Promise<void> {
    if (proposalId === null) return;
    const p = this.state.proposals.get(proposalId);
    if (p?.status === 'executing') this.move(p.id, { type: 'writing' });
    await this.record({ type: 'writing', proposalId, step, attempt });
  }

  /** Watches and agent calls of dispatches and proposals the bounded histories dropped: without this they grow forever. */
  private forgetPruned(): void {
    const { dispatches, proposals } = this.state;
    for (const id of this.watches.keys()) if (!dispatches.has(id)) this.watches.delete(id);
    for (const key of this.agentCalls.keys()) {
      const id = key.slice(0, key.lastIndexOf('#'));
      if (!dispatches.has(id) && !proposals.has(id)) this.agentCalls.delete(key);
    }
  }

  private async recordWrite(write: WriteRecord, extra: { attempt: number; runId?: string; detail?: string }): Promise<void> {
    this.writesThisCycle++;
    this.apply({ type: 'write', write });
    this.emit({ type: 'write-made', write });
    if (write.proposalId === null) return;
    if (write.step === 'agent') this.agentCalls.set(agentCallKey(write.proposalId, extra.attempt), { ...extra });
    // Awaited: an agent call must be on record before the next step, or a restart repeats it.
    await this.record({ type: 'write', proposalId: write.proposalId, step: write.step, attempt: extra.attempt, ...(extra.runId !== undefined ? { runId: extra.runId } : {}), ...(extra.detail !== undefined ? { detail: extra.detail } : {}) });
  }

  private putDispatch(d: Dispatch, watch: Watch | undefined): void {
    const prev = this.state.dispatches.get(d.proposalId);
    const prevWatch = this.watches.get(d.proposalId);
    if (watch) this.watches.set(d.proposalId, watch);
    const watchChanged = watch !== undefined && JSON.stringify(watch) !== JSON.stringify(prevWatch);
    if (prev === d && !watchChanged) return;
    this.apply({ type: 'dispatch', dispatch: d });
    this.forgetPruned();
    if (prev !== d) this.emit({ type: 'dispatch-changed', dispatch: d, previousState: prev?.state ?? null });
    const w = this.watches.get(d.proposalId);
    void this.record({
      type: 'dispatch',
      dispatch: d,
      ...(w?.runId !== undefined ? { runId: w.runId } : {}),
      lastCommentId: w?.lastCommentId ?? 0,
      lastIssueState: w?.lastIssueState ?? 'open',
    });
  }

  private async dailySummary(errors: string[]): Promise<void> {
    const { enabled, repo } = this.config.dailySummary;
    const now = this.clock.now();
    const day = now.toISOString().slice(0, 10);
    if (!enabled || repo === undefined || !this.state.armed || this.summaryDays.has(day)) return;
    const scored = [...this.state.backlog.values()];
    const proposals = [...this.state.proposals.values()];
    const body = dailySummary({
      now,
      totalOpen: scored.length,
      scored,
      actions: this.actionsSinceSummary,
      skipped: proposals.filter((p) => p.action === 'skip' && p.status === 'proposed'),
      consoleId: this.state.consoleId,
    });
    await this.enqueue(`summary ${repo}`, async () => {
      try {
        await this.executor.createIssue(repo, summaryTitle(now), body);
        this.summaryDays.add(day);
        this.actionsSinceSummary = [];
        this.record({ type: 'summary', day });
      } catch (err) {
        if (err instanceof StopRequestedError) return;
        errors.push(`could not open the daily summary: ${message(err)}`);
        this.report('warning', `could not open the daily summary: ${message(err)}`);
      }
    });
  }

  /** Append in order; nothing in dry-run (a preview leaves no trace). Never throws. */
  private record(body: EntryBody): Promise<void> {
    if (!this.journal || this.state.dryRun) return Promise.resolve();
    const journal = this.journal;
    const entry = { ...body, at: this.nowIso(), console: this.state.consoleId } as JournalEntry;
    this.journalTail = this.journalTail.then(() =>
      journal.append(entry).catch((err: unknown) => this.report('error', `could not write the journal: ${message(err)}`)),
    );
    return this.journalTail;
  }

  private restore(entries: readonly JournalEntry[]): JournalCommand[] {
    const r = replayJournal(entries);
    for (const c of r.consoles) this.ownConsoles.add(c);
    for (const d of r.summaryDays) this.summaryDays.add(d);
    for (const [k, v] of r.agentCalls) this.agentCalls.set(k, v);
    for (const { dispatch, watch } of r.dispatches.values()) {
      this.watches.set(dispatch.proposalId, watch);
      this.apply({ type: 'dispatch', dispatch });
    }
    this.setProposals(new Map([...this.state.proposals, ...r.proposals]));
    return r.pendingCommands;
  }

  private scheduleCommands(): void {
    if (!this.journal || !this.running || this.stopping) return;
    const journal = this.journal;
    this.commandTimer = this.clock.setTimeout(() => {
      this.commandTimer = null;
      this.commandsPromise = (async () => {
        try {
          for (const command of await journal.pendingCommands()) await this.applyCommand(command);
        } catch (err) {
          this.report('warning', `could not read commands: ${message(err)}`);
        }
      })().finally(() => {
        this.commandsPromise = null;
        this.scheduleCommands();
      });
    }, this.commandPollMs);
  }

  private async applyCommand(c: JournalCommand): Promise<void> {
    try {
      switch (c.command) {
        case 'approve':
          await this.approveAs(c.proposalId, 'operator', c.commandId);
          break;
        case 'reject':
          await this.rejectAs(c.proposalId, c.note, c.commandId);
          break;
        case 'reroute':
          if (c.agentId === undefined) throw new UsageError('a reroute command needs an agent');
          await this.rerouteAs(c.proposalId, c.agentId, c.commandId);
          break;
        default: {
          const never: never = c.command;
          throw new Error(`unknown command ${String(never)}`);
        }
      }
    } catch (err) {
      const text = `command ${c.command} ${c.proposalId}: ${message(err)}`;
      this.report('error', text);
      void this.record({ type: 'command-failed', commandId: c.commandId, message: message(err) });
    }
  }

  private async ensureSelf(): Promise<void> {
    if (this.self === null) this.self = await this.tracker.currentUser();
  }

  private async notify(event: NotifyEvent): Promise<void> {
    if (!this.notifier) return;
    try {
      await this.notifier.notify(event);
    } catch (err) {
      this.report('warning', `could not notify: ${message(err)}`);
    }
  }

  private report(level: EngineError['level'], text: string): void {
    const error: EngineError = { at: this.nowIso(), level, message: text };
    this.apply({ type: 'error', error });
    this.emit({ type: 'error', ...error });
  }

  private apply(action: SnapshotAction): void {
    const nextState = reduceSnapshot(this.state, action);
    if (nextState === this.state) return;
    this.state = nextState;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the engine goes on.
      }
    }
  }

  private emit(event: EngineEvent): void {
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch {
        // As above.
      }
    }
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
