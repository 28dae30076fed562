import { Text } from 'ink';
import { memo, useContext, useMemo } from 'react';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import { type Colour, ThemeContext } from './theme.js';
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

interface LineProps<Row> {
  readonly row: Row;
  readonly columns: readonly TableColumn<Row>[];
  readonly widths: readonly number[];
  readonly selected: boolean;
}

/**
 * One row's line. Memoised: moving the selection re-renders the two rows whose marker changed,
 * not every visible row (each cell is sanitized and measured for its display width, which is
 * most of a frame's work). Rows are the same objects until the snapshot, filter or sort changes;
 * columns and widths are stable while the pane's inputs are.
 */
function TableLineInner<Row>({ row, columns, widths, selected }: LineProps<Row>) {
  const paint = usePaint();
  // A highlight bar where colour is on; the › marker says the same without it (NO_COLOR).
  // (the context is read unconditionally: a hook behind `selected &&` changed the hook order)
  const { noColor } = useContext(ThemeContext);
  const bar = selected && !noColor;
  return (
    <Text wrap="truncate" bold={selected} inverse={bar}>
      {selected ? '› ' : '  '}
      {columns.map((c, i) => {
        const colour = c.colour?.(row);
        const cell = (i > 0 ? ' ' : '') + fit(sanitize(c.value(row)), widths[i] ?? 0, c.align);
        // Ink draws on a grid of spaces and trims each line's unstyled end: the last cell's padding
        // only costs Ink's per-character work (most of a frame), unless a style shows it (the bar).
        const text = i === columns.length - 1 && !selected && colour === undefined ? cell.trimEnd() : cell;
        return (
          <Text key={c.header} {...paint(colour)}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}

const TableLine = memo(TableLineInner) as typeof TableLineInner;

/**
 * A windowed table: one line per row, every cell sanitized and cut to its display width, only
 * the rows that fit rendered, "▲ n more" / "▼ n more" when some do not.
 */
export function Table<Row>(props: Props<Row>) {
  const paint = usePaint();
  const { rows, columns, width, height, rowId } = props;
  const widths = useMemo(() => columnWidths(columns, width - MARKER), [columns, width]);
  // Where each row is, by id: found once per list, not searched on every key press.
  const index = useMemo(() => {
    const at = new Map<string, number>();
    rows.forEach((r, i) => {
      const id = rowId(r);
      if (!at.has(id)) at.set(id, i);
    });
    return at;
  }, [rows, rowId]);
  const at = props.selectedId === null ? 0 : (index.get(props.selectedId) ?? 0);
  const win = listWindow(rows.length, height, at, props.offset);
  const header = useMemo(
    () => `${' '.repeat(MARKER)}${columns.map((c, i) => fit(sanitize(c.header), widths[i] ?? 0, c.align)).join(' ')}`,
    [columns, widths],
  );
  const lines = [];
  if (win.clipped) lines.push(<Text key="above" {...paint('dim')}>{fit(win.above > 0 ? `  ▲ ${win.above} more` : '', width)}</Text>);
  for (let r = win.start; r < win.end; r++) {
    const row = rows[r]!;
    lines.push(<TableLine key={rowId(row)} row={row} columns={columns} widths={widths} selected={props.focused && r === at} />);
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
