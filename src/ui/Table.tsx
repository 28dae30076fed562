import { Text } from 'ink';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import type { Colour } from './theme.js';
import { usePaint } from './use-paint.js';
import { listWindow } from './window.js';

export interface TableColumn<Row> {
  readonly header: string;
  /** fixed width in cells; columns without one share what is left by `flex` (default 1) */
  readonly width?: number;
  readonly flex?: number;
  readonly align?: 'left' | 'right';
  readonly value: (row: Row) => string;
  readonly colour?: (row: Row) => Colour | undefined;
}

interface Props<Row> {
  readonly rows: readonly Row[];
  readonly columns: readonly TableColumn<Row>[];
  readonly rowId: (row: Row) => string;
  /** cells available per line */
  readonly width: number;
  /** lines for the rows, markers included (the header line is extra) */
  readonly height: number;
  readonly selectedId: string | null;
  readonly offset: number;
  /** show the selection marker */
  readonly focused: boolean;
  readonly empty: string;
}

const MARKER = 2;

/** Column widths for a total: fixed ones as given, the rest shared by flex. */
export function columnWidths(columns: readonly { width?: number; flex?: number }[], total: number): number[] {
  const gaps = Math.max(0, columns.length - 1);
  const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
  const flexTotal = columns.reduce((sum, c) => sum + (c.width === undefined ? (c.flex ?? 1) : 0), 0);
  const free = Math.max(0, total - fixed - gaps);
  let given = 0;
  let flexSeen = 0;
  return columns.map((c) => {
    if (c.width !== undefined) return c.width;
    flexSeen += c.flex ?? 1;
    // Cumulative rounding so the flex columns add up to exactly what is free.
    const upTo = Math.floor((free * flexSeen) / flexTotal);
    const w = upTo - given;
    given = upTo;
    return w;
  });
}

/**
 * A windowed table: one line per row, every cell sanitized and cut to its display width, only
 * the rows that fit rendered, "▲ n more" / "▼ n more" when some do not.
 */
export function Table<Row>(props: Props<Row>) {
  const paint = usePaint();
  const { rows, columns, width, height } = props;
  const widths = columnWidths(columns, width - MARKER);
  const ids = rows.map(props.rowId);
  const at = props.selectedId === null ? 0 : Math.max(0, ids.indexOf(props.selectedId));
  const win = listWindow(rows.length, height, at, props.offset);
  const cell = (text: string, i: number) => fit(sanitize(text), widths[i] ?? 0, columns[i]?.align);
  const header = `${' '.repeat(MARKER)}${columns.map((c, i) => cell(c.header, i)).join(' ')}`;
  const lines = [];
  if (win.clipped) lines.push(<Text key="above" {...paint('dim')}>{fit(win.above > 0 ? `  ▲ ${win.above} more` : '', width)}</Text>);
  for (let r = win.start; r < win.end; r++) {
    const row = rows[r]!;
    const selected = props.focused && r === at;
    lines.push(
      <Text key={ids[r]} wrap="truncate" bold={selected}>
        {selected ? '› ' : '  '}
        {columns.map((c, i) => (
          <Text key={c.header} {...paint(c.colour?.(row))}>
            {(i > 0 ? ' ' : '') + cell(c.value(row), i)}
          </Text>
        ))}
      </Text>,
    );
  }
  if (win.clipped) lines.push(<Text key="below" {...paint('dim')}>{fit(win.below > 0 ? `  ▼ ${win.below} more` : '', width)}</Text>);
  if (rows.length === 0 && height > 0) lines.push(<Text key="empty" {...paint('dim')}>{fit(`  ${props.empty}`, width)}</Text>);
  return (
    <>
      <Text wrap="truncate" bold>
        {fit(header, width)}
      </Text>
      {lines}
    </>
  );
}
