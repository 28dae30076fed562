import { parseMarker } from '../core/texts.js';
import type { SimulatedAgentOptions } from './options.js';
import { randomFor, type Random } from './prng.js';
import type { SandboxStore, StoreChange } from './store.js';

export type AgentOutcome = 'complete' | 'failCi' | 'stall' | 'never' | 'loop' | 'stubborn' | 'mergeNoClose';

/** The status context the simulated CI reports, and where its runs would be. */
export const CI_CONTEXT = 'ci/sandbox';
const ciUrl = (repo: string, sha: string): string => `https://ci.invalid/${repo}/${sha.slice(0, 12)}`;

/** How often a looping agent repeats itself before it gives up: enough for any repeat threshold worth setting. */
export const LOOP_REPEATS = 6;

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

/** A red pull request an agent is waiting to fix forward. */
interface RedPull {
  readonly login: string;
  readonly outcome: AgentOutcome;
  readonly prNumber: number;
  readonly rnd: Random;
  round: number;
}

/**
 * Plays the agents named in the options: when an open issue is assigned to an agent login, or
 * gets an agent's label, that agent comments, opens a PR (`Fixes #N`) with a pending commit status,
 * turns it green (or red) and merges it, on real timers. Each issue is taken up once per agent. A red PR is
 * fixed forward when switchboard's fix-forward comment arrives: a new commit pushed to the PR,
 * CI again, then merged (or red again, for a stubborn agent).
 */
export class SimulatedAgents {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly handled = new Set<string>();
  /** issue key → the red PR its agent waits to fix */
  private readonly red = new Map<string, RedPull>();
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
    if (change.kind === 'commented') return this.onComment(change);
    const login = this.agentFor(change);
    if (this.stopped || login === undefined || change.kind === 'changed') return;
    // Once per issue and agent: a dispatch retried on another agent is that agent's to take up.
    const key = `${change.repo.toLowerCase()}#${change.number}\0${login}`;
    const issue = this.store.issue(change.repo, change.number);
    if (!issue || issue.state !== 'open' || issue.pull !== null || this.handled.has(key)) return;
    this.handled.add(key);
    const rnd = randomFor(this.seed, 'agent-run', change.repo, change.number, login);
    const outcome = agentOutcome(this.options, this.seed, change.repo, change.number, login);
    if (outcome === 'never') return;
    if (outcome === 'loop') return this.loop(change.repo, change.number, login, rnd);
    this.run(change.repo, change.number, login, outcome, rnd);
  }

  /**
   * switchboard's fix-forward comment (its marker, from the token user's account) on an issue
   * whose PR this agent left red; anyone else's text does not steer it.
   */
  private onComment(change: Extract<StoreChange, { kind: 'commented' }>): void {
    if (this.stopped) return;
    const key = `${change.repo.toLowerCase()}#${change.number}`;
    const red = this.red.get(key);
    if (!red || change.author !== this.store.login || parseMarker(change.body)?.kind !== 'fix-forward') return;
    this.red.delete(key);
    red.round += 1;
    const { repo, number } = change;
    let headSha = '';
    const stillRed = red.outcome === 'stubborn';
    this.schedule(repo, number, [
      () => {
        headSha = red.rnd.hex(40);
        this.store.pushToPullRequest(repo, red.prNumber, headSha);
        this.store.setCommitStatus(repo, headSha, { state: 'pending', context: CI_CONTEXT, description: 'CI is running', targetUrl: ciUrl(repo, headSha), creator: red.login });
        return true;
      },
      () => this.finishCi(repo, number, red, headSha, stillRed),
      () => {
        this.store.mergePullRequest(repo, red.prNumber, red.login);
        return false;
      },
    ], red.rnd);
  }

  /** Green (true: go on to merge) or red again (false: wait for the next fix-forward). */
  private finishCi(repo: string, number: number, red: RedPull, headSha: string, failed: boolean): boolean {
    this.store.setCommitStatus(repo, headSha, {
      state: failed ? 'failure' : 'success',
      context: CI_CONTEXT,
      description: failed ? 'Some checks failed' : 'All checks passed',
      targetUrl: ciUrl(repo, headSha),
      creator: red.login,
    });
    if (failed) {
      this.store.addComment(repo, number, `CI failed on #${red.prNumber}; the new test still fails on one platform.`, red.login);
      this.red.set(`${repo.toLowerCase()}#${number}`, red);
    }
    return !failed;
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
        title: `${outcome === 'mergeNoClose' ? 'Work on' : 'Fix'} #${number}: ${issue?.title ?? 'issue'}`,
        // Only a closing keyword makes the merge close the issue (see SandboxStore.mergePullRequest).
        body: `${outcome === 'mergeNoClose' ? 'Refs' : 'Fixes'} #${number}\n\nAdds a regression test that failed before this change.`,
        author: login,
        headRef: `${login}/issue-${number}`,
        headSha,
      });
      prNumber = pr.number;
      this.store.setCommitStatus(repo, headSha, { state: 'pending', context: CI_CONTEXT, description: 'CI is running', targetUrl: ciUrl(repo, headSha), creator: login });
      return true;
    });
    steps.push(() => this.finishCi(repo, number, { login, outcome, prNumber, rnd, round: 0 }, headSha, outcome === 'failCi' || outcome === 'stubborn'));
    steps.push(() => {
      this.store.mergePullRequest(repo, prNumber, login);
      return false;
    });
    this.schedule(repo, number, steps, rnd);
  }

  /** The same comment again and again, as an agent stuck retrying one failing step does. */
  private loop(repo: string, number: number, login: string, rnd: Random): void {
    const again = () => {
      this.store.addComment(repo, number, 'Retrying: the build failed again with the same error.', login);
      return true;
    };
    this.schedule(repo, number, Array.from({ length: LOOP_REPEATS }, () => again), rnd);
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
