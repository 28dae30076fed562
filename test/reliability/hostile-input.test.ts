import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandTarget } from '../../src/adapters/agents/command-target.js';
import { GiteaTracker } from '../../src/adapters/gitea/index.js';
import { parseConfig } from '../../src/core/config.js';
import { Engine } from '../../src/core/engine.js';
import { IssueShapeError, SwitchboardError } from '../../src/core/errors.js';
import type { Issue } from '../../src/core/issue.js';
import { type Agent, AgentSchema } from '../../src/core/routing.js';
import { scoreIssue } from '../../src/core/scoring.js';
import { profileFromConfig } from '../../src/core/triage.js';
import { auditComment, dispatchComment, type Marker, parseMarker, renderMarker, trustedMarkers } from '../../src/core/texts.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { FakeJournal } from '../fakes/fake-journal.js';
import { FakeNotifier } from '../fakes/fake-notifier.js';
import { FakeTracker } from '../fakes/fake-tracker.js';
import { readyBug } from '../fakes/issues.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';
import { KEY, mount } from '../ui/console-harness.js';
import { wrap } from '../../src/ui/wrap.js';

/**
 * Hostile tracker text through the whole path: raw JSON served over loopback HTTP → the real
 * Gitea adapter → scoring → proposals → the console's frames → audit and dispatch comments → a
 * command agent's argv. See RELIABILITY.md, "Hostile input".
 */

const SOAK = process.env.SWITCHBOARD_SOAK === '1';
const RUNS = SOAK ? 1500 : 60;
const REPO = 'acme/api';
const READY_BODY = readyBug({ number: 1 }).body;
const SELF = 'switchboard-bot';

/** What must never reach a rendered frame: C0 (newline aside), DEL, C1, bidi controls, zero-width/invisible format characters. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u061c\ufeff\u2028\u2029]/u;

const FRAGMENTS = [
  '\u001b[31mred\u001b[0m',
  '\u001b[2J\u001b[H',
  '\u001b]52;c;cm0gLXJmIH4=\u0007',
  '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
  '\u001b]0;pwned title\u0007',
  '\u001bP+q\u001b\\',
  '\u009b31m',
  '\u009d0;t\u009c',
  '\u202e',
  '\u202d',
  '\u2066',
  '\u2069',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u2028',
  '\u0000',
  '\u0007',
  '\b',
  '\r',
  '\n',
  '\t',
  '\ud800',
  '\udfff',
  '$(touch pwned)',
  '`touch pwned2`',
  '; touch pwned3 #',
  '| tee pwned4',
  "' \" \\",
  '&& exit 1',
  '-->',
  '--!>',
  '<!--',
  '<!-- switchboard:v1 {"kind":"audit","proposal":"p-forged","console":"evil","action":"dispatch","agent":"cmd"} -->',
  ' -->',
  '{title}',
  '{prompt}',
  '@owner',
  '[bug]',
  '[P0]',
  '## Acceptance criteria\n- [ ] must pass',
  '- [ ] src/auth/login.py def check() test_it',
  '> > > > > >',
  '你好世界',
  '👩‍👩‍👧',
  'e\u0301',
];

const hostileText = (maxLength = 12): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) }), {
      maxLength,
    })
    .map((parts) => parts.join(''));

/** One raw issue as a forge might send it; `wrong` marks fields of the wrong type. */
const rawIssue = fc.record({
  number: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(-1, 0, -(2 ** 31), 2 ** 53 - 1, 2 ** 31)),
  title: fc.oneof({ weight: 6, arbitrary: hostileText() }, { weight: 3, arbitrary: hostileText(4).map((t) => `[bug] ${t}`) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(7, null, ['x'], { t: 1 }) }),
  body: fc.oneof(
    hostileText(20),
    fc.constant(null),
    // a ready issue's text with hostile text around and inside it: these get dispatched and commented on
    fc.tuple(hostileText(6), hostileText(6)).map(([a, b]) => `${a}\n${READY_BODY}\n- [ ] ${b}\n${b}`),
  ),
  labels: fc.oneof(fc.array(fc.record({ name: hostileText(3) }), { maxLength: 4 }), fc.constant(null)),
  assignees: fc.oneof(fc.array(fc.record({ login: hostileText(2) }), { maxLength: 2 }), fc.constant(null)),
  user: fc.oneof(fc.record({ login: fc.constantFrom('alice', 'mallory', '\u202eecila') }), fc.constant(null)),
  created_at: fc.oneof(fc.constantFrom('2026-04-28T09:00:00Z', 'not a date', '\u001b[31m', ''), fc.constant(null)),
  state: fc.constantFrom('open', 'open', 'closed'),
  html_url: hostileText(3),
});

/** A loopback forge answering the issue list with whatever raw text the current case holds. */
let forge: LoopbackServer;
let listing = '[]';
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'switchboard-hostile-'));
  forge = await loopbackServer((req, res) => {
    if (req.url.startsWith('/api/v1/settings/api')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ max_response_items: 100_000 }));
      return;
    }
    if (/^\/api\/v1\/repos\/acme\/api\/issues\?/.test(req.url)) {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? '1');
      res.writeHead(200, { 'content-type': 'application/json', 'x-total-count': page === 1 ? '1' : '0' });
      res.end(page === 1 ? listing : '[]');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"not found"}');
  });
});

afterAll(async () => {
  await forge.close();
  await rm(scratch, { recursive: true, force: true });
});

const newTracker = () => new GiteaTracker({ url: forge.url, token: 'tok', retry: { attempts: 1 } });

/** Everything the parser accepted, or the typed error it refused the listing with. */
async function fetchThroughAdapter(json: string): Promise<{ issues: Issue[] } | { error: unknown }> {
  listing = json;
  const tracker = newTracker();
  try {
    const { issues } = await tracker.fetchBacklog(REPO, { full: true });
    return { issues: [...issues] };
  } catch (error) {
    return { error };
  } finally {
    await tracker.close();
  }
}

const commandAgent = (cwd: string): Agent =>
  AgentSchema.parse({
    id: 'cmd',
    displayName: 'Cmd',
    kind: 'command',
    // printf prints its argument verbatim (escapes are only read in the format): the log shows exactly what argv held
    command: ['/usr/bin/printf', '--', 'T<%s>END', '{title}'],
    cwd,
    maxConcurrent: 100,
    timeoutMinutes: 1,
  });

function engineOver(issues: Issue[], stateDir: string) {
  const clock = new FakeClock();
  const tracker = new FakeTracker(() => clock.now());
  tracker.seed(...issues);
  const config = parseConfig({
    repos: [REPO],
    trustedAuthors: ['alice'],
    armed: true,
    autoApprove: [{ when: {} }],
    limits: { repoLock: false, dispatchesPerCycle: 100 },
    agents: [
      { id: 'cmd', displayName: 'Cmd', kind: 'command', command: ['/usr/bin/true'], cwd: stateDir, maxConcurrent: 100 },
      { id: 'owner', displayName: 'Owner', kind: 'owner', maxConcurrent: 100 },
    ],
    roles: { coding: 'cmd', research: 'cmd', owner: 'owner' },
  });
  const engine = new Engine({
    config,
    tracker,
    clock,
    consoleId: 'console-a',
    journal: new FakeJournal(),
    notifier: new FakeNotifier(),
    targets: { command: new CommandTarget({ stateDir, env: {} }) },
    selfLogin: tracker.selfLogin,
  });
  return { engine, tracker, config };
}

const stats = { cases: 0, issues: 0, refused: 0, frames: 0, comments: 0, engineComments: 0, spawned: 0 };

function expectCleanFrame(frame: string): void {
  stats.frames++;
  const bad = FORBIDDEN.exec(frame);
  expect(bad, bad ? `U+${bad[0].codePointAt(0)?.toString(16)} reached the frame` : '').toBeNull();
}

/** Our marker, and nothing else, from a comment switchboard wrote around hostile text. */
function expectOnlyOurMarker(body: string, ours: Marker): void {
  stats.comments++;
  const comments = [
    { id: 1, body, author: SELF, createdAt: '' },
    // the same text by anyone else counts for nothing
    { id: 2, body, author: 'mallory', createdAt: '' },
  ];
  const found = trustedMarkers(comments, SELF);
  expect(found.map((f) => f.marker)).toEqual([ours]);
  expect(body.endsWith(renderMarker(ours))).toBe(true);
  // exactly one marker opening: hostile text cannot plant a second one
  expect(body.split('<!-- switchboard:').length - 1).toBe(1);
}

async function commandArgv(target: CommandTarget, stateDir: string, issue: Issue, cwd: string): Promise<void> {
  const agent = commandAgent(cwd);
  const result = await target.dispatch({
    proposalId: 'p1',
    agent,
    attempt: 1,
    repo: issue.repo,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    url: issue.url,
    taskType: 'routine_coding',
  });
  expect(result.ok, result.detail).toBe(true);
  stats.spawned++;
  const runId = result.runId as string;
  const deadline = Date.now() + 5000;
  let status = await target.observe(runId);
  while (status.status === 'running' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    status = await target.observe(runId);
  }
  expect(status.status).toBe('done');
  const logPath = /log (\S+\.log)/.exec(result.detail ?? '')?.[1] as string;
  const rel = relative(join(stateDir, 'logs'), logPath);
  expect(rel.startsWith('..') || isAbsolute(rel)).toBe(false);
  const log = await readFile(logPath, 'utf8');
  const printed = log.slice(log.indexOf('\n') + 1);
  // argv cannot carry NUL; everything else arrives as one element, byte for byte (as UTF-8)
  const expected = Buffer.from(issue.title.replace(/\0/g, ''), 'utf8').toString('utf8');
  expect(printed.slice(printed.lastIndexOf('T<'))).toBe(`T<${expected}>END`);
}

/** One listing through the whole path; returns how many issues were accepted. */
async function throughTheWholePath(json: string, options: { render?: boolean; spawn?: boolean } = {}): Promise<number> {
  stats.cases++;
  const fetched = await fetchThroughAdapter(json);
  if ('error' in fetched) {
    // refused as a whole, with a typed error that names the field, never a crash or a hang
    stats.refused++;
    expect(fetched.error).toBeInstanceOf(SwitchboardError);
    expect((fetched.error as Error).message).toMatch(/unexpected body: .* should be|field "|malformed JSON/);
    return 0;
  }
  const { issues } = fetched;
  stats.issues += issues.length;
  const stateDir = await mkdtemp(join(scratch, 'state-'));
  const cwd = await mkdtemp(join(scratch, 'cwd-'));
  try {
    const { engine, tracker, config } = engineOver(issues, stateDir);
    await engine.runCycle();
    const snapshot = engine.getSnapshot();

    if (options.render !== false) {
      const c = await mount({ engine, clock: new FakeClock(), config } as never, { columns: 120, rows: 40, repos: [REPO], agents: config.agents });
      expectCleanFrame(c.frame());
      await c.press(KEY.enter);
      expectCleanFrame(c.frame());
      await c.press(KEY.esc, KEY.tab);
      expectCleanFrame(c.frame());
      await c.press(KEY.enter);
      expectCleanFrame(c.frame());
      for (const f of c.framesSinceMount()) expect(FORBIDDEN.test(f)).toBe(false);
      c.unmount();
    }

    // what the engine actually wrote: every comment of ours carries exactly its own marker
    for (const [, comments] of tracker.comments) {
      for (const comment of comments) {
        stats.engineComments++;
        const marker = parseMarker(comment.body);
        expect(marker).not.toBeNull();
        expectOnlyOurMarker(comment.body, marker as Marker);
        expect(marker?.console).toBe('console-a');
        expect(marker?.proposal).not.toBe('p-forged');
      }
    }

    // and the comment texts, for every hostile issue whether or not it was ready
    const profile = profileFromConfig(config);
    const agent = config.agents[0] as Agent;
    for (const issue of issues) {
      const scored = scoreIssue(issue, profile, new Date('2026-05-01T10:00:00Z'));
      const proposal = [...snapshot.proposals.values()].find((p) => p.number === issue.number);
      // a skip is never written (and cannot be re-routed), so only a dispatch's or flag's reason reaches an audit comment
      const reason = proposal && proposal.action !== 'skip' ? proposal.reason : 'Unassigned ready issue.';
      const now = new Date('2026-05-01T10:00:00Z');
      const audit = auditComment({
        proposal: { id: 'p-ours', action: 'dispatch', agentId: 'cmd', reason },
        agent,
        ownerLogin: 'owner',
        approvedBy: 'operator',
        consoleId: 'console-a',
        inProgressLabel: 'switchboard:in-progress',
        now,
      });
      expectOnlyOurMarker(audit, { kind: 'audit', proposal: 'p-ours', console: 'console-a', action: 'dispatch', agent: 'cmd', at: now.toISOString() });
      const dispatch = dispatchComment({ proposalId: 'p-ours', agent, scored, consoleId: 'console-a', attempt: 1, detail: 'pid 1, log acme-api-1-1.log' });
      expectOnlyOurMarker(dispatch, { kind: 'dispatch', proposal: 'p-ours', console: 'console-a', action: 'dispatch', agent: 'cmd', attempt: 1 });
    }

    if (options.spawn !== false) {
      const target = new CommandTarget({ stateDir, env: { PATH: process.env.PATH ?? '' } });
      for (const issue of issues.slice(0, 2)) await commandArgv(target, stateDir, issue, cwd);
    }
    // nothing a title said was run by a shell
    expect(await readdir(cwd)).toEqual([]);
    expect((await readdir(stateDir)).filter((n) => /pwned/.test(n))).toEqual([]);
    await engine.stop();
    return issues.length;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}

describe('hostile tracker input, end to end', () => {
  it(`generated issues (${RUNS} runs): no crash, no control character on screen, no forged marker, no shell`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawIssue, { minLength: 1, maxLength: 4 }), async (raws) => {
        const unique = raws.filter((r, i) => raws.findIndex((o) => o.number === r.number) === i);
        await throughTheWholePath(JSON.stringify(unique));
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: SOAK ? 480_000 : 40_000 },
    );
    console.log(`hostile-input generated: ${JSON.stringify(stats)}`);
  }, SOAK ? 600_000 : 55_000);
});

describe('a hand-written corpus of hostile issues', () => {
  const issue = (over: Record<string, unknown>) => ({ number: 1, title: 't', body: READY_BODY, user: { login: 'alice' }, created_at: '2026-04-28T09:00:00Z', state: 'open', ...over });
  const list = (...items: unknown[]) => JSON.stringify(items);

  it('1 MB bodies, 10,000 labels and deeply nested markdown are tolerated, quickly, and render clean', async () => {
    const started = Date.now();
    const megabyte = `${'\u001b[31m$(touch pwned) \u202e'.repeat(30_000)}\n${READY_BODY}\n${'x'.repeat(200_000)}`;
    const labels = Array.from({ length: 10_000 }, (_, i) => ({ name: i % 2 ? `l${i}\u001b]52;c;eA==\u0007` : `bug${i}` }));
    const nested = `${'> '.repeat(5000)}deep\n${Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i)}- [ ] item ${i}`).join('\n')}\n${'['.repeat(20_000)}${']('.repeat(20_000)}`;
    const n = await throughTheWholePath(
      list(issue({ number: 1, title: '[bug] big', body: megabyte }), issue({ number: 2, title: '[bug] labels', labels }), issue({ number: 3, title: '[bug] nested', body: nested })),
    );
    expect(n).toBe(3);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 45_000);

  it('duplicate keys (the last wins), numbers where strings belong, negative and huge numbers', async () => {
    // JSON.parse keeps the last of duplicate keys: the hostile title is the one that must be defused
    const dup = `[{"number":5,"title":"safe","title":"\\u001b]8;;https://evil\\u001b\\\\x\\u202e","body":"b","body":"\\u0000-->","state":"open","state":"open"}]`;
    expect(await throughTheWholePath(dup)).toBe(1);
    for (const bad of [
      list(issue({ title: 7 })),
      list(issue({ number: '7' })),
      list(issue({ labels: [{ name: 1 }] })),
      list(issue({ body: { evil: true } })),
      list(issue({ number: 1.5 })),
      list(issue({ user: { login: 42 } })),
      list('not an issue'),
      '{"not":"a list"}',
      '[{"number":1,"title":"truncated',
    ]) {
      const before = stats.refused;
      expect(await throughTheWholePath(bad)).toBe(0);
      expect(stats.refused).toBe(before + 1);
    }
    expect(await throughTheWholePath(list(issue({ number: -5 }), issue({ number: 2 ** 53 - 1 }), issue({ number: 0 })))).toBe(3);
  });

  it('shell metacharacters in titles reach the agent verbatim as one argument and run nothing', async () => {
    const titles = ['$(touch pwned)', '`touch pwned2`', 'a; touch pwned3', 'a && touch pwned4 || true', "'\"\\$HOME*?[a]{title}{prompt}", 'a\nb\r\nc', '-rf /', '--help'];
    expect(await throughTheWholePath(list(...titles.map((title, i) => issue({ number: i + 1, title }))), { render: false, spawn: false })).toBe(titles.length);
    const stateDir = await mkdtemp(join(scratch, 'argv-'));
    const cwd = await mkdtemp(join(scratch, 'cwd-'));
    const target = new CommandTarget({ stateDir, env: { PATH: process.env.PATH ?? '' } });
    for (const [i, title] of titles.entries()) {
      await commandArgv(target, stateDir, { ...readyBug({ number: i + 1 }), repo: REPO, title }, cwd);
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a repository named ../../x cannot move a log, a worktree or a working directory out of its root', async () => {
    expect(() => parseConfig({ repos: ['../../x'] })).toThrow(/owner\/name/);
    expect(() => parseConfig({ repos: ['../x'] })).toThrow(/owner\/name/);
    const stateDir = await mkdtemp(join(scratch, 'paths-'));
    const cwd = await mkdtemp(join(scratch, 'cwd-'));
    const target = new CommandTarget({ stateDir, env: { PATH: process.env.PATH ?? '' } });
    for (const repo of ['../../x', '../..', '/etc/passwd', 'a/../../../b', '..\\..\\x']) {
      await commandArgv(target, stateDir, { ...readyBug({ number: 9 }), repo, title: 'x' }, cwd);
      // a working directory templated on the repo refuses the name outright
      const agent = AgentSchema.parse({ id: 'cmd', displayName: 'Cmd', kind: 'command', command: ['/usr/bin/true'], cwd: join(cwd, '{repo}') });
      const refused = target.dispatch({ proposalId: 'p', agent, attempt: 1, repo, number: 9, title: 'x', body: '', url: '', taskType: 'routine_coding' });
      if (repo === '..\\..\\x' || repo === '/etc/passwd') await expect(refused).rejects.toThrow(/cannot be used in a working directory|does not exist/);
      else await expect(refused).rejects.toThrow(/cannot be used in a working directory/);
    }
    const logs = await readdir(join(stateDir, 'logs'));
    for (const name of logs) expect(resolve(stateDir, 'logs', name).startsWith(join(stateDir, 'logs'))).toBe(true);
    expect(logs.every((n) => /^[A-Za-z0-9_-]+\.log$/.test(n))).toBe(true);
  });
});

describe('regressions found by this suite', () => {
  it('a command that exits at once is seen to exit (its exit was missed while the log closed, so it ran "forever")', async () => {
    const stateDir = await mkdtemp(join(scratch, 'quick-'));
    const target = new CommandTarget({ stateDir, env: {} });
    for (let i = 1; i <= 20; i++) {
      const agent = AgentSchema.parse({ id: 'cmd', displayName: 'Cmd', kind: 'command', command: ['/usr/bin/true'], cwd: stateDir });
      const r = await target.dispatch({ proposalId: 'p', agent, attempt: i, repo: REPO, number: 1, title: 't', body: '', url: '', taskType: 'routine_coding' });
      const deadline = Date.now() + 3000;
      let s = await target.observe(r.runId as string);
      while (s.status === 'running' && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 10));
        s = await target.observe(r.runId as string);
      }
      expect(s.status).toBe('done');
    }
  });

  it('a NUL in a title no longer stops the agent from starting', async () => {
    const stateDir = await mkdtemp(join(scratch, 'nul-'));
    await commandArgv(new CommandTarget({ stateDir, env: {} }), stateDir, { ...readyBug({ number: 4 }), title: 'a\u0000b' }, stateDir);
  });

  it('wrapping a 1 MB body takes well under a second (it was quadratic: minutes of frozen console)', () => {
    const started = Date.now();
    const lines = wrap(`${'word $(x) '.repeat(100_000)}\n${'x'.repeat(200_000)}`, 116);
    expect(lines.length).toBeGreaterThan(10_000);
    expect(lines.every((l) => l.length <= 116)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
