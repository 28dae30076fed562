import { z } from 'zod';
import { appendCommand, stateDir as resolveStateDir } from '../adapters/journal-file.js';
import { resolveSettings } from '../adapters/settings.js';
import { UsageError } from '../core/errors.js';
import { sanitize } from '../core/sanitize.js';
import { systemStatusLines } from '../core/system-status.js';
import { readStatus, type Status } from '../headless/status-file.js';
import { type CommandOptions, flag, type GlobalOptions } from './cli-options.js';
import { EXIT } from './exit.js';
import { terminal, terminalSafeJson } from '../adapters/terminal-output.js';

/**
 * `approve`, `reject`, `reroute`, `status`: act on the engine's queue through the journal. A
 * running engine applies the commands within a second; otherwise the next one to start does.
 */

const MIN_PREFIX = 4;

/** A full id, or a unique prefix of at least four characters of a known proposal. */
export function resolveProposalId(given: string, status: Status | null): string {
  const id = given.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`"${sanitize(id)}" is not a proposal id.`);
  const known = status?.proposals.map((p) => p.id) ?? [];
  if (known.includes(id)) return id;
  if (id.length < MIN_PREFIX) throw new UsageError(`proposal id "${id}" is too short: give at least ${MIN_PREFIX} characters.`);
  const matches = known.filter((k) => k.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UsageError(`proposal id "${id}" is ambiguous: it matches ${matches.join(', ')}.`, 'give more characters');
  }
  if (status === null) {
    throw new UsageError(`no status is known in this state directory, so "${id}" cannot be resolved.`, 'start switchboard run --headless (or pass the right --state-dir)');
  }
  throw new UsageError(`no proposal "${id}" in the queue.`, 'list the queue with switchboard status');
}

/** A re-route target must be an agent of the config: checked here, not later in the engine's log. */
function knownAgent(g: GlobalOptions, agent: string): void {
  const { config } = resolveSettings({ file: g.config });
  if (config.agents.some((a) => a.id === agent)) return;
  const known = config.agents.map((a) => a.id).join(', ');
  throw new UsageError(`"${sanitize(agent)}" is not an agent of this config; the agents are ${known}.`);
}

export async function queueCommand(
  g: GlobalOptions,
  command: 'approve' | 'reject' | 'reroute',
  ids: readonly string[],
  extra: { agent?: string; note?: string } = {},
): Promise<number> {
  const dir = await resolveStateDir({ dir: g.stateDir });
  const status = await readStatus(dir);
  const resolved = ids.map((id) => resolveProposalId(id, status));
  if (command === 'reroute' && extra.agent !== undefined) knownAgent(g, extra.agent);
  for (const proposalId of resolved) {
    await appendCommand(dir, {
      command,
      proposalId,
      ...(extra.agent !== undefined ? { agentId: extra.agent } : {}),
      ...(extra.note !== undefined ? { note: extra.note } : {}),
    });
    const when = status?.running ? 'the running engine applies it within a second' : 'it is applied when the engine next starts';
    const verb = command === 'reroute' ? `re-route of ${proposalId} to ${extra.agent}` : `${command} ${proposalId}`;
    terminal.out(`queued ${verb}; ${when}.`);
  }
  return EXIT.ok;
}

/** `reject --note` says why (kept until the issue changes); approve has no options of its own */
export const QUEUE_OPTIONS = { note: z.string().optional() };

export const STATUS_OPTIONS = { json: flag };

export async function statusCommand(o: CommandOptions<typeof STATUS_OPTIONS>): Promise<number> {
  const dir = await resolveStateDir({ dir: o.stateDir });
  const status = await readStatus(dir);
  const out = terminal.out;
  if (o.json) {
    out(terminalSafeJson(status ?? { v: 1, known: false }));
    return EXIT.ok;
  }
  if (status === null) {
    out(`No engine status is known in ${dir}; start one with switchboard run --headless.`);
    return EXIT.ok;
  }
  const pending = status.proposals.filter((p) => p.status === 'proposed');
  const waiting = status.proposals.filter((p) => p.status === 'approved' || p.status === 'executing');
  const state = status.running ? `running (pid ${status.pid})` : 'stopped';
  out(`Engine ${state}, cycle ${status.cycle}, ${status.armed ? 'ARMED' : 'disarmed'}${status.dryRun ? ', dry-run' : ''}, as of ${status.updatedAt}`);
  if (status.system) for (const line of systemStatusLines(status.system)) out(line);
  const line = (p: Status['proposals'][number]) =>
    `  ${p.id}  ${p.issue}  ${p.action} → ${p.agent ?? '-'}  ${p.title}${p.waiting ? `  (${p.waiting})` : ''}`;
  out(`Pending (${pending.length}):`);
  for (const p of pending) out(line(p));
  out(`Waiting (${waiting.length}):`);
  for (const p of waiting) out(line(p));
  const rejected = status.proposals.filter((p) => p.status === 'rejected');
  if (rejected.length > 0) {
    out(`Rejected (${rejected.length}):`);
    for (const p of rejected) out(`${line(p)}${p.note ? `  — note: ${p.note}` : ''}`);
  }
  const live = status.dispatches.filter((d) => d.live !== false);
  out(`In flight (${live.length}):`);
  for (const d of live) out(`  ${d.proposal}  ${d.issue}  ${d.agent}  ${d.state}  attempt ${d.attempt}`);
  const ended = status.dispatches.length - live.length;
  if (ended > 0) out(`Ended: ${ended} (switchboard dispatch list shows them)`);
  return EXIT.ok;
}
