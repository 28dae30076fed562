import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { browserOpener, noDisplay } from '../../src/adapters/browser.js';

describe('opening the browser', () => {
  it('knows when there is no display: SSH, Linux without DISPLAY or WAYLAND_DISPLAY', () => {
    expect(noDisplay({ SSH_CONNECTION: '1.2.3.4 5 6.7.8.9 22', DISPLAY: ':0' }, 'linux')).toMatch(/SSH/);
    expect(noDisplay({}, 'linux')).toMatch(/no display/);
    expect(noDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(noDisplay({}, 'darwin')).toBeNull();
  });

  it('runs xdg-open without a shell: the URL arrives as one argument, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-browser-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'args');
    writeFileSync(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > "${out}"\n`);
    chmodSync(join(dir, 'xdg-open'), 0o755);
    const url = 'https://git.example/acme/api/issues/1?q=$(touch%20x);rm';
    const r = await browserOpener({ PATH: dir, DISPLAY: ':0' }, 'linux')(url);
    expect(r).toEqual({ opened: true });
    expect(readFileSync(out, 'utf8')).toBe(`1\n${url}\n`);
  });

  it('without an opener installed it says so instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-browser-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const r = await browserOpener({ PATH: dir, DISPLAY: ':0' }, 'linux')('https://git.example/');
    expect(r).toEqual({ opened: false, why: 'xdg-open is not installed' });
  });
});
