import { displayWidth, fit } from '../text/width.js';
import type { Line } from './detail-lines.js';
import { helpLines } from './keymap.js';
import { wrap } from './wrap.js';

/** Every status word and symbol the console shows, by where it shows. */
const LEGEND: readonly (readonly [heading: string, rows: readonly (readonly [word: string, meaning: string])[]])[] = [
  [
    'Proposals',
    [
      ['pending', 'a proposal waiting for you: a approves, x rejects'],
      ['gated', 'held by a gate other than arming (untrusted author, repo locked…); approving it only makes it wait'],
      ['waiting', 'approved, waiting for a gate to open (arming, the repo lock, agent capacity)'],
      ['grace 5s', 'approved here; executes when the count ends, u takes it back meanwhile'],
      ['approved executing executed rejected failed', 'where a decision went, newest first'],
    ],
  ],
  [
    'In flight',
    [
      ['dispatching retry wait assigned working', 'handed to the agent (retry wait: it refused, tried again after a pause)'],
      ['pr open ci running ci passed merged deploying', "the agent's work on the tracker"],
      ['ci failed', 'its CI is red: the agent gets a fix-forward turn, then it is escalated'],
      ['completed deployed', 'done: merged, the issue closed, the lock released'],
      ['awaiting review cancelled escalated', 'ended: done without a PR, stopped by a human, or handed to a human'],
    ],
  ],
  [
    'Symbols',
    [
      ['→ agent', 'dispatch to that agent'],
      ['⚑ owner', 'flag it to a human'],
      ['S A L', "the score's scope, acceptance and alignment points (score = their sum)"],
      ['×1', "the dispatch's attempt number (×2 after a retry)"],
      ['blk asg lck', 'blocked · assigned · repo locked'],
      ['(!)', 'the key writes to the tracker or asks first'],
      ['▸ ›', 'the focused pane · its selected row'],
      ['▲ ▼ n more', 'rows above or below the window'],
      ['sort key▼', "the pane's sort; s changes it"],
    ],
  ],
  [
    'Header',
    [
      ['ARMED DISARMED', 'writes to the tracker · writes nothing'],
      ['DRY-RUN PAUSED', 'shows writes and makes none · no cycles until resumed'],
      ['n errors (E)', 'errors not yet seen; E lists them in full'],
      ['next 04:31', 'the next cycle; R runs one now'],
      ['✖ unreachable since', 'the tracker does not answer (since when); R retries now'],
    ],
  ],
];

/** sections of key help that go side by side; the rest (long lines) take the full width */
const FULL_WIDTH = new Set(['Filter words', 'Commands']);
const GAP = 3;
const WORD_WIDTH = 22;

interface Section {
  readonly heading: string;
  readonly lines: readonly string[];
}

/** Moving and quitting work alike in every view: listed once, under the first section. */
const EVERYWHERE = /^\s+\S.*\s(down|up|first|last|page down|page up|quit)$/;

function sections(): Section[] {
  const out: { heading: string; lines: string[] }[] = [];
  for (const l of helpLines()) {
    if (l.heading) out.push({ heading: l.text, lines: [] });
    else if (out.length <= 1 || !EVERYWHERE.test(l.text)) out.at(-1)?.lines.push(l.text);
  }
  out[0]?.lines.push('  (moves and ^C: every view)');
  return out;
}

/** Sections into `count` columns of about equal height, in order (a section never splits). */
function pack(list: readonly Section[], count: number): Section[][] {
  const total = list.reduce((n, s) => n + s.lines.length + 1, 0);
  const target = Math.ceil(total / count);
  const columns: Section[][] = [[]];
  let height = 0;
  for (const s of list) {
    const h = s.lines.length + 1;
    if (height > 0 && height + h > target && columns.length < count) {
      columns.push([]);
      height = 0;
    }
    columns.at(-1)!.push(s);
    height += h;
  }
  return columns;
}

/**
 * The help overlay for a width: the keys of every mode in as many columns as fit, then the
 * filter words and commands, then the legend of every status word and symbol. Built from the
 * keymap (help can never disagree with it).
 */
export function helpView(width: number): Line[] {
  const all = sections();
  const keyed = all.filter((s) => !FULL_WIDTH.has(s.heading));
  const columnWidth = Math.max(...keyed.flatMap((s) => [s.heading, ...s.lines].map(displayWidth)));
  const count = Math.max(1, Math.min(keyed.length, Math.floor((width + GAP) / (columnWidth + GAP))));
  const columns = pack(keyed, count).map((col) => col.flatMap((s): Line[] => [{ text: s.heading, tone: 'heading' }, ...s.lines.map((text) => ({ text }))]));
  const out: Line[] = [];
  const rows = Math.max(...columns.map((c) => c.length));
  for (let r = 0; r < rows; r++) {
    const parts = columns.map((c, i) => {
      const cell = c[r] ?? { text: '' };
      return { text: fit(cell.text, i === columns.length - 1 ? Math.min(columnWidth, width - i * (columnWidth + GAP)) : columnWidth + GAP), tone: cell.tone };
    });
    out.push({ text: parts.map((p) => p.text).join(''), parts });
  }
  for (const s of all.filter((x) => FULL_WIDTH.has(x.heading))) {
    out.push({ text: s.heading, tone: 'heading' });
    for (const l of s.lines) for (const text of wrap(l.trim(), Math.max(10, width - 2))) out.push({ text: `  ${text}` });
  }
  out.push({ text: 'Legend', tone: 'title' });
  const wordWidth = Math.min(WORD_WIDTH, Math.floor(width / 3));
  for (const [heading, rows] of LEGEND) {
    out.push({ text: heading, tone: 'heading' });
    for (const [word, meaning] of rows) {
      // a long word list gets a line of its own; the meaning wraps under its column
      const lead = displayWidth(word) > wordWidth ? [`  ${word}`] : [];
      const first = lead.length > 0 ? '' : word;
      wrap(meaning, Math.max(10, width - wordWidth - 3)).forEach((text, i) => lead.push(`  ${fit(i === 0 ? first : '', wordWidth)} ${text}`));
      for (const text of lead) out.push({ text });
    }
  }
  return out;
}
