import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { CliResult } from '../helpers/cli.js';
import { readyBug } from '../fakes/issues.js';
import { cli, isolatedHome } from '../cli/harness.js';

/**
 * Issue 13, "nothing gets through": a corpus of hostile text fed through every command and every
 * output format of the built binary (tracker issues, a backlog file, a planted status file,
 * config values and key names, command arguments, file names). Whatever each prints, no control
 * byte, escape sequence, bidi override or invisible character reaches stdout or stderr.
 */

// C0 (newline aside, tab too: it is expanded), DEL, C1, bidi controls, zero-width/invisible format characters, tag characters
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u061c\ufeff\u2028\u2029]|[\u{e0000}-\u{e007f}]/u;

const CORPUS = [
  // first: only the top ten ready titles reach the markdown summary
  '[link](https://evil.example) ![img](x) <b>html</b> *em* `code` | cell |',
  '\u001b[2J\u001b[Hcleared',
  '\u001b]52;c;cm0gLXJmIH4=\u0007clip',
  '\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\',
  '\u001b]0;pwned title\u0007',
  '\u001bP+q\u001b\\dcs',
  '\u009b31mc1',
  '\u009d0;t\u009c',
  'rev\u202eesrever',
  'iso\u2066late\u2069',
  'zero\u200bwidth\u200d',
  'tag\u{e0041}\u{e0042}chars',
  'bell\u0007back\bspace\rreturn\u0000nul\u007fdel',
  'bom\ufeffsep\u2028x',
];
const HOSTILE = CORPUS.join(' ');
/** argv cannot carry NUL */
const HOSTILE_ARG = HOSTILE.replace(/\0/g, '');

function expectClean(r: CliResult, what: string): void {
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const bad = FORBIDDEN.exec(text);
    expect(bad, `${what}: U+${bad?.[0].codePointAt(0)?.toString(16)} reached ${stream}:\n${text.slice(0, 400)}`).toBeNull();
  }
  expect(`${r.stdout}${r.stderr}`, what).not.toMatch(/internal error|\n\s+at /);
}

let sandbox: Sandbox;
const home = isolatedHome();
const state = join(home.dir, 'state');
const config = join(home.dir, 'config.json');
const backlog = join(home.dir, 'backlog.json');
const env = () => ({ GITEA_URL: sandbox.url, GITEA_TOKEN: sandbox.token, SWITCHBOARD_REPOS: 'demo/api' });

beforeAll(async () => {
  sandbox = await startSandbox({ repos: ['api'], issues: 0, token: 'sbx_hostile_output_token_0123456789' });
  sandbox.store.setPermission('alice', 'write');
  sandbox.store.setPermission('mallory', 'read');
  CORPUS.forEach((text, i) => {
    sandbox.store.createIssue('demo/api', { title: `[bug] ${text}`, body: `${readyBug({ number: 1 }).body}\n${text}\n- [ ] ${text}`, author: i % 2 ? 'alice' : 'mallory' });
  });
  writeFileSync(
    config,
    JSON.stringify({
      trustedAuthors: ['alice'],
      labels: { needsHuman: `needs-human ${CORPUS[1]}` },
      [`typo${CORPUS[2]}`]: true,
    }),
  );
  writeFileSync(
    backlog,
    JSON.stringify(
      CORPUS.map((text, i) => ({ number: i + 1, title: `[bug] ${text}`, body: `${readyBug({ number: 1 }).body}\n${text}`, user: { login: text }, labels: [{ name: text }], created_at: '2026-04-28T09:00:00Z', state: 'open' })),
    ),
  );
}, 30_000);
afterAll(async () => {
  await sandbox.close();
});

const run = (args: readonly string[], timeoutMs = 20_000) => cli(home, ['--config', config, ...args], env(), timeoutMs);

describe('hostile text through every command and output format', () => {
  it('triage from a file: table, --json and --markdown (markdown also escaped)', async () => {
    for (const format of [[], ['--json'], ['--markdown']]) {
      const r = await run(['triage', '--dry-run', '--from-file', backlog, '--now', '2026-05-01T10:00:00Z', ...format]);
      expect(r.code, r.stderr).toBe(0);
      expectClean(r, `triage ${format.join(' ')}`);
      if (format[0] === '--markdown') {
        expect(r.stdout).toContain('\\<b\\>html\\</b\\> \\*em\\* \\`code\\` \\| cell \\|');
        expect(r.stdout).not.toMatch(/[^\\]<b>/);
      }
    }
  });

  it('triage against the live tracker', async () => {
    const r = await run(['triage', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expectClean(r, 'live triage');
  });

  it('run --headless --once, as lines and as NDJSON, then status and status --json', async () => {
    for (const format of [[], ['--json']]) {
      const r = await run(['run', '--headless', '--once', '--approve', 'all', '--arm', '--dry-run', '--state-dir', state, ...format], 40_000);
      expect(r.stdout.length).toBeGreaterThan(0);
      expectClean(r, `run --headless ${format.join(' ')}`);
    }
    for (const format of [[], ['--json']]) {
      const r = await run(['status', '--state-dir', state, ...format]);
      expect(r.code, r.stderr).toBe(0);
      expectClean(r, `status ${format.join(' ')}`);
    }
  }, 90_000);

  it('status from a planted status file whose text was never sanitized', async () => {
    const planted = join(home.dir, 'planted');
    mkdirSync(planted, { mode: 0o700 });
    const line = { id: 'p-0001', issue: `demo/api#1${HOSTILE}`, title: HOSTILE, action: 'dispatch', agent: HOSTILE, status: 'proposed', waiting: HOSTILE, reason: HOSTILE, gates: [HOSTILE] };
    const status = { v: 1, pid: 1, running: false, updatedAt: HOSTILE, armed: false, dryRun: false, cycle: 1, nextCycleAt: null, proposals: [line], dispatches: [{ proposal: HOSTILE, issue: HOSTILE, agent: HOSTILE, state: HOSTILE, attempt: 1 }] };
    writeFileSync(join(planted, 'status.json'), JSON.stringify(status), { mode: 0o600 });
    for (const format of [[], ['--json']]) {
      const r = await run(['status', '--state-dir', planted, ...format]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('cleared');
      expectClean(r, `planted status ${format.join(' ')}`);
    }
  });

  it('approve, reject and reroute with hostile ids, notes and agents: refused in one clean sentence', async () => {
    for (const args of [
      ['approve', HOSTILE_ARG],
      ['approve', `p-00${CORPUS[2]}`],
      ['reject', 'p-0001', '--note', HOSTILE_ARG],
      ['reroute', 'p-0001', HOSTILE_ARG],
    ]) {
      const r = await run([...args, '--state-dir', state]);
      expect(r.code).not.toBe(0);
      expectClean(r, args[0]!);
    }
  });

  it('config show, config get and doctor with hostile config values and key names', async () => {
    for (const args of [['config', 'show'], ['config', 'show', '--json'], ['config', 'get', 'labels'], ['config', 'get', 'labels.needsHuman'], ['doctor', '--state-dir', state], ['doctor', '--json', '--state-dir', state]]) {
      const r = await run(args);
      expectClean(r, args.join(' '));
      expect(r.stderr, args.join(' ')).toContain('unknown config key');
    }
  }, 60_000);

  it('hostile file names, commands and options in error messages', async () => {
    for (const args of [['triage', '--from-file', join(home.dir, `${CORPUS[1]}.json`)], [HOSTILE_ARG], ['triage', `--${CORPUS[3]}`], ['run', '--headless', '--interval', HOSTILE_ARG]]) {
      const r = await run(args);
      expect(r.code).not.toBe(0);
      expectClean(r, args.join(' '));
    }
  });
});

describe('one output path', () => {
  it('nothing in src/ writes to stdout or stderr except src/adapters/terminal-output.ts', () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url));
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    const writers = files.filter((f) => /console\.(log|error|warn|info)\(|process\.(stdout|stderr)\.write\(/.test(readFileSync(join(root, f), 'utf8')));
    expect(writers.map((f) => relative(root, join(root, f)))).toEqual([]);
  });
});
