import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandTarget } from '../../src/adapters/agents/command-target.js';
import { HttpTarget } from '../../src/adapters/agents/http-target.js';
import { checkToken, resolveConnection } from '../../src/adapters/connection.js';
import { createGiteaTracker } from '../../src/adapters/gitea/index.js';
import { FileJournal, acquireLock, appendCommand, consoleId, stateDir } from '../../src/adapters/journal-file.js';
import { fileLogger } from '../../src/adapters/log-file.js';
import { notPrivate } from '../../src/adapters/private-files.js';
import { maskSecret, parseDuration, resolveSettings } from '../../src/adapters/settings.js';
import { runChecks } from '../../src/commands/doctor.js';
import { parseConfig } from '../../src/core/config.js';
import type { DispatchRequest } from '../../src/core/ports.js';
import { SwitchboardError } from '../../src/core/errors.js';
import { type Agent, AgentSchema } from '../../src/core/routing.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { cli, isolatedHome } from '../cli/harness.js';
import { type LoopbackServer, loopbackServer } from '../helpers/loopback-server.js';

/**
 * Issue 13, item by item: each test is an attack that got through before (see SECURITY.md).
 * Item 1 (terminal escapes in every output) is test/reliability/hostile-output.test.ts; item 6
 * (claims by another account) waits for the engine redesign.
 */

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sb-attacks-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
let n = 0;
const fresh = (mode = 0o700): string => {
  const dir = join(scratch, `d${++n}`);
  mkdirSync(dir, { mode });
  chmodSync(dir, mode);
  return dir;
};

const message = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('2. a command agent: issue text never becomes an option', () => {
  const agentFile = () => {
    const dir = fresh();
    const script = join(dir, 'agent.mjs');
    // written aside and renamed: the test never reads half a file
    writeFileSync(script, `import { renameSync, writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(dir, 'argv.tmp'))}, JSON.stringify(process.argv.slice(2))); renameSync(${JSON.stringify(join(dir, 'argv.tmp'))}, ${JSON.stringify(join(dir, 'argv.json'))});`);
    return { dir, script, argv: () => (existsSync(join(dir, 'argv.json')) ? (JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8')) as string[]) : null) };
  };
  const request = (agent: Agent, over: Partial<DispatchRequest> = {}): DispatchRequest => ({
    proposalId: 'p-1', agent, attempt: 1, repo: 'acme/api', number: 7, title: '--output=/some/path', body: '',
    url: 'https://git.example/acme/api/issues/7', taskType: 'routine_coding', ...over,
  });
  const settle = async (read: () => string[] | null) => {
    for (let i = 0; i < 1000 && read() === null; i++) await new Promise((r) => setTimeout(r, 10));
    return read();
  };

  it('a title like --output=/some/path is refused where the template has no "--" before it, and the agent never starts', async () => {
    const a = agentFile();
    const agent = AgentSchema.parse({ id: 'git', displayName: 'Git', kind: 'command', command: [process.execPath, a.script, 'log', '-1', '{title}'], cwd: a.dir });
    const target = new CommandTarget({ stateDir: fresh(), env: {}, trackerUrl: 'https://git.example' });
    const result = await target.dispatch(request(agent));
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/\{title\} would start the argument "--output=\/some\/path" with "-".*put "--" before it/);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.argv()).toBeNull();
  });

  it('after "--" the same title arrives as one plain argument', async () => {
    const a = agentFile();
    const agent = AgentSchema.parse({ id: 'git', displayName: 'Git', kind: 'command', command: [process.execPath, a.script, 'log', '--', '{title}'], cwd: a.dir });
    const result = await new CommandTarget({ stateDir: fresh(), env: {}, trackerUrl: 'https://git.example' }).dispatch(request(agent));
    expect(result.ok, result.detail).toBe(true);
    expect(await settle(a.argv)).toEqual(['log', '--', '--output=/some/path']);
  });

  it('{url} must be the tracker\'s own page of the issue', async () => {
    const a = agentFile();
    const agent = AgentSchema.parse({ id: 'x', displayName: 'X', kind: 'command', command: [process.execPath, a.script, '--', '{url}'], cwd: a.dir });
    const target = new CommandTarget({ stateDir: fresh(), env: {}, trackerUrl: 'https://git.example' });
    for (const url of ['--upload-pack=touch /tmp/x', 'https://evil.example/acme/api/issues/7', 'https://git.example/acme/api/issues/7?x=--exec', 'https://git.example/other/repo/issues/7', 'file:///etc/passwd']) {
      const result = await target.dispatch(request(agent, { url, title: 'ok' }));
      expect(result.ok, url).toBe(false);
      expect(result.detail).toContain("is not https://git.example's page of acme/api#7");
    }
    expect((await target.dispatch(request(agent, { title: 'ok' }))).ok).toBe(true);
  });

  it('the program itself cannot come from a placeholder', () => {
    expect(() => AgentSchema.parse({ id: 'x', displayName: 'X', kind: 'command', command: ['{title}'] })).toThrow(/program cannot come from a placeholder/);
  });
});

describe('3. a state directory others can write to is refused', () => {
  it('a world-writable state dir: refused with the chmod that fixes it, by the engine, approve and doctor', async () => {
    const dir = fresh(0o777);
    const sentence = await message(stateDir({ dir }));
    expect(sentence).toBe(`state directory ${dir} is writable by its group, who could approve work through it; run: chmod 700 ${dir}`);
    await expect(appendCommand(dir, { command: 'approve', proposalId: 'p-1' })).rejects.toThrow(/run: chmod 700/);
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(false);
    const checks = await runChecks({ stateDir: dir, config: join(fresh(), 'none.json') }, {}, {});
    expect(checks.find((c) => c.name === 'state dir')).toMatchObject({ ok: false, fix: `run: chmod 700 ${dir}` });
  });

  it('a journal others can append to is refused: one appended line can no longer approve a dispatch', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'journal.jsonl'), '');
    chmodSync(join(dir, 'journal.jsonl'), 0o666);
    expect(await message(stateDir({ dir }))).toBe(`state file ${join(dir, 'journal.jsonl')} is writable by its group, who could approve work through it; run: chmod 600 ${join(dir, 'journal.jsonl')}`);
    chmodSync(join(dir, 'journal.jsonl'), 0o602);
    expect(await message(stateDir({ dir }))).toContain('writable by other users');
    chmodSync(join(dir, 'journal.jsonl'), 0o600);
    await expect(stateDir({ dir })).resolves.toBe(dir);
  });

  it('a directory or file owned by another user is refused', () => {
    const stats = statSync(fresh());
    expect(notPrivate('/srv/sb', stats, stats.uid + 1, 'state directory')).toMatch(/^state directory \/srv\/sb belongs to another user \(uid \d+\), .*run: sudo chown -R \d+ \/srv\/sb$/);
    expect(notPrivate('/srv/sb', stats, stats.uid, 'state directory')).toBeNull();
  });

  it('what switchboard creates is 0700 and 0600', async () => {
    const dir = join(fresh(), 'new');
    await stateDir({ dir });
    await consoleId(dir);
    await appendCommand(dir, { command: 'approve', proposalId: 'p-1' });
    fileLogger(dir)('hello');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['console-id', 'journal.jsonl', 'switchboard.log']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
  });
});

describe('4. journal, log, lock and console id never follow a symlink', () => {
  it('approve, the engine journal, the log and the lock refuse a planted link and leave its target alone', async () => {
    const dir = fresh();
    const target = join(fresh(), 'victim');
    writeFileSync(target, 'untouched\n');
    for (const name of ['journal.jsonl', 'switchboard.log', 'engine.lock', 'console-id']) symlinkSync(target, join(dir, name));

    await expect(appendCommand(dir, { command: 'approve', proposalId: 'p-1' })).rejects.toThrow(/is a symbolic link/);
    const journal = new FileJournal(dir);
    await expect(journal.append({ type: 'armed', at: '2026-05-01T10:00:00.000Z', console: 'c' } as never)).rejects.toThrow(/is a symbolic link|invalid/);
    await expect(journal.replay()).rejects.toThrow(/journal.jsonl is a symbolic link; switchboard never follows links/);
    fileLogger(dir)('a warning');
    await expect(acquireLock(dir, 'c')).rejects.toThrow(/engine.lock is a symbolic link/);
    await expect(consoleId(dir)).rejects.toThrow(/console-id is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    // and the state directory with links in it is refused as a whole
    await expect(stateDir({ dir })).rejects.toThrow(/is a symbolic link/);
  });
});

describe('5. http dispatches are signed over time, dispatch id and body; the README receiver refuses replays', () => {
  const SECRET = 'receiver-shared-secret';
  const seen = new Map<string, number>();
  let server: LoopbackServer;
  /** the receiver from the README, "Receiving a signed dispatch" */
  const verdict = (headers: Record<string, string | string[] | undefined>, body: Buffer, now: number): number => {
    const id = String(headers['x-switchboard-dispatch'] ?? '');
    const sig = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['x-switchboard-signature'] ?? ''));
    if (!sig || !id) return 401;
    const expected = createHmac('sha256', SECRET).update(`${sig[1]}.${id}.`).update(body).digest();
    if (!timingSafeEqual(expected, Buffer.from(sig[2]!, 'hex'))) return 401;
    if (Math.abs(now - Number(sig[1])) > 300) return 401;
    if (seen.has(id)) return 409;
    seen.set(id, now);
    return 202;
  };
  beforeAll(async () => {
    server = await loopbackServer((req, res) => {
      const status = verdict(req.headers, req.body, Math.floor(Date.now() / 1000));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 202 ? { run_id: 'r1' } : {}));
    });
  });
  afterAll(() => server.close());

  const agent = () => AgentSchema.parse({ id: 'bot', displayName: 'Bot', kind: 'http', endpoint: `${server.url}/dispatch`, secretEnv: 'BOT_SECRET' });
  const request = (a: Agent, proposalId: string): DispatchRequest => ({ proposalId, agent: a, attempt: 1, repo: 'acme/api', number: 1, title: 't', body: 'b', url: 'https://git.example/acme/api/issues/1', taskType: 'routine_coding' });
  const replay = (i: number, headers: Record<string, string> = {}) => {
    const r = server.received[i]!;
    return fetch(`${server.url}/dispatch`, { method: 'POST', body: r.body, headers: { 'content-type': 'application/json', 'x-switchboard-dispatch': String(r.headers['x-switchboard-dispatch']), 'x-switchboard-signature': String(r.headers['x-switchboard-signature']), ...headers } });
  };

  it('a fresh dispatch is accepted; the captured request replayed is refused; a swapped dispatch id breaks the signature', async () => {
    const a = agent();
    const result = await new HttpTarget({ agents: [a], env: { BOT_SECRET: SECRET } }).dispatch(request(a, 'p-fresh'));
    expect(result).toMatchObject({ ok: true, runId: 'bot:r1' });
    expect((await replay(0)).status).toBe(409);
    expect((await replay(0, { 'x-switchboard-dispatch': 'p-other#1' })).status).toBe(401);
  });

  it('a request signed more than five minutes ago is refused', async () => {
    const a = agent();
    const old = new HttpTarget({ agents: [a], env: { BOT_SECRET: SECRET }, now: () => new Date(Date.now() - 6 * 60_000) });
    expect(await old.dispatch(request(a, 'p-old'))).toMatchObject({ ok: false, detail: expect.stringContaining('HTTP 401') });
  });
});

describe('7. the interval is bounded (1 s to 7 days) in flag, environment and config', () => {
  it('1000h is refused everywhere; 7d is the most', () => {
    expect(() => parseDuration('1000h', '--interval')).toThrow('--interval takes a duration from 1s to 7d, like 30s, 15m or 1h, not "1000h".');
    expect(() => resolveSettings({ env: { SWITCHBOARD_INTERVAL: '1000h' }, cwd: fresh() })).toThrow(/SWITCHBOARD_INTERVAL takes a duration from 1s to 7d/);
    expect(() => parseConfig({ intervalSeconds: 3_600_000 })).toThrow(/intervalSeconds: at most 604800/);
    expect(parseDuration('7d', '--interval')).toBe(604_800);
    expect(() => parseDuration('0s', '--interval')).toThrow();
  });
});

describe('8. a broken config file is one sentence naming it and exit 2, and a ✗ line in doctor', () => {
  const home = isolatedHome();
  const cases: [string, (path: string) => void, string][] = [
    ['invalid JSON', (p) => writeFileSync(p, '{"repos": ['), 'is not valid JSON'],
    ['empty', (p) => writeFileSync(p, ''), 'is empty'],
    ['BOM', (p) => writeFileSync(p, '\ufeff{}'), 'starts with a byte-order mark'],
    ['not an object', (p) => writeFileSync(p, '["acme/api"]'), 'holds a list, not a JSON object'],
    ['a directory', (p) => mkdirSync(p), 'is a directory'],
  ];
  for (const [what, make, sentence] of cases) {
    it(`${what}`, async () => {
      const path = join(fresh(), 'config.json');
      make(path);
      const r = await cli(home, ['--config', path, 'config', 'show']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^switchboard: config file ${path} ${sentence}[^\\n]*\\.\\nhint: [^\\n]+\\n$`));
      const d = await cli(home, ['--config', path, 'doctor', '--state-dir', join(home.dir, 'state')]);
      expect(d.code).toBe(1);
      expect(d.stdout).toContain(`✗ config: config file ${path} ${sentence}`);
      expect(d.stderr).toBe('');
    });
  }
});

describe('9. a pasted token: surrounding white space is dropped, control characters are refused', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ repos: ['api'], issues: 0, token: 'sbx_token_paste_0123456789' });
  });
  afterAll(() => sandbox.close());

  it('a token with a trailing newline signs in', async () => {
    const c = resolveConnection(parseConfig({}), { url: sandbox.url }, { GITEA_TOKEN: ` ${sandbox.token}\r\n` });
    const tracker = createGiteaTracker({ url: c.url!, token: c.token!, kind: 'gitea', tokenSource: c.tokenSource });
    try {
      expect(await tracker.currentUser()).toBe('switchboard');
    } finally {
      await tracker.close();
    }
  });

  it('a control character inside is one sentence naming where the token came from', () => {
    expect(() => checkToken('abc\u0001def', 'GITEA_TOKEN')).toThrow(/^the token in GITEA_TOKEN contains a control character; copy it again without line breaks or escapes\.$/);
    expect(() => resolveConnection(parseConfig({}), {}, { GITEA_TOKEN: 'abc\ndef' })).toThrow(/control character/);
  });
});

describe('10. unknown keys, secrets in URLs, userinfo in endpoints, re-routes to nobody', () => {
  it('an unknown key is a warning naming it and the nearest known one', () => {
    const path = join(fresh(), 'config.json');
    writeFileSync(path, JSON.stringify({ intervalSecond: 60, tracker: { tokenfile: '/x' }, agents: [{ id: 'a', displayName: 'A', kind: 'tracker', label: 'x', labels: ['y'] }, { id: 'owner', displayName: 'O', kind: 'owner' }], roles: { coding: 'a', research: 'a' } }));
    const warnings: string[] = [];
    resolveSettings({ file: path, env: {}, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      `unknown config key "tracker.tokenfile" is ignored; did you mean "tracker.tokenFile"? (config file ${path})`,
      `unknown config key "agents[0].labels" is ignored; did you mean "agents[0].label"? (config file ${path})`,
      `unknown config key "intervalSecond" is ignored; did you mean "intervalSeconds"? (config file ${path})`,
    ].sort((a, b) => warnings.indexOf(a) - warnings.indexOf(b)));
    expect(warnings).toHaveLength(3);
  });

  it('config show masks a secret in a URL query', async () => {
    const home = isolatedHome();
    const path = join(fresh(), 'config.json');
    writeFileSync(path, JSON.stringify({ tracker: { url: 'https://git.example/?access_token=s3cr3t-value&x=1' } }));
    for (const args of [['config', 'show'], ['config', 'show', '--json'], ['config', 'get', 'tracker.url']]) {
      const r = await cli(home, ['--config', path, ...args]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('s3cr3t');
      expect(r.stdout).toContain('access_token=…');
    }
    expect(maskSecret('tracker.url', 'https://user:pw@git.example/x?token=abc#f')).toBe('https://…@git.example/x?token=…#f');
  });

  it('an agent endpoint with a user name or password is refused with a sentence', () => {
    expect(() => parseConfig({ agents: [{ id: 'bot', displayName: 'Bot', kind: 'http', endpoint: 'https://user:secret@agents.example/hook' }, { id: 'owner', displayName: 'O', kind: 'owner' }], roles: { coding: 'bot', research: 'bot' } })).toThrow(
      /agents\[0\]\.endpoint: a URL with a user name or password is refused; sign requests with secretEnv instead/,
    );
  });

  it('reroute to an agent that does not exist: exit 2 listing the known ones, nothing queued', async () => {
    const home = isolatedHome();
    const state = fresh();
    writeFileSync(join(state, 'status.json'), JSON.stringify({ v: 1, pid: 1, running: false, updatedAt: '', armed: false, dryRun: false, cycle: 1, nextCycleAt: null, proposals: [{ id: 'p-abcdef', issue: 'acme/api#1', title: 't', action: 'dispatch', agent: 'claude', status: 'proposed', waiting: null, reason: 'r', gates: [] }], dispatches: [] }), { mode: 0o600 });
    const r = await cli(home, ['reroute', 'p-abcdef', 'nobody', '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('switchboard: "nobody" is not an agent of this config; the agents are claude, kimi, owner.\n');
    expect(existsSync(join(state, 'journal.jsonl'))).toBe(false);
    const ok = await cli(home, ['reroute', 'p-abcdef', 'kimi', '--state-dir', state]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
