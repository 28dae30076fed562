import { Box, Text } from 'ink';
import { useContext } from 'react';
import type { Lesson } from '../core/lessons.js';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import { type LessonsCursor, lessonRows, lessonsWindow, selectedLesson } from './lessons-view.js';
import { ThemeContext } from './theme.js';
import { usePaint } from './use-paint.js';

interface Props {
  /** null while the file is first read */
  readonly lessons: readonly Lesson[] | null;
  /** why the file could not be read */
  readonly error: string | null;
  readonly cursor: LessonsCursor;
  readonly width: number;
  readonly height: number;
}

/** The lessons per repository, newest first, the selected one marked (› without colour); only what fits is rendered. */
export function LessonsView({ lessons, error, cursor, width, height }: Props) {
  const paint = usePaint();
  const bar = !useContext(ThemeContext).noColor;
  const list = lessons ?? [];
  const rows = lessonRows(list);
  const selected = selectedLesson(list, cursor)?.id;
  const title = `Lessons (${list.length}) per repository, newest first — later dispatches to a repo carry its most relevant ones`;
  const lines = [];
  if (error !== null) lines.push(<Text key="error" wrap="truncate" {...paint('bad')}>{fit(`✖ ${sanitize(error)}`, width)}</Text>);
  const room = Math.max(1, height - 1 - lines.length);
  if (lessons === null) lines.push(<Text key="reading" {...paint('dim')}>{fit('reading the lessons file…', width)}</Text>);
  else if (rows.length === 0) {
    lines.push(
      <Text key="empty" {...paint('dim')}>
        {fit('No lessons yet. a adds one; rejections with a note and resolved escalations add them too.', width)}
      </Text>,
    );
  } else {
    const win = lessonsWindow(rows, room, selected);
    if (win.clipped) lines.push(<Text key="above" {...paint('dim')}>{fit(win.above > 0 ? `  ▲ ${win.above} more` : '', width)}</Text>);
    for (let r = win.start; r < win.end; r++) {
      const row = rows[r]!;
      const on = row.id !== undefined && row.id === selected;
      lines.push(
        <Text key={row.id ?? `repo${r}`} wrap="truncate" bold={on || row.tone === 'heading'} inverse={on && bar}>
          {fit(`${on ? '› ' : '  '}${row.id === undefined ? '' : '  '}${row.text}`, width)}
        </Text>,
      );
    }
    if (win.clipped) lines.push(<Text key="below" {...paint('dim')}>{fit(win.below > 0 ? `  ▼ ${win.below} more` : '', width)}</Text>);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold {...paint('accent')}>
        {fit(title, width)}
      </Text>
      {lines}
    </Box>
  );
}
