import { Box } from 'ink';
import { PaneTitle } from './PaneTitle.js';
import { Table, type TableColumn } from './Table.js';

export interface PaneProps {
  readonly focused: boolean;
  readonly width: number;
  /** lines for the whole pane: title, header and rows */
  readonly height: number;
  readonly selectedId: string | null;
  readonly offset: number;
}

interface Props<Row extends { readonly id: string }> extends PaneProps {
  readonly title: string;
  readonly right?: string;
  readonly rows: readonly Row[];
  readonly columns: readonly TableColumn<Row>[];
  readonly empty: string;
}

/** Rows a pane can show in `height` lines (title and header take two). */
export const paneBodyHeight = (height: number): number => Math.max(0, height - 2);

const rowIdOf = (r: { readonly id: string }): string => r.id;

/** A titled, windowed table: the shape of every pane. */
export function TablePane<Row extends { readonly id: string }>(props: Props<Row>) {
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <PaneTitle title={props.title} {...(props.right !== undefined ? { right: props.right } : {})} focused={props.focused} width={props.width} />
      <Table
        rows={props.rows}
        columns={props.columns}
        rowId={rowIdOf}
        width={props.width}
        height={paneBodyHeight(props.height)}
        selectedId={props.selectedId}
        offset={props.offset}
        focused={props.focused}
        empty={props.empty}
      />
    </Box>
  );
}
