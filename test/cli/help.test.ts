import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

const home = isolatedHome();
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const COMMANDS = [
  [],
  ['run'],
  ['demo'],
  ['approve'],
  ['reject'],
  ['reroute'],
  ['status'],
  ['config'],
  ['config', 'init'],
  ['config', 'show'],
  ['config', 'get'],
  ['config', 'set'],
  ['config', 'path'],
  ['config', 'edit'],
  ['doctor'],
  ['triage'],
];

describe('switchboard --help and usage errors', () => {
  it('--version prints the package version', async () => {
    const r = await cli(home, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each(COMMANDS.map((c) => [c.join(' ') || '(none)', c] as const))('--help for %s shows usage and examples', async (_, command) => {
    const r = await cli(home, [...command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: switchboard/);
    expect(r.stdout).toMatch(/Examples:\n {2}(\S+=\S+ )?switchboard/);
    expect(r.stdout).toMatch(/--state-dir <dir>/);
  });

  it.each([
    [['run', '--headless', '--bogus'], /unknown option '--bogus'/],
    [['run', '--headless', '--approve', 'sometimes'], /--approve takes manual, rules or all/],
    [['demo', '--issues', 'many'], /--issues takes a whole number/],
    [['reroute', 'abcd'], /missing required argument 'agent'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run'], /run needs --headless/],
  ])('%j is exit 2 with one sentence', async (args, message) => {
    const r = await cli(home, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('plain switchboard without a terminal points to run --headless', async () => {
    const r = await cli(home, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/switchboard run --headless/);
  });
});
