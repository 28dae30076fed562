import { pathToFileURL } from 'node:url';
import { DEFAULT_TAGS } from '../src/core/profile.js';

/**
 * Deterministic raw Gitea issues for the reference-parity fixture and the scoring benchmark.
 * The mix is chosen to reach every branch of scoring and decide — bug reports with repro steps,
 * features with criteria, research spikes, refactors, meta discussions, blocked and assigned
 * issues, vague one-liners, P0 security — and the Unicode corners where Python's `re`, `lower()`
 * and `strip()` differ from JavaScript's (İ, ı, ſ, Kelvin sign, U+0345, U+3000, U+001C, words
 * glued to non-ASCII letters, astral characters around the 80-character title limit).
 */

export interface RawLabel {
  id: number;
  name: string;
  color: string;
}

export interface GeneratedIssue {
  number: number;
  title: string;
  body: string | null;
  labels?: RawLabel[];
  assignees?: { login: string }[];
  user: { login: string };
  created_at?: string | null;
  updated_at: string;
  state: 'open';
  html_url: string;
}

export interface GenerateOptions {
  /** pad every non-null body with filler prose to about this many characters */
  readonly bodyBytes?: number;
  /** owner/name used in html_url */
  readonly repo?: string;
}

/** mulberry32: small, fast and the same on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number): boolean => r() < p;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const TAGS = {
  ...DEFAULT_TAGS,
  neutral: ['ui', 'docs', 'backend', 'good first issue', 'help wanted', 'needs-triage', 'v2'],
};

const TITLES = {
  bug: [
    'Login fails on empty password',
    'Crash when saving settings twice',
    'Error 500 from /api/tasks when the queue is empty',
    'Regression in the sync client after upgrade',
    'Race in the queue worker drops messages',
    'Timezone offset wrong in the daily report',
  ],
  feature: [
    'Add voice support to the console',
    'Support dark mode in the dashboard',
    'Export the backlog as CSV',
    'Webhook notifications for escalations',
    'Let agents attach logs to a dispatch',
  ],
  research: [
    'Investigate model options for summarising',
    'Survey retry strategies for the sync client',
    'Spike: evaluate vector databases',
    'Benchmark embedding models on our corpus',
  ],
  refactor: [
    'Clean up the auth middleware',
    'Refactor the scheduler into small modules',
    'Reduce allocations in the parser',
    'Remove dead code from the CLI',
  ],
  meta: [
    'Should Timmy sleep?',
    'What does done mean for us?',
    'RFC: agent etiquette in comments',
    'Why do we triage at all',
  ],
  security: [
    'SQL injection in the search endpoint',
    'Token leaked in debug logs',
    'Backups silently skip the attachments table',
    'Path traversal in the upload handler',
  ],
  vague: ['it is broken', 'help', 'pls fix', 'ideas', 'thoughts?', 'todo', '', ' '],
};

const FILE_REFS = [
  'src/timmy/agent.py',
  'tests/test_auth.py',
  'scripts/deploy.sh',
  'config.yaml',
  'pyproject.toml',
  'static/app.js',
  'templates/index.html',
  'SRC/Main.PY',
];
const FUNC_REFS = ['def login()', 'class Scheduler', 'function handle()', 'method save', '`run()`', '`validate_token()`', 'DEF parse'];
const ACCEPT_WORDS = [
  'should',
  'must',
  'expect',
  'verify',
  'assert',
  'test case',
  'test-case',
  'testcase',
  'acceptance',
  'criteria',
  'passes',
  'passing',
  'fails',
  'failing',
  'returns',
  'raise',
  'raises',
  'SHOULD',
  'Expected',
];
const TEST_REFS = ['tox -e unit', 'pytest -k auth', 'test_login_empty_password', 'auth.test.ts', 'assert x == 1', 'TOX', 'assert\tok'];
const SECTIONS = ['## Problem', '## Solution', '## Expected', '## Actual', '## Steps', '##steps', '## STEPS to reproduce'];
const BLOCKED_PHRASES = [
  'Blocked by #12.',
  'This blocks #40.',
  'It is blocking the release.',
  'BLOCKED until the API lands',
  'non-blocking for now',
  'blocked.',
  'unblocked yesterday', // no word boundary before "block": not blocked
  'the blockers are listed below', // "blockers" is not a blocked word
  'blockedness', // no boundary after
];

/**
 * Text where Python and JavaScript regex/str semantics part ways. Each is a small phrase that is
 * dropped into titles, bodies or labels.
 */
const UNICODE_PHRASES = [
  'éblocked', // glued to a letter: no \b, not blocked
  'blockedé',
  'blocked\u3000now', // ideographic space is \s and a boundary
  '\u001cblocked', // FS is whitespace in Python
  '\u0345blocked', // combining ypogegrammeni: not \w in Python, folds to ι in JS
  '\ua7cbblocked', // unassigned in Unicode 14, folds to a letter in JS's newer tables
  'blocked\ua7d2',
  'bloc\u212aed', // Kelvin sign matches k under IGNORECASE
  'BLOCKİNG', // dotted capital I matches i in Python
  'blockıng', // dotless i matches i in Python
  'ſhould', // long s matches s
  'crİterİa',
  'crıterıa',
  'teſt case',
  'test\u2028case', // "." matches U+2028 in Python
  'test\ncase', // but not a newline
  'test\u0085case',
  'assert\u3000ok',
  'assert\u001cok',
  'test_\u0345',
  'test_\u00e9t\u00e9',
  '`ıd()`',
  '`\u0345()`',
  '`naïve()`',
  '##\u3000Steps',
  '##\u0085expected',
  '## \u212aind of problem',
  'İssue with ſtrange letters',
  'emoji 🙂 in text',
  'lone \ud800 surrogate',
  'zero\u200bwidth',
  'bidi \u202e override',
  'tab\there',
  'crlf\r\nline',
];

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'claude', 'kimi', 'perplexity'];
const FILLER = (
  'the operator noticed this while reviewing the nightly run and it seems to happen mostly when the ' +
  'worker restarts under load we looked at the logs and the metrics but nothing obvious stood out ' +
  'there is a workaround for now although it is clumsy and people keep tripping over it the old ' +
  'behaviour was different before the last release please take a look when you have time'
).split(' ');
const FILLER_SPICE = [...ACCEPT_WORDS.slice(0, 6), ...FILE_REFS.slice(0, 3), 'pytest', 'blocked', 'design', 'plan', 'quick'];

type Archetype = 'bug' | 'feature' | 'research' | 'refactor' | 'meta' | 'security' | 'vague';
const ARCHETYPES: readonly [Archetype, number][] = [
  ['bug', 22],
  ['feature', 20],
  ['research', 10],
  ['refactor', 12],
  ['meta', 8],
  ['security', 8],
  ['vague', 20],
];
const ARCHETYPE_TOTAL = ARCHETYPES.reduce((n, [, w]) => n + w, 0);

function archetype(r: Rand): Archetype {
  let x = r() * ARCHETYPE_TOTAL;
  for (const [a, w] of ARCHETYPES) {
    if ((x -= w) < 0) return a;
  }
  return 'vague';
}

function labelPool(a: Archetype): readonly string[] {
  switch (a) {
    case 'bug':
      return TAGS.bug;
    case 'feature':
      return TAGS.feature;
    case 'research':
      return TAGS.research;
    case 'refactor':
      return TAGS.refactor;
    case 'meta':
      return TAGS.meta;
    case 'security':
      return TAGS.p0;
    case 'vague':
      return TAGS.neutral;
  }
}

/** Vary a tag's spelling the ways trackers and people do; only some variants still match. */
function spell(r: Rand, tag: string): string {
  switch (int(r, 0, 11)) {
    case 0:
      return tag.toUpperCase();
    case 1:
      return ` ${tag} `;
    case 2:
      return `${tag}\u3000`;
    case 3:
      return `\u001c${tag}`;
    case 4:
      return tag.replace(/k/g, '\u212a'); // lower() gives back "k"
    case 5:
      return tag.replace(/i/g, 'İ'); // lower() gives "i̇": no longer the tag
    case 6:
      return `${tag}\u200b`; // not white space: no longer the tag
    default:
      return tag;
  }
}

function makeTitle(r: Rand, a: Archetype, tags: string[]): string {
  let title = pick(r, TITLES[a === 'security' ? 'security' : a]);
  if (chance(r, 0.35) && tags.length > 0) {
    const n = int(r, 1, 2);
    const prefix = tags.slice(0, n).map((t) => `[${spell(r, t)}]`).join(pick(r, ['', ' ']));
    title = `${prefix} ${title}`;
  }
  if (chance(r, 0.06)) title = `${title} [${spell(r, pick(r, [...TAGS.p0, ...TAGS.research, ...TAGS.meta]))}]`;
  if (chance(r, 0.12)) {
    // Long titles, sometimes with astral characters so UTF-16 length and code points disagree.
    const target = int(r, 76, 96);
    const pad = chance(r, 0.5) ? '🙂' : pick(r, [' and more detail', ' in the worker', ' x']);
    while ([...title].length < target) title += pad;
  }
  if (chance(r, 0.08)) title = `${pick(r, ['\u3000', ' ', '\u001c', '\t'])}${title}${pick(r, ['\u3000', ' ', '\u0085', ''])}`;
  if (chance(r, 0.05)) title = `${title} ${pick(r, BLOCKED_PHRASES)}`;
  if (chance(r, 0.08)) title = `${title} ${pick(r, UNICODE_PHRASES)}`;
  if (chance(r, 0.03)) title = `${title} [] [unclosed`;
  return title;
}

function makeBody(r: Rand, a: Archetype, bodyBytes: number | undefined): string | null {
  if (chance(r, 0.05)) return null;
  const parts: string[] = [];
  const richness = a === 'vague' ? 0.15 : a === 'meta' ? 0.35 : 0.6;
  if (a === 'bug' && chance(r, 0.7)) {
    parts.push('## Steps\n1. Open the app\n2. Submit the form\n\n## Expected\nIt works.\n\n## Actual\nIt does not.');
  } else if (chance(r, richness * 0.5)) {
    parts.push(`${pick(r, SECTIONS)}\n${pick(r, FILLER)} ${pick(r, FILLER)}`);
  }
  if (a === 'feature' && chance(r, 0.6)) {
    parts.push('Acceptance criteria:\n- [ ] the page should load in under a second\n- [ ] the export must include every column');
  }
  if (a === 'security' && chance(r, 0.6)) parts.push('Security impact: data may be exposed. This is critical.');
  if (chance(r, richness)) parts.push(`Touches ${pick(r, FILE_REFS)}.`);
  if (chance(r, richness)) parts.push(`See ${pick(r, FUNC_REFS)} for details.`);
  const accept = chance(r, richness) ? int(r, 1, 5) : 0;
  for (let i = 0; i < accept; i++) parts.push(`It ${pick(r, ACCEPT_WORDS)} behave.`);
  if (chance(r, richness * 0.6)) parts.push(`Run ${pick(r, TEST_REFS)}.`);
  if (chance(r, 0.12)) parts.push(pick(r, BLOCKED_PHRASES));
  const noise = chance(r, 0.2) ? int(r, 1, 3) : 0;
  for (let i = 0; i < noise; i++) parts.push(pick(r, UNICODE_PHRASES));
  if (a === 'vague' && chance(r, 0.5)) parts.length = Math.min(parts.length, 1);
  let body = parts.join(pick(r, ['\n\n', '\n', '\r\n', ' ']));
  if (bodyBytes !== undefined) {
    const words: string[] = [];
    let length = body.length;
    while (length < bodyBytes) {
      const w = chance(r, 0.02) ? pick(r, FILLER_SPICE) : pick(r, FILLER);
      words.push(w);
      length += w.length + 1;
    }
    if (words.length > 0) body = `${body}\n\n${words.join(' ')}`;
  }
  return body;
}

function timestamp(r: Rand, base: number): string {
  const t = new Date(base - int(r, 0, 400) * 86_400_000 - int(r, 0, 86_399) * 1000);
  const iso = t.toISOString();
  switch (int(r, 0, 5)) {
    case 0:
      return iso.replace(/\.\d{3}Z$/, '+02:00');
    case 1:
      return iso; // with milliseconds
    default:
      return iso.replace(/\.\d{3}Z$/, 'Z');
  }
}

/** `count` raw Gitea issues, the same for the same seed and options. */
export function generateRawIssues(count: number, seed: number, options: GenerateOptions = {}): GeneratedIssue[] {
  const r = prng(seed);
  const repo = options.repo ?? 'acme/backlog';
  const base = Date.UTC(2026, 2, 20, 10, 0, 0);
  const issues: GeneratedIssue[] = [];
  let labelId = 1;
  for (let n = 1; n <= count; n++) {
    const a = archetype(r);
    const tagNames = new Set<string>();
    if (a !== 'vague' || chance(r, 0.3)) {
      const pool = labelPool(a);
      const k = int(r, a === 'vague' ? 0 : 1, 2);
      for (let i = 0; i < k; i++) tagNames.add(pick(r, pool));
    }
    if (a === 'security' && chance(r, 0.5)) tagNames.add(pick(r, TAGS.bug));
    if (chance(r, 0.08)) tagNames.add('loop-generated');
    if (chance(r, 0.06)) tagNames.add('kimi-ready');
    if (chance(r, 0.1)) tagNames.add(pick(r, [...TAGS.bug, ...TAGS.feature, ...TAGS.refactor, ...TAGS.meta, ...TAGS.p0, ...TAGS.research, ...TAGS.neutral]));
    const tagList = [...tagNames];
    // Some tags only appear as [bracket] title tags, the rest become labels.
    const titleTags = tagList.filter(() => chance(r, 0.3));
    const labelNames = tagList.filter((t) => !titleTags.includes(t) || chance(r, 0.2));
    const title = makeTitle(r, a, titleTags);
    const created = timestamp(r, base);
    const issue: GeneratedIssue = {
      number: n,
      title,
      body: makeBody(r, a, options.bodyBytes),
      labels: labelNames.map((name) => ({ id: labelId++, name: spell(r, name), color: pick(r, ['ee0701', '0e8a16', '1d76db', 'fbca04']) })),
      assignees: chance(r, 0.15) ? [{ login: pick(r, NAMES) }, ...(chance(r, 0.2) ? [{ login: pick(r, NAMES) }] : [])] : [],
      user: { login: pick(r, NAMES) },
      created_at: created,
      updated_at: created,
      state: 'open',
      html_url: `https://gitea.example.com/${repo}/issues/${n}`,
    };
    if (chance(r, 0.03)) delete issue.labels;
    if (chance(r, 0.03)) delete issue.assignees;
    const ts = int(r, 0, 49);
    if (ts === 0) delete issue.created_at;
    else if (ts === 1) issue.created_at = null;
    else if (ts === 2) issue.created_at = '';
    issues.push(issue);
  }
  return issues;
}

/** JSON text with one issue per line: compact, yet diffs stay readable. */
export const issuesToJson = (issues: readonly unknown[]): string =>
  `[\n${issues.map((i) => JSON.stringify(i)).join(',\n')}\n]\n`;

// `tsx bench/generate-issues.ts COUNT SEED [BODY_BYTES]` prints the issues as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [count = '2000', seed = '1', bodyBytes] = process.argv.slice(2);
  const issues = generateRawIssues(Number(count), Number(seed), bodyBytes ? { bodyBytes: Number(bodyBytes) } : {});
  process.stdout.write(issuesToJson(issues));
}
