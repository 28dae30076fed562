import { describe, expect, it } from 'vitest';
import { enableMouse, enterAltScreen } from '../../src/commands/alt-screen.js';

const fakeOut = () => {
  const written: string[] = [];
  return { written, out: { write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream };
};

describe('terminal modes around the console', () => {
  it('--mouse switches SGR mouse reports on, and off again exactly once, on quit or on exit', () => {
    const { written, out } = fakeOut();
    const exitListeners = process.listenerCount('exit');
    const mouse = enableMouse(out);
    expect(written).toEqual(['\u001b[?1000h\u001b[?1006h']);
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    mouse.leave();
    mouse.leave();
    expect(written).toEqual(['\u001b[?1000h\u001b[?1006h', '\u001b[?1006l\u001b[?1000l']);
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });

  it('a process exit (second Ctrl-C, crash) switches the modes off too', () => {
    const { written, out } = fakeOut();
    enterAltScreen(out);
    enableMouse(out);
    // the listeners the two modes registered, called as Node calls them on exit (not emitting
    // 'exit' itself, which the test runner listens to as well)
    for (const listener of process.listeners('exit').slice(-2)) (listener as (code: number) => void)(130);
    expect(written.slice(2)).toEqual(['\u001b[?25h\u001b[?1049l', '\u001b[?1006l\u001b[?1000l']);
  });
});
