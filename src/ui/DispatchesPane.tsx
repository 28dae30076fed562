import { Box } from 'ink';
import { paneBodyHeight } from './BacklogPane.js';
import { PaneTitle } from './PaneTitle.js';
import { Table, type TableColumn } from './Table.js';
import { type DispatchRow, shortDuration } from './views.js';

interface Props {
  readonly rows: readonly DispatchRow[];
  readonly now: number;
  readonly focused: boolean;
  readonly width: number;
  readonly height: number;
  readonly selectedId: string | null;
  readonly offset: number;
}

function columns(now: number): TableColumn<DispatchRow>[] {
  return [
    { header: 'issue', width: 5, value: (r) => `#${r.dispatch.number}` },
    { header: 'agent', width: 7, value: (r) => r.dispatch.agentId },
    {
      header: 'state',
      width: 10,
      value: (r) => r.word,
      colour: (r) => (r.dispatch.state === 'escalated' || r.dispatch.state === 'failed' ? 'bad' : r.trouble ? 'warn' : r.dispatch.state === 'completed' ? 'good' : undefined),
    },
    { header: 'time', width: 4, align: 'right', value: (r) => shortDuration(now - Date.parse(r.dispatch.startedAt)) },
    { header: 'try', width: 2, align: 'right', value: (r) => `×${r.dispatch.attempt}` },
    { header: 'last event', value: (r) => r.lastEvent },
  ];
}

export function DispatchesPane(props: Props) {
  const trouble = props.rows.filter((r) => r.trouble).length;
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <PaneTitle title={`In flight ${props.rows.length}${trouble > 0 ? ` · ${trouble} in trouble` : ''}`} focused={props.focused} width={props.width} />
      <Table
        rows={props.rows}
        columns={columns(props.now)}
        rowId={(r) => r.id}
        width={props.width}
        height={paneBodyHeight(props.height)}
        selectedId={props.selectedId}
        offset={props.offset}
        focused={props.focused}
        empty="nothing in flight"
      />
    </Box>
  );
}
