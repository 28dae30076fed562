import { describe, expect, it } from 'vitest';
import { bindingsFor, helpLines, KEYMAP, keyName, MODES } from '../../src/ui/keymap.js';
import { parseCommandLine } from '../../src/ui/command-line.js';

const key = (over: Record<string, boolean> = {}) =>
  ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...over });

describe('keymap', () => {
  it('every mode can quit or back out, and Ctrl-C is bound everywhere', () => {
    for (const mode of MODES) {
      expect(KEYMAP[mode]['ctrl-c'], mode).toBeDefined();
      expect(Object.values(KEYMAP[mode]).some((b) => b.command === 'back' || b.command === 'no'), mode).toBe(true);
    }
  });

  it('approving, approving all and arming-like picks are marked dangerous', () => {
    expect(KEYMAP.normal.a).toMatchObject({ command: 'approve', dangerous: true });
    expect(KEYMAP.normal.A).toMatchObject({ command: 'approve-all', dangerous: true });
    expect(KEYMAP.confirm.enter).toMatchObject({ command: 'no' });
  });

  it('names keys from what Ink reports', () => {
    expect(keyName('', key({ downArrow: true }))).toBe('down');
    expect(keyName('', key({ tab: true, shift: true }))).toBe('shift-tab');
    expect(keyName('c', key({ ctrl: true }))).toBe('ctrl-c');
    expect(keyName('', key({ delete: true }))).toBe('backspace');
    expect(keyName('G', key({ shift: true }))).toBe('G');
  });

  it('the footer of the in-flight pane offers no approve; the proposals pane does', () => {
    const of = (pane: 'proposals' | 'dispatches') => bindingsFor('normal', pane).map((h) => h.description);
    expect(of('proposals')).toContain('approve all');
    expect(of('dispatches')).not.toContain('approve');
  });

  it('help groups keys that do the same thing and covers every binding', () => {
    const text = helpLines().map((l) => l.text).join('\n');
    expect(text).toMatch(/j ↓\s+down/);
    for (const mode of MODES) for (const b of Object.values(KEYMAP[mode])) expect(text).toContain(b.description);
  });
});

describe('command line', () => {
  it('parses the console commands and explains mistakes', () => {
    expect(parseCommandLine('arm')).toEqual({ kind: 'arm' });
    expect(parseCommandLine(' dry-run off ')).toEqual({ kind: 'dry-run', on: false });
    expect(parseCommandLine('agent kimi')).toEqual({ kind: 'agent', agentId: 'kimi' });
    expect(parseCommandLine('q')).toEqual({ kind: 'quit' });
    expect(parseCommandLine('dry-run maybe')).toMatchObject({ kind: 'invalid', message: 'use :dry-run on or :dry-run off' });
    expect(parseCommandLine('launch')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('unknown command :launch') });
  });
});
