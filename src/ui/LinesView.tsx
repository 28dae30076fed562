import { Box, Text } from 'ink';
import { fit } from '../text/width.js';
import type { Line, Tone } from './detail-lines.js';
import type { Colour } from './theme.js';
import { usePaint } from './use-paint.js';

interface Props {
  readonly lines: readonly Line[];
  readonly scroll: number;
  readonly width: number;
  /** lines available, the markers included */
  readonly height: number;
}

const COLOURS: Readonly<Record<NonNullable<Tone>, Colour | undefined>> = {
  title: 'accent',
  heading: undefined,
  dim: 'dim',
  warn: 'warn',
  bad: 'bad',
  good: 'good',
};

/** Lines the view can show at once in `height` (two go to the scroll markers). */
export const linesBudget = (height: number): number => Math.max(1, height - 2);

/** A scrollable text view (detail, help): only the visible slice is rendered. */
export function LinesView({ lines, scroll, width, height }: Props) {
  const paint = usePaint();
  const budget = linesBudget(height);
  const start = Math.max(0, Math.min(scroll, lines.length - budget));
  const shown = lines.slice(start, start + budget);
  const below = Math.max(0, lines.length - start - budget);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...paint('dim')}>{fit(start > 0 ? `▲ ${start} more` : '', width)}</Text>
      {shown.map((l, i) =>
        l.parts ? (
          <Text key={i} wrap="truncate">
            {l.parts.map((p, j) => (
              <Text key={j} bold={p.tone === 'title' || p.tone === 'heading'} {...paint(p.tone ? COLOURS[p.tone] : undefined)}>
                {p.text}
              </Text>
            ))}
          </Text>
        ) : (
          <Text key={i} wrap="truncate" bold={l.tone === 'title' || l.tone === 'heading'} {...paint(l.tone ? COLOURS[l.tone] : undefined)}>
            {fit(l.text, width)}
          </Text>
        ),
      )}
      <Text {...paint('dim')}>{fit(below > 0 ? `▼ ${below} more` : '', width)}</Text>
    </Box>
  );
}
