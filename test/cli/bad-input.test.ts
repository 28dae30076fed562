import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

/**
 * Findings of the bad-input sweep of the built CLI: each case was an internal error (or a wrong
 * sentence) before its fix. The rule: one clear sentence, a non-zero exit, no stack, no secret.
 */

const home = isolatedHome();

/** A loopback HTTP server answering every request with `answer`, for the length of `use`. */
async function withServer(answer: RequestListener, use: (port: number) => Promise<void>): Promise<void> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** One line on stderr saying `sentence`, nothing that reads as a crash. */
function oneClearSentence(r: { code: number | null; stderr: string }, sentence: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(sentence);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('a --state-dir that cannot be a directory', () => {
  const file = join(home.dir, 'not-a-dir');
  writeFileSync(file, 'x');

  it.each([
    ['status', []],
    ['lessons', ['list']],
    ['approve', ['abcd']],
    ['dispatch', ['list']],
  ])('%s names the file in the way, exit 1', async (command, args) => {
    const r = await cli(home, ['--state-dir', file, command, ...args]);
    oneClearSentence(r, new RegExp(`directory ${file} is a file, not a directory\\.`));
    expect(r.code).toBe(1);
  });

  it('a path under a file says so', async () => {
    const r = await cli(home, ['--state-dir', join(file, 'sub'), 'status']);
    oneClearSentence(r, /is inside a file, not a directory\./);
  });
});

describe('a token that cannot be sent', () => {
  // nothing listens there: a token refused before any request never reaches the network
  const url = 'http://127.0.0.1:9';

  it('a token file that is a directory is named, not an internal error', async () => {
    const dir = join(home.dir, 'token-dir');
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700);
    const config = join(home.dir, 'token-dir.json');
    writeFileSync(config, JSON.stringify({ tracker: { url, tokenFile: dir }, repos: ['acme/api'] }));
    const r = await cli(home, ['--config', config, 'triage', '--dry-run']);
    oneClearSentence(r, new RegExp(`token file ${dir} is a directory, not a file\\.`));
    expect(r.code).toBe(2);
  });

  it('a non-ASCII character in GITEA_TOKEN is a bad paste, not "tracker unavailable", and the token is not echoed', async () => {
    const token = 'abc123\u201csecretpart';
    const r = await cli(home, ['triage', '--dry-run', '--url', url, '--repo', 'acme/api'], { GITEA_TOKEN: token });
    oneClearSentence(r, /the token in GITEA_TOKEN contains a character that is not plain ASCII; copy it again\./);
    expect(r.stderr).not.toMatch(/unavailable|UND_ERR/);
    expect(r.stderr + r.stdout).not.toContain('secretpart');
    expect(r.code).toBe(2);
  });
});

describe('a directory where a state file belongs', () => {
  it('lessons.json as a directory is named for both reading and adding, not EISDIR', async () => {
    const stateDir = join(home.dir, 'state-with-dir');
    mkdirSync(join(stateDir, 'lessons.json'), { recursive: true, mode: 0o700 });
    chmodSync(stateDir, 0o700);
    chmodSync(join(stateDir, 'lessons.json'), 0o700);
    for (const args of [['lessons'], ['lessons', 'add', 'acme/api', 'lint first']]) {
      const r = await cli(home, ['--state-dir', stateDir, ...args]);
      oneClearSentence(r, new RegExp(`${stateDir}/lessons.json is a directory where switchboard keeps a file: move it away\\.`));
    }
  });
});

describe('--config naming a file that is not there', () => {
  it('is refused by the commands that read it (a typo no longer runs on the defaults), and config set still creates it', async () => {
    const missing = join(home.dir, 'typo-config.json');
    for (const args of [['config', 'show'], ['triage', '--dry-run', '--from-file', missing], ['run', '--headless', '--once']]) {
      const r = await cli(home, ['--config', missing, ...args]);
      oneClearSentence(r, new RegExp(`config file ${missing} does not exist\\.\\nhint: create it with switchboard config init --config ${missing}`));
      expect(r.code).toBe(2);
    }
    const set = await cli(home, ['--config', missing, 'config', 'set', 'intervalSeconds', '600']);
    expect(set.code).toBe(0);
    expect((await cli(home, ['--config', missing, 'config', 'get', 'intervalSeconds'])).stdout.trim()).toBe('600');
  });
});

describe('config keys named like Object.prototype members', () => {
  it('a config file with a "constructor" or "toString" key gets the unknown-key warning, not an internal error in every command', async () => {
    const config = join(home.dir, 'proto-keys.json');
    writeFileSync(config, JSON.stringify({ constructor: { prototype: 1 }, toString: 2, tracker: { hasOwnProperty: 1 }, repos: ['acme/api'] }));
    const r = await cli(home, ['--config', config, 'config', 'get', 'repos']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['acme/api']);
    expect(r.stderr).toContain('unknown config key "constructor" is ignored');
    expect(r.stderr).toContain('unknown config key "tracker.hasOwnProperty" is ignored');
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it.each(['__proto__.x', 'constructor.prototype', 'tracker.__proto__'])('config set %s is not a config path, and the file is left as it was', async (path) => {
    const config = join(home.dir, 'proto-set.json');
    writeFileSync(config, '{}');
    const r = await cli(home, ['--config', config, 'config', 'set', path, '{"a":1}']);
    oneClearSentence(r, new RegExp(`"${path.replace(/[.[\]]/g, '\\$&')}" is not a config path; see switchboard config show\\.`));
    expect(r.code).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe('{}');
    expect((await cli(home, ['--config', config, 'config', 'get', 'repos'])).code).toBe(0);
  });
});

describe('config init --kind github', () => {
  it('tells the operator to set GITHUB_TOKEN, not GITEA_TOKEN, which a GitHub tracker never reads', async () => {
    const config = join(home.dir, 'github-init.json');
    const r = await cli(home, ['--config', config, 'config', 'init', '--kind', 'github', '--repo', 'acme/api']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Next: export GITHUB_TOKEN=… (or GH_TOKEN');
    expect(r.stdout).not.toContain('GITEA_TOKEN');
  });
});

describe('a GitHub tracker that answers without end', () => {
  it('the body is abandoned at tracker.maxResponseMegabytes: one sentence and exit 1, not a heap that grows until the machine swaps', async () => {
    // it was read whole (undici's body.text()): 13 GB resident within a minute before this
    const endless: RequestListener = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const chunk = '{"number":1,"title":"x"},'.repeat(4000);
      const pump = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(pump));
    };
    await withServer(endless, async (port) => {
      const config = join(home.dir, 'github-endless.json');
      writeFileSync(config, JSON.stringify({ tracker: { kind: 'github', url: `http://127.0.0.1:${port}`, maxResponseMegabytes: 1 }, repos: ['acme/api'] }));
      const r = await cli(home, ['--config', config, 'run', '--headless', '--once', '--state-dir', join(home.dir, 'github-endless-state')], { GITHUB_TOKEN: 'tok' }, 60_000);
      oneClearSentence(r, new RegExp(`on 127\\.0\\.0\\.1:${port} returned a body larger than 1 MB, the tracker\\.maxResponseMegabytes limit`));
      expect(r.code).toBe(1);
    });
  }, 70_000);
});

describe('a GitHub tracker that drips its answer', () => {
  it('a byte every second never trips an idle timeout; the whole answer has tracker.requestTimeoutSeconds, then one sentence and exit 1', async () => {
    // it hung for good before: undici's header and body timeouts restart with every byte
    const dripping: RequestListener = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const drip = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(drip));
    };
    await withServer(dripping, async (port) => {
      const config = join(home.dir, 'github-drip.json');
      writeFileSync(config, JSON.stringify({ tracker: { kind: 'github', url: `http://127.0.0.1:${port}`, requestTimeoutSeconds: 2 }, repos: ['acme/api'] }));
      const r = await cli(home, ['--config', config, 'run', '--headless', '--once', '--state-dir', join(home.dir, 'github-drip-state')], { GITHUB_TOKEN: 'tok' }, 60_000);
      oneClearSentence(r, new RegExp(`127\\.0\\.0\\.1:${port} unavailable: GET /user failed \\(no complete answer within 2 s, the tracker\\.requestTimeoutSeconds limit\\)`));
      expect(r.code).toBe(1);
    });
  }, 70_000);
});

describe('a GitHub tracker that redirects to another server', () => {
  it.each([302, 307, 308])('HTTP %i is not followed (the token stays home) and is said as a redirect, not as an unexpected body', async (status) => {
    const asked: string[] = [];
    const elsewhere: RequestListener = (req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(status, { location: `http://example.invalid${req.url ?? '/'}`, 'content-type': 'text/html' });
      res.end('<html>moved</html>');
    };
    await withServer(elsewhere, async (port) => {
      const config = join(home.dir, `github-redirect-${status}.json`);
      writeFileSync(config, JSON.stringify({ tracker: { kind: 'github', url: `http://127.0.0.1:${port}` }, repos: ['acme/api'] }));
      const r = await cli(home, ['--config', config, 'triage', '--json'], { GITHUB_TOKEN: 'tok_secret_value' }, 60_000);
      oneClearSentence(r, new RegExp(`127\\.0\\.0\\.1:${port} redirects .* to another server \\(http://example\\.invalid\\); switchboard does not follow it`));
      expect(r.stderr).not.toMatch(/unexpected body|should be/);
      expect(r.stderr + r.stdout).not.toContain('tok_secret_value');
      expect(asked.length).toBeGreaterThan(0);
    });
  }, 70_000);
});
