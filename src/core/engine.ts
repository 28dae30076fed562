import type { Config } from './config.js';
import type { TaskType } from './routing.js';
import type { OperatorCommand } from './supervision-types.js';
import { callEach, DEFAULT_WRITE_CONCURRENCY, type EngineOptions, HOUR, cycleDelay } from './engine-options.js';
import { type EffectHost, message, performEffect } from './engine-effects.js';
import { commandEvent, type EngineEvent, type Event } from './engine-events.js';
import type { Clock, NotifyEvent, TimerHandle } from './ports.js';
import type { JournalCommand } from './journal.js';
import { type EngineSnapshot, type EngineState, initialState } from './engine-state.js';
import { step } from './engine-step.js';
import { UsageError } from './errors.js';
import { JournalKeeper } from './journal-keeper.js';
import type { ScoringProfile } from './profile.js';
import { profileFromConfig } from './triage.js';
import { WriteLanes } from './write-lanes.js';

export type { CycleCounts, EngineEvent } from './engine-events.js';
export { cycleDelay, type EngineOptions } from './engine-options.js';

/**
 * The runner around `step`: it owns the current state, sends events through `step`, performs the
 * effects that come back (journal lines, writes in per-issue lanes, reads, notifications) and
 * sends their results back in as events. Listeners get an immutable snapshot (a new object only
 * when something changed) and typed events. Every command returns a promise; a refusal rejects it.
 */
export class Engine {
  private state: EngineState;
  private readonly config: Config;
  private readonly profile: ScoringProfile;
  private readonly clock: Clock;
  private readonly host: EffectHost;
  private readonly listeners = new Set<(value: undefined) => void>();
  private readonly eventListeners = new Set<(event: EngineEvent) => void>();
  private readonly lanes: WriteLanes;
  private cyclePromise: Promise<void> | null = null;
  private commandsPromise: Promise<void> | null = null;
  private cycleTimer: TimerHandle | null = null;
  private commandTimer: TimerHandle | null = null;
  /** approvals' grace periods; one left when stopping runs at the next cycle instead */
  private readonly graceTimers = new Set<TimerHandle>();
  private readonly journal: JournalKeeper;
  private running = false;
  private stopping = false;

  constructor(private readonly options: EngineOptions) {
    const { config, tracker, consoleId } = options;
    const targets = options.targets ?? {};
    this.config = config;
    this.profile = profileFromConfig(config);
    this.clock = options.clock;
    this.lanes = new WriteLanes(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
    this.journal = new JournalKeeper(options.journal, { config, profile: this.profile }, { clock: options.clock, console: consoleId }, (text) =>
      this.send({ type: 'problem', level: 'error', message: text }),
    );
    this.state = initialState({ consoleId, armed: config.armed, dryRun: config.dryRun, ...(options.selfLogin !== undefined ? { selfLogin: options.selfLogin } : {}) });
    const fixed = { config, profile: this.profile, consoleId, claimTtlMs: options.claimTtlMs ?? 24 * HOUR, targets: new Set((['http', 'command'] as const).filter((k) => targets[k])) };
    this.host = {
      tracker,
      targets,
      config,
      ...(options.lessons ? { lessons: options.lessons } : {}),
      ...(options.readiness ? { readiness: options.readiness } : {}),
      state: () => this.state,
      stopping: () => this.stopping,
      send: (event) => this.send(event),
      writeContext: () => ({ ...fixed, selfLogin: this.state.self ?? '', ownConsoles: this.state.ownConsoles, trust: this.state.trust, now: this.clock.now(), taskTypes: this.state.taskTypes }),
      emit: (event) => callEach(this.eventListeners, event),
      append: (entry) => this.journal.append(entry),
      notify: (event) => this.notify(event),
      inLane: (lane, task) => this.inLane(lane, task),
    };
  }

  /** The current snapshot; the same object until something changes (useSyncExternalStore). */
  readonly getSnapshot = (): EngineSnapshot => this.state.snapshot;

  /** Everything the engine knows (the snapshot and what only the engine needs); immutable. */
  readonly getState = (): EngineState => this.state;

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

  /** Restore from the journal, run the first cycle (which finishes interrupted work), then loop. Rejects when the journal cannot be read. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    await this.send({ type: 'started' });
    if (this.journal.enabled) {
      try {
        this.publish(await this.journal.restore(this.state));
      } catch (err) {
        // Never run on empty state: what the journal held (approvals, dispatches) would be redone or lost.
        this.running = false;
        await this.send({ type: 'problem', level: 'error', message: `could not replay the journal: ${message(err)}` });
        throw err;
      }
      await this.send({ type: 'restored' });
    }
    this.scheduleCommands();
    await this.runCycle();
    for (const command of [...this.state.pendingCommands.values()]) await this.applyCommand(command);
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
    for (const t of this.graceTimers) this.clock.clearTimeout(t);
    this.graceTimers.clear();
    await Promise.allSettled([this.cyclePromise, this.commandsPromise]);
    await this.lanes.idle();
    await this.journal.settled();
    this.running = false;
    this.stopping = false;
    await this.send({ type: 'stopped' });
  }

  pause(): Promise<void> {
    this.clearCycleTimer();
    return this.send({ type: 'pause' });
  }

  /** Resume the loop with a cycle now. */
  async resume(): Promise<void> {
    const paused = this.state.snapshot.paused;
    await this.send({ type: 'resume' });
    if (paused && this.running) void this.runCycle();
  }

  /** Allow writes. Approved proposals whose gates are clear run at once (the promise settles then). */
  readonly arm = (): Promise<void> => this.send({ type: 'arm' });

  /** Stop writing: the write in progress finishes; approvals wait for arming. */
  readonly disarm = (): Promise<void> => this.send({ type: 'disarm' });

  /** Turning dry-run off forgets what it previewed: those proposals are decided afresh, for real. */
  readonly setDryRun = (on: boolean): Promise<void> => this.send({ type: 'set-dry-run', on });

  /**
   * Approve a proposal (`by`: who and where); it executes at once when its gates are clear (the
   * promise settles then) — or, with `graceMs`, only after that long, so `withdraw` can take the
   * approval back meanwhile (the console's undo; the promise settles once it is journaled).
   */
  approve(id: string, by = 'operator', graceMs = 0): Promise<void> {
    if (graceMs <= 0) return this.send({ type: 'approve', id, by });
    const sent = this.send({ type: 'approve', id, by, graceMs });
    if (this.state.snapshot.graceUntil.has(id)) {
      const timer = this.clock.setTimeout(() => {
        this.graceTimers.delete(timer);
        void this.send({ type: 'grace-over', id });
      }, graceMs);
      this.graceTimers.add(timer);
    }
    return sent;
  }

  /** Reject a proposal; remembered until the issue changes. */
  readonly reject = (id: string, note?: string, by?: string): Promise<void> => this.send({ type: 'reject', id, note: note ?? null, ...(by !== undefined ? { by } : {}) });

  /** Take an approval back before the proposal starts: it is pending again. */
  readonly withdraw = (id: string, by: string): Promise<void> => this.send({ type: 'withdraw', id, by });

  /** Hand a proposal to another registered agent that can carry out its action. */
  readonly reroute = (id: string, agentId: string): Promise<void> => this.send({ type: 'reroute', id, agentId });

  /**
   * The operator's hand on a dispatch (by its proposal id): retry now, re-route to `agentId`, cancel,
   * mark done, acknowledge an escalation. Journaled like an approval; refused with one sentence when
   * the dispatch is unknown or the command does not apply to it.
   */
  readonly operate = (id: string, op: OperatorCommand, options: { agentId?: string; by?: string; note?: string } = {}): Promise<void> =>
    this.send({ type: 'operate', id, op, by: options.by ?? 'operator', ...(options.agentId !== undefined ? { agentId: options.agentId } : {}), ...(options.note ? { note: options.note } : {}) });

  /** Set an issue's task type ("owner/name#N"; null: back to the inferred one); journaled, then planned again. */
  readonly setTaskType = (issue: string, taskType: TaskType | null): Promise<void> => this.send({ type: 'set-task-type', issue, taskType });

  /** The task types the operator set, by issue key. */
  readonly taskTypes = (): ReadonlyMap<string, TaskType> => this.state.taskTypes;

  /** One event through `step`; settles when every effect it asked for (and theirs) has. */
  private send(event: Event): Promise<void> {
    const r = step(this.state, event, { config: this.config, profile: this.profile, now: this.clock.now() });
    this.publish(r.state);
    const done = Promise.all(r.effects.map((e) => performEffect(this.host, e))).then(() => undefined);
    const refused = r.refused;
    return refused ? done.then(() => Promise.reject(new UsageError(refused.message, refused.hint))) : done;
  }

  private async cycle(): Promise<void> {
    await this.send({ type: 'cycle-started' });
    try {
      // Markers are only trusted from our own login: know it before the first read.
      await this.ensureSelf();
      for (const type of ['observe-due', 'fetch-due', 'plan-due', 'summary-due'] as const) {
        if (this.stopping) break;
        await this.send({ type });
      }
    } catch (err) {
      await this.send({ type: 'cycle-failed', message: message(err) });
    }
    await this.send({ type: 'cycle-finished', rateLimit: this.options.tracker.rateLimit() });
  }

  private scheduleCycle(): void {
    this.clearCycleTimer();
    if (!this.running || this.stopping || this.state.snapshot.paused) {
      void this.send({ type: 'scheduled', at: null });
      return;
    }
    const delay = cycleDelay(this.config.intervalSeconds * 1000, this.state.failures);
    this.cycleTimer = this.clock.setTimeout(() => {
      this.cycleTimer = null;
      void this.runCycle();
    }, delay);
    void this.send({ type: 'scheduled', at: new Date(this.clock.now().getTime() + delay).toISOString() });
  }

  private clearCycleTimer(): void {
    if (this.cycleTimer !== null) this.clock.clearTimeout(this.cycleTimer);
    this.cycleTimer = null;
  }

  /** One lane per issue (its writes stay in order), lanes side by side; stop() waits for them all. */
  private inLane(lane: string, task: () => Promise<void>): Promise<void> {
    const run = this.lanes.run(lane, async () => {
      if (this.stopping) return;
      await this.ensureSelf();
      await task();
    });
    run.catch((err: unknown) => this.send({ type: 'problem', level: 'error', message: message(err) }));
    return run;
  }

  private scheduleCommands(): void {
    if (!this.journal.enabled || !this.running || this.stopping) return;
    this.commandTimer = this.clock.setTimeout(() => {
      this.commandTimer = null;
      this.commandsPromise = (async () => {
        try {
          for (const command of await this.journal.readCommands()) await this.applyCommand(command);
        } catch (err) {
          await this.send({ type: 'problem', level: 'warning', message: `could not read commands: ${message(err)}` });
        }
      })().finally(() => {
        this.commandsPromise = null;
        this.scheduleCommands();
      });
    }, (this.options.commandPollMs ?? 1000));
  }

  /** A command from another process; a refusal is reported and journaled by `step`. */
  private async applyCommand(c: JournalCommand): Promise<void> {
    await this.send(commandEvent(c)).catch(() => undefined);
  }

  private async ensureSelf(): Promise<void> {
    if (this.state.self === null) await this.send({ type: 'self-known', login: await this.options.tracker.currentUser() });
  }

  private async notify(event: NotifyEvent): Promise<void> {
    try {
      await this.options.notifier?.notify(event);
    } catch (err) {
      await this.send({ type: 'problem', level: 'warning', message: `could not notify: ${message(err)}` });
    }
  }

  private publish(next: EngineState): void {
    const changed = next.snapshot !== this.state.snapshot;
    this.state = next;
    if (changed) callEach(this.listeners, undefined);
  }
}
