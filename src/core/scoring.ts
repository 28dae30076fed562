import type { Issue } from './issue.js';
import type { ScoringProfile, TagClass } from './profile.js';
import { inferTaskType, type TaskType } from './routing.js';

export const ISSUE_TYPES = ['bug', 'research', 'feature', 'refactor', 'philosophy', 'unknown'] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];
export const TIERS = ['P0', 'P1', 'P2', 'P3'] as const;
export type Tier = (typeof TIERS)[number];
/** The one tier order: P0 first; an unknown tier last. */
export const tierRank = (tier: string): number => {
  const at = (TIERS as readonly string[]).indexOf(tier);
  return at < 0 ? TIERS.length : at;
};

/**
 * What scoring found in an issue's text: each piece of evidence behind a point. Sub-scores are a
 * pure function of these (evaluate), which is also how "what would change the decision" asks
 * "what if this signal were present?".
 */
export interface Signals {
  /** lower-cased, trimmed tags from [bracket] title words and label names, in first-seen order */
  readonly tags: readonly string[];
  /** first file-like reference in title+body (scope) */
  readonly fileRef: string | null;
  /** first function/class reference (scope) */
  readonly funcRef: string | null;
  /** title length in characters without its [tags] (scope: short titles are better scoped) */
  readonly titleLength: number;
  /** how many acceptance words appear, and the first few of them */
  readonly acceptanceCount: number;
  readonly acceptanceWords: readonly string[];
  /** first test reference (acceptance) */
  readonly testRef: string | null;
  /** first structured section heading in the body, e.g. "## Steps" (acceptance) */
  readonly section: string | null;
  /** where the issue says it is blocked */
  readonly blockedBy: { readonly where: 'title' | 'body'; readonly text: string } | null;
}

export interface TagMatches {
  readonly bug: readonly string[];
  readonly feature: readonly string[];
  readonly refactor: readonly string[];
  readonly meta: readonly string[];
  readonly p0: readonly string[];
  readonly research: readonly string[];
  readonly loop: readonly string[];
}

export interface Evaluation {
  readonly scope: number;
  readonly acceptance: number;
  readonly alignment: number;
  readonly score: number;
  readonly ready: boolean;
  readonly type: IssueType;
  readonly p0: boolean;
  readonly blocked: boolean;
  readonly tier: Tier;
  readonly tagMatches: TagMatches;
}

export interface ScoredIssue extends Evaluation {
  readonly issue: Issue;
  /** title without its [bracket] tags */
  readonly displayTitle: string;
  readonly tags: readonly string[];
  readonly ageDays: number;
  /** reference `infer_task_type` of title and body; computed on first read */
  readonly taskType: TaskType;
  readonly signals: Signals;
}

const MAX_LISTED_WORDS = 6;

/**
 * The first match of a pattern, as a string of its own. V8 keeps a substring of 13+ characters
 * as a view into its parent, so without the copy every scored issue would pin its whole
 * title+body text in memory through one evidence string.
 */
const ownCopy = (s: string): string => (s.length < 13 ? s : (' ' + s).slice(1));

function firstMatch(re: RegExp, text: string): string | null {
  const m = re.exec(text);
  return m === null ? null : ownCopy(m[0]);
}
const DAY_MS = 86_400_000;

/** Characters as Python's len() counts them: code points, not UTF-16 units. */
function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const NONE: readonly string[] = Object.freeze([]);

function matchTags(tags: readonly string[], profile: ScoringProfile): TagMatches {
  // Most classes stay empty: they share one frozen array instead of allocating seven per issue.
  const m: Record<TagClass, readonly string[]> = { bug: NONE, feature: NONE, refactor: NONE, meta: NONE, p0: NONE, research: NONE, loop: NONE };
  for (const tag of tags) {
    const classes = profile.tagClasses.get(tag);
    if (classes) for (const cls of classes) m[cls] = m[cls] === NONE ? [tag] : [...m[cls], tag];
  }
  return m;
}

/** The signals, and the title without its [tags] (scoring needs it twice: length and display). */
function readIssue(issue: Pick<Issue, 'title' | 'body' | 'labels'>, profile: ScoringProfile): { signals: Signals; displayTitle: string } {
  const { title, body } = issue;
  const re = profile.re;
  const tags: string[] = [];
  re.tag.lastIndex = 0;
  for (let m = re.tag.exec(title); m !== null; m = re.tag.exec(title)) {
    const tag = (m[1] ?? m[0]).toLowerCase().trim();
    if (!tags.includes(tag)) tags.push(tag);
    // A custom tag pattern may match the empty string: step past it as matchAll would.
    if (m[0] === '') re.tag.lastIndex += (title.codePointAt(re.tag.lastIndex) ?? 0) > 0xffff ? 2 : 1;
  }
  for (const label of issue.labels) {
    const tag = label.toLowerCase().trim();
    if (!tags.includes(tag)) tags.push(tag);
  }

  // The title with its line break, then the body (profile.lineBound), or the two joined.
  const head = profile.lineBound ? `${title}\n` : `${title}\n${body}`;
  const tail = profile.lineBound ? body : '';
  // match() with a global pattern returns just the matched strings: cheaper than matchAll.
  const acceptedInHead = head.match(re.acceptance) ?? NONE;
  const acceptedInTail = tail === '' ? NONE : (tail.match(re.acceptance) ?? NONE);
  const acceptanceWords: string[] = [];
  for (const accepted of [acceptedInHead, acceptedInTail]) {
    for (const found of accepted) {
      if (acceptanceWords.length >= MAX_LISTED_WORDS) break;
      const word = ownCopy(found.toLowerCase());
      if (!acceptanceWords.includes(word)) acceptanceWords.push(word);
    }
  }
  const inText = (pattern: RegExp): string | null => firstMatch(pattern, head) ?? (tail === '' ? null : firstMatch(pattern, tail));
  const blockedInTitle = firstMatch(re.blocked, title);
  const blockedInBody = blockedInTitle === null ? firstMatch(re.blocked, body) : null;
  const displayTitle = title.replace(re.tag, '').trim();

  const signals: Signals = {
    tags,
    fileRef: inText(re.fileRef),
    funcRef: inText(re.funcRef),
    titleLength: codePointLength(displayTitle),
    acceptanceCount: acceptedInHead.length + acceptedInTail.length,
    acceptanceWords,
    testRef: inText(re.testRef),
    section: firstMatch(re.section, body),
    blockedBy:
      blockedInTitle !== null
        ? { where: 'title', text: blockedInTitle }
        : blockedInBody !== null
          ? { where: 'body', text: blockedInBody }
          : null,
  };
  return { signals, displayTitle };
}

/** Read the evidence out of an issue. */
export function extractSignals(issue: Pick<Issue, 'title' | 'body' | 'labels'>, profile: ScoringProfile): Signals {
  return readIssue(issue, profile).signals;
}

/**
 * Sub-scores, type, P0, blocked and tier from the evidence — the reference arithmetic. `tagMatches`
 * may be passed when the tags are those already matched.
 */
export function evaluate(signals: Signals, profile: ScoringProfile, tagMatches?: TagMatches): Evaluation {
  const tm = tagMatches ?? matchTags(signals.tags, profile);
  const meta = tm.meta.length > 0;
  const bug = tm.bug.length > 0;

  let scope = (signals.fileRef !== null ? 1 : 0) + (signals.funcRef !== null ? 1 : 0);
  if (signals.titleLength < profile.settings.shortTitleLength) scope += 1;
  if (meta) scope = Math.max(0, scope - 2);
  scope = Math.min(3, scope);

  let acceptance =
    signals.acceptanceCount >= profile.settings.acceptanceWordsForTwo ? 2 : signals.acceptanceCount >= 1 ? 1 : 0;
  if (signals.testRef !== null) acceptance += 1;
  if (signals.section !== null) acceptance += 1;
  if (meta) acceptance = Math.max(0, acceptance - 1);
  acceptance = Math.min(3, acceptance);

  let alignment: number;
  if (bug) {
    alignment = 3;
  } else {
    alignment = (tm.refactor.length > 0 ? 2 : 0) + (tm.feature.length > 0 ? 2 : 0) + (tm.loop.length > 0 ? 1 : 0);
    if (meta) alignment = 0;
    alignment = Math.min(3, alignment);
  }

  const score = scope + acceptance + alignment;
  const ready = score >= profile.threshold;
  const type: IssueType = bug
    ? 'bug'
    : tm.research.length > 0
      ? 'research'
      : tm.feature.length > 0
        ? 'feature'
        : tm.refactor.length > 0
          ? 'refactor'
          : meta
            ? 'philosophy'
            : 'unknown';
  const p0 = tm.p0.length > 0 || type === 'bug';
  const tier: Tier = type === 'philosophy' ? 'P3' : p0 ? 'P0' : ready ? 'P1' : 'P2';
  return { scope, acceptance, alignment, score, ready, type, p0, blocked: signals.blockedBy !== null, tier, tagMatches: tm };
}

/** Whole days since the issue was created, as Python's timedelta.days (floored). */
export function ageInDays(createdAt: string, now: Date): number {
  // A timestamp without an offset is UTC (Date.parse would read it as local time).
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(createdAt);
  const isDateTime = createdAt.includes('T') || createdAt.includes(' ');
  const t = Date.parse(isDateTime && !hasZone ? `${createdAt.replace(' ', 'T')}Z` : createdAt);
  if (Number.isNaN(t)) return 0;
  return Math.floor((now.getTime() - t) / DAY_MS);
}

const taskTypes = new WeakMap<object, TaskType>();

/**
 * `taskType` is inferred on first read, once: only dispatch comments and re-routing need it, and
 * inferring it for every issue would cost nearly half of scoring. It is an own enumerable getter,
 * so spreads, JSON and equality checks still see the value; one descriptor object shared by all
 * scored issues keeps them on one fast object shape (a getter in the object literal would not).
 */
const TASK_TYPE_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  get(this: ScoredIssue): TaskType {
    let taskType = taskTypes.get(this);
    if (taskType === undefined) {
      taskType = inferTaskType(this.issue.title, this.issue.body);
      taskTypes.set(this, taskType);
    }
    return taskType;
  },
};

/** Score and classify one issue. Pure: `now` only feeds the age. */
export function scoreIssue(issue: Issue, profile: ScoringProfile, now: Date): ScoredIssue {
  const { signals, displayTitle } = readIssue(issue, profile);
  const ev = evaluate(signals, profile);
  // Spelled out rather than spread: one object shape for every scored issue, built in one go.
  const scored: Omit<ScoredIssue, 'taskType'> = {
    scope: ev.scope,
    acceptance: ev.acceptance,
    alignment: ev.alignment,
    score: ev.score,
    ready: ev.ready,
    type: ev.type,
    p0: ev.p0,
    blocked: ev.blocked,
    tier: ev.tier,
    tagMatches: ev.tagMatches,
    issue,
    displayTitle,
    tags: signals.tags,
    ageDays: ageInDays(issue.createdAt, now),
    signals,
  };
  return Object.defineProperty(scored, 'taskType', TASK_TYPE_PROPERTY) as ScoredIssue;
}
