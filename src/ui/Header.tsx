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
}

interface Segment {
  readonly text: string;
  readonly colour?: Colour;
  readonly bold?: boolean;
}

/** "acme/api +2" */
export const reposLabel = (repos: readonly string[]): string =>
  repos.length === 0 ? 'no repos' : `${repos[0]}${repos.length > 1 ? ` +${repos.length - 1}` : ''}`;

/** Memoised: a key that only moves the selection leaves it as it is. */
export const Header = memo(function Header({ snapshot: s, trackerName, repos, now, width }: Props) {
  const paint = usePaint();
  const segments: Segment[] = [
    { text: 'switchboard', bold: true },
    { text: `${sanitize(trackerName)} ${sanitize(reposLabel(repos))}` },
    { text: `cycle ${s.cycle}` },
  ];
  if (s.cycleRunning) segments.push({ text: `${SPINNER[Math.floor(now / 1000) % SPINNER.length]} cycle running`, colour: 'accent' });
  else if (s.nextCycleAt !== null) segments.push({ text: `next ${countdown(Date.parse(s.nextCycleAt) - now)}` });
  segments.push(s.armed ? { text: 'ARMED', colour: 'bad', bold: true } : { text: 'DISARMED', colour: 'good' });
  if (s.dryRun) segments.push({ text: 'DRY-RUN', colour: 'warn' });
  if (s.paused) segments.push({ text: 'PAUSED', colour: 'warn' });
  if (s.rateLimit.remaining !== undefined) segments.push({ text: `rate ${s.rateLimit.remaining}` });
  const help = '? help';
  const error = s.lastError !== null && now - Date.parse(s.lastError.at) < ERROR_SHOWN_MS ? s.lastError : null;
  const used = segments.reduce((sum, seg) => sum + displayWidth(seg.text) + 2, 1) + displayWidth(help) + 2;
  if (error) {
    const room = width - used;
    const text = truncate(`${error.level === 'error' ? '✖ error' : '⚠ warning'}: ${sanitize(error.message)}`, room);
    if (text !== '') segments.push({ text, colour: error.level === 'error' ? 'bad' : 'warn' });
  }
  const shown = segments.reduce((sum, seg) => sum + displayWidth(seg.text) + 2, 1);
  const gap = Math.max(2, width - shown - displayWidth(help) + 2);
  return (
    <Text wrap="truncate">
      {' '}
      {segments.map((seg, i) => (
        <Text key={i} bold={seg.bold === true} {...paint(seg.colour)}>
          {(i > 0 ? '  ' : '') + seg.text}
        </Text>
      ))}
      {' '.repeat(gap)}
      {help}
    </Text>
  );
});
