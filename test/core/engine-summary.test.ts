import { describe, expect, it } from 'vitest';
import { world } from '../fakes/engine-world.js';
import { readyBug, vagueIssue } from '../fakes/issues.js';

const HOUR = 3_600_000;
const config = { armed: true, dailySummary: { enabled: true, repo: 'acme/ops' } };

describe('the daily summary', () => {
  it('opens one summary issue per UTC day, listing the backlog', async () => {
    const w = world({ config, issues: [readyBug({ number: 1 }), vagueIssue({ number: 2 })] });
    await w.engine.start();
    await w.clock.advance(10 * HOUR); // 20:00 UTC, still 1 May
    const created = () => w.tracker.writesOf('createIssue').map((x) => `${x.repo} ${x.detail}`);
    expect(created()).toEqual(['acme/ops [Triage] Daily backlog summary — 2026-05-01']);
    const issue = [...w.tracker.issues.values()].find((i) => i.repo === 'acme/ops');
    expect(issue?.body).toContain('**Open issues:** 2 | **Scored:** 2 | **Ready:** 1');
    expect(issue?.body).toContain('**#1** (score=9');

    await w.clock.advance(4 * HOUR); // past midnight
    expect(created()).toEqual(['acme/ops [Triage] Daily backlog summary — 2026-05-01', 'acme/ops [Triage] Daily backlog summary — 2026-05-02']);
    await w.engine.stop();
  });

  it('is not opened again by a restart on the same day', async () => {
    const a = world({ config, issues: [readyBug({ number: 1 })] });
    await a.engine.runCycle();
    const b = world({ config, tracker: a.tracker, journal: a.journal, clock: a.clock });
    await b.engine.start();
    await b.engine.stop();
    expect(b.tracker.writesOf('createIssue')).toHaveLength(1);
  });

  it('is off by default, and never opened while disarmed', async () => {
    const off = world({ config: { armed: true }, issues: [readyBug({ number: 1 })] });
    await off.engine.runCycle();
    const disarmed = world({ config: { ...config, armed: false }, issues: [readyBug({ number: 1 })] });
    await disarmed.engine.runCycle();
    expect([...off.tracker.writes, ...disarmed.tracker.writes]).toEqual([]);
  });
});
