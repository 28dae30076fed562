import { memo, useMemo } from 'react';
import { shortId } from './detail-lines.js';
import type { TableColumn } from './Table.js';
import { type PaneProps, TablePane } from './TablePane.js';
import { issueLabel, type ProposalRow, type ProposalSort } from './views.js';

interface Props extends PaneProps {
  readonly rows: readonly ProposalRow[];
  readonly multiRepo: boolean;
  readonly sort: ProposalSort;
}

/** pane width from which the short id gets a column (a 160-column terminal) */
export const ID_COLUMN_FROM = 88;

const ID_COLUMN: TableColumn<ProposalRow> = { header: 'id', width: 8, value: (r) => shortId(r.id), colour: () => 'dim' };

const columns = (multiRepo: boolean, ids: boolean): TableColumn<ProposalRow>[] => [
  ...(ids ? [ID_COLUMN] : []),
  {
    header: 'status',
    width: 9,
    value: (r) => r.word,
    colour: (r) => (r.group === 'pending' || r.group === 'grace' ? 'accent' : r.group === 'waiting' ? 'warn' : r.word === 'failed' ? 'bad' : r.word === 'executed' ? 'good' : 'dim'),
  },
  { header: 'issue', width: multiRepo ? 12 : 6, value: (r) => issueLabel(r.proposal.repo, r.proposal.number, multiRepo) },
  { header: 'decision', width: 10, value: (r) => `${r.proposal.action === 'flag' ? '⚑' : '→'} ${r.proposal.agentId ?? ''}` },
  { header: 'why', value: (r) => r.line },
];

// Built once: a row's cells are memoised per row and columns (see Table).
const COLUMNS = {
  single: columns(false, false),
  multi: columns(true, false),
  singleIds: columns(false, true),
  multiIds: columns(true, true),
};

// Memoised: a key that moves another pane's selection leaves this one as it is.
export const ProposalsPane = memo(function ProposalsPane(props: Props) {
  const { rows } = props;
  const title = useMemo(() => {
    const count = (group: ProposalRow['group']) => rows.filter((r) => r.group === group).length;
    const grace = count('grace');
    return `Proposals ${count('pending')} pending · ${count('waiting')} waiting${grace > 0 ? ` · ${grace} in grace (u undoes)` : ''}`;
  }, [rows]);
  return <TablePane {...props} title={title} right={`sort ${props.sort}▼`} columns={props.width >= ID_COLUMN_FROM ? (props.multiRepo ? COLUMNS.multiIds : COLUMNS.singleIds) : props.multiRepo ? COLUMNS.multi : COLUMNS.single} empty="no proposals" />;
});
