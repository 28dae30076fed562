import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['dist/cli.js', 'sandbox', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('switchboard sandbox', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('--print-env: stdout is three export lines a shell sources as they are; it serves the API and exits 0 on SIGTERM', async () => {
    const p = run(['--print-env', '--port', '0', '--issues', '6', '--token', 'sbx_cli-test-token']);
    children.push(p.child);
    await waitFor(() => p.stderr().includes('Stop with Ctrl-C.'), 15_000, 'the sandbox to start');
    const lines = p.stdout().split('\n');
    expect(lines[0]).toMatch(/^export GITEA_URL='http:\/\/127\.0\.0\.1:\d+'$/);
    expect(lines[1]).toBe("export GITEA_TOKEN='sbx_cli-test-token'");
    expect(lines[2]).toBe("export SWITCHBOARD_REPOS='demo/api,demo/web,demo/infra'");
    expect(lines.slice(3).join('')).toBe('');
    expect(p.stderr()).toContain('(6 open issues)');
    // what a shell makes of it, word for word
    const sourced = execFileSync('sh', ['-c', `${p.stdout()}\nprintf '%s|%s|%s' "$GITEA_URL" "$GITEA_TOKEN" "$SWITCHBOARD_REPOS"`], { encoding: 'utf8' });
    const [url, token, repos] = sourced.split('|');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toBe('sbx_cli-test-token');
    expect(repos).toBe('demo/api,demo/web,demo/infra');

    const res = await fetch(`${url}/api/v1/repos/demo/api/issues`, { headers: { Authorization: 'token sbx_cli-test-token' }, signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('2');

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.stderr()).toContain('Sandbox stopped.');
  }, 20_000);

  it('rejects a bad number with one sentence and exit code 2', async () => {
    const p = run(['--port', 'eighty']);
    children.push(p.child);
    expect(await p.exit).toBe(2);
    expect(p.stderr().trim()).toBe("switchboard: option '--port <n>' argument 'eighty' is invalid. --port takes a whole number from 0 to 65535. (see --help)");
    expect(p.stdout()).toBe('');
  }, 20_000);

  it('--user adds users who act over the same API with their own token and permission', async () => {
    const p = run(['--print-env', '--port', '0', '--issues', '6', '--user', 'rita:tok-rita:read', '--user', 'will:tok-will:write']);
    children.push(p.child);
    // with --print-env, stdout is the export lines and the rest goes to stderr
    await waitFor(() => p.stderr().includes('Stop with Ctrl-C.'), 15_000, 'the sandbox to start');
    expect(p.stderr()).toContain('user    rita (read), token tok-rita');
    const url = /^export GITEA_URL='([^']+)'$/m.exec(p.stdout())![1]!;
    const as = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${url}/api/v1${path}`, {
        method,
        headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(5000),
      });
    expect(await (await as('tok-rita', 'GET', '/user')).json()).toMatchObject({ login: 'rita' });
    expect((await as('tok-rita', 'POST', '/repos/demo/api/issues/1/comments', { body: 'a reader comments' })).status).toBe(201);
    expect((await as('tok-rita', 'POST', '/repos/demo/api/issues/1/labels', { labels: [1] })).status).toBe(403);
    expect((await as('tok-will', 'POST', '/repos/demo/api/issues/1/labels', { labels: [1] })).status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  }, 20_000);

  it('a malformed --user is one sentence and exit code 2', async () => {
    const p = run(['--user', 'rita:tok:superuser']);
    children.push(p.child);
    expect(await p.exit).toBe(2);
    expect(p.stderr().trim()).toBe("switchboard: option '--user <LOGIN:TOKEN:PERMISSION>' argument 'rita:tok:superuser' is invalid. --user rita: permission must be read, write or admin, not \"superuser\". (see --help)");
    expect(p.stdout()).toBe('');
  }, 20_000);
});
