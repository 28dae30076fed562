import { type Connection, tokenSources } from './adapters/connection.js';
import { CommandTarget, HttpTarget } from './adapters/agents/index.js';
import type { GiteaTrackerOptions } from './adapters/gitea/index.js';
import { type GithubTrackerOptions, UNPACED } from './adapters/github/index.js';
import { createTracker, type ForgeTracker } from './adapters/trackers.js';
import { LessonsFile } from './adapters/lessons-file.js';
import { acquireLock, consoleId as loadConsoleId, FileJournal, stateDir as resolveStateDir } from './adapters/journal-file.js';
import { trackerLimits } from './adapters/http/limits.js';
import { fileLogger } from './adapters/log-file.js';
import { checkReadiness } from './adapters/readiness.js';
import { BellNotifier, CompositeNotifier, WebhookNotifier } from './adapters/notifier-webhook.js';
import { systemClock } from './adapters/system-clock.js';
import type { Config } from './core/config.js';
import { ApprovalsRunner } from './core/approvals-runner.js';
import { Engine } from './core/engine.js';
import type { Clock, Notifier, NotifyEvent } from './core/ports.js';
import { UsageError } from './core/errors.js';

/**
 * The composition root: config and connection in, a running-ready Engine out, with the tracker,
 * the journal and the state-dir lock it owns. Everything the CLI, headless mode, the demo and the
 * integration tests share.
 */

export interface OpenOptions {
  readonly config: Config;
  readonly connection: Connection;
  /** state directory (journal, lock, console id, logs); the platform's data dir by default */
  readonly stateDir?: string;
  readonly clock?: Clock;
  readonly tracker?: Partial<GiteaTrackerOptions>;
  /** GitHub adapter options (pacing, retry timing) when tracker.kind is github */
  readonly github?: Partial<GithubTrackerOptions>;
  /** ring the terminal bell on escalations (the console) */
  readonly bell?: NodeJS.WritableStream;
  /** where notifier and journal warnings go: stderr in headless; by default switchboard.log in the state dir */
  readonly onWarning?: (text: string) => void;
  /** environment for agent processes and signing secrets; process.env by default */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Switchboard {
  readonly engine: Engine;
  readonly tracker: ForgeTracker;
  /** `/switchboard …` comments and the dashboard issue (approvals.*) */
  readonly approvals: ApprovalsRunner;
  readonly journal: FileJournal;
  readonly stateDir: string;
  readonly consoleId: string;
  readonly config: Config;
  /** stop the engine (the write in progress finishes), close connections, release the lock */
  close(): Promise<void>;
}

/** Variables an agent process never inherits: the tracker's keys are switchboard's, not the agent's. */
const PRIVATE_ENV = /^(GITEA_TOKEN|GITHUB_TOKEN|GH_TOKEN|FORGEJO_TOKEN|SWITCHBOARD_.*)$/;

/**
 * When the journal is compacted: SWITCHBOARD_JOURNAL_COMPACT_BYTES / _ENTRIES override the
 * defaults (4 MB, 10,000 lines); the reliability suites set them low to compact often.
 */
function compactionFrom(env: NodeJS.ProcessEnv): { compactBytes?: number; compactEntries?: number } {
  const n = (v: string | undefined) => (v !== undefined && /^[1-9][0-9]{0,11}$/.test(v) ? Number(v) : undefined);
  const bytes = n(env.SWITCHBOARD_JOURNAL_COMPACT_BYTES);
  const entries = n(env.SWITCHBOARD_JOURNAL_COMPACT_ENTRIES);
  return { ...(bytes !== undefined ? { compactBytes: bytes } : {}), ...(entries !== undefined ? { compactEntries: entries } : {}) };
}

export function agentEnv(config: Config, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const secrets = new Set(config.agents.map((a) => a.secretEnv).filter((v): v is string => v !== undefined));
  return Object.fromEntries(Object.entries(env).filter(([k]) => !PRIVATE_ENV.test(k) && !secrets.has(k)));
}

export async function openSwitchboard(o: OpenOptions): Promise<Switchboard> {
  const { connection } = o;
  const kind = connection.kind ?? o.config.tracker.kind;
  if (!connection.url) throw new UsageError('no tracker URL: pass --url, set GITEA_URL, or run switchboard config init.');
  if (!connection.token) {
    throw new UsageError(`no token for ${new URL(connection.url).host}: set ${tokenSources(kind)}.`);
  }
  const config: Config = { ...o.config, tracker: { ...o.config.tracker, kind }, repos: [...connection.repos] };
  const env = o.env ?? process.env;
  const clock = o.clock ?? systemClock;
  const dir = await resolveStateDir({ dir: o.stateDir });
  const id = await loadConsoleId(dir);
  const lock = await acquireLock(dir, id);
  const warn = o.onWarning ?? fileLogger(dir);
  try {
    const journal = new FileJournal(dir, { onWarning: warn, ...compactionFrom(env) });
    // Aborted on close, once the engine is stopping: a read stuck on a slow server never holds a shutdown.
    const reads = new AbortController();
    const tracker = createTracker({
      kind,
      url: connection.url,
      token: connection.token,
      tokenSource: connection.tokenSource,
      concurrency: config.tracker.pageConcurrency,
      labelColors: { [config.labels.needsHuman]: '#e11d48', [config.labels.inProgress]: '#0e8a16' },
      // A socket per engine write lane (16), so approvals for different issues do not queue for one.
      gitea: { connections: 16, writeConcurrency: 8, ...trackerLimits(config.tracker), signal: reads.signal, ...o.tracker },
      github: {
        maxResponseBytes: trackerLimits(config.tracker).maxResponseBytes,
        timeoutMs: trackerLimits(config.tracker).timeouts.requestMs,
        ...(config.tracker.pacing ? {} : { pacing: UNPACED }),
        ...o.github,
      },
    });
    const notifiers: Notifier[] = [];
    // Filled in below: the webhook links to the repo's dashboard once the runner knows it.
    let approvals: ApprovalsRunner | null = null;
    if (config.notify.webhookUrl) {
      const webhook = new WebhookNotifier({ url: config.notify.webhookUrl, onFailure: warn });
      notifiers.push({ notify: (e) => webhook.notify(withDashboard(e, approvals?.dashboardUrl(e.repo))) });
    }
    if (o.bell) notifiers.push(new BellNotifier(o.bell));
    const engine = new Engine({
      config,
      tracker,
      clock,
      consoleId: id,
      journal,
      lessons: new LessonsFile(dir),
      // Seed 004's readiness gate: health URL, program on PATH and cwd, login assignable; at each full resync.
      readiness: () => checkReadiness(config.agents, { tracker, repos: config.repos, ...(env.PATH !== undefined ? { path: env.PATH } : {}) }),
      notifier: new CompositeNotifier(notifiers, warn),
      targets: {
        http: new HttpTarget({ agents: config.agents, env, now: () => clock.now() }),
        command: new CommandTarget({ stateDir: dir, env: agentEnv(config, env), trackerUrl: connection.url }),
      },
    });
    const runner = new ApprovalsRunner({ engine, tracker, clock, config, onProblem: warn });
    approvals = runner;
    runner.start();
    let closed: Promise<void> | null = null;
    return {
      engine,
      tracker,
      approvals: runner,
      journal,
      stateDir: dir,
      consoleId: id,
      config,
      close: () =>
        (closed ??= (async () => {
          try {
            // stop() marks the engine stopping before its first await, so no new write starts on
            // the back of an aborted read; writes already sent still finish (the client never aborts them)
            const stopped = Promise.all([runner.stop(), engine.stop()]);
            reads.abort();
            await stopped;
          } finally {
            await journal.close();
            await tracker.close().catch(() => undefined);
            lock.release();
          }
        })()),
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

const withDashboard = (e: NotifyEvent, url: string | undefined): NotifyEvent => (url === undefined ? e : { ...e, dashboardUrl: url });
