import { describe, expect, it } from 'vitest';
import type { OpenResult } from '../../src/adapters/browser.js';
import { linkFor, safeLink, webBase, webOrigins } from '../../src/ui/links.js';
import { world } from '../fakes/engine-world.js';
import { readyBug } from '../fakes/issues.js';
import { KEY, mount, tick } from './console-harness.js';

function opener(result: OpenResult = { opened: true }) {
  const opened: string[] = [];
  return { opened, openUrl: async (url: string) => (opened.push(url), result) };
}

async function backlog(...extra: ReturnType<typeof readyBug>[]) {
  const w = world({ issues: [readyBug({ number: 1 }), ...extra] });
  await w.engine.runCycle();
  return w;
}

const selectRow = async (c: Awaited<ReturnType<typeof mount>>, text: string) => {
  for (let i = 0; i < 5 && !(c.lines().find((l) => l.startsWith('›')) ?? '').includes(text); i++) await c.press('j');
};

describe('o opens the selected issue in the browser', () => {
  it('hands the issue URL to the opener and says so', async () => {
    const w = await backlog();
    const o = opener();
    const c = await mount(w, { props: { trackerUrl: 'https://fake.example/api/v1', openUrl: o.openUrl } });
    await c.press('o');
    await tick();
    expect(o.opened).toEqual(['https://fake.example/acme/api/issues/1']);
    expect(c.frame()).toContain('opened acme/api#1 in the browser');
  });

  it('with no display it shows the URL instead', async () => {
    const w = await backlog();
    const o = opener({ opened: false, why: 'an SSH session has no browser here' });
    const c = await mount(w, { props: { trackerUrl: 'https://fake.example', openUrl: o.openUrl } });
    await c.press('o');
    await tick();
    expect(c.frame()).toContain('an SSH session has no browser here: https://fake.example/acme/api/issues/1');
  });

  it('never opens an address off the tracker, whatever the issue says', async () => {
    const w = await backlog(readyBug({ number: 2, title: '[bug] Evil link', url: 'https://evil.example/acme/api/issues/2' }));
    const o = opener();
    const c = await mount(w, { props: { trackerUrl: 'https://fake.example', openUrl: o.openUrl } });
    await selectRow(c, 'Evil link');
    await c.press('o');
    expect(o.opened).toEqual([]);
    expect(c.frame()).toContain('not opening acme/api#2: its address is not a page of the tracker (https://fake.example)');
  });

  it('works from the detail view too', async () => {
    const w = await backlog();
    const o = opener();
    const c = await mount(w, { props: { trackerUrl: 'https://fake.example', openUrl: o.openUrl } });
    await c.press(KEY.enter, 'o');
    await tick();
    expect(o.opened).toEqual(['https://fake.example/acme/api/issues/1']);
  });
});

describe('links', () => {
  it('only http(s) on the tracker origin, without credentials, serialised', () => {
    const origins = webOrigins('https://git.example/api/v1');
    expect(safeLink('https://git.example/a/b/issues/1', origins)).toBe('https://git.example/a/b/issues/1');
    expect(safeLink('https://git.example/a b', origins)).toBe('https://git.example/a%20b');
    expect(safeLink('javascript:alert(1)', origins)).toBeNull();
    expect(safeLink('file:///etc/passwd', origins)).toBeNull();
    expect(safeLink('https://git.example.evil.com/x', origins)).toBeNull();
    expect(safeLink('https://user:pw@git.example/x', origins)).toBeNull();
    expect(safeLink('-https://git.example/x', origins)).toBeNull();
    expect(webOrigins('https://api.github.com')).toEqual(['https://api.github.com', 'https://github.com']);
    expect(webBase('https://git.example/gitea/api/v1')).toBe('https://git.example/gitea');
  });

  it("a dispatch with a pull request opens the PR; one whose issue left the backlog is found by the tracker's address", async () => {
    const w = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await w.engine.runCycle();
    await w.engine.approve(w.proposalFor(1).id);
    const s = w.engine.getSnapshot();
    const [id, d] = [...s.dispatches][0]!;
    const withPr = { ...s, dispatches: new Map([[id, { ...d, pr: { number: 7, headSha: 'abc', ci: 'pending' as const } }]]) };
    expect(linkFor(withPr, { pane: 'dispatches', id }, null)).toEqual({ what: 'the pull request of acme/api#1 (#7)', url: 'https://fake.example/acme/api/issues/7' });
    const gone = { ...s, backlog: new Map() };
    expect(linkFor(gone, { pane: 'dispatches', id }, 'https://git.example')).toEqual({ what: 'acme/api#1', url: 'https://git.example/acme/api/issues/1' });
  });
});
