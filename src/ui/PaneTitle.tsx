import { Text } from 'ink';
import { memo } from 'react';
import { displayWidth, fit, truncate } from '../text/width.js';
import { usePaint } from './use-paint.js';

interface Props {
  readonly title: string;
  readonly right?: string;
  readonly focused: boolean;
  readonly width: number;
}

/** A pane's one-line title; the focused pane says so with a marker as well as colour. */
export const PaneTitle = memo(function PaneTitle({ title, right = '', focused, width }: Props) {
  const paint = usePaint();
  const left = `${focused ? '▸' : ' '}${title}`;
  const rightText = truncate(right, Math.max(0, width - displayWidth(left) - 2));
  const gap = Math.max(0, width - displayWidth(left) - displayWidth(rightText));
  return (
    <Text wrap="truncate" bold={focused} {...paint(focused ? 'accent' : undefined)}>
      {fit(left + ' '.repeat(gap) + rightText, width)}
    </Text>
  );
});
