import { awaitCommandAnswer, journalSize } from '../adapters/command-answer.js';
import { appendCommand, stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { resolveSettings } from '../adapters/settings.js';
import { terminal, terminalSafeJson } from '../adapters/terminal-output.js';
import { OperationError, UsageError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import type { OperatorCommand } from '../core/supervision-types.js';
import { readStatus, type Status } from '../headless/status-file.js';
import { EXIT } from './exit.js';
import { z } from 'zod';
import { flag } from './cli-options.js';
import type { GlobalOptions } from './globals.js';

/**
 * `switchboard dispatch retry|reroute|cancel|done|ack ID`: the operator's hand on a dispatch from
 * another shell, journaled like an approval. With an engine running it waits for the answer (the
 * engine journals what it did, or the sentence it refused with); otherwise the next start applies it.
 * `switchboard dispatch list`: the dispatches of status.json with their phase.
 */

const MIN_PREFIX = 4;
/** the engine reads commands every second; a cycle's writes may hold it a little longer */
const DEFAULT_WAIT_SECONDS = 10;

const VERBS: Readonly<Record<OperatorCommand, string>> = {
  retry: 'retry',
  reroute: 're-route',
  cancel: 'cancel',
  done: 'mark done',
  ack: 'acknowledge',
};

type DispatchLine = Status['dispatches'][number];

/** A full proposal id, or a unique prefix of at least four characters of a known dispatch. */
export function resolveDispatch(given: string, status: Status | null): DispatchLine | { proposal: string } {
  const id = given.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`"${sanitize(id)}" is not a dispatch id.`);
  const known = status?.dispatches ?? [];
  const exact = known.find((d) => d.proposal === id);
  if (exact) return exact;
  if (id.length < MIN_PREFIX) throw new UsageError(`dispatch id "${id}" is too short: give at least ${MIN_PREFIX} characters.`);
  const matches = known.filter((d) => d.proposal.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new UsageError(`dispatch id "${id}" is ambiguous: it matches ${matches.map((d) => d.proposal).join(', ')}.`, 'give more characters');
  if (status === null) {
    throw new UsageError(`no status is known in this state directory, so "${id}" cannot be resolved.`, 'start switchboard run --headless (or pass the right --state-dir)');
  }
  throw new UsageError(`no dispatch "${id}" is known.`, 'list them with switchboard dispatch list');
}

/** A re-route target must be a coding agent of the config: checked here, not later in the engine's log. */
function checkAgent(g: GlobalOptions, agent: string | undefined, current: string | undefined): void {
  if (agent === undefined || agent.trim() === '') throw new UsageError('re-route needs the agent: switchboard dispatch reroute ID --agent <id>.');
  const { config } = resolveSettings({ file: g.config });
  const coding = config.agents.filter((a) => a.kind !== 'owner');
  if (!coding.some((a) => a.id === agent)) {
    throw new UsageError(`"${sanitize(agent)}" is not a coding agent of this config; the agents are ${coding.map((a) => a.id).join(', ') || '(none)'}.`);
  }
  if (agent === current) throw new UsageError(`the dispatch is already with ${sanitize(agent)}; to try it again there use switchboard dispatch retry.`);
}

/** The engine recorded in status.json is alive (its pid answers), so waiting for its answer makes sense. */
function engineRunning(status: Status | null): boolean {
  if (!status?.running) return false;
  try {
    process.kill(status.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The options of `switchboard dispatch` (commander has parsed --wait to a whole number). */
export const DISPATCH_OPTIONS = {
  agent: z.string().optional(),
  note: z.string().optional(),
  wait: z.number().int(),
  json: flag,
};

export async function dispatchCommand(
  g: GlobalOptions,
  op: OperatorCommand,
  id: string,
  o: { agent?: string; note?: string; waitSeconds?: number } = {},
): Promise<number> {
  const dir = await resolveStateDir({ dir: g.stateDir });
  const status = await readStatus(dir);
  const target = resolveDispatch(id, status);
  const line = 'issue' in target ? target : null;
  if (op === 'reroute') checkAgent(g, o.agent, line?.agent);
  else if (o.agent !== undefined) throw new UsageError(`--agent goes with reroute only, not with ${op}.`);
  const what = `${VERBS[op]} of ${line ? `${line.issue} (${target.proposal})` : target.proposal}${op === 'reroute' ? ` to ${o.agent}` : ''}`;
  const from = await journalSize(dir);
  const command = await appendCommand(dir, {
    command: 'dispatch',
    op,
    proposalId: target.proposal,
    ...(op === 'reroute' && o.agent !== undefined ? { agentId: o.agent } : {}),
    ...(o.note !== undefined && o.note.trim() !== '' ? { note: o.note } : {}),
  });
  if (!engineRunning(status)) {
    terminal.out(`queued ${what}; it is applied when the engine next starts.`);
    return EXIT.ok;
  }
  const seconds = o.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  const answer = await awaitCommandAnswer(dir, command.commandId, { from, timeoutMs: seconds * 1000 });
  switch (answer.kind) {
    case 'applied':
      terminal.out(`${what}: done.`);
      return EXIT.ok;
    case 'failed':
      throw new UsageError(`${what} was refused: ${sanitize(answer.message)}.`);
    case 'unanswered':
      throw new OperationError(
        `${what} is queued, but the engine (pid ${status?.pid}) has not answered within ${seconds} s.`,
        'it applies the command when it can; see switchboard dispatch list',
      );
  }
}

const row = (d: DispatchLine): string => {
  const extra = [
    d.pr != null ? `PR #${d.pr}` : '',
    d.escalation ? `escalated: ${d.escalation}${d.acknowledgedBy ? ` (acknowledged by ${d.acknowledgedBy})` : ''}` : '',
  ].filter(Boolean);
  return `  ${d.proposal}  ${d.issue}  ${d.agent}  ${d.state}  attempt ${d.attempt}${extra.length > 0 ? `  ${extra.join('  ')}` : ''}`;
};

export async function dispatchListCommand(g: GlobalOptions, o: { json?: boolean }): Promise<number> {
  const dir = await resolveStateDir({ dir: g.stateDir });
  const status = await readStatus(dir);
  const out = terminal.out;
  if (o.json) {
    out(terminalSafeJson(status?.dispatches ?? []));
    return EXIT.ok;
  }
  if (status === null) {
    out(`No engine status is known in ${dir}; start one with switchboard run --headless.`);
    return EXIT.ok;
  }
  const live = status.dispatches.filter((d) => d.live !== false);
  const ended = status.dispatches.filter((d) => d.live === false);
  out(`In flight (${live.length}):`);
  for (const d of live) out(row(d));
  if (ended.length > 0) {
    out(`Ended (${ended.length}):`);
    for (const d of ended) out(row(d));
  }
  out(`as of ${status.updatedAt}; act on one with switchboard dispatch retry|reroute|cancel|done|ack ID`);
  return EXIT.ok;
}
