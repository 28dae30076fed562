import type { Config } from './config.js';
import type { Dispatch, Observation, PullObservation } from './dispatch.js';
import type { Effect, EngineEvent, Event } from './engine-events.js';
import type { DispatchTarget, JournalEntry, NotifyEvent } from './engine-ports.js';
import type { EngineState, Watch } from './engine-state.js';
import { attemptOf, proposalIdOf } from './engine-work.js';
import { IssueGoneError, isTransient } from './errors.js';
import { afterWrite, nextWrite, rereadAfter, type Seen, type Work, type Write, type WriteAnswer, type WriteContext } from './next-write.js';
import type { LinkedPullRequest, Tracker } from './ports.js';
import { sanitize } from './sanitize.js';
import { needsTrust, permissionTrusts, trustKey } from './triage.js';
import type { Issue } from './issue.js';

/**
 * The effects that talk to the tracker and the agents: reads, write sequences, observations.
 * Each feeds what it learned back into the engine as events; none decides anything itself.
 */
export interface EffectHost {
  readonly tracker: Tracker;
  readonly targets: Partial<Record<'http' | 'command', DispatchTarget>>;
  readonly config: Config;
  state(): EngineState;
  stopping(): boolean;
  send(event: Event): Promise<void>;
  writeContext(): WriteContext;
  /** tell onEvent listeners, synchronously */
  emit(event: EngineEvent): void;
  /** append to the journal after every line before it */
  append(entry: JournalEntry): Promise<void>;
  /** never rejects */
  notify(event: NotifyEvent): Promise<void>;
  /** run `task` in write lane `lane` */
  inLane(lane: string, task: () => Promise<void>): Promise<void>;
}

/** Perform one effect `step` asked for; settles when it and every event it fed back have. */
export function performEffect(host: EffectHost, e: Effect): Promise<void> {
  switch (e.type) {
    case 'emit':
      host.emit(e.event);
      return Promise.resolve();
    case 'journal':
      return host.append(e.entry);
    case 'notify':
      return host.notify(e.event);
    case 'lane':
      return host.inLane(e.lane, () => host.send(e.event));
    case 'work':
      return e.lane === undefined ? performWork(host, e.work) : host.inLane(e.lane, () => performWork(host, e.work));
    case 'observe':
      return observeAll(host, e.items);
    case 'fetch':
      return fetchAll(host, e.repos, e.full, e.trust);
    default: {
      const never: never = e;
      throw new Error(`unknown effect ${JSON.stringify(never)}`);
    }
  }
}

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The work cannot be done at all: failed for good, not retried. */
class Refused extends Error {}

const issueOf = (w: Exclude<Work, { kind: 'summary' }>): { repo: string; number: number } =>
  w.kind === 'execute' ? w.proposal : w.dispatch;
const newest = (comments: readonly { id: number }[]): number => Math.max(0, ...comments.map((c) => c.id));

/** One write sequence: read what is on the issue, make the next write, until `nextWrite` says it is over. */
export async function performWork(host: EffectHost, work: Work): Promise<void> {
  try {
    let seen = await read(host, work);
    for (;;) {
      const ctx = host.writeContext();
      const next = nextWrite(work, seen, ctx);
      if (next.kind === 'refused') throw new Refused(next.why);
      if (next.kind !== 'write') return await host.send({ type: 'work-ended', work, end: next, readUpTo: seen.readUpTo });
      if (host.stopping() || !host.state().snapshot.armed) return await host.send({ type: 'work-interrupted', work, stopping: host.stopping() });
      const { write } = next;
      const dryRun = host.state().snapshot.dryRun;
      if (!dryRun) await host.send({ type: 'write-starting', work, write });
      // Dry-run answers its own writes, as the tracker would have.
      const answer = dryRun ? dryAnswer(write, seen, ctx) : await perform(host, work, write);
      if (answer.kind === 'agent' && !answer.ok && write.kind === 'agent') throw new Refused(`${write.request.agent.displayName} did not take the task: ${answer.detail}`);
      await host.send({ type: 'written', work, write, answer, dryRun });
      if (rereadAfter(write) && !dryRun && work.kind !== 'summary') {
        const { repo, number } = issueOf(work);
        const comments = await host.tracker.listComments(repo, number);
        seen = { ...seen, comments, readUpTo: newest(comments) };
      } else {
        seen = afterWrite(seen, write, answer);
      }
    }
  } catch (err) {
    const gone = err instanceof IssueGoneError;
    await host.send({ type: 'work-failed', work, message: message(err), final: err instanceof Refused, transient: isTransient(err), gone });
  }
}

async function read(host: EffectHost, work: Work): Promise<Seen> {
  if (work.kind === 'summary') return { issue: null, comments: [], agentCall: undefined, opened: false, readUpTo: 0 };
  const { repo, number } = issueOf(work);
  const comments = await host.tracker.listComments(repo, number);
  const issue = await host.tracker.getIssue(repo, number);
  const id = proposalIdOf(work);
  const agentCall = id === null ? undefined : host.state().agentCalls.get(id)?.get(attemptOf(work));
  return { issue, comments, agentCall, opened: false, readUpTo: newest(comments) };
}

async function perform(host: EffectHost, work: Work, w: Write): Promise<WriteAnswer> {
  const { tracker } = host;
  if (w.kind === 'open-issue') {
    if (work.kind !== 'summary') throw new Error('only the daily summary opens an issue');
    await tracker.createIssue(work.repo, w.title, w.body);
    return { kind: 'done' };
  }
  if (w.kind === 'agent') {
    const kind = w.request.agent.kind;
    const target = kind === 'http' || kind === 'command' ? host.targets[kind] : undefined;
    if (!target) throw new Refused(`no ${kind} dispatch target is configured for agent "${w.request.agent.id}"`);
    const r = await target.dispatch(w.request);
    return { kind: 'agent', ok: r.ok, ...(r.runId !== undefined ? { runId: r.runId } : {}), detail: r.detail };
  }
  if (work.kind === 'summary') throw new Error(`the daily summary makes no ${w.kind} write`);
  const { repo, number } = issueOf(work);
  switch (w.kind) {
    case 'comment':
      return { kind: 'comment', comment: await tracker.postComment(repo, number, w.body) };
    case 'edit-comment':
      return { kind: 'comment', comment: await tracker.editComment(repo, w.commentId, w.body) };
    case 'label':
      await tracker.addLabels(repo, number, [w.label]);
      return { kind: 'done' };
    case 'unlabel':
      await tracker.removeLabel(repo, number, w.label);
      return { kind: 'done' };
    case 'assign':
      await tracker.setAssignees(repo, number, w.logins);
      return { kind: 'done' };
    default: {
      const never: never = w;
      return never;
    }
  }
}

/** What the tracker or the agent would have answered: the comment as posted, an agent that took the task. */
function dryAnswer(w: Write, seen: Seen, ctx: WriteContext): WriteAnswer {
  const at = ctx.now.toISOString();
  if (w.kind === 'comment') return { kind: 'comment', comment: { id: newest(seen.comments) + 1, body: w.body, author: ctx.selfLogin, createdAt: at, updatedAt: at } };
  if (w.kind === 'agent') return { kind: 'agent', ok: true, detail: 'dry run' };
  return { kind: 'done' };
}

/** Observe dispatches one after another; a failure is reported and the next one observed. */
export async function observeAll(host: EffectHost, items: readonly { dispatch: Dispatch; watch: Watch }[]): Promise<void> {
  for (const { dispatch, watch } of items) {
    if (host.stopping()) return;
    try {
      const seen = await observe(host, dispatch, watch);
      await host.send({ type: 'observed', id: dispatch.proposalId, ...seen });
    } catch (err) {
      await host.send({ type: 'observe-failed', id: dispatch.proposalId, message: message(err), gone: err instanceof IssueGoneError });
    }
  }
}

/** The open PR that says most about the work: open first, then merged, newest first. */
function pickPull(prs: readonly LinkedPullRequest[]): LinkedPullRequest | null {
  const rank = (p: LinkedPullRequest) => (p.state === 'open' ? 0 : p.merged ? 1 : 2);
  return [...prs].sort((a, b) => rank(a) - rank(b) || b.updatedAt.localeCompare(a.updatedAt))[0] ?? null;
}

async function observe(host: EffectHost, d: Dispatch, watch: Watch): Promise<{ observation: Observation; watch: Watch }> {
  const { tracker } = host;
  const agent = host.config.agents.find((a) => a.id === d.agentId);
  if (agent && (agent.kind === 'http' || agent.kind === 'command')) {
    const target = host.targets[agent.kind];
    if (!target || watch.runId === undefined) return { observation: { kind: 'none' }, watch };
    const s = await target.observe(watch.runId);
    return { observation: { kind: 'agent', status: s.status, detail: sanitize(s.detail) }, watch };
  }
  const issue = await tracker.getIssue(d.repo, d.number);
  const comments = await tracker.listComments(d.repo, d.number);
  const pull = pickPull(await tracker.linkedPullRequests(d.repo, d.number));
  let pr: PullObservation | null = null;
  if (pull) {
    let ci: PullObservation['ci'] = 'none';
    if (pull.state === 'open' && !pull.merged) {
      const status = await tracker.combinedStatus(d.repo, pull.headSha);
      ci = status.total === 0 ? 'none' : status.state;
    }
    pr = { number: pull.number, state: pull.state, merged: pull.merged, headSha: pull.headSha, ci };
  }
  const self = host.state().self;
  const observation: Observation = {
    kind: 'tracker',
    issueState: issue.state,
    newComments: comments.filter((c) => c.id > watch.lastCommentId && c.author !== self).map((c) => ({ author: c.author, body: c.body })),
    reopened: watch.lastIssueState === 'closed' && issue.state === 'open',
    pr,
  };
  return { observation, watch: { ...watch, lastCommentId: Math.max(watch.lastCommentId, newest(comments)), lastIssueState: issue.state } };
}

/** Fetch every repo at once, then, repo by repo, ask the tracker about authors whose trust is unknown. */
export async function fetchAll(host: EffectHost, repos: readonly string[], full: boolean, trust: ReadonlyMap<string, boolean>): Promise<void> {
  const results = await Promise.all(
    repos.map(async (repo) => {
      try {
        return { repo, issues: (await host.tracker.fetchBacklog(repo, { full })).issues };
      } catch (err) {
        return { repo, error: message(err), transient: isTransient(err) };
      }
    }),
  );
  for (const r of results) {
    if (r.issues === undefined) await host.send({ type: 'fetch-failed', repo: r.repo, message: r.error ?? 'unknown error', transient: r.transient ?? false });
    else await host.send({ type: 'backlog-fetched', repo: r.repo, issues: r.issues, learned: await askTrust(host.tracker, r.issues, host.config, trust) });
  }
}

/**
 * Ask the tracker whether authors not trusted by config and not in `known` may write (the
 * trusted-author gate); the engine and `triage --dry-run` both resolve trust through this.
 */
export async function askTrust(tracker: Pick<Tracker, 'permission'>, issues: readonly Issue[], config: Config, known: ReadonlyMap<string, boolean>): Promise<Map<string, boolean>> {
  const trusted = new Set(config.trustedAuthors);
  const learned = new Map<string, boolean>();
  const unknown = new Set<string>();
  for (const issue of issues) {
    const key = trustKey(issue.repo, issue.author);
    if (!needsTrust(issue, trusted, known) || learned.has(key) || unknown.has(key)) continue;
    try {
      learned.set(key, permissionTrusts(await tracker.permission(issue.repo, issue.author)));
    } catch {
      // Unknown stays unknown: the gate says so and a later resync asks again.
      unknown.add(key);
    }
  }
  return learned;
}
