import type { Config } from './config.js';
import type { Effect, EngineEvent, Event } from './engine-events.js';
import type { DispatchRequest, DispatchTarget, LessonsStore, NotifyEvent, Tracker } from './ports.js';
import type { JournalEntry } from './journal.js';
import { lessonsSection, relevantLessons } from './lessons.js';
import type { EngineState, Watch } from './engine-state.js';
import { attemptOf, proposalIdOf } from './engine-work.js';
import { IssueGoneError, isTransient, SwitchboardError } from './errors.js';
import { afterWrite, nextWrite, rereadAfter, type Seen, type Work, type Write, type WriteAnswer, type WriteContext } from './next-write.js';
import type { ReadinessFacts } from './readiness.js';
import type { Supervised } from './supervision-types.js';
import { readAgentSight, readTrackerSight } from './watch-sight.js';
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
  /** lessons carried in http/command prompts and recorded from rejections */
  readonly lessons?: LessonsStore;
  /** seed 004's readiness check of every agent (adapters/readiness.ts) */
  readonly readiness?: () => Promise<ReadonlyMap<string, ReadinessFacts>>;
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
    case 'readiness':
      return checkReadiness(host);
    case 'lesson':
      return (host.lessons?.record(e.lesson) ?? Promise.resolve()).catch((err: unknown) =>
        host.send({ type: 'problem', level: 'warning', message: `could not keep a lesson: ${message(err)}` }),
      );
    default: {
      const never: never = e;
      throw new Error(`unknown effect ${JSON.stringify(never)}`);
    }
  }
}

export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The work cannot be done at all: failed for good, not retried. */
class Refused extends Error {}

/** The agent did not take the task: the supervision lifecycle retries or escalates. */
class AgentRefused extends Refused {
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** Another account's claim whose author's permission could not be read. */
class ClaimCheckError extends SwitchboardError {
  readonly kind = 'claim-check';
  constructor(message: string, override readonly transient: boolean) {
    super(message);
  }
}

const issueOf = (w: Exclude<Work, { kind: 'summary' }>): { repo: string; number: number } =>
  w.kind === 'execute' ? w.proposal : w.dispatch;
const newest = (comments: readonly { id: number }[]): number => Math.max(0, ...comments.map((c) => c.id));

/** One write sequence: read what is on the issue, make the next write, until `nextWrite` says it is over. */
export async function performWork(host: EffectHost, work: Work): Promise<void> {
  try {
    let seen = await read(host, work);
    // kept here too: a full resync clearing the cache meanwhile cannot make the sequence ask for ever
    const learned = new Map<string, boolean>();
    for (;;) {
      const base = host.writeContext();
      const ctx = learned.size === 0 ? base : { ...base, trust: new Map([...base.trust, ...learned]) };
      const next = nextWrite(work, seen, ctx);
      if (next.kind === 'refused') throw new Refused(next.why);
      if (next.kind === 'ask-trust') {
        const found = await askClaimants(host.tracker, next.repo, next.logins);
        for (const [key, may] of found) learned.set(key, may);
        await host.send({ type: 'trust-learned', learned: found });
        continue;
      }
      if (next.kind !== 'write') return await host.send({ type: 'work-ended', work, end: next, readUpTo: seen.readUpTo });
      if (host.stopping() || !host.state().snapshot.armed) return await host.send({ type: 'work-interrupted', work, stopping: host.stopping() });
      const { write } = next;
      const dryRun = host.state().snapshot.dryRun;
      if (!dryRun) await host.send({ type: 'write-starting', work, write });
      // Dry-run answers its own writes, as the tracker would have.
      const answer = dryRun ? dryAnswer(write, seen, ctx) : await perform(host, work, write);
      if (answer.kind === 'agent' && !answer.ok && write.kind === 'agent') throw new AgentRefused(`${write.request.agent.displayName} did not take the task: ${answer.detail}`, answer.detail);
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
    const refused = err instanceof AgentRefused ? { agentRefused: sanitize(err.detail) } : {};
    await host.send({ type: 'work-failed', work, message: message(err), final: err instanceof Refused, transient: isTransient(err), gone, ...refused });
  }
}

async function read(host: EffectHost, work: Work): Promise<Seen> {
  if (work.kind === 'summary') return { issue: null, comments: [], agentCall: undefined, opened: false, readUpTo: 0 };
  const { repo, number } = issueOf(work);
  const comments = await host.tracker.listComments(repo, number);
  const issue = await host.tracker.getIssue(repo, number);
  const id = proposalIdOf(work);
  const calls = id === null ? undefined : host.state().agentCalls.get(id);
  return { issue, comments, agentCall: calls?.get(attemptOf(work)), opened: false, readUpTo: newest(comments), ...(work.kind === 'watch' && calls ? { calls } : {}) };
}

/** The request with the repo's most relevant lessons; a lessons file that cannot be read is no reason to hold a dispatch. */
async function withLessons(host: EffectHost, request: DispatchRequest): Promise<DispatchRequest> {
  if (!host.lessons) return request;
  const all = await host.lessons.list().catch(() => []);
  const section = lessonsSection(relevantLessons(all, { repo: request.repo, title: request.title, body: request.body, taskType: request.taskType }));
  return section ? { ...request, lessons: section } : request;
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
    const r = await target.dispatch(await withLessons(host, w.request));
    return { kind: 'agent', ok: r.ok, ...(r.runId !== undefined ? { runId: r.runId } : {}), detail: r.detail };
  }
  if (w.kind === 'stop-agent') {
    await host.targets[w.agentKind]?.stop?.(w.runId);
    return { kind: 'done' };
  }
  if (work.kind === 'summary') throw new Error(`the daily summary makes no ${w.kind} write`);
  const { repo, number } = issueOf(work);
  switch (w.kind) {
    case 'close-issue':
      await tracker.closeIssue(repo, number);
      return { kind: 'done' };
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
export async function observeAll(host: EffectHost, items: readonly { dispatch: Supervised; watch: Watch }[]): Promise<void> {
  for (const { dispatch: d, watch } of items) {
    if (host.stopping()) return;
    try {
      const reading = await readTrackerSight(host.tracker, d, watch.lastCommentId, host.config.watch.deployContext ?? null);
      const target = d.agent.kind === 'http' || d.agent.kind === 'command' ? host.targets[d.agent.kind] : undefined;
      // The agent's own account is a second opinion: when it cannot be read, the tracker's stands alone this cycle.
      const agent = await readAgentSight(target, watch.runId).catch(() => null);
      await host.send({ type: 'observed', id: d.proposalId, tracker: reading.sight, agent, lastCommentId: reading.lastCommentId });
    } catch (err) {
      await host.send({ type: 'observe-failed', id: d.proposalId, message: message(err), gone: err instanceof IssueGoneError });
    }
  }
}

async function checkReadiness(host: EffectHost): Promise<void> {
  if (!host.readiness) return;
  try {
    await host.send({ type: 'readiness-checked', facts: await host.readiness() });
  } catch (err) {
    await host.send({ type: 'problem', level: 'warning', message: `could not check agent readiness: ${message(err)}` });
  }
}

const NOTHING_LEARNED: ReadonlyMap<string, boolean> = new Map();

/** Fetch every repo at once, then, repo by repo, ask the tracker about authors whose trust is unknown. */
export async function fetchAll(host: EffectHost, repos: readonly string[], full: boolean, trust: ReadonlyMap<string, boolean>): Promise<void> {
  const results = await Promise.all(
    repos.map(async (repo) => {
      try {
        const fetched = await host.tracker.fetchBacklog(repo, { full });
        return { repo, issues: fetched.issues, unchanged: fetched.unchanged === true };
      } catch (err) {
        return { repo, error: message(err), transient: isTransient(err) };
      }
    }),
  );
  for (const r of results) {
    if (r.issues === undefined) await host.send({ type: 'fetch-failed', repo: r.repo, message: r.error ?? 'unknown error', transient: r.transient ?? false });
    // A repo where nothing changed brings no new author to ask about (one whose check failed is asked again at the next full fetch).
    else if (r.unchanged) await host.send({ type: 'backlog-fetched', repo: r.repo, issues: r.issues, learned: NOTHING_LEARNED, unchanged: true });
    else await host.send({ type: 'backlog-fetched', repo: r.repo, issues: r.issues, learned: await askTrust(host.tracker, r.issues, host.config, trust) });
  }
}

/**
 * Whether the authors of other accounts' claims may write on `repo`. A login the tracker does not
 * know may not; any other failure ends the write sequence (retried later): a claim whose author
 * cannot be checked neither counts nor is ignored.
 */
async function askClaimants(tracker: Pick<Tracker, 'permission'>, repo: string, logins: readonly string[]): Promise<Map<string, boolean>> {
  const learned = new Map<string, boolean>();
  for (const login of logins) {
    try {
      learned.set(trustKey(repo, login), permissionTrusts(await tracker.permission(repo, login)));
    } catch (err) {
      if (err instanceof SwitchboardError && err.kind === 'not-found') learned.set(trustKey(repo, login), false);
      else throw new ClaimCheckError(`could not check whether @${login}, who claimed the issue first, may write on ${repo}: ${message(err)}`, isTransient(err));
    }
  }
  return learned;
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
