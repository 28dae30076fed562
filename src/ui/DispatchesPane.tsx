import { memo, useMemo } from 'react';
import { isLive } from '../core/supervision-types.js';
import type { TableColumn } from './Table.js';
import { type PaneProps, TablePane } from './TablePane.js';
import { type DispatchRow, type DispatchSort, issueLabel, shortDuration } from './views.js';

interface Props extends PaneProps {
  readonly rows: readonly DispatchRow[];
  readonly now: number;
  readonly multiRepo: boolean;
  readonly sort: DispatchSort;
}

/** A finished dispatch's clock stops at its last event. */
const endOf = (r: DispatchRow, now: number): number =>
  !isLive(r.dispatch.phase) ? Date.parse(r.dispatch.history.at(-1)?.at ?? '') || now : now;

function columns(now: number, multiRepo: boolean): TableColumn<DispatchRow>[] {
  return [
    { header: 'issue', width: multiRepo ? 11 : 5, value: (r) => issueLabel(r.dispatch.repo, r.dispatch.number, multiRepo) },
    { header: 'agent', width: 7, value: (r) => r.dispatch.agent.id },
    {
      header: 'state',
      width: 10,
      value: (r) => r.word,
      colour: (r) => (r.dispatch.phase === 'escalated' ? 'bad' : r.trouble ? 'warn' : r.dispatch.phase === 'completed' || r.dispatch.phase === 'deployed' ? 'good' : undefined),
    },
    { header: 'time', width: 4, align: 'right', value: (r) => shortDuration(endOf(r, now) - Date.parse(r.dispatch.attemptStartedAt)) },
    { header: 'try', width: 3, align: 'right', value: (r) => `×${r.dispatch.attempt}` },
    { header: 'last event', value: (r) => r.lastEvent },
  ];
}

// Memoised: a key that moves another pane's selection leaves this one as it is.
export const DispatchesPane = memo(function DispatchesPane(props: Props) {
  const trouble = props.rows.filter((r) => r.trouble).length;
  const title = `In flight ${props.rows.length}${trouble > 0 ? ` · ${trouble} in trouble` : ''}`;
  // The time column reads `now`: new columns (and so new cells) each time it changes, not on every key press.
  const cols = useMemo(() => columns(props.now, props.multiRepo), [props.now, props.multiRepo]);
  return <TablePane {...props} title={title} right={`sort ${props.sort}▼`} columns={cols} empty="nothing in flight" />;
});
