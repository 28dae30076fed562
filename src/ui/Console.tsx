import { Box, Text, useApp, useInput } from 'ink';
import { useMemo, useReducer, useRef, useSyncExternalStore } from 'react';
import type { Engine } from '../core/engine.js';
import { SwitchboardError } from '../core/errors.js';
import type { TrackedProposal } from '../core/proposal-queue.js';
import type { Agent } from '../core/routing.js';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import { BacklogPane } from './BacklogPane.js';
import { parseCommandLine } from './command-line.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { detailLines } from './detail-lines.js';
import { DispatchesPane } from './DispatchesPane.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { type Command, helpLines, KEYMAP, keyName, type Pane, TEXT_MODES } from './keymap.js';
import { layout, tooSmall } from './layout.js';
import { LinesView, linesBudget } from './LinesView.js';
import { Picker } from './Picker.js';
import { ProposalsPane } from './ProposalsPane.js';
import { paneBodyHeight } from './TablePane.js';
import { type Flash, initialUiState, selectedIndex, type Target, uiReducer } from './ui-state.js';
import { useClock } from './use-clock.js';
import { useTerminalSize } from './use-terminal-size.js';
import { dispatchRows, liveProposals, pickerAgents, proposalRows, sortedBacklog, withLocks } from './views.js';
import type { MoveTo } from './window.js';

export interface ConsoleProps {
  readonly engine: Engine;
  /** "gitea", "forgejo", "sandbox" */
  readonly trackerName: string;
  readonly repos: readonly string[];
  /** the agent registry, for the re-route picker */
  readonly agents?: readonly Agent[];
  /** shown under the header; the console then refuses every command that would write */
  readonly readOnlyBanner?: string;
  /** the console clock (ms); the engine's clock in tests */
  readonly now?: () => number;
  /** called when the operator quits (q, :quit, Ctrl-C); stopping the engine is the caller's business */
  readonly onQuit?: () => void;
}

const MOVES: Partial<Record<Command, MoveTo>> = {
  down: 'down',
  up: 'up',
  top: 'top',
  bottom: 'bottom',
  'page-down': 'page-down',
  'page-up': 'page-up',
};

const errorText = (err: unknown): string => {
  if (err instanceof SwitchboardError) return err.hint ? `${err.message} (${err.hint})` : err.message;
  return err instanceof Error ? err.message : String(err);
};

const systemNow = () => Date.now();

/** The operator console: reads the engine snapshot, routes every key through one handler by mode. */
export function Console({ engine, trackerName, repos, agents = [], readOnlyBanner, now = systemNow, onQuit }: ConsoleProps) {
  const { exit } = useApp();
  const snapshot = useSyncExternalStore(engine.subscribe, engine.getSnapshot);
  const [ui, dispatch] = useReducer(uiReducer, initialUiState);
  const size = useTerminalSize();
  const time = useClock(now);
  const box = layout(size, readOnlyBanner !== undefined);
  const multiRepo = repos.length > 1;

  // Each list is rebuilt only when what it is made of changes: a new snapshot often changes a flag
  // or a counter and keeps the backlog, proposals and dispatches it had.
  const sorted = useMemo(() => sortedBacklog(snapshot.backlog, ui.filter, ui.sort), [snapshot.backlog, ui.filter, ui.sort]);
  const backlog = useMemo(() => withLocks(sorted, snapshot), [sorted, snapshot.proposals]);
  const proposals = useMemo(() => proposalRows(snapshot, ui.filter), [snapshot.proposals, snapshot.backlog, ui.filter]);
  const dispatches = useMemo(() => dispatchRows(snapshot, ui.filter), [snapshot.dispatches, snapshot.backlog, ui.filter]);
  const rows = useMemo(() => ({ backlog, proposals, dispatches }), [backlog, proposals, dispatches]);
  const ids: Record<Pane, string[]> = useMemo(
    () => ({
      backlog: rows.backlog.map((r) => r.id),
      proposals: rows.proposals.map((r) => r.id),
      dispatches: rows.dispatches.map((r) => r.id),
    }),
    [rows],
  );
  const paneHeight: Record<Pane, number> = { backlog: box.backlog, proposals: box.bottom, dispatches: box.bottom };
  const detail = ui.mode.kind === 'detail' ? detailLines(snapshot, ui.mode.target, box.width) : [];
  const help = ui.mode.kind === 'help' ? helpLines().map((l) => ({ text: l.text, tone: l.heading ? ('heading' as const) : undefined })) : [];

  // Keys can arrive faster than renders: the handler reads the latest state through refs.
  const latest = useRef({ ui, snapshot, ids, detail, help });
  latest.current = { ui, snapshot, ids, detail, help };

  const flash = (text: string, level: Flash['level'] = 'info') => dispatch({ type: 'flash', flash: { text, level, at: now() } });

  /** Call an engine command; a refusal or failure is a flash message, never a crash. */
  const call = (what: () => Promise<void> | void, done: string, writes = true) => {
    if (writes && readOnlyBanner !== undefined) {
      flash(`read-only: ${readOnlyBanner}`, 'warning');
      return;
    }
    try {
      const result = what();
      flash(done);
      if (result) result.catch((err: unknown) => flash(errorText(err), 'error'));
    } catch (err) {
      flash(errorText(err), 'error');
    }
  };

  const currentTarget = (): Target | null => {
    const { ui: u, ids: all } = latest.current;
    if (u.mode.kind === 'detail') return u.mode.target;
    const list = all[u.pane];
    const id = list[selectedIndex(list, u.selected[u.pane])];
    return id === undefined ? null : { pane: u.pane, id };
  };

  const targetProposal = (): TrackedProposal | undefined => {
    const t = currentTarget();
    const s = latest.current.snapshot;
    if (!t) return undefined;
    if (t.pane === 'proposals') return s.proposals.get(t.id);
    if (t.pane === 'backlog') return liveProposals(s).get(t.id);
    return undefined;
  };

  const withProposal = (act: (p: TrackedProposal) => void) => {
    const p = targetProposal();
    if (!p) flash('no proposal to act on here', 'warning');
    else act(p);
  };

  const openPicker = (p: TrackedProposal) => {
    if (p.action === 'skip') {
      flash(`${p.issueKey} is a skip: there is no agent to re-route`, 'warning');
      return;
    }
    const taskType = engine.taskTypes().get(p.issueKey) ?? latest.current.snapshot.backlog.get(p.issueKey)?.taskType ?? 'routine_coding';
    const choices = pickerAgents(p, taskType, agents);
    if (choices.length === 0) flash('no agents are registered', 'warning');
    else dispatch({ type: 'picker', proposalId: p.id, issueKey: p.issueKey, agents: choices });
  };

  const quit = (force: boolean) => {
    const writing = [...latest.current.snapshot.proposals.values()].filter((p) => p.status === 'executing').length;
    if (writing > 0 && !force) {
      dispatch({ type: 'confirm', confirm: { kind: 'quit', writing } });
      return;
    }
    onQuit?.();
    exit();
  };

  const runLine = (line: string) => {
    const c = parseCommandLine(line);
    switch (c.kind) {
      case 'arm':
        dispatch({ type: 'confirm', confirm: { kind: 'arm', repos } });
        return;
      case 'disarm':
        call(() => engine.disarm(), 'disarmed: nothing more is written', false);
        return;
      case 'dry-run':
        call(() => engine.setDryRun(c.on), `dry-run ${c.on ? 'on' : 'off'}`, false);
        return;
      case 'run':
        call(() => void engine.runCycle(), 'cycle started', false);
        return;
      case 'pause':
        call(() => engine.pause(), 'paused', false);
        return;
      case 'resume':
        call(() => engine.resume(), 'resumed', false);
        return;
      case 'agent':
        withProposal((p) => call(() => engine.reroute(p.id, c.agentId), `${p.issueKey} re-routed to ${c.agentId}`));
        return;
      case 'tasktype':
        withProposal((p) => call(() => engine.setTaskType(p.issueKey, c.taskType), `${p.issueKey}: ${c.taskType === null ? 'task type inferred again' : `task type ${c.taskType}`}`));
        return;
      case 'quit':
        quit(false);
        return;
      case 'invalid':
        flash(c.message, 'error');
        return;
      default: {
        const never: never = c;
        return never;
      }
    }
  };

  const confirmed = () => {
    const mode = latest.current.ui.mode;
    if (mode.kind !== 'confirm') return;
    const c = mode.confirm;
    dispatch({ type: 'back' });
    switch (c.kind) {
      case 'approve-all':
        call(async () => {
          for (const id of c.ids) await engine.approve(id);
        }, `approved ${c.ids.length} proposal${c.ids.length === 1 ? '' : 's'}`);
        return;
      case 'arm':
        call(() => engine.arm(), `armed: writing to ${repos.length} repo${repos.length === 1 ? '' : 's'}`);
        return;
      case 'quit':
        quit(true);
        return;
      default: {
        const never: never = c;
        return never;
      }
    }
  };

  const run = (command: Command) => {
    const { ui: u, ids: all, detail: d, help: h } = latest.current;
    const move = MOVES[command];
    if (move) {
      if (u.mode.kind === 'normal') dispatch({ type: 'move', to: move, ids: all[u.pane], height: paneBodyHeight(paneHeight[u.pane]) });
      else if (u.mode.kind === 'picker') dispatch({ type: 'scroll', to: move, lines: u.mode.agents.length, height: Math.max(1, box.body - 2) });
      else dispatch({ type: 'scroll', to: move, lines: (u.mode.kind === 'help' ? h : d).length, height: linesBudget(box.body) });
      return;
    }
    switch (command) {
      case 'next-pane':
      case 'prev-pane':
        dispatch({ type: 'focus', delta: command === 'next-pane' ? 1 : -1 });
        return;
      case 'open-detail': {
        const t = currentTarget();
        if (t) dispatch({ type: 'detail', target: t });
        return;
      }
      case 'back':
        dispatch({ type: 'back' });
        return;
      case 'approve':
        withProposal((p) => call(() => engine.approve(p.id), `approved ${p.issueKey}`));
        return;
      case 'reject':
        withProposal((p) => call(() => engine.reject(p.id), `rejected ${p.issueKey}`));
        return;
      case 'reroute':
        withProposal(openPicker);
        return;
      case 'approve-all': {
        const pending = rowsNow().filter((r) => r.group === 'pending').map((r) => r.id);
        if (pending.length === 0) flash('no pending proposals are visible', 'warning');
        else dispatch({ type: 'confirm', confirm: { kind: 'approve-all', ids: pending } });
        return;
      }
      case 'run-cycle':
        call(() => void engine.runCycle(), 'cycle started', false);
        return;
      case 'toggle-pause':
        if (latest.current.snapshot.paused) call(() => engine.resume(), 'resumed', false);
        else call(() => engine.pause(), 'paused', false);
        return;
      case 'filter':
        dispatch({ type: 'filter' });
        return;
      case 'sort':
        dispatch({ type: 'sort' });
        return;
      case 'command-line':
        dispatch({ type: 'command' });
        return;
      case 'help':
        dispatch({ type: 'help' });
        return;
      case 'quit':
        quit(false);
        return;
      case 'force-quit':
        quit(true);
        return;
      case 'yes':
        confirmed();
        return;
      case 'no':
        dispatch({ type: 'back' });
        return;
      case 'pick': {
        const mode = u.mode;
        if (mode.kind !== 'picker') return;
        const agent = mode.agents[mode.index];
        dispatch({ type: 'back' });
        if (agent) call(() => engine.reroute(mode.proposalId, agent.id), `${mode.issueKey} re-routed to ${agent.id}`);
        return;
      }
      case 'submit':
        // Leave the line first: the command may open a confirmation of its own.
        dispatch({ type: 'submit' });
        if (u.mode.kind === 'command') runLine(u.mode.draft);
        return;
      case 'erase':
        dispatch({ type: 'erase' });
        return;
      default:
        return;
    }
  };

  // The proposal rows as they are now (approve-all takes exactly what the operator sees).
  const rowsNow = () => proposalRows(latest.current.snapshot, latest.current.ui.filter);

  useInput((input, key) => {
    const mode = latest.current.ui.mode.kind;
    const name = keyName(input, key);
    const binding = KEYMAP[mode][name];
    if (binding) run(binding.command);
    else if (TEXT_MODES.has(mode) && input !== '' && !key.ctrl && !key.meta) dispatch({ type: 'type', text: input });
  });

  if (!box.fits) return <Text>{tooSmall(size)}</Text>;

  const paneProps = (pane: Pane, width: number) => ({
    focused: ui.pane === pane,
    width,
    height: paneHeight[pane],
    selectedId: ui.selected[pane],
    offset: ui.offsets[pane],
  });
  const mode = ui.mode;
  let body;
  switch (mode.kind) {
    case 'detail':
      body = <LinesView lines={detail} scroll={mode.scroll} width={box.width} height={box.body} />;
      break;
    case 'help':
      body = <LinesView lines={help} scroll={mode.scroll} width={box.width} height={box.body} />;
      break;
    case 'picker':
      body = <Picker issueKey={mode.issueKey} agents={mode.agents} index={mode.index} width={box.width} height={box.body} />;
      break;
    case 'confirm':
      body = <ConfirmDialog confirm={mode.confirm} width={box.width} height={box.body} />;
      break;
    default:
      body = (
        <Box flexDirection="column" height={box.body}>
          <BacklogPane snapshot={snapshot} rows={rows.backlog} sort={ui.sort} filter={ui.filter} {...paneProps('backlog', box.width)} />
          <Box height={box.bottom}>
            <ProposalsPane rows={rows.proposals} multiRepo={multiRepo} {...paneProps('proposals', box.leftWidth)} />
            <Text>{Array.from({ length: box.bottom }, () => '│').join('\n')}</Text>
            <DispatchesPane rows={rows.dispatches} now={time} multiRepo={multiRepo} {...paneProps('dispatches', box.rightWidth)} />
          </Box>
        </Box>
      );
  }
  const prompt = mode.kind === 'filter' ? `/${mode.draft}` : mode.kind === 'command' ? `:${mode.draft}` : null;
  return (
    <Box flexDirection="column" width={box.width}>
      <Header snapshot={snapshot} trackerName={trackerName} repos={repos} now={time} width={box.width} />
      {readOnlyBanner !== undefined ? <Text wrap="truncate">{fit(` read-only: ${sanitize(readOnlyBanner)}`, box.width)}</Text> : null}
      {body}
      <Footer mode={mode.kind} pane={ui.pane} prompt={prompt} flash={ui.flash} now={time} width={box.width} />
    </Box>
  );
}
