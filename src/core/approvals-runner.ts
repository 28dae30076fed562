import {
  approvedVia,
  DASHBOARD_TITLE,
  dispatchOnIssue,
  intentsFromTicks,
  isDashboard,
  parseCommand,
  proposalOnIssue,
  readTicks,
  renderDashboard,
  type Tick,
  type TrackerCommand,
} from './approvals.js';
import type { Config } from './config.js';
import type { Clock, TimerHandle, Permission, RepoComment, Tracker } from './ports.js';
import type { EngineState } from './engine-state.js';
import { type Issue, issueKey } from './issue.js';
import { SwitchboardError } from './errors.js';
import { sanitize } from './sanitize.js';
import type { OperatorCommand } from './supervision-types.js';

/** What the runner needs of the engine: its state and the operator's commands. */
export interface ApprovalsEngine {
  getState(): EngineState;
  approve(id: string, by: string): Promise<void>;
  reject(id: string, note?: string, by?: string): Promise<void>;
  reroute(id: string, agentId: string): Promise<void>;
  withdraw(id: string, by: string): Promise<void>;
  operate(id: string, op: OperatorCommand, options: { by: string }): Promise<void>;
}

export interface ApprovalsOptions {
  readonly engine: ApprovalsEngine;
  readonly tracker: Tracker;
  readonly clock: Clock;
  readonly config: Config;
  /** a read or write that failed: one sentence for the operator's log */
  readonly onProblem?: (message: string) => void;
}

/** Who may write, asked of the tracker, kept this long. */
const PERMISSION_TTL_MS = 10 * 60_000;
/** A `since` a little before the last answer's server time: a comment stamped in the same second is not missed. */
const OVERLAP_MS = 5_000;
/** An approval given by comment survives the change the comment (and our answer) made to the issue this long. */
const CARRY_MS = 60 * 60_000;

interface Carried {
  readonly command: Extract<TrackerCommand, { kind: 'approve' | 'reject' }>;
  readonly by: string;
  readonly action: string;
  readonly agentId: string | null;
  /** the issue's last change that was only the command and our answer */
  readonly until: number;
  readonly at: number;
}

/**
 * Approving from the tracker, within `approvals.pollSeconds` (≤ 30 s) whatever the cycle
 * interval: per enrolled repo one read of the comments updated since the last read, per
 * dashboard one read of its body. Commands from people who may not write are ignored and never
 * answered. What it finds becomes the same operator intent as the console's, naming who and where.
 */
export class ApprovalsRunner {
  readonly #o: ApprovalsOptions;
  readonly #cursor = new Map<string, number>();
  readonly #seen = new Map<number, number>();
  readonly #may = new Map<string, { may: boolean; at: number }>();
  readonly #carried = new Map<string, Carried>();
  /** dashboards we opened this run (the engine finds them in the backlog from the next fetch) */
  readonly #opened = new Map<string, Issue>();
  /** per dashboard: the ticks as we last wrote (or first read) them, and when we last edited */
  readonly #rendered = new Map<string, Tick[]>();
  readonly #edited = new Map<string, number>();
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(options: ApprovalsOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    const a = this.#o.config.approvals;
    return a.commands || a.dashboard;
  }

  start(): void {
    if (!this.enabled || !this.#stopped) return;
    const { tracker } = this.#o;
    if (!tracker.listRepoComments || !tracker.editIssueBody) {
      // A tracker that cannot list repo comments or edit an issue body (both forges can; a fake may not).
      if (this.#o.config.approvals.dashboard) this.#problem(`approving from the tracker is not available on ${tracker.displayName} yet: no comment commands, no dashboard`);
      return;
    }
    this.#stopped = false;
    // Commands older than this start are not replayed: a restart never redoes what was answered.
    const now = this.#o.clock.now().getTime();
    for (const repo of this.#o.config.repos) this.#cursor.set(repo, now);
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** The dashboard issue's address for a repo's notifications, once known. */
  dashboardUrl(repo: string): string | undefined {
    const home = this.#o.config.approvals.controlRepo ?? repo;
    return (this.#o.engine.getState().dashboards.get(home) ?? this.#opened.get(home))?.url;
  }

  /** One round: comments, then dashboards. Never rejects; failures go to `onProblem`. */
  poll(): Promise<void> {
    this.#running ??= this.#round().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = null;
      void this.poll().finally(() => this.#schedule());
    }, this.#o.config.approvals.pollSeconds * 1000);
  }

  async #round(): Promise<void> {
    const { config } = this.#o;
    // Markers and the dashboard's author check need our login; the dashboard needs a first fetch.
    const state = this.#o.engine.getState();
    if (state.self === null || state.snapshot.lastCycle === null) return;
    if (config.approvals.commands) {
      for (const repo of config.repos) await this.#guard(`read the comments of ${repo}`, () => this.#readCommands(repo, state.self ?? ''));
      await this.#guard('carry approvals given by comment', () => this.#carry());
    }
    if (!config.approvals.dashboard) return;
    const control = config.approvals.controlRepo;
    if (control !== undefined && !config.repos.some((r) => r.toLowerCase() === control.toLowerCase())) {
      return this.#problem(`approvals.controlRepo ${control} is not enrolled: no dashboard is kept`);
    }
    const homes = control !== undefined ? [[control, config.repos] as const] : config.repos.map((r) => [r, [r]] as const);
    for (const [home, covers] of homes) await this.#guard(`keep the dashboard in ${home}`, () => this.#dashboard(home, covers));
  }

  async #guard(what: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.#problem(`could not ${what}: ${sanitize(err instanceof Error ? err.message : String(err))}`);
    }
  }

  #problem(message: string): void {
    this.#o.onProblem?.(message);
  }

  async #readCommands(repo: string, self: string): Promise<void> {
    const { tracker, clock } = this.#o;
    if (!tracker.listRepoComments) return;
    const since = this.#cursor.get(repo) ?? clock.now().getTime();
    const read = await tracker.listRepoComments(repo, new Date(Math.max(0, since - OVERLAP_MS)).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const serverNow = Date.parse(read.serverTime ?? '');
    for (const comment of read.comments) {
      if (this.#seen.has(comment.id) || comment.author.toLowerCase() === self.toLowerCase()) continue;
      const command = parseCommand(comment.body);
      if (command === null) continue;
      // A permission check that fails leaves the comment unseen and the cursor where it was: the
      // next round reads it, and the commands after it, again.
      const may = await this.#mayWrite(repo, comment.author);
      this.#seen.set(comment.id, clock.now().getTime());
      if (may) await this.#obey(repo, comment, command);
    }
    this.#cursor.set(repo, Number.isFinite(serverNow) ? serverNow : clock.now().getTime());
    const old = clock.now().getTime() - CARRY_MS;
    for (const [id, at] of this.#seen) if (at < old) this.#seen.delete(id);
  }

  async #mayWrite(repo: string, login: string): Promise<boolean> {
    const { config, tracker, clock } = this.#o;
    if (config.approvals.approvers.some((a) => a.toLowerCase() === login.toLowerCase())) return true;
    const key = `${repo}\0${login.toLowerCase()}`;
    const now = clock.now().getTime();
    const known = this.#may.get(key);
    if (known && now - known.at < PERMISSION_TTL_MS) return known.may;
    let permission: Permission;
    try {
      permission = await tracker.permission(repo, login);
    } catch (err) {
      // GitHub answers 404 for anyone who is not a collaborator (repos/get-collaborator-permission-level):
      // a stranger's command, as when the engine checks a claimant.
      if (!(err instanceof SwitchboardError && err.kind === 'not-found')) throw err;
      permission = 'none';
    }
    const may = permission === 'write' || permission === 'admin' || permission === 'owner';
    this.#may.set(key, { may, at: now });
    return may;
  }

  /** Apply a writer's command and answer it on the issue; a refusal is answered with its reason. */
  async #obey(repo: string, comment: RepoComment, command: TrackerCommand): Promise<void> {
    const { engine } = this.#o;
    const where = issueKey(repo, comment.number);
    const by = approvedVia(comment.author, where);
    const snapshot = engine.getState().snapshot;
    const p = proposalOnIssue(snapshot, repo, comment.number);
    let answer: string;
    if (command.kind === 'retry' || command.kind === 'cancel') {
      const d = dispatchOnIssue(snapshot, repo, comment.number);
      const refusal = d === null ? `there is no dispatch of ${where}.` : await refusalOf(engine.operate(d.proposalId, command.kind, { by }));
      answer = refusal !== null ? `could not ${command.kind}: ${refusal}` : `${command.kind === 'retry' ? 'retried' : 'cancelled'} by @${comment.author}.`;
    } else if (p === null) {
      answer = `there is no proposal for ${where} to ${command.kind}.`;
    } else {
      const done =
        command.kind === 'approve'
          ? engine.approve(p.id, by)
          : command.kind === 'reject'
            ? engine.reject(p.id, command.note ?? undefined, by)
            : engine.reroute(p.id, command.agentId);
      const refusal = await refusalOf(done);
      answer =
        refusal !== null
          ? `could not ${command.kind}: ${refusal}`
          : command.kind === 'approve'
            ? `approved by @${comment.author}.`
            : command.kind === 'reject'
              ? `rejected by @${comment.author}${command.note !== null ? ' with a note' : ''}.`
              : `re-routed to ${command.agentId} by @${comment.author}.`;
      if (refusal === null && (command.kind === 'approve' || command.kind === 'reject')) {
        this.#carried.set(where, { command, by, action: p.action, agentId: p.agentId, until: Date.parse(comment.createdAt), at: this.#o.clock.now().getTime() });
      }
    }
    if (engine.getState().snapshot.dryRun) return;
    const reply = await this.#o.tracker.postComment(repo, comment.number, `switchboard: ${answer}`);
    const carried = this.#carried.get(where);
    if (carried) this.#carried.set(where, { ...carried, until: Math.max(carried.until, Date.parse(reply.createdAt)) });
  }

  /**
   * The command comment and our answer change the issue, and a changed issue gets a fresh
   * proposal: the same decision, pending again. Re-applied here, so a disarmed approval waits like
   * a console one. Any later change (an edit, another comment) ends it.
   */
  async #carry(): Promise<void> {
    const { engine, clock } = this.#o;
    for (const [where, c] of this.#carried) {
      const snapshot = engine.getState().snapshot;
      const backlog = snapshot.backlog.get(where);
      const changed = Date.parse(backlog?.issue.updatedAt ?? '');
      if (!backlog || clock.now().getTime() - c.at > CARRY_MS || !(changed <= c.until)) {
        this.#carried.delete(where);
        continue;
      }
      const p = proposalOnIssue(snapshot, backlog.issue.repo, backlog.issue.number);
      if (p === null || p.status !== 'proposed' || p.action !== c.action || p.agentId !== c.agentId) continue;
      if (c.command.kind === 'approve') await engine.approve(p.id, c.by).catch(() => undefined);
      else await engine.reject(p.id, c.command.note ?? undefined, c.by).catch(() => undefined);
    }
  }

  async #dashboard(home: string, covers: readonly string[]): Promise<void> {
    const { engine, tracker, clock, config } = this.#o;
    const state = engine.getState();
    if (state.snapshot.fetchErrors.has(home) || !tracker.editIssueBody) return;
    const known = state.dashboards.get(home) ?? this.#opened.get(home);
    const render = (): string =>
      renderDashboard({ snapshot: engine.getState().snapshot, repos: covers, agentNames: new Map(config.agents.map((a) => [a.id, a.displayName])) });
    if (!known) {
      if (state.snapshot.dryRun) return;
      const body = render();
      this.#opened.set(home, await tracker.createIssue(home, DASHBOARD_TITLE, body));
      this.#rendered.set(home, readTicks(body));
      this.#edited.set(home, clock.now().getTime());
      return;
    }
    // The one read per round: who may edit an issue body is the forge's rule (the author, writers).
    const current = await tracker.getIssue(home, known.number);
    if (current.state !== 'open' || !isDashboard(current, state.self)) return;
    const ticks = readTicks(current.body);
    const where = `${home}#${known.number}`;
    for (const intent of intentsFromTicks(ticks, engine.getState().snapshot, this.#rendered.get(home))) {
      const by = approvedVia(null, where);
      const done =
        intent.type === 'approve' ? engine.approve(intent.id, by) : intent.type === 'withdraw' ? engine.withdraw(intent.id, by) : engine.operate(intent.id, intent.type, { by });
      await refusalOf(done);
    }
    this.#rendered.set(home, ticks);
    const body = render();
    const last = this.#edited.get(home) ?? 0;
    if (body === current.body || state.snapshot.dryRun || clock.now().getTime() - last < config.approvals.minEditSeconds * 1000) return;
    await tracker.editIssueBody(home, known.number, body);
    this.#rendered.set(home, readTicks(body));
    this.#edited.set(home, clock.now().getTime());
  }
}

/** A command's promise settles when its execution has; its refusal comes at once. */
const settledSoon = (): Promise<null> => new Promise((resolve) => setImmediate(() => resolve(null)));

/**
 * The engine's sentence when it refuses a command, or null. Only the refusal is waited for: an
 * approval or a retry may start a write sequence that takes a while.
 */
const refusalOf = (done: Promise<void>): Promise<string | null> =>
  Promise.race([done.then(() => null, (err: unknown) => (err instanceof Error ? err.message : String(err))), settledSoon()]);
