import { Box, Text } from 'ink';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import type { PickerAgent } from './ui-state.js';
import { usePaint } from './use-paint.js';
import { listWindow } from './window.js';

interface Props {
  readonly issueKey: string;
  readonly agents: readonly PickerAgent[];
  readonly index: number;
  readonly width: number;
  readonly height: number;
}

/** The re-route picker: registered agents, the ones suited to the task first. */
export function Picker({ issueKey, agents, index, width, height }: Props) {
  const paint = usePaint();
  const win = listWindow(agents.length, Math.max(1, height - 2), index, 0);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold {...paint('accent')}>
        {fit(`Re-route ${sanitize(issueKey)} to:`, width)}
      </Text>
      {win.above > 0 ? <Text {...paint('dim')}>{fit(`  ▲ ${win.above} more`, width)}</Text> : null}
      {agents.slice(win.start, win.end).map((a, i) => {
        const selected = win.start + i === index;
        return (
          <Text key={a.id} bold={selected}>
            {fit(`${selected ? '› ' : '  '}${sanitize(a.id).padEnd(12)} ${sanitize(a.name).padEnd(16)} ${a.note}`, width)}
          </Text>
        );
      })}
      {win.below > 0 ? <Text {...paint('dim')}>{fit(`  ▼ ${win.below} more`, width)}</Text> : null}
      <Text {...paint('dim')}>{fit('⏎ choose · esc cancel', width)}</Text>
    </Box>
  );
}
