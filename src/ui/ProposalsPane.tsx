import { Box } from 'ink';
import { paneBodyHeight } from './BacklogPane.js';
import { PaneTitle } from './PaneTitle.js';
import { Table, type TableColumn } from './Table.js';
import type { ProposalRow } from './views.js';

interface Props {
  readonly rows: readonly ProposalRow[];
  readonly focused: boolean;
  readonly width: number;
  readonly height: number;
  readonly selectedId: string | null;
  readonly offset: number;
}

const COLUMNS: TableColumn<ProposalRow>[] = [
  {
    header: 'status',
    width: 9,
    value: (r) => r.word,
    colour: (r) => (r.group === 'pending' ? 'accent' : r.group === 'waiting' ? 'warn' : r.word === 'failed' ? 'bad' : r.word === 'executed' ? 'good' : 'dim'),
  },
  { header: 'issue', width: 6, value: (r) => `#${r.proposal.number}` },
  { header: 'decision', width: 10, value: (r) => `${r.proposal.action === 'flag' ? '⚑' : '→'} ${r.proposal.agentId ?? ''}` },
  { header: 'why', value: (r) => r.line },
];

export function ProposalsPane(props: Props) {
  const count = (group: ProposalRow['group']) => props.rows.filter((r) => r.group === group).length;
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <PaneTitle title={`Proposals ${count('pending')} pending · ${count('waiting')} waiting`} focused={props.focused} width={props.width} />
      <Table
        rows={props.rows}
        columns={COLUMNS}
        rowId={(r) => r.id}
        width={props.width}
        height={paneBodyHeight(props.height)}
        selectedId={props.selectedId}
        offset={props.offset}
        focused={props.focused}
        empty="no proposals"
      />
    </Box>
  );
}
