import { memo, useMemo } from 'react';
import type { EngineSnapshot } from '../core/engine-state.js';
import { sanitize } from '../core/sanitize.js';
import type { TableColumn } from './Table.js';
import { type PaneProps, TablePane } from './TablePane.js';
import { type BacklogRow, issueLabel, type SortKey } from './views.js';

interface Props extends PaneProps {
  readonly snapshot: EngineSnapshot;
  readonly rows: readonly BacklogRow[];
  readonly sort: SortKey;
  readonly filter: string;
}

const flags = (r: BacklogRow): string =>
  [r.scored.blocked ? 'blk' : '', r.scored.issue.assignees.length > 0 ? 'asg' : '', r.locked ? 'lck' : ''].filter(Boolean).join(' ');

function makeColumns(multiRepo: boolean): TableColumn<BacklogRow>[] {
  return [
    {
      header: '#',
      width: multiRepo ? 14 : 6,
      // the column header already says '#'
      value: (r) => (multiRepo ? issueLabel(r.scored.issue.repo, r.scored.issue.number, true) : `${r.scored.issue.number}`),
    },
    { header: 'score', width: 5, align: 'right', value: (r) => `${r.scored.score}`, colour: (r) => (r.scored.ready ? 'good' : undefined) },
    { header: 'S A L', width: 5, value: (r) => `${r.scored.scope} ${r.scored.acceptance} ${r.scored.alignment}` },
    { header: 'type', width: 9, value: (r) => r.scored.type },
    { header: 'age', width: 4, align: 'right', value: (r) => `${r.scored.ageDays}d` },
    { header: 'tier', width: 4, value: (r) => r.scored.tier, colour: (r) => (r.scored.tier === 'P0' ? 'bad' : undefined) },
    { header: 'flags', width: 11, value: flags, colour: (r) => (r.scored.blocked || r.locked ? 'warn' : undefined) },
    { header: 'title', value: (r) => r.scored.displayTitle || r.scored.issue.title },
  ];
}

// Built once: a row's cells are memoised per row and columns (see Table).
const COLUMNS = { single: makeColumns(false), multi: makeColumns(true) };

interface Counts {
  readonly open: number;
  readonly ready: number;
  readonly p0: number;
  readonly multiRepo: boolean;
}

function countBacklog(backlog: EngineSnapshot['backlog']): Counts {
  let ready = 0;
  let p0 = 0;
  const repos = new Set<string>();
  for (const s of backlog.values()) {
    if (s.ready) ready++;
    if (s.tier === 'P0') p0++;
    repos.add(s.issue.repo);
  }
  return { open: backlog.size, ready, p0, multiRepo: repos.size > 1 };
}

/** Why the backlog is empty when a fetch failed: the sentence, not "no open issues". */
function fetchFailure(s: EngineSnapshot): string | null {
  const failed = [...s.fetchErrors.values()][0]?.message ?? (s.backlog.size === 0 ? s.lastCycle?.errors[0] : undefined);
  return failed === undefined ? null : `the backlog could not be fetched: ${sanitize(failed)} — R retries now`;
}

// Memoised: a key that moves another pane's selection leaves this one as it is.
export const BacklogPane = memo(function BacklogPane(props: Props) {
  // Counted once per backlog, not on every key press.
  const { open, ready, p0, multiRepo } = useMemo(() => countBacklog(props.snapshot.backlog), [props.snapshot.backlog]);
  const shown = props.rows.length === open ? '' : ` · ${props.rows.length} shown`;
  const stale = props.snapshot.fetchErrors.size > 0 && open > 0 ? ` · fetch failed for ${props.snapshot.fetchErrors.size} repo${props.snapshot.fetchErrors.size === 1 ? '' : 's'}, last known shown` : '';
  const right = `sort ${props.sort}▼${props.filter ? `  filter /${props.filter}` : ''}`;
  return (
    <TablePane
      {...props}
      title={`Backlog ${open} open · ${ready} ready · ${p0} P0${shown}${stale}`}
      right={right}
      columns={multiRepo ? COLUMNS.multi : COLUMNS.single}
      empty={props.filter ? 'no issue matches the filter' : (fetchFailure(props.snapshot) ?? (props.snapshot.lastCycle === null ? 'fetching the backlog…' : 'no open issues'))}
    />
  );
});
