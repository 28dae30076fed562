import { describe, expect, it } from 'vitest';
import { dispatchPayload } from '../../src/adapters/agents/http-target.js';
import { ISSUE_IMPLEMENTER_PREAMBLE } from '../../src/core/prompts.js';
import { completeCommand, parseCommandLine } from '../../src/ui/command-line.js';
import { type WorldOptions, world } from '../fakes/engine-world.js';
import { readyBug, readyResearch } from '../fakes/issues.js';
import { KEY, type Mounted, mount, tick } from './console-harness.js';

const MINUTE = 60_000;

/** An armed world with #1 dispatched to claude (and #2 to kimi with `two`). */
async function flying(o: { two?: boolean; config?: WorldOptions['config'] } = {}) {
  // #2 in another repo: the first dispatch's lock would hold it back in the same one
  const repos = o.two ? { repos: ['acme/api', 'acme/web'] } : {};
  const w = world({ config: { armed: true, ...repos, ...o.config }, issues: [readyBug({ number: 1 }), ...(o.two ? [readyResearch({ number: 2, repo: 'acme/web' })] : [])] });
  await w.engine.runCycle();
  await w.engine.approve(w.proposalFor(1).id);
  if (o.two) await w.engine.approve(w.proposalFor(2, 'acme/web').id);
  const id = [...w.engine.getSnapshot().dispatches.values()].find((d) => d.number === 1)!.proposalId;
  return { w, id, dispatch: () => w.engine.getSnapshot().dispatches.get(id)! };
}

const row = (c: Mounted, text: string) => c.lines().find((l) => l.includes(text)) ?? '';
/** The In flight pane's half of each line (right of the divider). */
const inFlight = (c: Mounted) => c.lines().map((l) => l.split('│')[1] ?? '').filter((l) => l.trim() !== '');

describe('the operator’s hands on a dispatch (In flight pane)', () => {
  it('the footer lists the dispatch keys there, and t retries the selected dispatch now', async () => {
    const { w, dispatch } = await flying();
    const c = await mount(w);
    await c.press(KEY.tab, KEY.tab);
    expect(c.lines().at(-1)).toMatch(/t retry now {2}c cancel dispatch {2}d mark done {2}K acknowledge/);
    expect(c.lines().at(-1)).not.toContain('a approve');
    await c.press('t');
    expect(dispatch().attempt).toBe(2);
    expect(dispatch().history.map((h) => h.note)).toContainEqual(expect.stringMatching(/retried by operator/));
    expect(c.frame()).toContain('retry asked for acme/api#1');
    expect(row(c, '×2')).toMatch(/#1\s+claude/);
  });

  it('c asks first (No by default) and y cancels: the row ends and the count drops', async () => {
    const { w, dispatch } = await flying();
    const c = await mount(w);
    await c.press(KEY.tab, KEY.tab, 'c');
    expect(c.frame()).toContain('Cancel the dispatch of acme/api#1 to claude?');
    expect(c.frame()).toContain('the repo lock (in-progress label) is released');
    await c.press(KEY.enter);
    expect(dispatch().phase).toBe('assigned');
    await c.press('c', 'y');
    expect(dispatch().phase).toBe('cancelled');
    expect(c.frame()).toContain('In flight 0 · 1 ended');
    expect(row(c, 'cancelled')).toMatch(/#1\s+claude\s+cancelled/);
    // it has ended: a second cancel is refused with a sentence, and nothing is asked
    await c.press('c');
    expect(c.frame()).not.toContain('Cancel the dispatch');
    expect(c.frame()).toContain('the dispatch of acme/api#1 has already ended (cancelled)');
  });

  it('r opens the agent picker for the dispatch and re-routes it to the chosen agent', async () => {
    const { w, dispatch } = await flying();
    const c = await mount(w);
    await c.press(KEY.tab, KEY.tab, 'r');
    expect(c.frame()).toContain('Re-route acme/api#1 to:');
    expect(row(c, '› claude')).toContain('current');
    expect(c.frame()).not.toMatch(/^\s*owner\s/m);
    await c.press(KEY.down, KEY.enter);
    expect(dispatch().agent.id).toBe('kimi');
    expect(c.frame()).toContain('re-route asked for acme/api#1 → kimi');
  });

  it('live work stays on top and is all the title counts; a finished row ages out and /state:ended brings it back', async () => {
    const { w, dispatch } = await flying({ two: true });
    const c = await mount(w, { finishedRowMinutes: 5 });
    await c.press(KEY.tab, KEY.tab);
    expect(c.frame()).toContain('In flight 2');
    expect(inFlight(c).findIndex((l) => l.includes('api#1'))).toBeLessThan(inFlight(c).findIndex((l) => l.includes('web#2')));
    await c.press('d');
    expect(dispatch().phase).toBe('completed');
    expect(c.frame()).toContain('In flight 1 · 1 ended');
    // the live row moved above the finished one
    expect(inFlight(c).findIndex((l) => l.includes('web#2'))).toBeLessThan(inFlight(c).findIndex((l) => l.includes('completed')));
    await w.clock.advance(6 * MINUTE);
    await tick(1200);
    expect(inFlight(c).some((l) => l.includes('completed'))).toBe(false);
    expect(c.frame()).toContain('In flight 1');
    await c.press('/');
    await c.type('state:ended');
    await c.press(KEY.enter);
    expect(row(c, 'completed')).toMatch(/api#1\s+claude\s+completed/);
    expect(inFlight(c).some((l) => l.includes('web#2'))).toBe(false);
  });

  it('K acknowledges an escalation; the detail view shows its cause, history and the keys', async () => {
    const { w, dispatch } = await flying({ config: { watch: { stallMinutes: 30, maxRetries: 0 } } });
    await w.clock.advance(31 * MINUTE);
    await w.engine.runCycle();
    expect(dispatch().phase).toBe('escalated');
    const c = await mount(w);
    await c.press(KEY.tab, KEY.tab);
    expect(c.frame()).toContain('In flight 0 · 1 in trouble · 1 ended');
    await c.press(KEY.enter);
    expect(c.frame()).toMatch(/escalated \(stall\): /);
    expect(c.frame()).toContain('not acknowledged yet: K acknowledges it');
    expect(c.frame()).toMatch(/history:\n\s+31m ago\s+dispatching/);
    expect(c.frame()).toMatch(/PR: none yet/);
    expect(c.frame()).toContain('switchboard dispatch retry');
    await c.press('K');
    expect(dispatch().escalation?.acknowledgedBy).toBe('operator');
    expect(c.frame()).toContain('acknowledged by operator');
    await c.press(KEY.esc);
    expect(row(c, 'claude')).toMatch(/#1\s+claude\s+escalated\s/);
    expect(c.frame()).not.toContain('in trouble');
  });

  it('the detail view of an http dispatch shows exactly the prompt its agent was posted', async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.reroute(w.proposalFor(1).id, 'hooky');
    await w.engine.approve(w.proposalFor(1).id);
    const request = w.http.requests[0]!;
    const c = await mount(w, { preamble: ISSUE_IMPLEMENTER_PREAMBLE, columns: 200, rows: 60 });
    await c.press(KEY.tab, KEY.tab, KEY.enter);
    expect(c.frame()).toContain('Prompt (what hooky was sent)');
    const frame = c.lines().map((l) => l.trimEnd());
    const posted = String(dispatchPayload(request).prompt).split('\n');
    const at = frame.indexOf(posted[0]!);
    expect(at).toBeGreaterThan(0);
    expect(frame.slice(at, at + posted.length)).toEqual(posted);
  });
});

describe('the dispatch commands on the : line', () => {
  it('parses :retry/:cancel/:done/:ack [ID] and :reroute [ID] AGENT', () => {
    expect(parseCommandLine('retry')).toEqual({ kind: 'operate', op: 'retry', id: null });
    expect(parseCommandLine(':ack 3f2a')).toEqual({ kind: 'operate', op: 'ack', id: '3f2a' });
    expect(parseCommandLine('reroute kimi')).toEqual({ kind: 'operate', op: 'reroute', id: null, agentId: 'kimi' });
    expect(parseCommandLine('reroute 3f2a kimi')).toEqual({ kind: 'operate', op: 'reroute', id: '3f2a', agentId: 'kimi' });
    expect(parseCommandLine('reroute')).toMatchObject({ kind: 'invalid', message: expect.stringContaining(':reroute <agent>') });
    expect(parseCommandLine('cancel a b')).toMatchObject({ kind: 'invalid' });
    // ids are offered once the command word is typed, so `:r` still lists commands
    expect(completeCommand('r', ['kimi'], ['3f2a0000']).choices).toEqual(['run', 'resume', 'retry', 'reroute ']);
    expect(completeCommand('reroute 3f', ['kimi'], ['3f2a0000'])).toEqual({ draft: 'reroute 3f2a0000 kimi', choices: [] });
  });

  it(':retry ID completes the id with Tab and retries that dispatch from any pane; a wrong id is named', async () => {
    const { w, id, dispatch } = await flying();
    const c = await mount(w);
    await c.press(':');
    await c.type(`retry ${id.slice(0, 3)}`);
    await c.press(KEY.tab);
    expect(c.frame()).toContain(`:retry ${id.slice(0, 8)}▏`);
    await c.press(KEY.enter);
    expect(dispatch().attempt).toBe(2);
    await c.press(':');
    await c.type('ack zzzz9999');
    await c.press(KEY.enter);
    expect(c.frame()).toContain('no dispatch "zzzz9999"');
    await c.press(':');
    await c.type(`done ${id.slice(0, 8)}`);
    await c.press(KEY.enter);
    expect(dispatch().phase).toBe('completed');
    await c.press(':');
    await c.type(`ack ${id.slice(0, 8)}`);
    await c.press(KEY.enter);
    expect(c.frame()).toContain('the dispatch of acme/api#1 is not escalated: there is nothing to acknowledge');
  });

  it('the dispatch keys outside the In flight pane say where they work instead of acting', async () => {
    const { w, dispatch } = await flying();
    const c = await mount(w);
    await c.press('t');
    expect(dispatch().attempt).toBe(1);
    expect(c.frame()).toContain('these keys act on the In flight pane (Tab moves there)');
  });
});
