import { z } from 'zod';
import { resolveConnection, tokenSources } from '../adapters/connection.js';
import type { Config } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import type { Issue } from '../core/issue.js';
import type { Proposal } from '../core/policy.js';
import type { ScoredIssue } from '../core/scoring.js';
import { triage, withTrust } from '../core/triage.js';
import { loadBacklogFile } from './backlog-file.js';
import { type TerminalSafeJson, writeJsonArrays } from '../adapters/terminal-output.js';
import { type CommandOptions, flag, readWith } from './cli-options.js';
import { EXIT } from './exit.js';

function parseNow(now: string): Date {
  const t = Date.parse(now);
  if (Number.isNaN(t)) throw new UsageError(`--now "${now}" is not an ISO date and time.`);
  return new Date(t);
}

export const TRIAGE_OPTIONS = {
  /** preview only, as triage always is */
  dryRun: flag,
  json: flag,
  markdown: flag,
  fromFile: z.string().optional(),
  /** the time to score against (ages); default: now */
  now: readWith(parseNow).optional(),
};

export type TriageOptions = Partial<CommandOptions<typeof TRIAGE_OPTIONS>>;

/** The --json document: `{"issues": [IssueRow…], "proposals": [ProposalRow…]}`, one row a line. */
export interface IssueRow {
  repo: string;
  number: number;
  title: string;
  score: number;
  scope: number;
  acceptance: number;
  alignment: number;
  type: string;
  p0: boolean;
  blocked: boolean;
  ready: boolean;
  tier: string;
  taskType: string;
  ageDays: number;
}

export interface ProposalRow {
  id: string;
  repo: string;
  number: number;
  action: string;
  agent: string | null;
  reason: string;
  blockedBy: { kind: string; detail: string }[];
  whatWouldChange: readonly string[];
}

export const issueRow = (s: ScoredIssue): IssueRow => ({
  repo: s.issue.repo,
  number: s.issue.number,
  title: s.displayTitle,
  score: s.score,
  scope: s.scope,
  acceptance: s.acceptance,
  alignment: s.alignment,
  type: s.type,
  p0: s.p0,
  blocked: s.blocked,
  ready: s.ready,
  tier: s.tier,
  taskType: s.taskType,
  ageDays: s.ageDays,
});

export const proposalRow = (p: Proposal): ProposalRow => ({
  id: p.id,
  repo: p.repo,
  number: p.number,
  action: p.action,
  agent: p.agentId,
  reason: p.reason,
  blockedBy: p.blockedBy.map((g) => ({ kind: g.kind, detail: g.detail })),
  whatWouldChange: p.whatWouldChange,
});

/**
 * The open issues of the enrolled repos on a live tracker, for a preview. Without a URL there is
 * nothing to fetch (undefined): the caller says what to pass.
 */
export async function liveBacklog(
  config: Config,
  flags: { url?: string; repo?: readonly string[] },
  /** aborts the reads in flight (SIGINT/SIGTERM) */
  signal?: AbortSignal,
): Promise<{ fetch: () => Promise<Issue[]>; repos: readonly string[] } | undefined> {
  const conn = resolveConnection(config, flags);
  if (!conn.url) return undefined;
  if (!conn.token) {
    throw new UsageError(`no token for ${new URL(conn.url).host}: set ${tokenSources(config.tracker.kind)} (read access to issues and repositories is enough for a preview).`);
  }
  if (conn.repos.length === 0) throw new UsageError('no repos to preview: pass --repo owner/name (repeatable) or set SWITCHBOARD_REPOS.');
  const [{ createTracker }, { trackerLimits }, { askTrust }] = await Promise.all([
    import('../adapters/trackers.js'),
    import('../adapters/http/limits.js'),
    import('../core/engine-effects.js'),
  ]);
  const tracker = createTracker({
    url: conn.url,
    token: conn.token,
    kind: config.tracker.kind,
    tokenSource: conn.tokenSource,
    concurrency: config.tracker.pageConcurrency,
    gitea: { ...trackerLimits(config.tracker), ...(signal ? { signal } : {}) },
    // The config's limits, as a run's (wiring.ts): the adapter's own defaults otherwise.
    github: { maxResponseBytes: trackerLimits(config.tracker).maxResponseBytes, timeoutMs: trackerLimits(config.tracker).timeouts.requestMs },
  });
  const fetch = async () => {
    try {
      const fetches = await Promise.all(conn.repos.map((repo) => tracker.fetchBacklog(repo, { full: true })));
      const issues = fetches.flatMap((f) => [...f.issues]);
      // Trust is resolved as the engine resolves it: the preview shows the gates a cycle would.
      return withTrust(issues, await askTrust(tracker, issues, config, new Map()));
    } finally {
      await tracker.close();
    }
  };
  return { fetch, repos: conn.repos };
}

/** One-shot preview: score, propose, print. Writes nothing, ever. */
export async function runTriage(
  options: TriageOptions,
  config: Config,
  /** `writeJson`, when given, takes the --json document's terminal-safe chunks as they are */
  out: { write(text: string): void; writeJson?(chunk: TerminalSafeJson): void; columns: number },
  fetchIssues?: () => Promise<Issue[]>,
): Promise<number> {
  if (options.json && options.markdown) throw new UsageError('choose one of --json and --markdown.');
  const now = options.now ?? new Date();
  let issues: Issue[];
  if (options.fromFile) issues = await loadBacklogFile(options.fromFile, options.repo ?? []);
  else if (fetchIssues) issues = await fetchIssues();
  else throw new UsageError('nothing to triage: pass --from-file FILE, or --url URL and --repo owner/name for a live tracker.');

  const { scored, proposals } = triage(issues, config, now, { armed: config.armed });
  if (options.json) {
    // Streamed in batches: 20,000 issues never become one object tree or one string.
    writeJsonArrays({ writeJson: out.writeJson ?? out.write }, [
      ['issues', scored.length, (i) => issueRow(scored[i]!)],
      ['proposals', proposals.length, (i) => proposalRow(proposals[i]!)],
    ]);
  } else if (options.markdown) {
    // The markdown and readable renderers are imported when asked for: --json loads neither.
    const { dailySummary } = await import('../core/texts.js');
    out.write(
      `${dailySummary({
        now,
        totalOpen: issues.length,
        scored,
        actions: proposals.filter((p) => p.action !== 'skip'),
        skipped: proposals.filter((p) => p.action === 'skip'),
        consoleId: 'preview',
      })}\n`,
    );
  } else {
    const { renderReadable } = await import('./triage-readable.js');
    out.write(renderReadable(scored, proposals, out.columns));
  }
  return EXIT.ok;
}
