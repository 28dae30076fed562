import { hashSeed, randomFor } from './prng.js';
import {
  type Access,
  type CommitStatusState,
  type EventRecord,
  type EventType,
  formatTime,
  type IssueRecord,
  type LabelRecord,
  type RepoState,
  type SandboxState,
  type StatusRecord,
  type UserRecord,
} from './state.js';
import { StoreError } from './store-error.js';

/**
 * The sandbox tracker's state and every change to it, with no HTTP in sight. Handlers, the
 * simulated agents and tests all go through these methods, so every change bumps `updated_at`
 * the same way and is announced to listeners (persistence, agents).
 */

export type StoreChange =
  | { readonly kind: 'assigned'; readonly repo: string; readonly number: number; readonly logins: readonly string[] }
  | { readonly kind: 'labelled'; readonly repo: string; readonly number: number; readonly labels: readonly string[] }
  | { readonly kind: 'commented'; readonly repo: string; readonly number: number; readonly author: string; readonly body: string }
  | { readonly kind: 'changed'; readonly repo: string };

export type LabelRef = number | string;

export interface NewIssue {
  readonly title: string;
  readonly body?: string;
  /** defaults to the token user */
  readonly author?: string;
  /** label ids or names */
  readonly labels?: readonly LabelRef[];
  readonly assignees?: readonly string[];
  readonly closed?: boolean;
}

export interface IssueEdit {
  readonly title?: string;
  readonly body?: string;
  readonly state?: 'open' | 'closed';
  /** replaces the whole set; [] clears it */
  readonly assignees?: readonly string[];
}

export interface NewPullRequest {
  readonly title: string;
  readonly body: string;
  readonly author: string;
  readonly headRef?: string;
  readonly headSha?: string;
}

export interface NewStatus {
  readonly state: CommitStatusState;
  readonly context?: string;
  readonly description?: string;
  readonly targetUrl?: string;
  readonly creator?: string;
}

export interface StoreOptions {
  readonly now: () => Date;
  /** the token user: default author and actor */
  readonly login: string;
}

interface RepoIndex {
  readonly fullName: string;
  readonly state: RepoState;
  readonly byNumber: Map<number, IssueRecord>;
  readonly eventsByIssue: Map<number, EventRecord[]>;
}

const COLOR = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i;
const REFERENCE = /(?:\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+)?(?:\b([\w.-]+\/[\w.-]+))?#(\d+)\b/gi;
const ASSIGNABLE: ReadonlySet<Access> = new Set(['write', 'admin', 'owner']);

/** A stable, realistic-looking commit sha derived from its inputs. */
export const shaFor = (...parts: readonly (string | number)[]): string => randomFor(hashSeed(...parts), 'sha').hex(40);

export class SandboxStore {
  private readonly repoIndex = new Map<string, RepoIndex>();
  private readonly usersByLogin = new Map<string, UserRecord>();
  /** label id → repo key, for Gitea's "unknown label id" vs "label of another repo" */
  private readonly labelRepo = new Map<number, string>();
  private readonly eventRepo = new Map<number, string>();
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(
    private readonly state: SandboxState,
    private readonly options: StoreOptions,
  ) {
    for (const user of state.users) this.usersByLogin.set(user.login.toLowerCase(), user);
    for (const repo of state.repos) {
      const fullName = `${repo.owner}/${repo.name}`;
      const index: RepoIndex = { fullName, state: repo, byNumber: new Map(), eventsByIssue: new Map() };
      for (const issue of repo.issues) index.byNumber.set(issue.number, issue);
      for (const event of repo.events) {
        this.pushEvent(index, event);
        this.eventRepo.set(event.id, fullName.toLowerCase());
      }
      for (const label of repo.labels) this.labelRepo.set(label.id, fullName.toLowerCase());
      this.repoIndex.set(fullName.toLowerCase(), index);
    }
  }

  /** The live state, for serialisation. */
  toJSON(): SandboxState {
    return this.state;
  }

  get repoNames(): string[] {
    return [...this.repoIndex.values()].map((r) => r.fullName);
  }

  get login(): string {
    return this.options.login;
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hasRepo(repo: string): boolean {
    return this.repoIndex.has(repo.toLowerCase());
  }

  repo(repo: string): RepoState {
    return this.index(repo).state;
  }

  /** Every issue and pull request of a repo, in creation order (oldest first). */
  issues(repo: string): readonly IssueRecord[] {
    return this.index(repo).state.issues;
  }

  issue(repo: string, number: number): IssueRecord | undefined {
    return this.index(repo).byNumber.get(number);
  }

  pulls(repo: string): IssueRecord[] {
    return this.issues(repo).filter((i) => i.pull !== null);
  }

  /** Repo labels sorted by name, as Gitea lists them. */
  labels(repo: string): LabelRecord[] {
    return [...this.index(repo).state.labels].sort(byName);
  }

  labelsOf(repo: string, issue: IssueRecord): LabelRecord[] {
    const all = this.index(repo).state.labels;
    return all.filter((l) => issue.labelIds.includes(l.id)).sort(byName);
  }

  /** Ids of the repo labels with these names; names that do not exist are dropped, as Gitea does. */
  labelIdsByName(repo: string, names: readonly string[]): number[] {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    return this.index(repo).state.labels.filter((l) => wanted.has(l.name.toLowerCase())).map((l) => l.id);
  }

  /** Comments proper (not timeline events), oldest first. */
  comments(repo: string, number: number): EventRecord[] {
    return this.timeline(repo, number).filter((e) => e.type === 'comment');
  }

  timeline(repo: string, number: number): readonly EventRecord[] {
    this.requireIssue(repo, number);
    return this.index(repo).eventsByIssue.get(number) ?? [];
  }

  comment(repo: string, id: number): EventRecord | undefined {
    if (this.eventRepo.get(id) !== repo.toLowerCase()) return undefined;
    const event = this.index(repo).state.events.find((e) => e.id === id);
    return event?.type === 'comment' ? event : undefined;
  }

  users(): readonly UserRecord[] {
    return this.state.users;
  }

  user(login: string): UserRecord | undefined {
    return this.usersByLogin.get(login.toLowerCase());
  }

  permission(login: string): Access | undefined {
    return this.user(login)?.access;
  }

  /** Add a user, or change an existing one's access. */
  setPermission(login: string, access: Access): UserRecord {
    const existing = this.user(login);
    if (existing) {
      existing.access = access;
      return existing;
    }
    const user: UserRecord = { id: this.nextId('user'), login, fullName: login, access, createdAt: this.stamp() };
    this.state.users.push(user);
    this.usersByLogin.set(login.toLowerCase(), user);
    return user;
  }

  /** Statuses on a commit, oldest first. */
  statuses(repo: string, sha: string): StatusRecord[] {
    return this.index(repo).state.statuses.filter((s) => s.sha === sha);
  }

  /** The latest status of each context, newest first. */
  latestStatuses(repo: string, sha: string): StatusRecord[] {
    const latest = new Map<string, StatusRecord>();
    for (const s of this.statuses(repo, sha)) latest.set(s.context, s);
    return [...latest.values()].sort((a, b) => b.id - a.id);
  }

  /** A branch name, full sha or sha prefix (7+) to a commit sha; undefined if nothing matches. */
  resolveRef(repo: string, ref: string): string | undefined {
    const r = this.index(repo).state;
    if (ref === r.defaultBranch) return r.headSha;
    const shas = new Set<string>([r.headSha]);
    for (const issue of r.issues) {
      if (issue.pull === null) continue;
      if (issue.pull.headRef === ref) return issue.pull.headSha;
      shas.add(issue.pull.headSha);
      if (issue.pull.mergeCommitSha) shas.add(issue.pull.mergeCommitSha);
    }
    for (const s of r.statuses) shas.add(s.sha);
    if (!/^[0-9a-f]{7,64}$/i.test(ref)) return undefined;
    const lower = ref.toLowerCase();
    for (const sha of shas) if (sha.startsWith(lower)) return sha;
    return undefined;
  }

  createIssue(repo: string, input: NewIssue): IssueRecord {
    const index = this.index(repo);
    const title = input.title.trim();
    if (!title) throw new StoreError('invalid', 'title is required');
    const author = input.author ?? this.options.login;
    const assignees = this.checkAssignees(input.assignees ?? []);
    const labelIds = this.resolveLabels(index, input.labels ?? []).map((l) => l.id);
    const issue = this.insertIssue(index, { title, body: input.body ?? '', author, labelIds, assignees, pull: null });
    if (input.closed) this.setState(index, issue, 'closed', author);
    this.emitAfterCreate(index, issue);
    return issue;
  }

  editIssue(repo: string, number: number, edit: IssueEdit, actor = this.options.login): IssueRecord {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    const assignees = edit.assignees === undefined ? undefined : this.checkAssignees(edit.assignees);
    if (edit.state === 'closed' && issue.pull?.merged && issue.state === 'closed') {
      throw new StoreError('precondition', 'a merged pull request cannot be closed again');
    }
    let changed = false;
    if (edit.title !== undefined && edit.title.trim() !== issue.title) {
      if (!edit.title.trim()) throw new StoreError('invalid', 'title cannot be empty');
      issue.title = edit.title.trim();
      changed = true;
    }
    if (edit.body !== undefined && edit.body !== issue.body) {
      issue.body = edit.body;
      changed = true;
    }
    let added: string[] = [];
    if (assignees !== undefined && !sameSet(assignees, issue.assignees)) {
      added = assignees.filter((a) => !issue.assignees.includes(a));
      issue.assignees = assignees;
      changed = true;
    }
    if (edit.state !== undefined && edit.state !== issue.state) {
      this.setState(index, issue, edit.state, actor);
      changed = true;
    }
    if (changed) {
      this.touch(issue);
      this.emit({ kind: 'changed', repo: index.fullName });
    }
    if (added.length > 0) this.emit({ kind: 'assigned', repo: index.fullName, number, logins: added });
    return issue;
  }

  closeIssue(repo: string, number: number, actor?: string): IssueRecord {
    return this.editIssue(repo, number, { state: 'closed' }, actor);
  }

  reopenIssue(repo: string, number: number, actor?: string): IssueRecord {
    return this.editIssue(repo, number, { state: 'open' }, actor);
  }

  addComment(repo: string, number: number, body: string, author = this.options.login): EventRecord {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    if (!body.trim()) throw new StoreError('invalid', 'comment body is required');
    const event = this.addEvent(index, issue, 'comment', author, body);
    this.emit({ kind: 'changed', repo: index.fullName });
    this.emit({ kind: 'commented', repo: index.fullName, number, author, body });
    return event;
  }

  editComment(repo: string, id: number, body: string): EventRecord {
    const comment = this.comment(repo, id);
    if (!comment) throw new StoreError('not-found', `comment ${id} not found`);
    if (!body.trim()) throw new StoreError('invalid', 'comment body is required');
    if (comment.body !== body) {
      comment.body = body;
      comment.updatedAt = this.stamp();
      this.emit({ kind: 'changed', repo: this.index(repo).fullName });
    }
    return comment;
  }

  /** Like Gitea: no uniqueness check on the name; the colour is normalised and stored without `#`. */
  createLabel(repo: string, input: { name: string; color: string; description?: string; exclusive?: boolean }): LabelRecord {
    const index = this.index(repo);
    if (!input.name.trim()) throw new StoreError('invalid', 'label name is required');
    const label: LabelRecord = {
      id: this.nextId('label'),
      name: input.name,
      color: normalizeColor(input.color),
      description: input.description ?? '',
      exclusive: input.exclusive ?? false,
      isArchived: false,
    };
    index.state.labels.push(label);
    this.labelRepo.set(label.id, index.fullName.toLowerCase());
    this.emit({ kind: 'changed', repo: index.fullName });
    return label;
  }

  /** Add labels by id or name (unknown ones are ignored); returns every label now on the issue. */
  addLabels(repo: string, number: number, refs: readonly LabelRef[]): LabelRecord[] {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    const added = this.resolveLabels(index, refs).filter((l) => !issue.labelIds.includes(l.id));
    if (added.length > 0) {
      issue.labelIds = [...issue.labelIds, ...added.map((l) => l.id)];
      this.touch(issue);
      this.emit({ kind: 'changed', repo: index.fullName });
      this.emit({ kind: 'labelled', repo: index.fullName, number, labels: added.map((l) => l.name) });
    }
    return this.labelsOf(repo, issue);
  }

  /** Gitea: an unknown label id is invalid (422), another repo's label is not found (404). */
  removeLabel(repo: string, number: number, labelId: number): boolean {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    const owner = this.labelRepo.get(labelId);
    if (owner === undefined) throw new StoreError('invalid', `label ${labelId} does not exist`);
    if (owner !== index.fullName.toLowerCase()) throw new StoreError('not-found', `label ${labelId} is not a label of ${index.fullName}`);
    if (!issue.labelIds.includes(labelId)) return false;
    issue.labelIds = issue.labelIds.filter((id) => id !== labelId);
    this.touch(issue);
    this.emit({ kind: 'changed', repo: index.fullName });
    return true;
  }

  /**
   * Open a pull request: a new issue number with `pull` set. `#N` references in its title and
   * body land on those issues' timelines as `pull_ref` entries, as Gitea's cross-references do.
   */
  createPullRequest(repo: string, input: NewPullRequest): IssueRecord {
    const index = this.index(repo);
    const number = nextNumber(index);
    const pr = this.insertIssue(index, {
      title: input.title,
      body: input.body,
      author: input.author,
      labelIds: [],
      assignees: [],
      pull: {
        headRef: input.headRef ?? `${input.author}/patch-${number}`,
        headSha: input.headSha ?? shaFor(index.fullName, number, 'head'),
        baseRef: index.state.defaultBranch,
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
      },
    });
    for (const ref of this.references(index, pr)) {
      const target = index.byNumber.get(ref.number);
      if (!target || target.number === pr.number) continue;
      this.addEvent(index, target, 'pull_ref', input.author, '', { refIssue: pr.number, refAction: ref.action });
    }
    this.emit({ kind: 'changed', repo: index.fullName });
    return pr;
  }

  /**
   * A push to an open pull request's head branch: the PR's head becomes the new commit, which has
   * no statuses yet. Gitea re-reads the head only of open, unmerged PRs on that branch
   * (services/pull/pull.go:405-431, AddTestPullRequestTask → GetUnmergedPullRequestsByHeadInfo).
   */
  pushToPullRequest(repo: string, number: number, sha: string): IssueRecord {
    const index = this.index(repo);
    const pr = this.requireIssue(repo, number);
    if (pr.pull === null) throw new StoreError('not-found', `#${number} is not a pull request`);
    if (pr.pull.merged || pr.state === 'closed') throw new StoreError('precondition', `pull request #${number} is not open`);
    pr.pull = { ...pr.pull, headSha: sha };
    this.touch(pr);
    this.emit({ kind: 'changed', repo: index.fullName });
    return pr;
  }

  /**
   * Merge a pull request and close the issues it closes: only references preceded by a closing
   * keyword (`Fixes #N`; `Refs #N` leaves the issue open). Gitea: services/pull/merge.go:317
   * (handleCloseCrossReferences closes XRefActionCloses refs), modules/references/references.go:589-593,
   * default keywords modules/setting/repository.go:233.
   */
  mergePullRequest(repo: string, number: number, actor = this.options.login): IssueRecord {
    const index = this.index(repo);
    const pr = this.requireIssue(repo, number);
    if (pr.pull === null) throw new StoreError('not-found', `#${number} is not a pull request`);
    if (pr.pull.merged) throw new StoreError('precondition', `pull request #${number} is already merged`);
    if (pr.state === 'closed') throw new StoreError('precondition', `pull request #${number} is closed`);
    const stamp = this.stamp();
    const mergeSha = shaFor(index.fullName, number, 'merge');
    pr.pull = { ...pr.pull, merged: true, mergedAt: stamp, mergedBy: actor, mergeCommitSha: mergeSha };
    index.state.headSha = mergeSha;
    this.setState(index, pr, 'closed', actor);
    this.touch(pr);
    for (const ref of this.references(index, pr)) {
      const target = index.byNumber.get(ref.number);
      if (ref.action !== 'closes' || !target || target.state === 'closed' || target.number === pr.number) continue;
      this.setState(index, target, 'closed', actor);
      this.touch(target);
    }
    this.emit({ kind: 'changed', repo: index.fullName });
    return pr;
  }

  setCommitStatus(repo: string, sha: string, input: NewStatus): StatusRecord {
    const index = this.index(repo);
    const stamp = this.stamp();
    const status: StatusRecord = {
      id: this.nextId('status'),
      sha,
      context: input.context ?? 'ci/sandbox',
      state: input.state,
      description: input.description ?? '',
      targetUrl: input.targetUrl ?? '',
      creator: input.creator ?? this.options.login,
      createdAt: stamp,
      updatedAt: stamp,
    };
    index.state.statuses.push(status);
    this.emit({ kind: 'changed', repo: index.fullName });
    return status;
  }

  private index(repo: string): RepoIndex {
    const index = this.repoIndex.get(repo.toLowerCase());
    if (!index) throw new StoreError('not-found', `repository ${repo} not found`);
    return index;
  }

  private requireIssue(repo: string, number: number): IssueRecord {
    const issue = this.index(repo).byNumber.get(number);
    if (!issue) throw new StoreError('not-found', `issue #${number} not found in ${repo}`);
    return issue;
  }

  private stamp(): string {
    return formatTime(this.options.now());
  }

  private nextId(kind: keyof SandboxState['nextId']): number {
    const id = this.state.nextId[kind];
    this.state.nextId[kind] = id + 1;
    return id;
  }

  private touch(issue: IssueRecord): void {
    issue.updatedAt = this.stamp();
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private emitAfterCreate(index: RepoIndex, issue: IssueRecord): void {
    this.emit({ kind: 'changed', repo: index.fullName });
    if (issue.assignees.length > 0) {
      this.emit({ kind: 'assigned', repo: index.fullName, number: issue.number, logins: issue.assignees });
    }
    const labels = this.labelsOf(index.fullName, issue).map((l) => l.name);
    if (labels.length > 0) this.emit({ kind: 'labelled', repo: index.fullName, number: issue.number, labels });
  }

  private insertIssue(
    index: RepoIndex,
    fields: Pick<IssueRecord, 'title' | 'body' | 'author' | 'labelIds' | 'assignees' | 'pull'>,
  ): IssueRecord {
    const issues = index.state.issues;
    // Creation time never goes backwards, so number order is newest-created order.
    const last = issues[issues.length - 1]?.createdAt ?? '';
    const now = this.stamp();
    const createdAt = now > last ? now : last;
    const issue: IssueRecord = {
      id: this.nextId('issue'),
      number: nextNumber(index),
      ...fields,
      state: 'open',
      createdAt,
      updatedAt: createdAt,
      closedAt: null,
      isLocked: false,
    };
    issues.push(issue);
    index.byNumber.set(issue.number, issue);
    return issue;
  }

  private setState(index: RepoIndex, issue: IssueRecord, state: 'open' | 'closed', actor: string): void {
    if (issue.state === state) return;
    issue.state = state;
    issue.closedAt = state === 'closed' ? this.stamp() : null;
    this.addEvent(index, issue, state === 'closed' ? 'close' : 'reopen', actor, '');
  }

  private addEvent(
    index: RepoIndex,
    issue: IssueRecord,
    type: EventType,
    author: string,
    body: string,
    ref: Pick<EventRecord, 'refIssue' | 'refAction'> = { refIssue: null, refAction: null },
  ): EventRecord {
    const stamp = this.stamp();
    const event: EventRecord = { id: this.nextId('event'), issue: issue.number, type, author, body, createdAt: stamp, updatedAt: stamp, ...ref };
    index.state.events.push(event);
    this.pushEvent(index, event);
    this.eventRepo.set(event.id, index.fullName.toLowerCase());
    this.touch(issue);
    return event;
  }

  private pushEvent(index: RepoIndex, event: EventRecord): void {
    const list = index.eventsByIssue.get(event.issue);
    if (list) list.push(event);
    else index.eventsByIssue.set(event.issue, [event]);
  }

  private checkAssignees(logins: readonly string[]): string[] {
    const out: string[] = [];
    for (const login of logins) {
      const user = this.user(login);
      if (!user) throw new StoreError('invalid', `user "${login}" does not exist`);
      if (!ASSIGNABLE.has(user.access)) throw new StoreError('invalid', `user "${user.login}" cannot be assigned: no write access`);
      if (!out.includes(user.login)) out.push(user.login);
    }
    return out;
  }

  private resolveLabels(index: RepoIndex, refs: readonly LabelRef[]): LabelRecord[] {
    const names = new Set(refs.filter((r): r is string => typeof r === 'string').map((n) => n.toLowerCase()));
    const ids = new Set(refs.filter((r): r is number => typeof r === 'number'));
    return index.state.labels.filter((l) => !l.isArchived && (ids.has(l.id) || names.has(l.name.toLowerCase())));
  }

  private references(index: RepoIndex, pr: IssueRecord): { number: number; action: 'none' | 'closes' }[] {
    const found = new Map<number, 'none' | 'closes'>();
    for (const m of `${pr.title}\n${pr.body}`.matchAll(REFERENCE)) {
      const [, keyword, otherRepo, digits] = m;
      if (otherRepo !== undefined && otherRepo.toLowerCase() !== index.fullName.toLowerCase()) continue;
      const number = Number(digits);
      const action = keyword ? 'closes' : 'none';
      if (found.get(number) !== 'closes') found.set(number, action);
    }
    return [...found].map(([number, action]) => ({ number, action }));
  }
}

const nextNumber = (index: RepoIndex): number => (index.state.issues[index.state.issues.length - 1]?.number ?? 0) + 1;

const byName = (a: LabelRecord, b: LabelRecord): number => a.name.localeCompare(b.name) || a.id - b.id;

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/** Gitea's colour rule: `#` optional, 3 or 6 hex digits; stored lower-case, 6 digits, no `#`. */
export function normalizeColor(color: string): string {
  const m = COLOR.exec(color.trim());
  if (!m?.[1]) throw new StoreError('invalid', `"${color}" is not a colour: use 3 or 6 hex digits, e.g. #e11d21`);
  const hex = m[1].toLowerCase();
  return hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
}
