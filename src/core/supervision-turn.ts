import type { AgentRef, CiVerdict, EscalationCause, Progress, Supervised, WatchAction, WatchPhase, WatchPolicy } from './supervision-types.js';

const HISTORY_LIMIT = 50;
const TRAIL_LIMIT = 30;

const same = <T extends object>(whole: T, patch: Partial<T>): boolean =>
  (Object.keys(patch) as (keyof T)[]).every((k) => whole[k] === patch[k]);

/** Working state carried through one event: the dispatch so far and the actions it asked for. */
export class Turn {
  readonly actions: WatchAction[] = [];
  constructor(
    public d: Supervised,
    readonly now: Date,
    readonly policy: WatchPolicy,
  ) {}

  get at(): string {
    return this.now.toISOString();
  }

  move(phase: WatchPhase, note: string, progressed = false): void {
    const history = phase === this.d.phase && !note ? this.d.history : [...this.d.history, { at: this.at, phase, note }].slice(-HISTORY_LIMIT);
    this.d = { ...this.d, phase, history, lastProgressAt: progressed ? this.at : this.d.lastProgressAt };
  }

  progressed(): void {
    this.d = { ...this.d, lastProgressAt: this.at, patterns: {} };
  }

  /** Unchanged fields keep the same object, so a quiet cycle gives back the very dispatch it got. */
  set(patch: Partial<Supervised>): void {
    if (same(this.d, patch)) return;
    this.d = { ...this.d, ...patch };
  }

  setProgress(patch: Partial<Progress>): void {
    if (same(this.d.progress, patch)) return;
    this.d = { ...this.d, progress: { ...this.d.progress, ...patch } };
  }

  /** A head commit or CI verdict that changed, for the escalation's commit range and CI history. */
  seen(pr: number, sha: string, ci: CiVerdict): void {
    this.d = { ...this.d, trail: [...(this.d.trail ?? []), { pr, sha, ci }].slice(-TRAIL_LIMIT) };
  }

  act(...actions: WatchAction[]): void {
    this.actions.push(...actions);
  }

  /** Escalation (seed 000 layout): comment with marker, needs-human, lock released, notification. */
  escalate(cause: EscalationCause, why: string): void {
    const { phase } = this.d;
    this.stopRun();
    this.act({ kind: 'escalate', cause, why });
    // A failed deploy comes after the merge already released the lock.
    if (phase !== 'deploying') this.act({ kind: 'release-lock' });
    if (!this.d.accepted) this.act({ kind: 'retract-audit', why });
    this.act({ kind: 'notify', event: 'escalated', text: `${this.d.repo}#${this.d.number} escalated: ${why}` });
    this.set({ escalation: { cause, why, acknowledgedBy: null }, retryAt: null });
    this.setProgress({ ended: 'escalated' });
    this.move('escalated', why);
  }

  /** A command agent's run still going is stopped: it would otherwise work on beside what comes next. */
  private stopRun(): void {
    const { phase } = this.d;
    if (this.d.agent.kind === 'command' && this.d.accepted && phase !== 'retry_wait' && phase !== 'dispatching' && phase !== 'deploying') {
      this.act({ kind: 'stop-agent' });
    }
  }

  /** A new attempt, counted against maxHops (and maxRetries unless the operator asked). */
  redispatch(agent: AgentRef, why: string, counted: boolean): void {
    this.stopRun();
    this.set({
      agent,
      attempt: this.d.attempt + 1,
      hops: this.d.hops + 1,
      retries: this.d.retries + (counted ? 1 : 0),
      attemptStartedAt: this.at,
      lastProgressAt: this.at,
      retryAt: null,
      lockSeen: false,
      assignmentSeen: false,
      patterns: {},
      escalation: null,
    });
    this.setProgress({ ended: null });
    this.act({ kind: 'redispatch', agent, attempt: this.d.attempt, why });
    this.move('dispatching', why);
  }

  /** Stall, timeout, failure: another attempt while retries and hops remain, else escalation. */
  trouble(cause: 'stall' | 'timeout' | 'agent-failed', why: string): void {
    const { maxRetries, maxHops } = this.policy;
    if (this.d.retries >= maxRetries) return this.escalate(cause, `${why}; ${maxRetries} retr${maxRetries === 1 ? 'y' : 'ies'} used`);
    if (this.d.hops >= maxHops) return this.escalate('max-hops', `${why}; ${maxHops} re-dispatches already`);
    this.redispatch(this.retryAgent(), `retry after ${why}`, true);
  }

  private retryAgent(): AgentRef {
    if (!this.policy.retryNextAgent) return this.d.agent;
    const order = this.policy.agents;
    const i = order.findIndex((a) => a.id === this.d.agent.id);
    return order[(i + 1) % order.length] ?? this.d.agent;
  }

  release(): void {
    this.act({ kind: 'release-lock' });
  }
}
