import { memo, useMemo } from 'react';
import { endedAt } from '../core/dispatch-view.js';
import type { TableColumn } from './Table.js';
import { type PaneProps, TablePane } from './TablePane.js';
import { type DispatchRow, type DispatchSort, issueLabel, shortDuration } from './views.js';

interface Props extends PaneProps {
  readonly rows: readonly DispatchRow[];
  readonly now: number;
  readonly multiRepo: boolean;
  readonly sort: DispatchSort;
}

/** A finished dispatch's clock stops when it ended. */
const endOf = (r: DispatchRow, now: number): number => Date.parse(endedAt(r.dispatch) ?? '') || now;

function columns(now: number, multiRepo: boolean): TableColumn<DispatchRow>[] {
  return [
    { header: 'issue', width: multiRepo ? 11 : 5, value: (r) => issueLabel(r.dispatch.repo, r.dispatch.number, multiRepo) },
    { header: 'agent', width: 7, value: (r) => r.dispatch.agent.id },
    {
      header: 'state',
      width: 11,
      value: (r) => r.word,
      colour: (r) => (r.trouble ? (r.dispatch.phase === 'escalated' ? 'bad' : 'warn') : !r.live ? (r.dispatch.phase === 'completed' || r.dispatch.phase === 'deployed' ? 'good' : 'dim') : undefined),
    },
    { header: 'time', width: 4, align: 'right', value: (r) => shortDuration(endOf(r, now) - Date.parse(r.dispatch.attemptStartedAt)) },
    { header: 'try', width: 3, align: 'right', value: (r) => `×${r.dispatch.attempt}` },
    { header: 'last event', value: (r) => r.lastEvent },
  ];
}

/** "In flight 3 · 1 in trouble · 2 ended": the count is live work only. */
export function dispatchesTitle(rows: readonly DispatchRow[]): string {
  const live = rows.filter((r) => r.live).length;
  const trouble = rows.filter((r) => r.trouble).length;
  const ended = rows.length - live;
  return `In flight ${live}${trouble > 0 ? ` · ${trouble} in trouble` : ''}${ended > 0 ? ` · ${ended} ended` : ''}`;
}

// Memoised: a key that moves another pane's selection leaves this one as it is.
export const DispatchesPane = memo(function DispatchesPane(props: Props) {
  // The time column reads `now`: new columns (and so new cells) each time it changes, not on every key press.
  const cols = useMemo(() => columns(props.now, props.multiRepo), [props.now, props.multiRepo]);
  return <TablePane {...props} title={dispatchesTitle(props.rows)} right={`sort ${props.sort}▼`} columns={cols} empty="nothing in flight" />;
});
