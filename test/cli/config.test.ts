import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

describe('switchboard config', () => {
  it('init from flags writes a 0600 file in the config dir that show reports with sources', async () => {
    const home = isolatedHome();
    const init = await cli(home, ['config', 'init', '--url', 'https://git.example.com', '--repo', 'acme/api', '--owner', 'alice', '--agent', 'claude']);
    expect(init.code).toBe(0);
    const path = (await cli(home, ['config', 'path'])).stdout.trim();
    expect(path).toBe(join(home.env.XDG_CONFIG_HOME!, 'switchboard', 'config.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const show = await cli(home, ['config', 'show', '--repo', 'acme/web'], { SWITCHBOARD_INTERVAL: '5m' });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^tracker\.url = "https:\/\/git\.example\.com" {2}\(file\)$/m);
    expect(show.stdout).toMatch(/^repos = \["acme\/web"\] {2}\(flag\)$/m);
    expect(show.stdout).toMatch(/^intervalSeconds = 300 {2}\(env\)$/m);
    expect(show.stdout).toMatch(/^ownerLogin = "alice" {2}\(file\)$/m);
    expect(show.stdout).toMatch(/^armed = false {2}\(default\)$/m);
  });

  it('set validates with the schema and get reads it back', async () => {
    const home = isolatedHome();
    expect((await cli(home, ['config', 'set', 'intervalSeconds', '600'])).code).toBe(0);
    expect((await cli(home, ['config', 'get', 'intervalSeconds'])).stdout.trim()).toBe('600');
    const bad = await cli(home, ['config', 'set', 'intervalSeconds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/intervalSeconds cannot be "0" \(the value given to config set\): intervalSeconds: Too small/);
    expect(bad.stderr).not.toContain('from config file');
    expect((await cli(home, ['config', 'get', 'intervalSeconds'])).stdout.trim()).toBe('600');
  });

  it('get of an unset optional key says it is unset (exit 0)', async () => {
    const home = isolatedHome();
    const r = await cli(home, ['config', 'get', 'tracker.url']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('tracker.url is unset');
    expect(r.stderr).toBe('');
  });

  it('set takes the forms the flags and environment take: durations and comma lists', async () => {
    const home = isolatedHome();
    expect((await cli(home, ['config', 'set', 'intervalSeconds', '5m'])).code).toBe(0);
    expect((await cli(home, ['config', 'get', 'intervalSeconds'])).stdout.trim()).toBe('300');
    expect((await cli(home, ['config', 'set', 'repos', 'acme/api,acme/web'])).code).toBe(0);
    expect(JSON.parse((await cli(home, ['config', 'get', 'repos'])).stdout)).toEqual(['acme/api', 'acme/web']);
    expect((await cli(home, ['config', 'set', 'repos', '["acme/one"]'])).code).toBe(0);
    expect(JSON.parse((await cli(home, ['config', 'get', 'repos'])).stdout)).toEqual(['acme/one']);
    const bad = await cli(home, ['config', 'set', 'repos', 'acme/api,nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/repos cannot be "acme\/api,nonsense" \(the value given to config set\)/);
  });

  it('set token refuses and says how to give a token', async () => {
    const home = isolatedHome();
    const r = await cli(home, ['config', 'set', 'token', 'abc123secret']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GITEA_TOKEN/);
    expect(r.stderr).toMatch(/tracker\.tokenFile/);
    expect(r.stderr).not.toContain('abc123secret');
  });

  it('show masks a webhook URL', async () => {
    const home = isolatedHome();
    const file = join(home.dir, 'c.json');
    writeFileSync(file, JSON.stringify({ notify: { webhookUrl: 'https://hooks.example.com/services/T000/SECRETPART' } }));
    const r = await cli(home, ['--config', file, 'config', 'show']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('https://hooks.example.com/…');
    expect(r.stdout).not.toContain('SECRETPART');
  });

  it('an invalid config is exit 2 naming every bad path and the file', async () => {
    const home = isolatedHome();
    const file = join(home.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ intervalSeconds: 'soon', repos: ['not a repo'] }));
    const r = await cli(home, ['--config', file, 'run', '--headless', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/repos\[0\]: use owner\/name \(from config file .*bad\.json\)/);
    expect(r.stderr).toMatch(/intervalSeconds: .*\(from config file .*bad\.json\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a scoring pattern that is not a JavaScript regex is exit 2: one line naming the pattern and where it breaks', async () => {
    const home = isolatedHome();
    const file = join(home.dir, 'pattern.json');
    writeFileSync(file, JSON.stringify({ scoring: { patterns: { testRef: { source: 'pytest|test_(\\w+' } } } }));
    const r = await cli(home, ['--config', file, 'triage', '--dry-run', '--from-file', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scoring\.patterns\.testRef\.source: not a valid JavaScript regular expression: unterminated group at the end \(from config file .*pattern\.json\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('edit keeps the old file when the edited one is invalid, and saves a valid one', async () => {
    const home = isolatedHome();
    const file = join(home.dir, 'edit.json');
    writeFileSync(file, JSON.stringify({ intervalSeconds: 60 }), { mode: 0o600 });
    const editor = (content: string) => {
      const script = join(home.dir, `editor-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(script, `import { writeFileSync } from 'node:fs'; writeFileSync(process.argv[2], ${JSON.stringify(content)});`);
      return `${process.execPath} ${script}`;
    };
    const bad = await cli(home, ['--config', file, 'config', 'edit'], { EDITOR: editor('{"intervalSeconds": -5}') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/intervalSeconds: Too small/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ intervalSeconds: 60 });
    const good = await cli(home, ['--config', file, 'config', 'edit'], { EDITOR: editor('{"intervalSeconds": 120}') });
    expect(good.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ intervalSeconds: 120 });
  });
});
