import { TASK_TYPES, type TaskType } from '../core/routing.js';
import type { OperatorCommand } from '../core/supervision-types.js';

/** What a `:` command line asks for. */
export type LineCommand =
  | { readonly kind: 'arm' | 'disarm' | 'run' | 'pause' | 'resume' | 'quit' | 'lessons' }
  | { readonly kind: 'dry-run'; readonly on: boolean }
  | { readonly kind: 'agent'; readonly agentId: string }
  /** the selected issue's task type; null: back to the inferred one */
  | { readonly kind: 'tasktype'; readonly taskType: TaskType | null }
  /** the operator's hand on a dispatch: `id` a (prefix of a) proposal id, null for the selected dispatch */
  | { readonly kind: 'operate'; readonly op: OperatorCommand; readonly id: string | null; readonly agentId?: string }
  | { readonly kind: 'invalid'; readonly message: string };

const USAGE = 'try :arm, :disarm, :dry-run on|off, :run, :pause, :resume, :agent <id>, :tasktype <type>, :lessons, :retry, :reroute, :cancel, :done, :ack, :quit';

const OPERATE: Readonly<Record<string, OperatorCommand>> = { retry: 'retry', reroute: 'reroute', cancel: 'cancel', done: 'done', ack: 'ack' };

/** `:retry [ID]`, `:cancel [ID]`, `:done [ID]`, `:ack [ID]`, `:reroute [ID] AGENT` */
function operateLine(op: OperatorCommand, args: readonly string[]): LineCommand {
  if (op === 'reroute') {
    if (args.length === 1) return { kind: 'operate', op, id: null, agentId: args[0]! };
    if (args.length === 2) return { kind: 'operate', op, id: args[0]!, agentId: args[1]! };
    return { kind: 'invalid', message: 'use :reroute <agent> for the selected dispatch, or :reroute <id> <agent>' };
  }
  if (args.length <= 1) return { kind: 'operate', op, id: args[0] ?? null };
  return { kind: 'invalid', message: `use :${op} for the selected dispatch, or :${op} <id>` };
}

export function parseCommandLine(line: string): LineCommand {
  const [word = '', ...args] = line.trim().replace(/^:/, '').split(/\s+/);
  switch (word) {
    case 'arm':
    case 'disarm':
    case 'run':
    case 'pause':
    case 'resume':
    case 'quit':
    case 'lessons':
    case 'q':
      return args.length === 0 ? { kind: word === 'q' ? 'quit' : word } : { kind: 'invalid', message: `:${word} takes no argument` };
    case 'dry-run':
      if (args.length === 1 && (args[0] === 'on' || args[0] === 'off')) return { kind: 'dry-run', on: args[0] === 'on' };
      return { kind: 'invalid', message: 'use :dry-run on or :dry-run off' };
    case 'agent':
      if (args.length === 1 && args[0]) return { kind: 'agent', agentId: args[0] };
      return { kind: 'invalid', message: 'use :agent <id> to re-route the selected proposal' };
    case 'tasktype': {
      const t = args.length === 1 ? (args[0] ?? '').toLowerCase() : '';
      if (t === 'inferred') return { kind: 'tasktype', taskType: null };
      if ((TASK_TYPES as readonly string[]).includes(t)) return { kind: 'tasktype', taskType: t as TaskType };
      return { kind: 'invalid', message: `use :tasktype <type> on the selected issue (${TASK_TYPES.join(', ')}, or inferred)` };
    }
    case 'retry':
    case 'reroute':
    case 'cancel':
    case 'done':
    case 'ack':
      return operateLine(OPERATE[word]!, args);
    case '':
      return { kind: 'invalid', message: USAGE };
    default:
      return { kind: 'invalid', message: `unknown command :${word} — ${USAGE}` };
  }
}

const COMMANDS = ['arm', 'disarm', 'dry-run on', 'dry-run off', 'run', 'pause', 'resume', 'agent ', 'tasktype ', 'lessons', 'retry', 'reroute ', 'cancel', 'done', 'ack', 'quit'];

/**
 * `:retry 3f2a…` and the others: each dispatch's short id; `:reroute` also an agent, after an id
 * or alone. Offered once the command word is typed, so `:r` lists commands, not every dispatch.
 */
function operateWords(text: string, dispatchIds: readonly string[], agentIds: readonly string[]): string[] {
  const op = /^(retry|cancel|done|ack|reroute) /.exec(text)?.[1];
  if (op === undefined) return [];
  if (op !== 'reroute') return dispatchIds.map((id) => `${op} ${id}`);
  return [...agentIds.map((agent) => `reroute ${agent}`), ...dispatchIds.flatMap((id) => agentIds.map((agent) => `reroute ${id} ${agent}`))];
}

/**
 * Tab on the command line: the draft completed as far as it is unambiguous, and the choices
 * there were (more than one: the console lists them). `agent ` completes registered agent ids,
 * the dispatch commands the In flight pane's short ids.
 */
export function completeCommand(draft: string, agentIds: readonly string[], dispatchIds: readonly string[] = []): { draft: string; choices: string[] } {
  const text = draft.replace(/^\s+/, '');
  const words = [
    ...COMMANDS,
    ...agentIds.map((id) => `agent ${id}`),
    ...[...TASK_TYPES, 'inferred'].map((t) => `tasktype ${t}`),
    ...operateWords(text, dispatchIds, agentIds),
  ];
  const choices = [...new Set(words.filter((w) => w.startsWith(text)))];
  if (choices.length === 0) return { draft, choices };
  const common = choices.reduce((prefix, w) => {
    let i = 0;
    while (i < prefix.length && prefix[i] === w[i]) i++;
    return prefix.slice(0, i);
  });
  return { draft: common.length > text.length ? common : draft, choices: choices.length === 1 ? [] : choices };
}
