import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { approvedVia, DASHBOARD_TITLE, renderDashboard } from '../src/core/approvals.js';
import { parseConfig } from '../src/core/config.js';
import { initialSnapshot } from '../src/core/engine-state.js';
import type { Issue } from '../src/core/issue.js';
import { planProposals } from '../src/core/planner.js';
import { transition, type TrackedProposal } from '../src/core/proposal-queue.js';
import { profileFromConfig, withTrust, trustKey } from '../src/core/triage.js';
import { scoreIssue } from '../src/core/scoring.js';
import { HUMANS } from '../src/sandbox/seed-catalog.js';
import { seedBacklog } from '../src/sandbox/seed-backlog.js';

/**
 * The README's picture of the dashboard issue (docs/dashboard.svg), drawn from the real renderer:
 * the demo sandbox's backlog (`switchboard demo`: 40 issues, seed 1) planned by the real planner,
 * disarmed, one proposal approved by a comment, rendered by `renderDashboard` and drawn as the
 * forge shows an issue. Run by hand after the dashboard's text changes:
 *
 *   npx tsx scripts/dashboard-picture.ts
 *
 * test/scripts/dashboard-picture.test.ts fails while the picture is stale.
 */

/** A fixed moment, so ages and the picture do not change from one run to the next. */
const NOW = new Date('2026-03-20T10:00:00Z');
const OUT = fileURLToPath(new URL('../docs/dashboard.svg', import.meta.url));

export interface DashboardIssue {
  readonly repo: string;
  readonly number: number;
  readonly title: string;
  readonly author: string;
  readonly body: string;
}

/** The dashboard issue of the demo's first repository, as switchboard would write it. */
export function demoDashboard(): DashboardIssue {
  const state = seedBacklog({ issues: 40, seed: 1, now: NOW });
  const repo = state.repos[0]!;
  const name = `${repo.owner}/${repo.name}`;
  const access = new Map(state.users.map((u) => [u.login, u.access]));
  const issues: Issue[] = repo.issues
    .filter((i) => i.state === 'open' && !i.pull)
    .map((i) => ({
      repo: name,
      number: i.number,
      title: i.title,
      body: i.body,
      labels: repo.labels.filter((l) => i.labelIds.includes(l.id)).map((l) => l.name),
      assignees: i.assignees,
      author: i.author,
      authorTrusted: undefined,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      state: 'open',
      url: '',
    }));
  // The demo trusts authors by their permission on the repository, as the engine asks the tracker.
  const known = new Map(issues.map((i) => [trustKey(name, i.author), ['write', 'admin', 'owner'].includes(access.get(i.author) ?? '')]));
  const config = parseConfig({ tracker: { url: 'http://127.0.0.1:3000' }, repos: [name] });
  const profile = profileFromConfig(config);
  const backlog = new Map(withTrust(issues, known).map((i) => scoreIssue(i, profile, NOW)).map((s) => [`${name}#${s.issue.number}`, s]));
  const plan = (previous: ReadonlyMap<string, TrackedProposal>) =>
    planProposals({ config, profile, backlog, previous, dispatches: new Map(), armed: false, executedThisCycle: 0 }).proposals;
  const first = plan(new Map());
  // A writer approved the most urgent proposal with `/switchboard approve` on its issue.
  const top = [...first.values()].find((p) => p.action !== 'skip')!;
  const approved = transition(top, { type: 'approve', by: approvedVia(HUMANS[0]!.login, top.issueKey) });
  if (!approved.ok) throw new Error(approved.error);
  const proposals = plan(new Map([...first, [top.id, approved.proposal]]));
  const snapshot = { ...initialSnapshot({ consoleId: 'demo', armed: false, dryRun: false }), backlog, proposals };
  const agentNames = new Map(config.agents.map((a) => [a.id, a.displayName]));
  return {
    repo: name,
    number: Math.max(...repo.issues.map((i) => i.number)) + 1,
    title: DASHBOARD_TITLE,
    author: 'switchboard',
    body: renderDashboard({ snapshot, repos: [name], agentNames }),
  };
}

// ---------------------------------------------------------------------------------------------
// Markdown as the forge renders an issue body, for the subset the dashboard writes: headings,
// paragraphs, task lists and lists, emphasis, code spans, tables; HTML comments are not shown.
// Hand-written: an SVG needs laid-out lines, which no markdown renderer gives without a browser.

type Style = 'text' | 'code' | 'em' | 'strong' | 'link';
interface Run {
  readonly text: string;
  readonly style: Style;
}

const FONT = 'Segoe UI, Helvetica, Arial, sans-serif';
const MONO = 'SFMono-Regular, Menlo, Consolas, monospace';
const WIDTH = 960;
const SIZE = 14;
const LINE = 22;

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Estimated advance of text in px (no font metrics without a browser): wide CJK, narrow rest. */
function textWidth(text: string, style: Style, size = SIZE): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (style === 'code') w += 0.6;
    else if (c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) || c >= 0x1f300)) w += 1;
    else if (/[A-Z@#%&mwMW—]/.test(ch)) w += 0.78;
    else if (/[ il.,:;'|!()[\]ftj\u2060]/.test(ch)) w += 0.34;
    else w += 0.62;
  }
  return w * (style === 'code' ? SIZE - 1 : size) * (style === 'strong' ? 1.05 : 1);
}

/** Inline markdown: issue references (links), `code`, _em_, *em*, **strong**, backslash escapes; comments dropped. */
function inlineRuns(source: string): Run[] {
  const text = source.replace(/<!--[\s\S]*?-->/g, '').replace(/\u2060/g, '').trim();
  const runs: Run[] = [];
  const re = /([\w.-]+\/[\w.-]+#\d+)|(?<!\\)`([^`]+)`|\*\*([^*]+)\*\*|(?<![\p{L}\p{N}\\])_([^_]+)_(?![\p{L}\p{N}])|(?<!\\)\*([^*]+)\*/gu;
  let at = 0;
  const plain = (s: string) => s && runs.push({ text: s.replace(/\\([\\`*_[\]<>|~#!()-])/g, '$1'), style: 'text' });
  for (let m = re.exec(text); m; m = re.exec(text)) {
    plain(text.slice(at, m.index));
    if (m[1] !== undefined) runs.push({ text: m[1], style: 'link' });
    else if (m[2] !== undefined) runs.push({ text: m[2], style: 'code' });
    else if (m[3] !== undefined) runs.push({ text: m[3], style: 'strong' });
    else runs.push({ text: (m[4] ?? m[5])!, style: 'em' });
    at = m.index + m[0].length;
  }
  plain(text.slice(at));
  return runs;
}

/** Runs broken into lines no wider than `width`, at spaces (a word too long for a line stays whole). */
function wrap(runs: readonly Run[], width: number, size = SIZE): Run[][] {
  const lines: Run[][] = [[]];
  let x = 0;
  for (const run of runs) {
    for (const word of run.text.split(/(?<= )/)) {
      const w = textWidth(word, run.style, size);
      if (x + w > width && x > 0 && word.trim() !== '') {
        lines.push([]);
        x = 0;
      }
      lines.at(-1)!.push({ text: word, style: run.style });
      x += w;
    }
  }
  return lines;
}

/** One line of runs as one SVG text: the renderer flows the runs, so estimates never overlap them. */
function drawLine(runs: readonly Run[], x: number, y: number, size = SIZE, weight = 'normal'): string {
  const spans = runs.map((run) => {
    const text = xml(run.text);
    if (run.style === 'code') return `<tspan font-family="${MONO}" font-size="${size - 1}" fill="#0550ae">${text}</tspan>`;
    if (run.style === 'link') return `<tspan fill="#0969da">${text}</tspan>`;
    if (run.style === 'em') return `<tspan font-style="italic">${text}</tspan>`;
    if (run.style === 'strong') return `<tspan font-weight="600">${text}</tspan>`;
    return text;
  });
  const font = size === SIZE ? '' : ` font-size="${size}"`;
  return `<text x="${x}" y="${y}"${font}${weight === 'bold' ? ' font-weight="600"' : ''} xml:space="preserve">${spans.join('')}</text>`;
}

const checkbox = (x: number, y: number, checked: boolean): string =>
  `<rect x="${x}" y="${y - 12}" width="13" height="13" rx="3" fill="${checked ? '#0969da' : '#fff'}" stroke="${checked ? '#0969da' : '#8c959f'}"/>` +
  (checked ? `<path d="M${x + 3} ${y - 5.5} l3 3 l5 -6" fill="none" stroke="#fff" stroke-width="1.8"/>` : '');

const cells = (row: string): string[] => row.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());

/** The body's markdown drawn from (x, y) in a column `width` wide; returns the SVG and the new y. */
function drawMarkdown(markdown: string, x: number, y0: number, width: number): { svg: string; y: number } {
  const out: string[] = [];
  let y = y0;
  const lines = markdown.replace(/<!--[\s\S]*?-->\n?/g, (c) => (c.includes('sb:') ? c : '')).split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length === 0) return;
    for (const line of wrap(inlineRuns(paragraph.join(' ')), width)) out.push(drawLine(line, x, (y += LINE)));
    y += 10;
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^[-*] (?:\[([ xX])\] )?(.*)$/.exec(line);
    if (line.trim() === '') flush();
    else if (heading) {
      flush();
      const size = [26, 21, 18, 16, 14, 13][heading[1]!.length - 1]!;
      y += 12;
      for (const l of wrap(inlineRuns(heading[2]!), width, size)) out.push(drawLine(l, x, (y += size + 8), size, 'bold'));
      if (heading[1]!.length <= 2) out.push(`<rect x="${x}" y="${y + 8}" width="${width}" height="1" fill="#d1d9e0"/>`);
      y += 8;
    } else if (item) {
      flush();
      const box = item[1] !== undefined;
      const indent = box ? 44 : 26;
      const wrapped = wrap(inlineRuns(item[2]!), width - indent);
      y += LINE;
      out.push(box ? checkbox(x + 22, y, item[1] !== ' ') : `<circle cx="${x + 13}" cy="${y - 5}" r="2.5" fill="#1f2328"/>`);
      wrapped.forEach((l, n) => out.push(drawLine(l, x + indent, n === 0 ? y : (y += LINE))));
      y += 4;
    } else if (line.startsWith('|') && /^\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      flush();
      const rows = [cells(line)];
      for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
      i--;
      const cols = rows[0]!.length;
      const colWidth = rows[0]!.map((_, c) => Math.max(...rows.map((r) => textWidth(r[c] ?? '', 'text'))) + 26);
      const scale = Math.min(1, width / colWidth.reduce((a, b) => a + b, 0));
      y += 8;
      rows.forEach((r, n) => {
        let cx = x;
        for (let c = 0; c < cols; c++) {
          const w = colWidth[c]! * scale;
          out.push(`<rect x="${cx}" y="${y}" width="${w}" height="34" fill="${n === 0 ? '#f6f8fa' : n % 2 === 0 ? '#f6f8fa' : '#fff'}" stroke="#d1d9e0"/>`);
          out.push(drawLine(inlineRuns(r[c] ?? ''), cx + 13, y + 22, SIZE, n === 0 ? 'bold' : 'normal'));
          cx += w;
        }
        y += 34;
      });
      y += 10;
    } else paragraph.push(line);
  }
  flush();
  return { svg: out.join('\n'), y };
}

/** The issue page: title and number, the Open badge, the opening comment with the body. */
export function issueSvg(issue: DashboardIssue): string {
  const margin = 24;
  const boxX = margin + 44;
  const boxWidth = WIDTH - boxX - margin;
  const body = drawMarkdown(issue.body, boxX + 16, 150, boxWidth - 32);
  const height = body.y + 40;
  const avatar = (cx: number, cy: number) =>
    `<circle cx="${cx}" cy="${cy}" r="16" fill="#0969da"/><text x="${cx}" y="${cy + 5}" text-anchor="middle" fill="#fff" font-weight="600">sb</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" font-size="${SIZE}" fill="#1f2328">`,
    `<title>${xml(`${issue.repo}#${issue.number}: ${issue.title}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${margin}" y="24" fill="#59636e">${xml(issue.repo.replace('/', ' / '))}  ·  Issues</text>`,
    `<text x="${margin}" y="62" font-size="26" xml:space="preserve">${xml(issue.title)} <tspan fill="#59636e">#${issue.number}</tspan></text>`,
    `<rect x="${margin}" y="78" width="66" height="28" rx="14" fill="#1f883d"/>`,
    `<text x="${margin + 33}" y="97" text-anchor="middle" fill="#fff" font-weight="600">Open</text>`,
    `<text x="${margin + 78}" y="97" fill="#59636e" xml:space="preserve"><tspan font-weight="600" fill="#1f2328">${xml(issue.author)}</tspan> opened this issue · kept current by switchboard</text>`,
    `<rect x="${margin}" y="116" width="${WIDTH - 2 * margin}" height="1" fill="#d1d9e0"/>`,
    avatar(margin + 16, 146),
    `<rect x="${boxX}" y="130" width="${boxWidth}" height="${height - 150}" rx="6" fill="#fff" stroke="#d1d9e0"/>`,
    `<path d="M${boxX} 136 a6 6 0 0 1 6 -6 h${boxWidth - 12} a6 6 0 0 1 6 6 v14 h-${boxWidth} z" fill="#f6f8fa"/>`,
    `<rect x="${boxX}" y="150" width="${boxWidth}" height="1" fill="#d1d9e0"/>`,
    `<text x="${boxX + 16}" y="145" font-size="13" xml:space="preserve"><tspan font-weight="600">${xml(issue.author)}</tspan><tspan fill="#59636e"> commented · edited by switchboard</tspan></text>`,
    body.svg,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OUT, issueSvg(demoDashboard()));
  console.log(`wrote ${OUT}`);
}
