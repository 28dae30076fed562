import { hashSeed, randomFor } from './prng.js';
import {
  type Access,
  type CommitStatusState,
  type EventRecord,
  type EventType,
  formatTime,
  type IssueRecord,
  type LabelRecord,
  type OrgLabelRecord,
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
/** Gitea's assignee list: users with write access (models/repo/user_repo.go:121-160 GetRepoAssignees). */
const WRITERS: ReadonlySet<Access> = new Set(['write', 'admin', 'owner']);

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
    state.orgs ??= [];
    state.orgLabels ??= [];
    state.repoRedirects ??= [];
    state.ownerRedirects ??= [];
    state.blocks ??= [];
    for (const label of state.orgLabels) this.labelRepo.set(label.id, orgKey(label.org));
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

  /** An issue's labels: its repo's and its owner organisation's (Gitea services/convert/issue.go:78). */
  labelsOf(repo: string, issue: IssueRecord): LabelRecord[] {
    return this.usableLabels(this.index(repo)).filter((l) => issue.labelIds.includes(l.id)).sort(byName);
  }

  isOrg(owner: string): boolean {
    return (this.state.orgs ?? []).some((o) => o.toLowerCase() === owner.toLowerCase());
  }

  /** Make an owner an organisation (its repos keep their names). */
  makeOrg(owner: string): void {
    if (!this.isOrg(owner)) this.state.orgs?.push(owner);
  }

  /** An organisation's labels sorted by name, as `GET /orgs/{org}/labels` lists them. */
  orgLabels(org: string): OrgLabelRecord[] {
    return (this.state.orgLabels ?? []).filter((l) => l.org.toLowerCase() === org.toLowerCase()).sort(byName);
  }

  createOrgLabel(org: string, input: { name: string; color: string; exclusive?: boolean; isArchived?: boolean }): OrgLabelRecord {
    this.makeOrg(org);
    const label: OrgLabelRecord = {
      id: this.nextId('label'),
      org,
      name: input.name,
      color: normalizeColor(input.color),
      description: '',
      exclusive: input.exclusive ?? false,
      isArchived: input.isArchived ?? false,
    };
    this.state.orgLabels?.push(label);
    this.labelRepo.set(label.id, orgKey(org));
    return label;
  }

  /**
   * Users Gitea lists as assignable: write access or more (GetRepoAssignees,
   * models/repo/user_repo.go:121-160); the owner too when it is a user.
   */
  assignees(repo: string): UserRecord[] {
    const owner = this.index(repo).state.owner;
    return this.state.users.filter((u) => WRITERS.has(u.access) || (u.login.toLowerCase() === owner.toLowerCase() && !this.isOrg(owner)));
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
    const oldText = `${issue.title}\n${issue.body}`;
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
    if (issue.pull && `${issue.title}\n${issue.body}` !== oldText) this.updateReferences(index, issue, actor);
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
  createLabel(repo: string, input: { name: string; color: string; description?: string; exclusive?: boolean; isArchived?: boolean }): LabelRecord {
    const index = this.index(repo);
    if (!input.name.trim()) throw new StoreError('invalid', 'label name is required');
    const label: LabelRecord = {
      id: this.nextId('label'),
      name: input.name,
      color: normalizeColor(input.color),
      description: input.description ?? '',
      exclusive: input.exclusive ?? false,
      isArchived: input.isArchived ?? false,
    };
    index.state.labels.push(label);
    this.labelRepo.set(label.id, index.fullName.toLowerCase());
    this.emit({ kind: 'changed', repo: index.fullName });
    return label;
  }

  /**
   * Add labels by id or name (unknown ones are ignored: Gitea routers/api/v1/repo/issue_label.go:363);
   * returns every label now on the issue. An exclusive (scoped) label takes the place of the
   * issue's other labels of its scope (models/issues/issue_label.go:63-83, :116-139).
   */
  addLabels(repo: string, number: number, refs: readonly LabelRef[]): LabelRecord[] {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    const added = this.resolveLabels(index, refs).filter((l) => !issue.labelIds.includes(l.id));
    if (added.length > 0) {
      const usable = this.usableLabels(index);
      for (const label of added) {
        const scope = exclusiveScope(label);
        if (scope === '') continue;
        const siblings = new Set(usable.filter((l) => l.id !== label.id && exclusiveScope(l) === scope).map((l) => l.id));
        issue.labelIds = issue.labelIds.filter((id) => !siblings.has(id));
      }
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
    // The owner organisation's labels are accepted too (GetLabelInRepoOrOrgByID, issue_label.go:184).
    if (owner !== index.fullName.toLowerCase() && owner !== orgKey(index.state.owner)) {
      throw new StoreError('not-found', `label ${labelId} is not a label of ${index.fullName}`);
    }
    if (!issue.labelIds.includes(labelId)) return false;
    issue.labelIds = issue.labelIds.filter((id) => id !== labelId);
    this.touch(issue);
    this.emit({ kind: 'changed', repo: index.fullName });
    return true;
  }

  /** `DELETE /repos/{o}/{r}/labels/{id}`: the label goes, and with it every issue's use of it. */
  deleteLabel(repo: string, labelId: number): void {
    const index = this.index(repo);
    const at = index.state.labels.findIndex((l) => l.id === labelId);
    if (at < 0) throw new StoreError('not-found', `label ${labelId} not found in ${index.fullName}`);
    index.state.labels.splice(at, 1);
    this.labelRepo.delete(labelId);
    for (const issue of index.state.issues) {
      if (issue.labelIds.includes(labelId)) issue.labelIds = issue.labelIds.filter((id) => id !== labelId);
    }
    this.emit({ kind: 'changed', repo: index.fullName });
  }

  /**
   * `DELETE /repos/{o}/{r}/issues/{index}`: the issue and its comments go; its number is never
   * given again; cross-references it made on other issues stay (they render as null on the
   * timeline: services/convert/issue_comment.go:140-145).
   */
  deleteIssue(repo: string, number: number): void {
    const index = this.index(repo);
    this.requireIssue(repo, number);
    index.state.maxIndex = Math.max(index.state.maxIndex ?? 0, nextNumber(index) - 1);
    index.state.issues = index.state.issues.filter((i) => i.number !== number);
    index.byNumber.delete(number);
    const gone = new Set((index.eventsByIssue.get(number) ?? []).map((e) => e.id));
    index.state.events = index.state.events.filter((e) => !gone.has(e.id));
    for (const id of gone) this.eventRepo.delete(id);
    index.eventsByIssue.delete(number);
    this.emit({ kind: 'changed', repo: index.fullName });
  }

  /** Whether an issue number was given out and its issue since deleted (numbers are never reused). */
  wasDeleted(repo: string, number: number): boolean {
    const index = this.index(repo);
    return !index.byNumber.has(number) && number >= 1 && number <= Math.max(index.state.maxIndex ?? 0, nextNumber(index) - 1);
  }

  /** Rename a repo; the old name keeps answering with a redirect (Gitea's repo_redirect). */
  renameRepo(repo: string, newName: string): RepoState {
    const index = this.index(repo);
    const from = index.fullName;
    const to = `${index.state.owner}/${newName}`;
    if (from === to) return index.state;
    if (this.repoIndex.has(to.toLowerCase())) throw new StoreError('invalid', `repository ${to} already exists`);
    this.rekey(index, to);
    index.state.name = newName;
    this.state.repoRedirects = [...(this.state.repoRedirects ?? []).filter((r) => r.from !== from.toLowerCase()), { from: from.toLowerCase(), repoId: index.state.id }];
    this.emit({ kind: 'changed', repo: to });
    return index.state;
  }

  /** Rename an owner; its old login redirects to the new one (Gitea's user_redirect). */
  renameOwner(from: string, to: string): void {
    for (const index of [...this.repoIndex.values()]) {
      if (index.state.owner.toLowerCase() !== from.toLowerCase()) continue;
      this.rekey(index, `${to}/${index.state.name}`);
      index.state.owner = to;
    }
    this.state.orgs = (this.state.orgs ?? []).map((o) => (o.toLowerCase() === from.toLowerCase() ? to : o));
    for (const l of this.state.orgLabels ?? []) if (l.org.toLowerCase() === from.toLowerCase()) l.org = to;
    for (const [id, key] of this.labelRepo) if (key === orgKey(from)) this.labelRepo.set(id, orgKey(to));
    this.state.ownerRedirects = [...(this.state.ownerRedirects ?? []).filter((r) => r.from !== from.toLowerCase()), { from: from.toLowerCase(), to }];
    this.emit({ kind: 'changed', repo: to });
  }

  /** Where a request for a repo that does not exist should go: 307 for a renamed owner, 301 for a renamed repo. */
  redirectFor(owner: string, name: string): { status: 301 | 307; owner: string; name: string } | undefined {
    const ownerMoved = this.state.ownerRedirects?.find((r) => r.from === owner.toLowerCase());
    if (ownerMoved && !this.repoIndex.has(`${owner}/${name}`.toLowerCase())) return { status: 307, owner: ownerMoved.to, name };
    const repoMoved = this.state.repoRedirects?.find((r) => r.from === `${owner}/${name}`.toLowerCase());
    const target = repoMoved && this.state.repos.find((r) => r.id === repoMoved.repoId);
    return target ? { status: 301, owner: target.owner, name: target.name } : undefined;
  }

  lockIssue(repo: string, number: number): void {
    this.requireIssue(repo, number).isLocked = true;
  }

  /** `blocker` blocks `blocked`: the blocked user may not comment on the blocker's issues or repos. */
  block(blocker: string, blocked: string): void {
    this.state.blocks?.push([blocker.toLowerCase(), blocked.toLowerCase()]);
  }

  isBlockedBy(doer: string, ...blockers: readonly string[]): boolean {
    const d = doer.toLowerCase();
    return blockers.some((b) => this.state.blocks?.some(([x, y]) => x === b.toLowerCase() && y === d));
  }

  /**
   * Gitea ≤ 1.26's `UpdateAssignees` (services/issue/issue.go:140-178 at v1.26.3): every login is
   * looked up first (an unknown one fails before any change), then the assignees not passed are
   * deleted, then the new ones are added one by one, each checked for access; the first failure
   * stops there, with no transaction, and the API answers 500 (routers/api/v1/repo/issue.go:857-871).
   */
  updateAssignees(repo: string, number: number, logins: readonly string[]): IssueRecord {
    const index = this.index(repo);
    const issue = this.requireIssue(repo, number);
    const users = [...new Set(logins.map((l) => l.toLowerCase()))].map((login) => {
      const user = this.user(login);
      if (!user) throw new StoreError('internal', `user redirect does not exist [name: ${login}]`);
      return user;
    });
    const before = issue.assignees;
    const kept = before.filter((a) => users.some((u) => u.login === a));
    const finish = (assignees: string[]): void => {
      if (sameSet(assignees, before)) return;
      issue.assignees = assignees;
      this.touch(issue);
      this.emit({ kind: 'changed', repo: index.fullName });
    };
    let now = kept;
    for (const user of users) {
      if (now.includes(user.login)) continue;
      // models/perm/access/repo_permission.go:572-581 CanBeAssigned: on a public repo any user
      // who can see it; the sandbox's `none` stands for a user who cannot (restricted, or private).
      if (user.access === 'none') {
        finish(now);
        throw new StoreError('internal', `user ${user.login} cannot be assigned to issues in ${index.fullName}`);
      }
      now = [...now, user.login];
    }
    finish(now);
    const added = now.filter((a) => !before.includes(a));
    if (added.length > 0) this.emit({ kind: 'assigned', repo: index.fullName, number, logins: added });
    return issue;
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

  /** Repo labels and the owner organisation's: what an issue of the repo may carry. */
  private usableLabels(index: RepoIndex): LabelRecord[] {
    return [...index.state.labels, ...this.orgLabels(index.state.owner)];
  }

  private rekey(index: RepoIndex, fullName: string): void {
    const oldKey = index.fullName.toLowerCase();
    const moved: RepoIndex = { ...index, fullName };
    this.repoIndex.delete(oldKey);
    this.repoIndex.set(fullName.toLowerCase(), moved);
    for (const [id, key] of this.labelRepo) if (key === oldKey) this.labelRepo.set(id, fullName.toLowerCase());
    for (const [id, key] of this.eventRepo) if (key === oldKey) this.eventRepo.set(id, fullName.toLowerCase());
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

  /**
   * A PR's title or body changed: mentions it dropped are neutered, new ones are added, as Gitea's
   * cross-reference update does (models/issues/issue_xref.go:55, :84-103).
   */
  private updateReferences(index: RepoIndex, pr: IssueRecord, actor: string): void {
    const refs = this.references(index, pr);
    const active = index.state.events.filter((e) => e.type === 'pull_ref' && e.refIssue === pr.number && e.refAction !== 'neutered');
    for (const event of active) {
      const still = refs.findIndex((r) => r.number === event.issue && r.action === event.refAction);
      if (still >= 0) refs.splice(still, 1);
      else event.refAction = 'neutered';
    }
    for (const ref of refs) {
      const target = index.byNumber.get(ref.number);
      if (!target || target.number === pr.number) continue;
      this.addEvent(index, target, 'pull_ref', actor, '', { refIssue: pr.number, refAction: ref.action });
    }
  }

  private checkAssignees(logins: readonly string[]): string[] {
    const out: string[] = [];
    for (const login of logins) {
      const user = this.user(login);
      if (!user) throw new StoreError('invalid', `user "${login}" does not exist`);
      if (user.access === 'none') throw new StoreError('invalid', `user "${user.login}" cannot be assigned: no access`);
      if (!out.includes(user.login)) out.push(user.login);
    }
    return out;
  }

  private resolveLabels(index: RepoIndex, refs: readonly LabelRef[]): LabelRecord[] {
    const names = new Set(refs.filter((r): r is string => typeof r === 'string').map((n) => n.toLowerCase()));
    const ids = new Set(refs.filter((r): r is number => typeof r === 'number'));
    // Archived labels still apply (models/issues/issue_label.go:116-139 does not look at is_archived).
    return this.usableLabels(index).filter((l) => ids.has(l.id) || names.has(l.name.toLowerCase()));
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

const nextNumber = (index: RepoIndex): number =>
  Math.max(index.state.maxIndex ?? 0, index.state.issues[index.state.issues.length - 1]?.number ?? 0) + 1;

const orgKey = (org: string): string => `org:${org.toLowerCase()}`;

/** Gitea's Label.ExclusiveScope (models/issues/label.go:183-192): `scope/name` of an exclusive label. */
export function exclusiveScope(label: Pick<LabelRecord, 'name' | 'exclusive'>): string {
  if (!label.exclusive) return '';
  const at = label.name.lastIndexOf('/');
  return at <= 0 || at === label.name.length - 1 ? '' : label.name.slice(0, at);
}

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
