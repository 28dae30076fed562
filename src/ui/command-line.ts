import { TASK_TYPES, type TaskType } from '../core/routing.js';

/** What a `:` command line asks for. */
export type LineCommand =
  | { readonly kind: 'arm' | 'disarm' | 'run' | 'pause' | 'resume' | 'quit' | 'lessons' }
  | { readonly kind: 'dry-run'; readonly on: boolean }
  | { readonly kind: 'agent'; readonly agentId: string }
  /** the selected issue's task type; null: back to the inferred one */
  | { readonly kind: 'tasktype'; readonly taskType: TaskType | null }
  | { readonly kind: 'invalid'; readonly message: string };

const USAGE = 'try :arm, :disarm, :dry-run on|off, :run, :pause, :resume, :agent <id>, :tasktype <type>, :lessons, :quit';

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
    case '':
      return { kind: 'invalid', message: USAGE };
    default:
      return { kind: 'invalid', message: `unknown command :${word} — ${USAGE}` };
  }
}

const COMMANDS = ['arm', 'disarm', 'dry-run on', 'dry-run off', 'run', 'pause', 'resume', 'agent ', 'tasktype ', 'lessons', 'quit'];

/**
 * Tab on the command line: the draft completed as far as it is unambiguous, and the choices
 * there were (more than one: the console lists them). `agent ` completes registered agent ids.
 */
export function completeCommand(draft: string, agentIds: readonly string[]): { draft: string; choices: string[] } {
  const text = draft.replace(/^\s+/, '');
  const words = [...COMMANDS, ...agentIds.map((id) => `agent ${id}`), ...[...TASK_TYPES, 'inferred'].map((t) => `tasktype ${t}`)];
  const choices = [...new Set(words.filter((w) => w.startsWith(text)))];
  if (choices.length === 0) return { draft, choices };
  const common = choices.reduce((prefix, w) => {
    let i = 0;
    while (i < prefix.length && prefix[i] === w[i]) i++;
    return prefix.slice(0, i);
  });
  return { draft: common.length > text.length ? common : draft, choices: choices.length === 1 ? [] : choices };
}
