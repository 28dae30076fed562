import type { Engine } from '../core/engine.js';
import { issueKey } from '../core/issue.js';
import type { Agent } from '../core/routing.js';
import { sanitize } from '../core/sanitize.js';
import { isLive, type OperatorCommand, type Supervised } from '../core/supervision-types.js';
import type { LineCommand } from './command-line.js';
import { shortId } from './detail-lines.js';
import type { Command } from './keymap.js';
import type { Flash, PickerAgent, Target, UiAction } from './ui-state.js';

/**
 * The operator's hands on running work in the console: retry now, re-route, cancel (asks first),
 * mark done, acknowledge an escalation — from the In flight pane's keys, a dispatch's detail
 * view and the `:` commands. Each becomes one `Engine.operate`, journaled like an approval; what
 * cannot apply is said at once, in the words of the lifecycle's own rules (supervision.ts
 * `operator`), and the engine refuses anything that slipped through with its own sentence.
 */

export interface HandsHost {
  readonly engine: Engine;
  readonly agents: readonly Agent[];
  /** the selected row (normal mode) or the detail view's row; null when there is none */
  readonly target: () => { readonly target: Target | null; readonly detail: boolean };
  readonly send: (action: UiAction) => void;
  readonly flash: (text: string, level?: Flash['level']) => void;
  /** an engine call with its flash; false when refused (read-only, or it threw) */
  readonly call: (what: () => Promise<void> | void, done: string) => boolean;
}

const MIN_PREFIX = 4;

const KEY_OPS: Partial<Record<Command, OperatorCommand>> = {
  retry: 'retry',
  reroute: 'reroute',
  'cancel-dispatch': 'cancel',
  'mark-done': 'done',
  acknowledge: 'ack',
};

/** Why `op` cannot apply to `d` now, or null (the same rules as supervision.ts `operator`). */
export function whyNot(d: Supervised, op: OperatorCommand): string | null {
  const key = issueKey(d.repo, d.number);
  const live = isLive(d.phase);
  switch (op) {
    case 'retry':
    case 'reroute':
      return live || d.phase === 'escalated' ? null : `the dispatch of ${key} has ended (${d.phase.replace(/_/g, ' ')}): there is nothing to ${op === 'retry' ? 'retry' : 're-route'}`;
    case 'cancel':
    case 'done':
      return live ? null : `the dispatch of ${key} has already ended (${d.phase.replace(/_/g, ' ')})`;
    case 'ack':
      if (!d.escalation) return `the dispatch of ${key} is not escalated: there is nothing to acknowledge`;
      return d.escalation.acknowledgedBy === null ? null : `the escalation of ${key} was already acknowledged by ${sanitize(d.escalation.acknowledgedBy)}`;
  }
}

const DONE: Readonly<Record<OperatorCommand, string>> = {
  retry: 'retry asked for',
  reroute: 're-route asked for',
  cancel: 'cancel asked for',
  done: 'marked done:',
  ack: 'acknowledged:',
};

/** The coding agents for a dispatch's re-route picker, its current agent marked. */
export function dispatchPickerAgents(d: Supervised, agents: readonly Agent[]): PickerAgent[] {
  return agents
    .filter((a) => a.kind !== 'owner')
    .map((a) => ({ id: a.id, name: a.displayName, note: [a.id === d.agent.id ? 'current' : '', a.kind].filter(Boolean).join(', ') }));
}

export function dispatchHands(h: HandsHost) {
  const all = (): Supervised[] => [...h.engine.getSnapshot().dispatches.values()];

  /** The dispatch the selection or the detail view is on; a proposal's detail view acts on its dispatch. */
  const selected = (): Supervised | string => {
    const { target, detail } = h.target();
    if (!target) return 'no dispatch is selected';
    if (target.pane !== 'dispatches' && !(detail && target.pane === 'proposals')) return 'these keys act on the In flight pane (Tab moves there)';
    const raw = h.engine.getSnapshot().dispatches.get(target.id);
    return raw ?? 'this row has no dispatch';
  };

  /** A dispatch by (a unique prefix of) its proposal id, as the console and `switchboard status` show it. */
  const byId = (given: string): Supervised | string => {
    const id = given.trim();
    const list = all();
    const exact = list.find((d) => d.proposalId === id);
    if (exact) return exact;
    if (id.length < MIN_PREFIX) return `dispatch id "${sanitize(id)}" is too short: give at least ${MIN_PREFIX} characters`;
    const hits = list.filter((d) => d.proposalId.startsWith(id));
    if (hits.length === 1) return hits[0]!;
    return hits.length === 0 ? `no dispatch "${sanitize(id)}" (the In flight pane lists them; /state:ended shows finished ones)` : `dispatch id "${sanitize(id)}" is ambiguous: give more characters`;
  };

  const operate = (d: Supervised, op: OperatorCommand, agentId?: string): void => {
    const refusal = whyNot(d, op);
    if (refusal !== null) return h.flash(refusal, 'warning');
    const key = issueKey(d.repo, d.number);
    if (op === 'reroute') {
      const agent = h.agents.find((a) => a.id === agentId);
      if (!agent || agent.kind === 'owner') return h.flash(`"${sanitize(agentId ?? '')}" is not a coding agent; the agents are ${dispatchPickerAgents(d, h.agents).map((a) => a.id).join(', ')}`, 'error');
      if (agent.id === d.agent.id) return h.flash(`${key} is already with ${agent.id}: t retries it there`, 'warning');
    }
    if (op === 'cancel') {
      h.send({ type: 'confirm', confirm: { kind: 'cancel-dispatch', id: d.proposalId, issueKey: key, agentId: d.agent.id, agentKind: d.agent.kind } });
      return;
    }
    h.call(() => h.engine.operate(d.proposalId, op, agentId !== undefined ? { agentId } : {}), `${DONE[op]} ${key}${op === 'reroute' ? ` → ${agentId}` : ''}`);
  };

  const openPicker = (d: Supervised): void => {
    const refusal = whyNot(d, 'reroute');
    if (refusal !== null) return h.flash(refusal, 'warning');
    const agents = dispatchPickerAgents(d, h.agents);
    if (agents.length === 0) return h.flash('no coding agents are registered', 'warning');
    h.send({ type: 'picker', proposalId: d.proposalId, issueKey: issueKey(d.repo, d.number), agents, dispatch: true });
  };

  return {
    /** Whether `command` is one of the dispatch keys and the selection is a dispatch (re-route is shared with proposals). */
    handles(command: Command): boolean {
      if (KEY_OPS[command] === undefined) return false;
      if (command !== 'reroute') return true;
      const { target } = h.target();
      return target?.pane === 'dispatches';
    },
    /** A key on the selected dispatch. */
    key(command: Command): void {
      const op = KEY_OPS[command];
      if (op === undefined) return;
      const d = selected();
      if (typeof d === 'string') return h.flash(d, 'warning');
      if (op === 'reroute') openPicker(d);
      else operate(d, op);
    },
    /** `:retry [ID]`, `:reroute [ID] AGENT`, `:cancel [ID]`, `:done [ID]`, `:ack [ID]` */
    line(c: Extract<LineCommand, { kind: 'operate' }>): void {
      const d = c.id === null ? selected() : byId(c.id);
      if (typeof d === 'string') return h.flash(d, 'error');
      operate(d, c.op, c.agentId);
    },
    /** The cancel confirmation said yes. */
    cancel(id: string, key: string): void {
      h.call(() => h.engine.operate(id, 'cancel'), `${DONE.cancel} ${key}`);
    },
    /** The re-route picker chose an agent for a dispatch. */
    picked(id: string, agentId: string): void {
      const raw = h.engine.getSnapshot().dispatches.get(id);
      if (!raw) return h.flash('the dispatch is gone', 'warning');
      operate(raw, 'reroute', agentId);
    },
    /** Short ids for Tab completion of the dispatch commands. */
    ids(): string[] {
      return all().map((d) => shortId(d.proposalId));
    },
  };
}
