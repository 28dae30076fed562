import { Console as NodeConsole } from 'node:console';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MovedError, UnavailableError } from '../../src/adapters/errors.js';
import { renderConsole } from '../../src/ui/render-console.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount, tick } from './console-harness.js';

/** A terminal's streams, as much of them as Ink uses. */
function terminal(columns: number, rows: number) {
  const stdout = Object.assign(new EventEmitter(), {
    columns,
    rows,
    isTTY: true,
    output: '',
    write(chunk: string) {
      stdout.output += chunk;
      return true;
    },
  });
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    data: null as string | null,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const d = stdin.data;
      stdin.data = null;
      return d;
    },
    press(data: string) {
      stdin.data = data;
      stdin.emit('readable');
      stdin.emit('data', data);
    },
  });
  return { stdout, stdin };
}

describe('renderConsole', () => {
  it('draws the console and quits on Ctrl-C through onQuit', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const { stdout, stdin } = terminal(100, 30);
    let quit = 0;
    // Ink patches the console while it runs; vitest's console lacks the Console class it uses.
    Object.assign(console, { Console: NodeConsole });
    const app = renderConsole(w.engine, {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      noColor: true,
      trackerName: 'gitea',
      repos: ['acme/api'],
      onQuit: () => quit++,
    });
    for (let waited = 0; waited < 5000 && !stdout.output.includes('Login fails on empty password'); waited += 20) await tick(20);
    expect(stdout.output).toContain('Login fails on empty password');
    expect(stdout.output).not.toMatch(/\u001b\[3\dm/);
    stdin.press(KEY.ctrlC);
    await app.waitUntilExit();
    expect(quit).toBe(1);
  });

  it('under NO_COLOR the frame carries no escape sequence at all', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const plain = await mount(w, { noColor: true });
    await plain.press(KEY.tab, 'a', KEY.enter);
    for (const frame of plain.framesSinceMount()) expect(frame).not.toContain('\u001b');
  });

  it('an outage: the header says since when and that R retries, the backlog gives the sentence, E shows every error in full', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    const c = await mount(w);
    w.tracker.fetchFailures.set('acme/api', new UnavailableError('\u001b[31mgitea\u001b[0m', 'GET /repos/acme/api/issues', 'HTTP 503'));
    await w.engine.runCycle();
    await tick();
    const since = w.clock.now().toISOString().slice(11, 16);
    expect(c.lines()[0]).toContain(`1 error (E)  ✖ tracker unreachable since ${since} · R retries now`);
    expect(c.frame()).toContain('the backlog could not be fetched: could not fetch acme/api: gitea unavailable: GET /repos/acme/api/issues');
    expect(c.frame()).not.toContain('no open issues');
    await c.press('E');
    expect(c.frame()).toContain('Recent errors and warnings (1), newest first');
    expect(c.frame()).toMatch(/✖ could not fetch acme\/api: gitea unavailable: GET \/repos\/acme\/api\/issues failed \(HTTP 503\)/);
    await c.press(KEY.esc);
    expect(c.lines()[0]).not.toContain('error (E)');
    w.tracker.fetchFailures.delete('acme/api');
    await c.press('R');
    await tick(50);
    expect(c.lines()[0]).not.toContain('unreachable');
    expect(c.frame()).toContain('Backlog 1 open');
  });

  it('at 80 columns the mode badges and ? help are never cut; the address gives way', async () => {
    const w = world({ config: { dryRun: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    w.engine.pause();
    const c = await mount(w, { columns: 80, rows: 24, repos: ['a-very-long-organisation-name/with-a-long-repository-name', 'acme/web', 'acme/ops'] });
    const header = c.lines()[0]!;
    expect(header).toMatch(/DISARMED {2}DRY-RUN {2}PAUSED/);
    expect(header.trimEnd().endsWith('? help')).toBe(true);
    expect(header).not.toContain('with-a-long-repository-name +2');
    expect(header).toContain('switchboard  gitea');
    expect(header.length).toBeLessThanOrEqual(80);
  });

  it('a moved repo shows in the header saying where it went', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    w.tracker.fetchFailures.set('acme/api', new MovedError('gitea.example', 301, 'acme/api', 'acme/core'));
    await w.engine.runCycle();
    const c = await mount(w, { columns: 160 });
    expect(c.lines()[0]).toContain('✖ error: could not fetch acme/api: acme/api moved to acme/core: update `repos`');
  });

  it('the header counts down to the next cycle and shows PAUSED and DRY-RUN', async () => {
    const w = world({ config: { dryRun: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.start();
    await w.clock.advance(29_000);
    const c = await mount(w);
    expect(c.lines()[0]).toMatch(/cycle 1 {2}next 00:31 {2}DISARMED {2}DRY-RUN/);
    await c.press('p');
    expect(c.lines()[0]).toMatch(/DISARMED {2}DRY-RUN {2}PAUSED/);
    expect(c.lines()[0]).not.toContain('next');
    await w.engine.stop();
  });

  it('a read-only console says so and refuses to approve', async () => {
    const w = world({ issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    const c = await mount(w, { readOnlyBanner: 'another console owns the state directory' });
    expect(c.lines()[1]).toContain('read-only: another console owns the state directory');
    await c.press('a');
    expect(w.proposalFor(1).status).toBe('proposed');
    expect(c.frame()).toContain('⚠ read-only');
  });
});
