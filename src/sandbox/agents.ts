import type { SimulatedAgentOptions } from './options.js';
import { randomFor, type Random } from './prng.js';
import type { SandboxStore, StoreChange } from './store.js';

export type AgentOutcome = 'complete' | 'failCi' | 'stall' | 'never';

/** The outcome an agent will have on an issue: fixed by the seed, the issue and the agent. */
export function agentOutcome(options: SimulatedAgentOptions, seed: number, repo: string, number: number, login: string): AgentOutcome {
  const shares: [AgentOutcome, number][] = Object.entries(options.outcomes).map(([k, v]) => [k as AgentOutcome, Math.max(0, v)]);
  let x = randomFor(seed, 'agent-outcome', repo, number, login).next() * shares.reduce((sum, [, share]) => sum + share, 0);
  for (const [outcome, share] of shares) {
    x -= share;
    if (x < 0) return outcome;
  }
  return 'complete';
}

/**
 * Plays the agents named in the options: when an open issue is assigned to an agent login, or
 * gets an agent's label, that agent comments, opens a PR (`Fixes #N`) with a pending commit status,
 * turns it green (or red) and merges it, on real timers. Each issue is taken up once.
 */
export class SimulatedAgents {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly handled = new Set<string>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly store: SandboxStore,
    private readonly options: SimulatedAgentOptions,
    private readonly seed: number,
  ) {
    for (const login of Object.keys(options.logins)) {
      if (!store.user(login)) store.setPermission(login, 'write');
    }
    this.unsubscribe = store.onChange((change) => this.react(change));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private agentFor(change: StoreChange): string | undefined {
    if (change.kind === 'assigned') return change.logins.find((l) => this.options.logins[l] === 'assignee');
    if (change.kind === 'labelled') return change.labels.find((l) => this.options.logins[l] === 'label');
    return undefined;
  }

  private react(change: StoreChange): void {
    const login = this.agentFor(change);
    if (this.stopped || login === undefined || change.kind === 'changed') return;
    const key = `${change.repo.toLowerCase()}#${change.number}`;
    const issue = this.store.issue(change.repo, change.number);
    if (!issue || issue.state !== 'open' || issue.pull !== null || this.handled.has(key)) return;
    this.handled.add(key);
    const rnd = randomFor(this.seed, 'agent-run', change.repo, change.number, login);
    const outcome = agentOutcome(this.options, this.seed, change.repo, change.number, login);
    if (outcome === 'never') return;
    this.run(change.repo, change.number, login, outcome, rnd);
  }

  private run(repo: string, number: number, login: string, outcome: AgentOutcome, rnd: Random): void {
    const steps: (() => boolean)[] = [];
    let prNumber = 0;
    let headSha = '';
    steps.push(() => {
      this.store.addComment(repo, number, `Picking this up. I'll reproduce it first, then open a PR that references this issue.`, login);
      return outcome !== 'stall';
    });
    steps.push(() => {
      headSha = rnd.hex(40);
      const issue = this.store.issue(repo, number);
      const pr = this.store.createPullRequest(repo, {
        title: `Fix #${number}: ${issue?.title ?? 'issue'}`,
        body: `Fixes #${number}\n\nAdds a regression test that failed before this change.`,
        author: login,
        headRef: `${login}/issue-${number}`,
        headSha,
      });
      prNumber = pr.number;
      this.store.setCommitStatus(repo, headSha, { state: 'pending', description: 'CI is running', creator: login });
      return true;
    });
    steps.push(() => {
      const failed = outcome === 'failCi';
      this.store.setCommitStatus(repo, headSha, {
        state: failed ? 'failure' : 'success',
        description: failed ? 'Some checks failed' : 'All checks passed',
        creator: login,
      });
      if (failed) this.store.addComment(repo, number, `CI failed on #${prNumber}; the new test still fails on one platform.`, login);
      return !failed;
    });
    steps.push(() => {
      this.store.mergePullRequest(repo, prNumber, login);
      return false;
    });
    this.schedule(repo, number, steps, rnd);
  }

  private schedule(repo: string, number: number, steps: (() => boolean)[], rnd: Random): void {
    const [step, ...rest] = steps;
    if (!step) return;
    const delay = Math.round(this.options.delayMs * (0.75 + 0.5 * rnd.next()));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped || this.store.issue(repo, number)?.state !== 'open') return;
      let more: boolean;
      try {
        more = step();
      } catch {
        // The issue changed under the agent (deleted repo, merged elsewhere): it gives up quietly.
        return;
      }
      if (more) this.schedule(repo, number, rest, rnd);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
