import { Text } from 'ink';
import { memo } from 'react';
import type { EngineSnapshot } from '../core/engine-state.js';
import { sanitize } from '../core/sanitize.js';
import { displayWidth, truncate } from '../text/width.js';
import type { Colour } from './theme.js';
import { usePaint } from './use-paint.js';
import { countdown } from './views.js';

/** how long the engine's last error stays in the header */
export const ERROR_SHOWN_MS = 15_000;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface Props {
  readonly snapshot: EngineSnapshot;
  readonly trackerName: string;
  readonly repos: readonly string[];
  readonly now: number;
  readonly width: number;
  /** errors the operator has not looked at yet (E opens them) */
  readonly unseenErrors?: number;
  /** since when (ms) fetching from the tracker has been failing; null when it works */
  readonly outageSince?: number | null;
}

interface Segment {
  readonly text: string;
  readonly colour?: Colour;
  readonly bold?: boolean;
  /**
   * Which give way when the line is short, highest first: 0 never (mode badges, the name).
   * A shrinkable one is cut to what fits before anything else is dropped.
   */
  readonly giveWay: number;
  readonly shrink?: boolean;
}

/** "acme/api +2" */
export const reposLabel = (repos: readonly string[]): string =>
  repos.length === 0 ? 'no repos' : `${repos[0]}${repos.length > 1 ? ` +${repos.length - 1}` : ''}`;

const HELP = '? help';
const SEP = 2;
const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

/** The segments that fit in `room` columns (two spaces between each), in their display order. */
export function fitSegments(segments: readonly Segment[], room: number): Segment[] {
  let out = [...segments];
  const used = () => out.reduce((sum, s, i) => sum + displayWidth(s.text) + (i > 0 ? SEP : 0), 0);
  while (used() > room) {
    const victim = out.reduce<Segment | null>((worst, s) => (s.giveWay > 0 && (worst === null || s.giveWay > worst.giveWay) ? s : worst), null);
    if (victim === null) break;
    const over = used() - room;
    const keep = displayWidth(victim.text) - over;
    out = victim.shrink && keep >= 8 ? out.map((s) => (s === victim ? { ...s, text: truncate(s.text, keep), shrink: false } : s)) : out.filter((s) => s !== victim);
  }
  return out;
}

/**
 * Memoised: a key that only moves the selection leaves it as it is. The mode badges (ARMED or
 * DISARMED, DRY-RUN, PAUSED, the error count) and `? help` are never cut: the address and repo
 * list give way first, then the last error's text, the rate (kept longer when spent), the cycle number.
 */
export const Header = memo(function Header({ snapshot: s, trackerName, repos, now, width, unseenErrors = 0, outageSince = null }: Props) {
  const paint = usePaint();
  const segments: Segment[] = [
    { text: 'switchboard', bold: true, giveWay: 0 },
    { text: `${sanitize(trackerName)} ${sanitize(reposLabel(repos))}`, giveWay: 9, shrink: true },
    { text: `cycle ${s.cycle}`, giveWay: 5 },
  ];
  if (s.cycleRunning) segments.push({ text: `${SPINNER[Math.floor(now / 1000) % SPINNER.length]} cycle running`, colour: 'accent', giveWay: 4 });
  else if (s.nextCycleAt !== null) segments.push({ text: `next ${countdown(Date.parse(s.nextCycleAt) - now)}`, giveWay: 4 });
  segments.push(s.armed ? { text: 'ARMED', colour: 'bad', bold: true, giveWay: 0 } : { text: 'DISARMED', colour: 'good', giveWay: 0 });
  if (s.dryRun) segments.push({ text: 'DRY-RUN', colour: 'warn', giveWay: 0 });
  if (s.paused) segments.push({ text: 'PAUSED', colour: 'warn', giveWay: 0 });
  if (unseenErrors > 0) segments.push({ text: `${unseenErrors} error${unseenErrors === 1 ? '' : 's'} (E)`, colour: 'bad', bold: true, giveWay: 0 });
  if (outageSince !== null) segments.push({ text: `✖ tracker unreachable since ${hhmm(outageSince)} · R retries now`, colour: 'bad', giveWay: 3, shrink: true });
  if (s.rateLimit.remaining !== undefined) {
    // GitHub's quota (Gitea reports none). Spent, nothing moves until the reset: red, and kept longer.
    const reset = s.rateLimit.resetAt === undefined ? Number.NaN : Date.parse(s.rateLimit.resetAt);
    const text = `rate ${s.rateLimit.remaining}${Number.isFinite(reset) ? ` · resets ${hhmm(reset)}` : ''}`;
    segments.push(s.rateLimit.remaining === 0 ? { text, colour: 'bad', bold: true, giveWay: 2 } : { text, giveWay: 6 });
  }
  const error = outageSince === null && s.lastError !== null && now - Date.parse(s.lastError.at) < ERROR_SHOWN_MS ? s.lastError : null;
  if (error) segments.push({ text: `${error.level === 'error' ? '✖ error' : '⚠ warning'}: ${sanitize(error.message)}`, colour: error.level === 'error' ? 'bad' : 'warn', giveWay: 8, shrink: true });
  // one space before, two before the help, and help itself
  const shown = fitSegments(segments, width - 1 - SEP - displayWidth(HELP));
  const usedWidth = shown.reduce((sum, seg, i) => sum + displayWidth(seg.text) + (i > 0 ? SEP : 0), 1);
  const gap = Math.max(SEP, width - usedWidth - displayWidth(HELP));
  return (
    <Text wrap="truncate">
      {' '}
      {shown.map((seg, i) => (
        <Text key={i} bold={seg.bold === true} {...paint(seg.colour)}>
          {(i > 0 ? '  ' : '') + seg.text}
        </Text>
      ))}
      {' '.repeat(gap)}
      {HELP}
    </Text>
  );
});
