import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useMemo, useReducer, useRef, useState, useSyncExternalStore } from 'react';
import type { OpenUrl } from '../core/ports.js';
import type { Engine } from '../core/engine.js';
import type { EngineError, EngineSnapshot } from '../core/engine-state.js';
import { SwitchboardError } from '../core/errors.js';
import type { TrackedProposal } from '../core/proposal-queue.js';
import type { Agent } from '../core/routing.js';
import { sanitize } from '../core/sanitize.js';
import { fit } from '../text/width.js';
import { BacklogPane } from './BacklogPane.js';
import { completeCommand, parseCommandLine } from './command-line.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { detailLines, type Line, type PromptLessons } from './detail-lines.js';
import { dispatchHands } from './dispatch-hands.js';
import { DispatchesPane } from './DispatchesPane.js';
import { FLASH_SHOWN_MS, Footer } from './Footer.js';
import { Header } from './Header.js';
import { helpView } from './help.js';
import { type Command, KEYMAP, keyPresses, type Pane, TEXT_MODES } from './keymap.js';
import { layout, tooSmall } from './layout.js';
import { linkFor, safeLink, webBase, webOrigins } from './links.js';
import { type MouseReport, paneAt, parseMouse } from './mouse.js';
import { LinesView, linesBudget } from './LinesView.js';
import { LessonsView } from './LessonsView.js';
import { isLessonsMode, type LessonsAction, type LessonsBook, lessonsPrompt, promptLessonLines } from './lessons-view.js';
import { lessonsCommand, useLessons } from './use-lessons.js';
import { Picker } from './Picker.js';
import { ProposalsPane } from './ProposalsPane.js';
import { paneBodyHeight } from './TablePane.js';
import { type Flash, initialUiState, selectedIndex, type Target, type UiAction, type UiState, uiReducer } from './ui-state.js';
import { useClock } from './use-clock.js';
import { useRecentErrors } from './use-recent-errors.js';
import { wrap } from './wrap.js';
import { useTerminalSize } from './use-terminal-size.js';
import { dispatchRows, filterNeedsWork, liveProposals, parseFilter, pickerAgents, proposalRows, sortDispatchRows, sortedBacklog, sortProposalRows, withLocks } from './views.js';
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
  /** the state dir's lessons (L, :lessons; the detail view's "Lessons in the prompt"); absent: none */
  readonly lessons?: LessonsBook;
  /** the tracker's address: `o` opens only pages on its origin */
  readonly trackerUrl?: string;
  /** opens a checked URL in the browser; absent, `o` shows the URL instead */
  readonly openUrl?: OpenUrl;
  /** approvals made here execute after this long, `u` taking them back meanwhile (config console.approvalGraceSeconds); 0: at once */
  readonly approvalGraceMs?: number;
  /** config console.finishedRowMinutes: finished dispatches leave the In flight pane after this long */
  readonly finishedRowMinutes?: number;
  /** config implementerPreamble, for the prompt a dispatch's detail view shows */
  readonly preamble?: string;
}

const MINUTE = 60_000;

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


/** What still works while the terminal is too small to show what a key would act on. */
const WHEN_TOO_SMALL: ReadonlySet<Command> = new Set(['quit', 'force-quit', 'help', 'back']);

/** The errors view: every recent error in full, newest first, wrapped to the width. */
function errorsView(list: readonly EngineError[], width: number): Line[] {
  if (list.length === 0) return [{ text: 'No errors since the console started.', tone: 'dim' }];
  const out: Line[] = [{ text: `Recent errors and warnings (${list.length}), newest first`, tone: 'heading' }];
  for (const e of [...list].reverse()) {
    const tone = e.level === 'error' ? ('bad' as const) : ('warn' as const);
    for (const text of wrap(`${e.at.slice(11, 19)}  ${e.level === 'error' ? '✖' : '⚠'} ${sanitize(e.message)}`, width)) out.push({ text, tone });
  }
  return out;
}

/**
 * Since when fetching from the tracker has been failing (ms), or null while it works: the first
 * failure of the run of failures, kept until a fetch succeeds again.
 */
function useOutageSince(s: EngineSnapshot): number | null {
  const since = useRef<number | null>(null);
  // a refusal or a moved repo is an error with its own sentence, not an outage
  const outages = [...s.fetchErrors.values()].filter((e) => e.outage === true);
  const failing = outages.length > 0 || (s.fetchErrors.size === 0 && s.lastCycle !== null && s.lastCycle.errors.length > 0 && s.backlog.size === 0);
  if (!failing) since.current = null;
  else if (since.current === null) {
    const times = outages.map((e) => Date.parse(e.at));
    if (times.length === 0 && s.lastCycle) times.push(Date.parse(s.lastCycle.startedAt));
    since.current = Math.min(...times);
  }
  return since.current;
}

/** What arming executes at once: approvals held by nothing but the kill switch (and not in their grace). */
function executesWhenArmed(s: EngineSnapshot): string[] {
  return [...s.proposals.values()]
    .filter((p) => p.status === 'approved' && p.blockedBy.every((g) => g.kind === 'disarmed') && !s.graceUntil.has(p.id))
    .map((p) => `${p.issueKey} ${p.action === 'flag' ? '⚑' : '→'} ${p.agentId ?? ''}  approved by ${p.approvedBy ?? 'operator'}${p.started ? ' · writes begun, resumes' : ''}`);
}

type Order = Pick<UiState, 'filter' | 'sort' | 'proposalSort' | 'dispatchSort'>;
const sameOrder = (a: Order, b: Order): boolean => a.filter === b.filter && a.sort === b.sort && a.proposalSort === b.proposalSort && a.dispatchSort === b.dispatchSort;

/** The rows' ids of each pane for a snapshot, filter and sorts (`aging`: the minute and finishedRowMinutes the In flight pane ages rows by). */
function paneIds(snapshot: EngineSnapshot, o: Order, aging: { minute: number; minutes: number }): Record<Pane, string[]> {
  return {
    backlog: sortedBacklog(snapshot.backlog, o.filter, o.sort, snapshot).map(([key]) => key),
    proposals: sortProposalRows(proposalRows(snapshot, o.filter), o.proposalSort, snapshot.backlog).map((r) => r.id),
    dispatches: sortDispatchRows(dispatchRows(snapshot, o.filter, aging.minute * MINUTE, aging.minutes), o.dispatchSort).map((r) => r.id),
  };
}

/** The operator console: reads the engine snapshot, routes every key through one handler by mode. */
export function Console({ engine, trackerName, repos, agents = [], readOnlyBanner, now = systemNow, onQuit, lessons: lessonsBook, approvalGraceMs = 0, trackerUrl, openUrl, finishedRowMinutes = 30, preamble = '' }: ConsoleProps) {
  const { exit } = useApp();
  const snapshot = useSyncExternalStore(engine.subscribe, engine.getSnapshot);
  const [ui, dispatch] = useReducer(uiReducer, initialUiState);
  const size = useTerminalSize();
  const time = useClock(now);
  const [seenErrors, setSeenErrors] = useState(0);
  const errors = useRecentErrors(engine, seenErrors);
  const outageSince = useOutageSince(snapshot);
  const box = layout(size, readOnlyBanner !== undefined);
  const multiRepo = repos.length > 1;

  // Each list is rebuilt only when what it is made of changes: a new snapshot often changes a flag
  // or a counter and keeps the backlog, proposals and dispatches it had.
  // status:/agent:/state: terms make the backlog depend on proposals and dispatches too
  const needsWork = useMemo(() => filterNeedsWork(parseFilter(ui.filter)), [ui.filter]);
  const sorted = useMemo(
    () => sortedBacklog(snapshot.backlog, ui.filter, ui.sort, snapshot),
    [snapshot.backlog, ui.filter, ui.sort, needsWork ? snapshot.proposals : null, needsWork ? snapshot.dispatches : null],
  );
  const backlog = useMemo(() => withLocks(sorted, snapshot), [sorted, snapshot.proposals]);
  // a countdown on the rows in their grace: rebuilt every second only while there are some
  const graceTime = snapshot.graceUntil.size > 0 ? time : 0;
  const proposals = useMemo(
    () => sortProposalRows(proposalRows(snapshot, ui.filter, graceTime), ui.proposalSort, snapshot.backlog),
    [snapshot.proposals, snapshot.backlog, snapshot.graceUntil, ui.filter, ui.proposalSort, graceTime],
  );
  // finished rows age out by the minute, not on every clock tick
  const minute = Math.floor(time / MINUTE);
  const aging = useMemo(() => ({ minute, minutes: finishedRowMinutes }), [minute, finishedRowMinutes]);
  const dispatches = useMemo(
    () => sortDispatchRows(dispatchRows(snapshot, ui.filter, aging.minute * MINUTE, aging.minutes), ui.dispatchSort),
    [snapshot.dispatches, snapshot.backlog, ui.filter, ui.dispatchSort, aging],
  );
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
  const lessons = useLessons(lessonsBook, isLessonsMode(ui.mode) || ui.mode.kind === 'detail');
  // the selection the engine makes for an http/command prompt, over the lessons file as last read
  const promptLessons: PromptLessons | undefined = lessonsBook
    ? (key, scored, agentId) => promptLessonLines(lessons.list, scored?.issue, engine.taskTypes().get(key) ?? scored?.taskType, agents.find((a) => a.id === agentId))
    : undefined;
  const detailContext = { agents, preamble, ...(promptLessons ? { promptLessons } : {}) };
  const detail = ui.mode.kind === 'detail' ? detailLines(snapshot, ui.mode.target, box.width, time, detailContext) : [];
  const help = useMemo(() => helpView(box.width), [box.width]);
  const errorLines = ui.mode.kind === 'errors' ? errorsView(errors.list, box.width) : [];

  // Keys can arrive faster than renders, several in one event: the handler works on the state as
  // each key leaves it (`send` applies the reducer at once as well as queueing it for React) and on
  // the engine's current snapshot, never on what the last render saw.
  const latest = useRef({ ui, snapshot, ids, box, errors, aging });
  latest.current = { ui, snapshot, ids, box, errors, aging };
  const uiNow = useRef<UiState>(ui);
  uiNow.current = ui;
  const send = (action: UiAction) => {
    uiNow.current = uiReducer(uiNow.current, action);
    dispatch(action);
  };
  /** Each pane's row ids as they are now (recomputed only when a key in this event changed filter or sort, or the engine moved on). */
  const idsNow = (): Record<Pane, string[]> => {
    const u = uiNow.current;
    const s = engine.getSnapshot();
    const r = latest.current;
    if (sameOrder(u, r.ui) && s === r.snapshot) return r.ids;
    return paneIds(s, u, r.aging);
  };

  const flash = (text: string, level: Flash['level'] = 'info') => send({ type: 'flash', flash: { text, level, at: now() } });

  /** Call an engine command; a refusal or failure is a flash message, never a crash. True when it was made. */
  const call = (what: () => Promise<void> | void, done: string, writes = true): boolean => {
    if (writes && readOnlyBanner !== undefined) {
      flash(`read-only: ${readOnlyBanner}`, 'warning');
      return false;
    }
    try {
      const result = what();
      flash(done);
      if (result) result.catch((err: unknown) => flash(errorText(err), 'error'));
      return true;
    } catch (err) {
      flash(errorText(err), 'error');
      return false;
    }
  };

  const currentTarget = (): Target | null => {
    const u = uiNow.current;
    if (u.mode.kind === 'detail') return u.mode.target;
    const list = idsNow()[u.pane];
    const id = list[selectedIndex(list, u.selected[u.pane])];
    return id === undefined ? null : { pane: u.pane, id };
  };

  const hands = dispatchHands({
    engine,
    agents,
    target: () => ({ target: currentTarget(), detail: uiNow.current.mode.kind === 'detail' }),
    send,
    flash,
    call: (what, done) => call(what, done),
  });

  const targetProposal = (): TrackedProposal | undefined => {
    const t = currentTarget();
    const s = engine.getSnapshot();
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

  /**
   * Decide on the selected row and go to the next one that still asks for a decision (as Linear's
   * triage does), instead of following the decided row to the bottom of the list.
   */
  const decide = (act: () => boolean) => {
    const u = uiNow.current;
    const pane = u.pane;
    const before = idsNow()[pane];
    const from = selectedIndex(before, u.selected[pane]);
    if (!act() || u.mode.kind === 'detail' || pane === 'dispatches') return;
    const s = engine.getSnapshot();
    const live = liveProposals(s);
    const actionable = (id: string): boolean =>
      (pane === 'proposals' ? s.proposals.get(id) : live.get(id))?.status === 'proposed';
    const next = [...before.slice(from + 1), ...before.slice(0, from).reverse()].find(actionable);
    if (next === undefined) return;
    const after = paneIds(s, uiNow.current, latest.current.aging)[pane];
    send({ type: 'select', pane, id: next, ids: after, height: paneBodyHeight(paneHeight[pane]) });
  };

  const graceWords = approvalGraceMs > 0 ? ` — executes in ${Math.round(approvalGraceMs / 1000)}s, u takes it back` : '';

  const approve = (p: TrackedProposal) => {
    if (p.status === 'rejected') {
      send({ type: 'confirm', confirm: { kind: 'approve-rejected', id: p.id, issueKey: p.issueKey, note: p.note ?? null } });
      return;
    }
    const words = approvalGraceMs > 0 && !engine.getSnapshot().armed ? ` — u takes it back within ${Math.round(approvalGraceMs / 1000)}s; it then waits for arming` : graceWords;
    decide(() => call(() => engine.approve(p.id, 'operator', approvalGraceMs), `approved ${p.issueKey}${words}`));
  };

  /**
   * `u`: take back an approval still in its grace — the selected row's, else the latest made
   * (after approving, the cursor has already moved on to the next row).
   */
  const undo = () => {
    const s = engine.getSnapshot();
    const selected = targetProposal();
    const graced = [...s.graceUntil.keys()];
    const id = selected && s.graceUntil.has(selected.id) ? selected.id : graced.at(-1);
    const p = id === undefined ? undefined : s.proposals.get(id);
    if (!p) {
      flash(approvalGraceMs > 0 ? 'nothing to undo: no approval is in its grace period' : 'nothing to undo: approvals execute at once (console.approvalGraceSeconds is 0)', 'warning');
      return;
    }
    call(() => engine.withdraw(p.id, 'operator'), `took back the approval of ${p.issueKey}: pending again`);
  };

  const origins = useMemo(() => webOrigins(trackerUrl), [trackerUrl]);

  /** `o`: the selected issue (or its pull request) in the browser; where there is none, its URL in the footer. */
  const openLink = () => {
    const t = currentTarget();
    const link = t === null ? null : linkFor(engine.getSnapshot(), t, webBase(trackerUrl));
    if (link === null) {
      flash('nothing to open here: no issue address is known for this row', 'warning');
      return;
    }
    const url = safeLink(link.url, origins);
    if (url === null) {
      // an address from the tracker is untrusted text: only pages of the tracker itself are opened
      flash(`not opening ${link.what}: its address is not a page of the tracker${origins[0] ? ` (${origins[0]})` : ''}`, 'warning');
      return;
    }
    if (!openUrl) {
      flash(`${link.what}: ${url}`);
      return;
    }
    flash(`opening ${link.what}…`);
    void openUrl(url).then(
      (r) => flash(r.opened ? `opened ${link.what} in the browser` : `${r.why}: ${url}`, r.opened ? 'info' : 'warning'),
      () => flash(`could not open the browser: ${url}`, 'warning'),
    );
  };

  /** No to the carried-over approvals: those not begun are pending again (journaled as withdrawn). */
  const takeBack = (ids: readonly string[]) => {
    const s = engine.getSnapshot();
    const open = ids.filter((id) => s.proposals.get(id)?.status === 'approved' && s.proposals.get(id)?.started === false);
    const begun = ids.length - open.length;
    call(async () => {
      for (const id of open) await engine.withdraw(id, 'operator');
    }, `took back ${open.length} carried-over approval${open.length === 1 ? '' : 's'}: pending again${begun > 0 ? ` (${begun} had begun writing and resume)` : ''}`);
  };

  // Approvals an earlier run left are named once, at start, as soon as nothing else is on screen.
  const announced = useRef(false);
  useEffect(() => {
    if (announced.current || snapshot.carriedOver.length === 0 || ui.mode.kind !== 'normal') return;
    announced.current = true;
    const lines = snapshot.carriedOver.flatMap((id) => {
      const p = snapshot.proposals.get(id);
      return p ? [`${p.issueKey} ${p.action === 'flag' ? '⚑' : '→'} ${p.agentId ?? ''}  approved by ${p.approvedBy ?? 'operator'}${p.started ? ' · writes begun, resumes' : ''}`] : [];
    });
    send({ type: 'confirm', confirm: { kind: 'carried-over', ids: snapshot.carriedOver, lines } });
  }, [snapshot.carriedOver, ui.mode.kind]);

  const openPicker = (p: TrackedProposal) => {
    if (p.action === 'skip') {
      flash(`${p.issueKey} is a skip: there is no agent to re-route`, 'warning');
      return;
    }
    const taskType = engine.taskTypes().get(p.issueKey) ?? engine.getSnapshot().backlog.get(p.issueKey)?.taskType ?? 'routine_coding';
    const choices = pickerAgents(p, taskType, agents);
    if (choices.length === 0) flash('no agents are registered', 'warning');
    else send({ type: 'picker', proposalId: p.id, issueKey: p.issueKey, agents: choices });
  };

  const quit = (force: boolean) => {
    const writing = [...engine.getSnapshot().proposals.values()].filter((p) => p.status === 'executing').length;
    if (writing > 0 && !force) {
      send({ type: 'confirm', confirm: { kind: 'quit', writing } });
      return;
    }
    onQuit?.();
    exit();
  };

  const runLine = (line: string) => {
    const c = parseCommandLine(line);
    switch (c.kind) {
      case 'arm':
        // refuse before asking: a question whose yes cannot work only wastes the operator's time
        if (repos.length === 0) flash('cannot arm: no repositories are enrolled (switchboard config set repos owner/name, or --repo)', 'error');
        else send({ type: 'confirm', confirm: { kind: 'arm', repos, executes: executesWhenArmed(engine.getSnapshot()) } });
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
      case 'operate':
        hands.line(c);
        return;
      case 'quit':
        quit(false);
        return;
      case 'lessons':
        run('lessons');
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
    const mode = uiNow.current.mode;
    if (mode.kind !== 'confirm') return;
    const c = mode.confirm;
    send({ type: 'back' });
    switch (c.kind) {
      case 'approve-all':
        call(async () => {
          for (const id of c.ids) await engine.approve(id, 'operator', approvalGraceMs);
        }, `approved ${c.ids.length} proposal${c.ids.length === 1 ? '' : 's'}${graceWords.replace('it back', 'them back')}`);
        return;
      case 'arm':
        call(() => engine.arm(), `armed: writing to ${repos.length} repo${repos.length === 1 ? '' : 's'}`);
        return;
      case 'quit':
        quit(true);
        return;
      case 'approve-rejected':
        call(() => engine.approve(c.id, 'operator', approvalGraceMs), `approved ${c.issueKey}${graceWords}`);
        return;
      case 'carried-over':
        flash(`kept ${c.ids.length} carried-over approval${c.ids.length === 1 ? '' : 's'}: ${engine.getSnapshot().armed ? 'they execute as their gates clear' : 'they execute once armed'}`);
        return;
      case 'cancel-dispatch':
        hands.cancel(c.id, c.issueKey);
        return;
      default: {
        const never: never = c;
        return never;
      }
    }
  };

  const run = (command: Command) => {
    const u = uiNow.current;
    const move = MOVES[command];
    const lessonsHost = { book: lessonsBook, lessons, repos, mode: () => uiNow.current.mode, send: (action: LessonsAction) => send({ type: 'lessons', action }), flash, now, height: box.body - 1 };
    if (lessonsCommand(lessonsHost, command, move)) return;
    if (move) {
      if (u.mode.kind === 'normal') send({ type: 'move', to: move, ids: idsNow()[u.pane], height: paneBodyHeight(paneHeight[u.pane]) });
      else if (u.mode.kind === 'picker') send({ type: 'scroll', to: move, lines: u.mode.agents.length, height: Math.max(1, box.body - 2) });
      else {
        const lines =
          u.mode.kind === 'help'
            ? help.length
            : u.mode.kind === 'detail'
              ? detailLines(engine.getSnapshot(), u.mode.target, box.width, undefined, detailContext).length
              : u.mode.kind === 'errors'
                ? errorsView(latest.current.errors.list, box.width).length
                : 0;
        send({ type: 'scroll', to: move, lines, height: linesBudget(box.body) });
      }
      return;
    }
    if (hands.handles(command)) {
      hands.key(command);
      return;
    }
    switch (command) {
      case 'next-pane':
      case 'prev-pane':
        send({ type: 'focus', delta: command === 'next-pane' ? 1 : -1 });
        return;
      case 'open-detail': {
        const t = currentTarget();
        if (t) send({ type: 'detail', target: t });
        return;
      }
      case 'back':
        send({ type: 'back' });
        return;
      case 'approve':
        withProposal(approve);
        return;
      case 'reject':
        withProposal((p) => {
          if (readOnlyBanner !== undefined) flash(`read-only: ${readOnlyBanner}`, 'warning');
          else send({ type: 'note', proposalId: p.id, issueKey: p.issueKey });
        });
        return;
      case 'reroute':
        withProposal(openPicker);
        return;
      case 'approve-all': {
        const pending = rowsNow().filter((r) => r.group === 'pending').map((r) => r.id);
        if (pending.length === 0) flash('no pending proposals are visible', 'warning');
        else send({ type: 'confirm', confirm: { kind: 'approve-all', ids: pending } });
        return;
      }
      case 'run-cycle':
        call(() => void engine.runCycle(), 'cycle started', false);
        return;
      case 'toggle-pause':
        if (engine.getSnapshot().paused) call(() => engine.resume(), 'resumed', false);
        else call(() => engine.pause(), 'paused', false);
        return;
      case 'filter':
        send({ type: 'filter' });
        return;
      case 'sort':
        send({ type: 'sort' });
        return;
      case 'command-line':
        send({ type: 'command' });
        return;
      case 'help':
        send({ type: 'help' });
        return;
      case 'errors':
        setSeenErrors(latest.current.errors.total);
        send({ type: 'errors' });
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
      case 'no': {
        const mode = u.mode;
        send({ type: 'back' });
        if (mode.kind === 'confirm' && mode.confirm.kind === 'carried-over') takeBack(mode.confirm.ids);
        return;
      }
      case 'pick': {
        const mode = u.mode;
        if (mode.kind !== 'picker') return;
        const agent = mode.agents[mode.index];
        send({ type: 'back' });
        if (agent && mode.dispatch) hands.picked(mode.proposalId, agent.id);
        else if (agent) call(() => engine.reroute(mode.proposalId, agent.id), `${mode.issueKey} re-routed to ${agent.id}`);
        return;
      }
      case 'submit': {
        // Leave the line first: the command may open a confirmation of its own.
        const mode = u.mode;
        send({ type: 'submit' });
        if (mode.kind === 'command') runLine(mode.draft);
        if (mode.kind === 'note') {
          const note = mode.draft.trim();
          decide(() => call(() => engine.reject(mode.proposalId, note === '' ? undefined : note), `rejected ${mode.issueKey}${note === '' ? '' : ' with a note'}`));
        }
        return;
      }
      case 'erase':
        send({ type: 'erase' });
        return;
      case 'undo':
        undo();
        return;
      case 'open':
        openLink();
        return;
      case 'complete': {
        if (u.mode.kind !== 'command') return;
        const c = completeCommand(u.mode.draft, agents.map((a) => a.id), hands.ids());
        if (c.draft !== u.mode.draft) send({ type: 'draft', draft: c.draft });
        if (c.choices.length > 1) flash(c.choices.map((x) => `:${x}`).join('  '));
        return;
      }
      default:
        return;
    }
  };

  // The proposal rows as they are now (approve-all takes exactly what the operator sees).
  const rowsNow = () => proposalRows(engine.getSnapshot(), uiNow.current.filter, now());

  /** --mouse: the wheel moves like j/k (scrolls in the detail view and help); a click selects a row in the panes. */
  const onMouse = (m: MouseReport) => {
    const u = uiNow.current;
    if (m.kind === 'wheel') {
      run(m.direction === 'up' ? 'up' : 'down');
      return;
    }
    if (m.kind !== 'click' || u.mode.kind !== 'normal') return;
    const ids = idsNow();
    const hit = paneAt(latest.current.box, readOnlyBanner !== undefined, m.x, m.y, (pane) => ({
      ids: ids[pane],
      selectedIndex: selectedIndex(ids[pane], u.selected[pane]),
      offset: u.offsets[pane],
    }));
    if (hit === null) return;
    if (hit.id === null) send({ type: 'focus-pane', pane: hit.pane });
    else send({ type: 'select', pane: hit.pane, id: hit.id, ids: ids[hit.pane], height: paneBodyHeight(paneHeight[hit.pane]), focus: true });
  };

  useInput((input, key) => {
    // a mouse report is one event of its own, never keys (its digits and M would type or act)
    const mouse = parseMouse(input);
    if (mouse !== null) {
      if (latest.current.box.fits) onMouse(mouse);
      return;
    }
    for (const press of keyPresses(input, key)) {
      const mode = uiNow.current.mode.kind;
      const binding = KEYMAP[mode][press.name];
      // Too small to show what a key would act on: a stray key must not approve blind.
      if (!latest.current.box.fits && (binding === undefined || !WHEN_TOO_SMALL.has(binding.command))) continue;
      if (binding) run(binding.command);
      else if (TEXT_MODES.has(mode) && press.text !== '') send({ type: 'type', text: press.text });
    }
  });

  if (!box.fits) {
    if (ui.mode.kind === 'help') return <LinesView lines={help} scroll={ui.mode.scroll} width={Math.max(1, size.columns - 1)} height={Math.max(3, size.rows - 1)} />;
    return <Text wrap="wrap">{`${tooSmall(size)}\nq quits · ? help · other keys wait until it is larger`}</Text>;
  }

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
    case 'errors':
      body = <LinesView lines={errorLines} scroll={mode.scroll} width={box.width} height={box.body} />;
      break;
    case 'picker':
      body = <Picker issueKey={mode.issueKey} agents={mode.agents} index={mode.index} width={box.width} height={box.body} />;
      break;
    case 'confirm':
      body = <ConfirmDialog confirm={mode.confirm} width={box.width} height={box.body} />;
      break;
    case 'lessons':
    case 'lesson-text':
    case 'lesson-delete':
      body = <LessonsView lessons={lessons.list} error={lessons.error} cursor={mode.cursor} width={box.width} height={box.body} />;
      break;
    default:
      body = (
        <Box flexDirection="column" height={box.body}>
          <BacklogPane snapshot={snapshot} rows={rows.backlog} sort={ui.sort} filter={ui.filter} {...paneProps('backlog', box.width)} />
          <Box height={box.bottom}>
            <ProposalsPane rows={rows.proposals} multiRepo={multiRepo} sort={ui.proposalSort} {...paneProps('proposals', box.leftWidth)} />
            <Text>{Array.from({ length: box.bottom }, () => '│').join('\n')}</Text>
            <DispatchesPane rows={rows.dispatches} now={time} multiRepo={multiRepo} sort={ui.dispatchSort} {...paneProps('dispatches', box.rightWidth)} />
          </Box>
        </Box>
      );
  }
  const filterError = parseFilter(mode.kind === 'filter' ? mode.draft : ui.filter).error;
  const prompt =
    mode.kind === 'filter'
      ? `/${mode.draft}`
      : mode.kind === 'command'
        ? `:${mode.draft}`
        : mode.kind === 'note'
          ? `reject ${mode.issueKey} — note (optional, ⏎ rejects, esc cancels): ${mode.draft}`
          : lessonsPrompt(mode);
  return (
    <Box flexDirection="column" width={box.width}>
      <Header
        snapshot={snapshot}
        trackerName={trackerName}
        repos={repos}
        now={time}
        width={box.width}
        unseenErrors={ui.mode.kind === 'errors' ? 0 : errors.unseen}
        outageSince={outageSince}
      />
      {readOnlyBanner !== undefined ? <Text wrap="truncate">{fit(` read-only: ${sanitize(readOnlyBanner)}`, box.width)}</Text> : null}
      {body}
      <Footer
        mode={mode.kind}
        pane={ui.pane}
        prompt={prompt}
        hint={
          mode.kind === 'filter' && filterError
            ? `⚠ ${filterError}`
            : (mode.kind === 'command' || mode.kind === 'lesson-text') && ui.flash && time - ui.flash.at < FLASH_SHOWN_MS
              ? ui.flash.text
              : null
        }
        flash={mode.kind === 'normal' && filterError ? { text: filterError, level: 'warning', at: time } : ui.flash}
        now={time}
        width={box.width}
        grace={snapshot.graceUntil.size > 0}
      />
    </Box>
  );
}
