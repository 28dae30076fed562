import { spawn } from 'node:child_process';

import type { OpenResult, OpenUrl } from '../core/ports.js';

export type { OpenResult, OpenUrl };

/**
 * Why there is no browser to open here, or null when there is one: a browser opened over SSH
 * would open on the remote machine, and on Linux without DISPLAY/WAYLAND_DISPLAY nowhere.
 */
export function noDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return 'an SSH session has no browser here';
  if (platform === 'darwin') return null;
  if (platform === 'win32') return 'opening a browser is not supported on Windows';
  return env.DISPLAY || env.WAYLAND_DISPLAY ? null : 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
}

/**
 * The system's opener (`open` on macOS, `xdg-open` elsewhere), run without a shell: the URL is one
 * argv entry, and the console only passes URLs it checked are http(s) on the tracker's origin, so
 * it starts with "http" and can never be read as an option. Own code rather than the `open`
 * package: that one also handles Windows and WSL by way of PowerShell, which we do not want to
 * reach with tracker text. Nothing reaches the terminal: the child's output is discarded.
 */
export function browserOpener(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): OpenUrl {
  return (url) => {
    const why = noDisplay(env, platform);
    if (why !== null) return Promise.resolve({ opened: false, why });
    const command = platform === 'darwin' ? 'open' : 'xdg-open';
    return new Promise((resolve) => {
      const child = spawn(command, [url], { stdio: 'ignore', detached: true, shell: false, env });
      child.once('error', (err: NodeJS.ErrnoException) => resolve({ opened: false, why: err.code === 'ENOENT' ? `${command} is not installed` : `${command} failed: ${err.message}` }));
      child.once('exit', (code) => resolve(code === 0 ? { opened: true } : { opened: false, why: `${command} exited with ${code}` }));
      child.unref();
    });
  };
}
