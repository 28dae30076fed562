import { pathToFileURL } from 'node:url';
import { DEFAULT_TAGS } from '../src/core/profile.js';

/**
 * Deterministic raw Gitea issues for the reference-parity fixture and the benchmarks. The mix is
 * chosen to reach every branch of scoring and decide — bug reports with repro steps, features with
 * criteria, research spikes, refactors, meta discussions, blocked and assigned issues, vague
 * one-liners, P0 security — in the text real backlogs hold: English and other languages with
 * accents, CJK, emoji, markdown, code spans and fences, checklists, bracket tags, astral characters
 * around the 80-character title limit. Exotic code points where Python's `re` and `str` part from
 * JavaScript's (long s, Kelvin sign, dotted I, C1 controls, Python-only white space, code points
 * unassigned in Python's Unicode 14) are left out on purpose: docs/scoring.md, non-goals.
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
    'Absturz beim Speichern der Einstellungen',
    '登录失败：密码为空时页面崩溃',
    '🐛 Erreur 500 sur /api/tâches quand la file est vide',
  ],
  feature: [
    'Add voice support to the console',
    'Support dark mode in the dashboard',
    'Export the backlog as CSV',
    'Webhook notifications for escalations',
    'Let agents attach logs to a dispatch',
    'Ajouter le mode sombre au tableau de bord',
    'ダークモードに対応する',
    '✨ Exportar el backlog como CSV',
  ],
  research: [
    'Investigate model options for summarising',
    'Survey retry strategies for the sync client',
    'Spike: evaluate vector databases',
    'Benchmark embedding models on our corpus',
    'Untersuchung: Vektordatenbanken im Vergleich',
    '调研：同步客户端的重试策略',
  ],
  refactor: [
    'Clean up the auth middleware',
    'Refactor the scheduler into small modules',
    'Reduce allocations in the parser',
    'Remove dead code from the CLI',
    'Nettoyer le middleware d’authentification',
    '♻️ 스케줄러를 작은 모듈로 나누기',
  ],
  meta: [
    'Should Timmy sleep?',
    'What does done mean for us?',
    'RFC: agent etiquette in comments',
    'Why do we triage at all',
    '¿Debería Timmy dormir?',
    '🤔 Qu’est-ce que « fini » veut dire ?',
  ],
  security: [
    'SQL injection in the search endpoint',
    'Token leaked in debug logs',
    'Backups silently skip the attachments table',
    'Path traversal in the upload handler',
    'Inyección SQL en el endpoint de búsqueda',
    '🔒 Токен попадает в отладочные логи',
  ],
  vague: ['it is broken', 'help', 'pls fix', 'ideas', 'thoughts?', 'todo', '', ' ', 'ça marche pas', '不行了', '🙏 help', 'funktioniert nicht'],
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

/** Phrases real issues carry, dropped into titles and bodies: other languages, emoji, markdown. */
const WORLD_PHRASES = [
  'Le bouton « Enregistrer » ne répond plus après la mise à jour.',
  'Absturz beim Öffnen der Einstellungen, wenn die Datei größer als 2 MB ist.',
  'Error al exportar el informe: la descarga se queda en 0 %.',
  'Não é possível fazer login com senha vazia.',
  'Błąd przy zapisie pliku — zażółć gęślą jaźń.',
  'Ошибка при сохранении настроек: пустой ответ от сервера.',
  'Σφάλμα κατά την αποθήκευση του αρχείου.',
  'Lỗi khi lưu tệp cấu hình trên Windows.',
  'Giriş yapılamıyor: şifre alanı boş kalınca hata veriyor.',
  'सहेजते समय त्रुटि आती है',
  'خطأ عند حفظ الإعدادات',
  '登录页面在密码为空时崩溃',
  '設定を2回保存するとクラッシュします。',
  '빈 비밀번호로 로그인하면 실패합니다',
  'この問題はblocked状態です',
  '这个任务被 blocked 了，等 #12 合并',
  'naïve café résumé — coöperate',
  'cafe\u0301 (decomposed accents from a Mac)',
  '🐛 crash on save',
  '🚀 ship it',
  '✅ fixed in staging 👍',
  '🔥🔥 prod is down 🔥🔥',
  'works on my machine 🤷‍♀️',
  '👨‍👩‍👧 family emoji in the name breaks the avatar',
  '**Note:** see the _logs_ below',
  '> Quoted from the support ticket: it should not happen',
  '[link to the design](https://example.com/design#should-we)',
  '- [x] reproduce locally\n- [ ] write a failing test\n- [ ] fix',
  '* [ ] should handle empty input\n* [ ] must not crash',
  '```python\ndef save(path):\n    raise NotImplementedError\n```',
  '```js\nfunction load() { return fetch(url) }\n```',
  '```\n$ pytest -k auth\nFAILED tests/test_auth.py::test_login\n```',
  'Call `save_settings()` twice, then `reload()`.',
  'The `blocked` flag in `src/flags.py` is never cleared.',
  'See `config.yaml` → `retry.max`.',
  '### Context\nThe nightly job (UTC+09:00) runs twice.',
  '| col | value |\n|-----|-------|\n| a   | 1     |',
  '<details><summary>Stack trace</summary>\n\nTraceback (most recent call last)\n</details>',
  'cc @alice @bob — any ideas?',
  'Ref: #42, #108 and acme/web#7',
  'tab\there and trailing spaces   ',
  'crlf\r\nline',
  'non\u00a0breaking space',
  'zero\u200bwidth space from a copy-paste',
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
      return `${tag}\u3000`; // typed with a CJK input method
    case 3:
      return tag.charAt(0).toUpperCase() + tag.slice(1);
    case 4:
      return `\u00a0${tag}`;
    case 5:
      return `${tag}s`; // no longer the tag
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
  if (chance(r, 0.08)) title = `${pick(r, ['\u3000', ' ', '\u00a0', '\t'])}${title}${pick(r, ['\u3000', ' ', '\n', ''])}`;
  if (chance(r, 0.05)) title = `${title} ${pick(r, BLOCKED_PHRASES)}`;
  if (chance(r, 0.08)) title = `${title} ${pick(r, WORLD_PHRASES)}`;
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
  for (let i = 0; i < noise; i++) parts.push(pick(r, WORLD_PHRASES));
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
