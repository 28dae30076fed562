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

interface Draft {
  readonly repo: number;
  readonly createdMs: number;
  readonly kind: SeedKind | 'closed' | 'pull';
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  author: string;
  /** closed issues: the PR that fixed it, if any */
  fixedBy?: Draft;
  fixes?: Draft;
  number?: number;
}

export function seedBacklog(options: SeedOptions = {}): SandboxState {
  const owner = options.owner ?? 'demo';
  const login = options.login ?? 'switchboard';
  const seed = options.seed ?? 1;
  const total = Math.max(0, Math.floor(options.issues ?? 60));
  const now = options.now ?? new Date();
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const createdAt = formatTime(new Date(nowMs - (SPAN_DAYS + 30) * DAY));
  const agentLogins = options.agentLogins ?? DEFAULT_AGENT_LOGINS;
  const rnd = createRandom(seed);

  const ids: NextIds = { user: 1, repo: 1, label: 1, issue: 1, event: 1, status: 1 };
  const next = (k: keyof NextIds): number => ids[k]++;

  const users: UserRecord[] = [];
  const addUser = (userLogin: string, fullName: string, access: Access): void => {
    if (!users.some((u) => u.login.toLowerCase() === userLogin.toLowerCase())) {
      users.push({ id: next('user'), login: userLogin, fullName, access, createdAt });
    }
  };
  addUser(login, 'switchboard', 'admin');
  addUser(owner, owner, 'owner');
  addUser('owner', 'Project owner', 'admin');
  for (const a of agentLogins) addUser(a, `${a} (agent)`, 'write');
  HUMANS.forEach((h, i) => addUser(h.login, h.fullName, i % 2 === 0 ? 'write' : 'read'));
  const writers = HUMANS.filter((_, i) => i % 2 === 0).map((h) => h.login);
  const authors = HUMANS.map((h) => h.login);

  const repoNames = resolveRepoNames(owner, options.repos);
  const repos: RepoState[] = repoNames.map(([repoOwner, name]) => ({
    id: next('repo'),
    owner: repoOwner,
    name,
    description: `The ${name} service: ${domainFor(name, repoNames.findIndex(([, n]) => n === name)).description}`,
    createdAt,
    defaultBranch: 'main',
    headSha: shaFor(seed, repoOwner, name, 'main'),
    labels: LABELS.map((l): LabelRecord => ({ id: next('label'), ...l, exclusive: false, isArchived: false })),
    issues: [],
    events: [],
    statuses: [],
  }));
  if (repos.length === 0) throw new Error('the sandbox needs at least one repository');
  // agent labels (label-dispatched agents) exist in every repo, as a team using them would have
  for (const repo of repos) {
    for (const a of agentLogins.filter((a) => a.endsWith('-ready'))) {
      if (!repo.labels.some((l) => l.name === a)) {
        repo.labels.push({ id: next('label'), name: a, color: '1d76db', description: `Ready for ${a.replace(/-ready$/, '')}`, exclusive: false, isArchived: false });
      }
    }
  }

  const kinds = planKinds(total, rnd);
  const drafts: Draft[] = [];
  const draft = (repo: number, kind: Draft['kind'], createdMs: number): Draft => {
    const d: Draft = { repo, kind, createdMs, title: '', body: '', labels: [], assignees: [], author: rnd.pick(authors) };
    drafts.push(d);
    return d;
  };
  const writer: Writer = { rnd, decks: new Decks(rnd), assignable: [...writers, ...agentLogins.slice(0, 1)] };
  const age = (): number => nowMs - rnd.int(60 * 60_000, SPAN_DAYS * DAY);
  kinds.forEach((kind, i) => {
    const repo = i % repos.length;
    write(writer, draft(repo, kind, age()), domainFor(repos[repo]?.name ?? '', repo));
  });
  // Some history: closed issues, half of them fixed by a merged pull request.
  const closedCount = Math.floor(total / 10);
  for (let i = 0; i < closedCount; i++) {
    const repo = i % repos.length;
    const d = draft(repo, 'closed', age());
    write(writer, d, domainFor(repos[repo]?.name ?? '', repo), rnd.pick(['bug', 'feature', 'refactor'] as const));
    if (rnd.chance(0.5)) {
      const pr = draft(repo, 'pull', Math.min(nowMs, d.createdMs + rnd.int(2 * 60 * 60_000, 5 * DAY)));
      pr.author = rnd.pick([...agentLogins.slice(0, 1), ...writers]);
      pr.fixes = d;
      d.fixedBy = pr;
    }
  }

  drafts.sort((a, b) => a.createdMs - b.createdMs);
  const counters = repos.map(() => 0);
  for (const d of drafts) d.number = ++counters[d.repo]!;
  for (const d of drafts) {
    if (d.kind === 'blocked') d.body = d.body.replaceAll('{other}', String(d.number! > 1 ? rnd.int(1, d.number! - 1) : d.number! + 1));
  }

  for (const d of drafts) {
    const repo = repos[d.repo]!;
    const labelIds = d.labels.map((name) => repo.labels.find((l) => l.name === name)?.id).filter((id): id is number => id !== undefined);
    const created = formatTime(new Date(d.createdMs));
    const issue: IssueRecord = {
      id: next('issue'),
      number: d.number!,
      title: d.title,
      body: d.body,
      state: 'open',
      author: d.author,
      labelIds,
      assignees: d.assignees,
      createdAt: created,
      updatedAt: created,
      closedAt: null,
      isLocked: false,
      pull: null,
    };
    repo.issues.push(issue);
    const span = nowMs - d.createdMs;
    let last = d.createdMs;
    const event = (type: EventRecord['type'], author: string, body: string, at: number, ref?: Pick<EventRecord, 'refIssue' | 'refAction'>): void => {
      const stamp = formatTime(new Date(at));
      repo.events.push({ id: next('event'), issue: issue.number, type, author, body, createdAt: stamp, updatedAt: stamp, refIssue: ref?.refIssue ?? null, refAction: ref?.refAction ?? null });
      last = Math.max(last, at);
    };
    if (d.kind === 'pull') seedPull(d, issue, repo, nowMs, event, next, seed);
    else if (d.kind !== 'meta' && rnd.chance(0.3)) {
      for (let c = rnd.int(1, 3); c > 0; c--) event('comment', rnd.pick(authors), rnd.pick(COMMENTS), d.createdMs + Math.floor(rnd.next() * span * 0.8));
    } else if (d.kind === 'meta') {
      for (let c = rnd.int(2, 4); c > 0; c--) event('comment', rnd.pick(authors), rnd.pick(META_REPLIES), d.createdMs + Math.floor(rnd.next() * span * 0.8));
    }
    if (d.fixedBy) {
      const prMs = d.fixedBy.createdMs;
      event('pull_ref', d.fixedBy.author, '', prMs, { refIssue: d.fixedBy.number!, refAction: 'closes' });
    }
    if (d.kind === 'closed') {
      const closedMs = d.fixedBy ? Math.min(nowMs, d.fixedBy.createdMs + 60 * 60_000) : Math.min(nowMs, last + rnd.int(60_000, 10 * DAY));
      event('close', d.fixedBy?.author ?? d.author, '', closedMs);
      issue.state = 'closed';
      issue.closedAt = formatTime(new Date(closedMs));
    }
    issue.updatedAt = formatTime(new Date(d.kind === 'pull' ? last : Math.max(last, Math.min(nowMs, d.createdMs + Math.floor(rnd.next() * span * 0.1)))));
  }
  for (const repo of repos) repo.events.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
  renumberEvents(repos, ids);

  return { version: 1, createdAt: formatTime(new Date(nowMs)), nextId: ids, users, repos };
}

const META_REPLIES: readonly string[] = [
  'Strong +1 from me; the current process is mostly ceremony.',
  'I disagree: the last incident happened exactly because nobody looked.',
  'Can we try it for a month on one repo and compare?',
  'Whatever we pick, let us write it down in CONTRIBUTING.md.',
  'This is less about tooling and more about who is accountable.',
];

function seedPull(
  d: Draft,
  issue: IssueRecord,
  repo: RepoState,
  nowMs: number,
  event: (type: EventRecord['type'], author: string, body: string, at: number) => void,
  next: (k: keyof NextIds) => number,
  seed: number,
): void {
  const fixed = d.fixes!;
  const full = `${repo.owner}/${repo.name}`;
  issue.title = `Fix: ${fixed.title.replace(/^\[[^\]]+\]\s*/, '')}`;
  issue.body = `Fixes #${fixed.number}\n\nAdds a regression test and the smallest change that makes it pass.`;
  const mergedMs = Math.min(nowMs, d.createdMs + 60 * 60_000);
  const headSha = shaFor(seed, full, issue.number, 'head');
  const stamp = formatTime(new Date(mergedMs));
  const status: StatusRecord = {
    id: next('status'),
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
    baseRef: 'main',
    merged: true,
    mergedAt: stamp,
    mergedBy: d.author,
    mergeCommitSha: shaFor(seed, full, issue.number, 'merge'),
  };
  issue.state = 'closed';
  issue.closedAt = stamp;
  event('close', d.author, '', mergedMs);
}

/** Events were made per issue; give them ids in time order, as a real tracker would have. */
function renumberEvents(repos: RepoState[], ids: NextIds): void {
  const all = repos.flatMap((r) => r.events).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
  let id = 1;
  for (const e of all) e.id = id++;
  ids.event = id;
}

function planKinds(total: number, rnd: Random): SeedKind[] {
  const kinds = GUARANTEED.slice(0, total);
  const weighted = SEED_KINDS.flatMap((k) => Array<SeedKind>(WEIGHTS[k]).fill(k));
  while (kinds.length < total) kinds.push(rnd.pick(weighted));
  return rnd.shuffle(kinds);
}

function resolveRepoNames(owner: string, repos: SeedOptions['repos']): [string, string][] {
  const names =
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
  switch (kind) {
    case 'bug':
    case 'assigned':
    case 'blocked': {
      const asFeature = kind !== 'bug' && rnd.chance(0.4);
      const { subject, title } = deal(asFeature ? 'features' : 'bugs');
      d.title = rnd.chance(0.15) && !asFeature ? `[bug] ${title}` : title;
      d.body = fill(rnd.pick(asFeature ? FEATURE_BODIES : BUG_BODIES), vars(subject));
      d.labels = asFeature ? [rnd.pick(['enhancement', 'feature'])] : rnd.chance(0.2) ? ['bug', 'regression'] : ['bug'];
      if (kind === 'blocked') d.body += `\n\n${rnd.pick(BLOCKED_LINES)}`;
      if (kind === 'assigned') d.assignees = [rnd.pick(w.assignable)];
      return;
    }
    case 'security': {
      const { subject, title } = deal('security');
      d.title = rnd.chance(0.3) ? `[security] ${title}` : title;
      d.body = fill(rnd.pick(SECURITY_BODIES), vars(subject));
      d.labels = rnd.chance(0.6) ? ['security', 'bug'] : ['security'];
      return;
    }
    case 'feature': {
      const { subject, title } = deal('features');
      d.title = title;
      d.body = fill(rnd.pick(FEATURE_BODIES), vars(subject));
      d.labels = [rnd.pick(['enhancement', 'feature'])];
      return;
    }
    case 'refactor': {
      const { subject, title } = deal('refactors');
      d.title = title;
      d.body = fill(rnd.pick(REFACTOR_BODIES), vars(subject));
      d.labels = [rnd.pick(['refactor', 'tech-debt'])];
      return;
    }
    case 'research': {
      const { subject, title } = deal('research');
      const tagged = rnd.chance(0.5);
      d.title = tagged ? `[research] ${title}` : title;
      d.body = fill(rnd.pick(RESEARCH_BODIES), vars(subject));
      d.labels = tagged ? [] : [rnd.pick(['research', 'spike'])];
      return;
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
