import { createRandom, type Random } from './prng.js';
import {
  BLOCKED_LINES,
  BUG_BODIES,
  COMMENTS,
  DEFAULT_REPO_NAMES,
  type Domain,
  DOMAIN_CYCLE,
  DOMAINS,
  FEATURE_BODIES,
  HUMANS,
  LABELS,
  META,
  META_REPLIES,
  REFACTOR_BODIES,
  RESEARCH_BODIES,
  SECURITY_BODIES,
  type Subject,
  THIN_FEATURES,
  THIN_RESEARCH,
  VAGUE,
} from './seed-catalog.js';
import {
  type Access,
  type EventRecord,
  formatTime,
  type IssueRecord,
  type LabelRecord,
  type NextIds,
  type RepoState,
  type SandboxState,
  type StatusRecord,
  type UserRecord,
} from './state.js';
import { shaFor } from './store.js';

/**
 * A realistic, deterministic backlog: the same options give the same state, byte for byte. Every
 * branch of the reference `decide` shows up in the default 60 issues (see SEED_KINDS).
 */

export interface SeedOptions {
  readonly owner?: string;
  /** a count (api, web, infra, docs, …) or names; `owner/name` entries keep their owner */
  readonly repos?: number | readonly string[];
  /** open issues in total, spread across the repos */
  readonly issues?: number;
  readonly seed?: number;
  /** the token user (repository admin) */
  readonly login?: string;
  /** simulated agents' logins: they get write access and some already-assigned issues */
  readonly agentLogins?: readonly string[];
  /** the moment the backlog is seeded at; timestamps count back from it */
  readonly now?: Date;
}

/**
 * Kinds of seeded open issue and the reference decision each is written to get:
 * bug → P0 → coding agent, security → P0 → coding agent, feature/refactor → ready → coding agent,
 * research → research agent, blocked → flag the owner, assigned → skip, meta → skip (philosophy),
 * vague/thin → skip (not ready).
 */
export const SEED_KINDS = [
  'bug',
  'security',
  'feature',
  'refactor',
  'research',
  'blocked',
  'assigned',
  'meta',
  'vague',
  'thin-feature',
  'thin-research',
] as const;
export type SeedKind = (typeof SEED_KINDS)[number];

const WEIGHTS: Record<SeedKind, number> = {
  bug: 20,
  security: 4,
  feature: 14,
  refactor: 8,
  research: 8,
  blocked: 5,
  assigned: 10,
  meta: 8,
  vague: 14,
  'thin-feature': 5,
  'thin-research': 4,
};
/** one of each decide branch first, so even small backlogs show every branch */
const GUARANTEED: readonly SeedKind[] = ['bug', 'security', 'feature', 'research', 'blocked', 'assigned', 'meta', 'vague'];

const DAY = 86_400_000;
const SPAN_DAYS = 180;
export const DEFAULT_AGENT_LOGINS = ['claude', 'kimi-ready'];

/** Half the seeded humans may write to the repos (trusted authors, assignable); half only read. */
const WRITERS = HUMANS.filter((_, i) => i % 2 === 0).map((h) => h.login);
const AUTHORS = HUMANS.map((h) => h.login);
const HOUR = 3_600_000;

interface Draft {
  readonly repo: number;
  readonly createdMs: number;
  readonly kind: SeedKind | 'closed' | 'pull';
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  author: string;
  /** a closed issue: the PR that fixed it, if any */
  fixedBy?: Draft;
  /** a PR: the issue it fixed */
  fixes?: Draft;
  number?: number;
}

/** What the steps of one seeding run share. */
interface Seeding {
  readonly rnd: Random;
  readonly seed: number;
  readonly nowMs: number;
  readonly ids: NextIds;
  readonly agentLogins: readonly string[];
}

const nextId = (s: Seeding, kind: keyof NextIds): number => s.ids[kind]++;

export function seedBacklog(options: SeedOptions = {}): SandboxState {
  const owner = options.owner ?? 'demo';
  const nowMs = Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000;
  const s: Seeding = {
    rnd: createRandom(options.seed ?? 1),
    seed: options.seed ?? 1,
    nowMs,
    ids: { user: 1, repo: 1, label: 1, issue: 1, event: 1, status: 1 },
    agentLogins: options.agentLogins ?? DEFAULT_AGENT_LOGINS,
  };
  const createdAt = formatTime(new Date(nowMs - (SPAN_DAYS + 30) * DAY));
  const names = resolveRepoNames(owner, options.repos);
  const users = seedUsers(s, options.login ?? 'switchboard', [owner, ...names.map(([o]) => o)], createdAt);
  const repos = seedRepos(s, names, createdAt);
  for (const d of draftBacklog(s, repos, Math.max(0, Math.floor(options.issues ?? 60)))) materialize(s, repos[d.repo]!, d);
  renumberEvents(repos, s.ids);
  return { version: 1, createdAt: formatTime(new Date(nowMs)), nextId: s.ids, users, repos };
}

function seedUsers(s: Seeding, login: string, owners: readonly string[], createdAt: string): UserRecord[] {
  const users: UserRecord[] = [];
  const add = (userLogin: string, fullName: string, access: Access): void => {
    if (!users.some((u) => u.login.toLowerCase() === userLogin.toLowerCase())) {
      users.push({ id: nextId(s, 'user'), login: userLogin, fullName, access, createdAt });
    }
  };
  add(login, 'switchboard', 'admin');
  for (const owner of owners) add(owner, owner, 'owner');
  add('owner', 'Project owner', 'admin');
  for (const a of s.agentLogins) add(a, `${a} (agent)`, 'write');
  for (const h of HUMANS) add(h.login, h.fullName, WRITERS.includes(h.login) ? 'write' : 'read');
  return users;
}

function seedRepos(s: Seeding, names: readonly [string, string][], createdAt: string): RepoState[] {
  if (names.length === 0) throw new Error('the sandbox needs at least one repository');
  return names.map(([owner, name], index) => {
    const labels = LABELS.map((l): LabelRecord => ({ id: nextId(s, 'label'), ...l, exclusive: false, isArchived: false }));
    // Label-dispatched agents' labels exist already, as in a team that uses them.
    for (const agent of s.agentLogins.filter((a) => a.endsWith('-ready') && !labels.some((l) => l.name === a))) {
      const description = `Ready for ${agent.replace(/-ready$/, '')}`;
      labels.push({ id: nextId(s, 'label'), name: agent, color: '1d76db', description, exclusive: false, isArchived: false });
    }
    return {
      id: nextId(s, 'repo'),
      owner,
      name,
      description: `The ${name} service: ${domainFor(name, index).description}`,
      createdAt,
      defaultBranch: 'main',
      headSha: shaFor(s.seed, owner, name, 'main'),
      labels,
      issues: [],
      events: [],
      statuses: [],
    };
  });
}

/** Every issue and PR to create, written, in creation order and numbered per repo. */
function draftBacklog(s: Seeding, repos: readonly RepoState[], total: number): Draft[] {
  const { rnd, nowMs } = s;
  const drafts: Draft[] = [];
  const draft = (repo: number, kind: Draft['kind'], createdMs: number): Draft => {
    const d: Draft = { repo, kind, createdMs, title: '', body: '', labels: [], assignees: [], author: rnd.pick(AUTHORS) };
    drafts.push(d);
    return d;
  };
  const writer: Writer = { rnd, decks: new Decks(rnd), assignable: [...WRITERS, ...s.agentLogins.slice(0, 1)] };
  const age = (): number => nowMs - rnd.int(HOUR, SPAN_DAYS * DAY);
  const domain = (repo: number): Domain => domainFor(repos[repo]?.name ?? '', repo);
  planKinds(total, rnd).forEach((kind, i) => write(writer, draft(i % repos.length, kind, age()), domain(i % repos.length)));
  // Some history: closed issues, half of them fixed by a merged pull request.
  for (let i = 0; i < Math.floor(total / 10); i++) {
    const repo = i % repos.length;
    const closed = draft(repo, 'closed', age());
    write(writer, closed, domain(repo), rnd.pick(['bug', 'feature', 'refactor'] as const));
    if (rnd.chance(0.5)) {
      const pr = draft(repo, 'pull', Math.min(nowMs, closed.createdMs + rnd.int(2 * HOUR, 5 * DAY)));
      pr.author = rnd.pick([...s.agentLogins.slice(0, 1), ...WRITERS]);
      pr.fixes = closed;
      closed.fixedBy = pr;
    }
  }
  drafts.sort((a, b) => a.createdMs - b.createdMs);
  const counters = repos.map(() => 0);
  for (const d of drafts) d.number = ++counters[d.repo]!;
  for (const d of drafts) {
    if (d.kind !== 'blocked') continue;
    const n = d.number!;
    d.body = d.body.replaceAll('{other}', String(n > 1 ? rnd.int(1, n - 1) : n + 1));
  }
  return drafts;
}

/** Turn a draft into the repo's issue (or PR), with its comments and timeline. */
function materialize(s: Seeding, repo: RepoState, d: Draft): void {
  const { rnd, nowMs } = s;
  const created = formatTime(new Date(d.createdMs));
  const issue: IssueRecord = {
    id: nextId(s, 'issue'),
    number: d.number!,
    title: d.title,
    body: d.body,
    state: 'open',
    author: d.author,
    labelIds: d.labels.flatMap((name) => repo.labels.find((l) => l.name === name)?.id ?? []),
    assignees: d.assignees,
    createdAt: created,
    updatedAt: created,
    closedAt: null,
    isLocked: false,
    pull: null,
  };
  repo.issues.push(issue);
  let last = d.createdMs;
  const event: AddEvent = (type, author, body, at, ref) => {
    const stamp = formatTime(new Date(at));
    repo.events.push({ id: nextId(s, 'event'), issue: issue.number, type, author, body, createdAt: stamp, updatedAt: stamp, refIssue: ref?.refIssue ?? null, refAction: ref?.refAction ?? null });
    last = Math.max(last, at);
  };
  if (d.kind === 'pull') {
    seedPull(s, repo, d, issue, event);
    issue.updatedAt = formatTime(new Date(last));
    return;
  }
  const span = nowMs - d.createdMs;
  const replies = d.kind === 'meta' ? rnd.int(2, 4) : rnd.chance(0.3) ? rnd.int(1, 3) : 0;
  for (let c = 0; c < replies; c++) {
    event('comment', rnd.pick(AUTHORS), rnd.pick(d.kind === 'meta' ? META_REPLIES : COMMENTS), d.createdMs + Math.floor(rnd.next() * span * 0.8));
  }
  if (d.fixedBy) event('pull_ref', d.fixedBy.author, '', d.fixedBy.createdMs, { refIssue: d.fixedBy.number!, refAction: 'closes' });
  if (d.kind === 'closed') {
    const closedMs = Math.min(nowMs, d.fixedBy ? d.fixedBy.createdMs + HOUR : last + rnd.int(60_000, 10 * DAY));
    event('close', d.fixedBy?.author ?? d.author, '', closedMs);
    issue.state = 'closed';
    issue.closedAt = formatTime(new Date(closedMs));
  }
  // Issues also change without comments (edits, label tweaks) a little after they are filed.
  issue.updatedAt = formatTime(new Date(Math.max(last, d.createdMs + Math.floor(rnd.next() * span * 0.1))));
}

type AddEvent = (type: EventRecord['type'], author: string, body: string, at: number, ref?: Pick<EventRecord, 'refIssue' | 'refAction'>) => void;

/** A merged PR that fixed an earlier issue, with the green status it merged on. */
function seedPull(s: Seeding, repo: RepoState, d: Draft, issue: IssueRecord, event: AddEvent): void {
  const fixed = d.fixes!;
  const full = `${repo.owner}/${repo.name}`;
  issue.title = `Fix: ${fixed.title.replace(/^\[[^\]]+\]\s*/, '')}`;
  issue.body = `Fixes #${fixed.number}\n\nAdds a regression test and the smallest change that makes it pass.`;
  const mergedMs = Math.min(s.nowMs, d.createdMs + HOUR);
  const stamp = formatTime(new Date(mergedMs));
  const headSha = shaFor(s.seed, full, issue.number, 'head');
  const status: StatusRecord = {
    id: nextId(s, 'status'),
    sha: headSha,
    context: 'ci/sandbox',
    state: 'success',
    description: 'All checks passed',
    targetUrl: '',
    creator: d.author,
    createdAt: stamp,
    updatedAt: stamp,
  };
  repo.statuses.push(status);
  issue.pull = {
    headRef: `${d.author}/fix-${fixed.number}`,
    headSha,
    baseRef: repo.defaultBranch,
    merged: true,
    mergedAt: stamp,
    mergedBy: d.author,
    mergeCommitSha: shaFor(s.seed, full, issue.number, 'merge'),
  };
  issue.state = 'closed';
  issue.closedAt = stamp;
  event('close', d.author, '', mergedMs);
}

/** Events were made issue by issue; number them in time order, as a real tracker would have. */
function renumberEvents(repos: RepoState[], ids: NextIds): void {
  const byTime = (a: EventRecord, b: EventRecord): number => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id);
  for (const repo of repos) repo.events.sort(byTime);
  let id = 1;
  for (const e of repos.flatMap((r) => r.events).sort(byTime)) e.id = id++;
  ids.event = id;
}

function planKinds(total: number, rnd: Random): SeedKind[] {
  const kinds = GUARANTEED.slice(0, total);
  const weighted = SEED_KINDS.flatMap((k) => Array<SeedKind>(WEIGHTS[k]).fill(k));
  while (kinds.length < total) kinds.push(rnd.pick(weighted));
  return rnd.shuffle(kinds);
}

function resolveRepoNames(owner: string, repos: SeedOptions['repos']): [string, string][] {
  const names: readonly string[] =
    typeof repos === 'number' || repos === undefined
      ? Array.from({ length: Math.max(1, Math.floor(repos ?? 3)) }, (_, i) => DEFAULT_REPO_NAMES[i] ?? `repo-${i + 1}`)
      : repos;
  return names.map((n) => {
    const [o, name] = n.includes('/') ? (n.split('/', 2) as [string, string]) : [owner, n];
    return [o, name];
  });
}

const domainFor = (name: string, index: number): Domain =>
  DOMAINS.get(name.toLowerCase()) ?? DOMAIN_CYCLE[Math.max(0, index) % DOMAIN_CYCLE.length]!;

/** Templates split once into text and slot names (odd indexes): large backlogs fill thousands. */
const compiled = new Map<string, string[]>();
function fill(template: string, vars: Record<string, string>): string {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    compiled.set(template, parts);
  }
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    out += i % 2 === 0 ? part : (vars[part] ?? `{${part}}`);
  }
  return out;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

type Titled = 'bugs' | 'features' | 'refactors' | 'research' | 'security';

/**
 * Titles are dealt from a shuffled deck per repo and kind, so a repo repeats one only after its
 * deck is used up (which only large backlogs do).
 */
class Decks {
  private readonly decks = new Map<string, unknown[]>();

  constructor(private readonly rnd: Random) {}

  deal<T>(id: string, cards: () => readonly T[]): T {
    let deck = this.decks.get(id) as T[] | undefined;
    if (!deck || deck.length === 0) {
      deck = this.rnd.shuffle(cards());
      this.decks.set(id, deck);
    }
    return deck.pop() as T;
  }
}

interface Writer {
  readonly rnd: Random;
  readonly decks: Decks;
  /** logins an already-assigned issue may carry */
  readonly assignable: readonly string[];
}

function write(w: Writer, d: Draft, domain: Domain, closedAs?: 'bug' | 'feature' | 'refactor'): void {
  const { rnd } = w;
  const kind = closedAs ?? d.kind;
  const deal = (key: Titled): { subject: Subject; title: string } =>
    w.decks.deal(`${d.repo}:${key}`, () => domain.subjects.flatMap((subject) => subject[key].map((title) => ({ subject, title }))));
  const vars = (s: Subject): Record<string, string> => ({
    area: s.area,
    Area: capitalize(s.area),
    file: s.file,
    func: s.func,
    test: s.test,
    version: rnd.pick(domain.versions),
    error: rnd.pick(domain.errors),
  });
  /** A dealt title of this kind, a body for its subject, and labels. */
  const titled = (key: Titled, bodies: readonly string[], labels: string[], tag?: string): void => {
    const { subject, title } = deal(key);
    d.title = tag ? `[${tag}] ${title}` : title;
    d.body = fill(rnd.pick(bodies), vars(subject));
    d.labels = labels;
  };
  const featureLabel = (): string[] => [rnd.pick(['enhancement', 'feature'])];
  switch (kind) {
    case 'bug':
    case 'assigned':
    case 'blocked': {
      if (kind !== 'bug' && rnd.chance(0.4)) titled('features', FEATURE_BODIES, featureLabel());
      else titled('bugs', BUG_BODIES, rnd.chance(0.2) ? ['bug', 'regression'] : ['bug'], rnd.chance(0.15) ? 'bug' : undefined);
      if (kind === 'blocked') d.body += `\n\n${rnd.pick(BLOCKED_LINES)}`;
      if (kind === 'assigned') d.assignees = [rnd.pick(w.assignable)];
      return;
    }
    case 'security':
      return titled('security', SECURITY_BODIES, rnd.chance(0.6) ? ['security', 'bug'] : ['security'], rnd.chance(0.3) ? 'security' : undefined);
    case 'feature':
      return titled('features', FEATURE_BODIES, featureLabel());
    case 'refactor':
      return titled('refactors', REFACTOR_BODIES, [rnd.pick(['refactor', 'tech-debt'])]);
    case 'research': {
      const tagged = rnd.chance(0.5);
      return titled('research', RESEARCH_BODIES, tagged ? [] : [rnd.pick(['research', 'spike'])], tagged ? 'research' : undefined);
    }
    case 'meta': {
      const meta = w.decks.deal(`${d.repo}:meta`, () => META);
      d.title = meta.title;
      d.body = fill(meta.body, vars(rnd.pick(domain.subjects)));
      d.labels = [meta.label];
      return;
    }
    case 'vague': {
      const vague = w.decks.deal(`${d.repo}:vague`, () => VAGUE);
      const v = vars(rnd.pick(domain.subjects));
      d.title = fill(vague.title, v);
      d.body = vague.body;
      d.labels = vague.bug ? ['bug'] : rnd.chance(0.3) ? ['needs-info'] : [];
      return;
    }
    case 'thin-feature':
      d.title = fill(rnd.pick(THIN_FEATURES), vars(rnd.pick(domain.subjects)));
      d.body = 'Would be nice to have.';
      d.labels = ['enhancement'];
      return;
    case 'thin-research': {
      const title = rnd.pick(THIN_RESEARCH);
      d.title = fill(title, vars(rnd.pick(domain.subjects)));
      d.body = 'Might be worth a spike before the next planning.';
      d.labels = title.startsWith('[') ? [] : ['spike'];
      return;
    }
    default:
      throw new Error(`no template for ${kind}`);
  }
}
