import { appendCommand, stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { terminal } from '../adapters/terminal-output.js';
import { UsageError } from '../core/errors.js';
import { TASK_TYPES, type TaskType } from '../core/routing.js';
import { sanitize } from '../core/sanitize.js';
import type { GlobalOptions } from './cli-options.js';
import { EXIT } from './exit.js';

/**
 * `switchboard tasktype owner/name#N TYPE`: the operator's task type for an issue (seed 001's
 * caller could pass one), journaled like an approval; `inferred` goes back to the guessed one.
 */
const ISSUE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#[1-9][0-9]{0,9}$/;

export function parseTaskType(given: string): TaskType | null {
  const t = given.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (t === 'inferred' || t === 'auto') return null;
  if ((TASK_TYPES as readonly string[]).includes(t)) return t as TaskType;
  throw new UsageError(`"${sanitize(given)}" is not a task type; use one of: ${TASK_TYPES.join(', ')}, or inferred.`);
}

export async function taskTypeCommand(g: GlobalOptions, issue: string, type: string): Promise<number> {
  if (!ISSUE.test(issue)) throw new UsageError(`"${sanitize(issue)}" is not an issue: give owner/name#number (e.g. acme/api#12).`);
  const taskType = parseTaskType(type);
  const dir = await resolveStateDir({ dir: g.stateDir });
  await appendCommand(dir, { command: 'tasktype', proposalId: '', issue, taskType });
  terminal.out(`queued: ${issue} is ${taskType === null ? 'back to its inferred task type' : `task type ${taskType}`}; the engine plans it again when it applies the command.`);
  return EXIT.ok;
}
