import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, isolatedHome } from './harness.js';

const home = isolatedHome();
const dir = home.stateDir;

describe('switchboard lessons', () => {
  it('adds, lists, edits and deletes lessons kept privately in the state dir', async () => {
    const empty = await cli(home, ['lessons', '--state-dir', dir]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/^No lessons yet\./);

    const added = await cli(home, ['lessons', 'add', 'acme/api', 'run', 'the', 'integration', 'suite', 'serially', '--state-dir', dir]);
    expect(added.code).toBe(0);
    const id = /added lesson ([0-9a-f]{8}) for acme\/api/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    expect(statSync(join(dir, 'lessons.json')).mode & 0o777).toBe(0o600);

    const listed = await cli(home, ['lessons', 'list', '--state-dir', dir]);
    expect(listed.stdout).toContain(`${id}`);
    expect(listed.stdout).toContain('acme/api  run the integration suite serially  (noted by the operator)');

    expect((await cli(home, ['lessons', 'edit', id!.slice(0, 5), 'lint', 'before', 'pushing', '--state-dir', dir])).code).toBe(0);
    const json = JSON.parse((await cli(home, ['lessons', '--json', '--for', 'acme/api', '--state-dir', dir])).stdout);
    expect(json.lessons).toMatchObject([{ id, repo: 'acme/api', text: 'lint before pushing', source: 'operator' }]);

    const unknown = await cli(home, ['lessons', 'delete', 'ffffffff', '--state-dir', dir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no lesson ffffffff/);
    expect(unknown.stderr).not.toMatch(/at .*\.js:\d+/);

    expect((await cli(home, ['lessons', 'delete', id!, '--state-dir', dir])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'lessons.json'), 'utf8'))).toEqual([]);
  });

  it('a lessons file that is not a list of lessons is one sentence, not a stack trace', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const bad = join(home.dir, 'bad-state');
    mkdirSync(bad, { recursive: true, mode: 0o700 });
    writeFileSync(join(bad, 'lessons.json'), '{"not": "a list"}', { mode: 0o600 });
    const r = await cli(home, ['lessons', '--state-dir', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/lessons\.json is not a list of lessons; fix it or delete it/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});

describe('switchboard tasktype', () => {
  it('journals the operator’s task type for the engine; "inferred" clears it', async () => {
    const r = await cli(home, ['tasktype', 'acme/docs#21', 'creative', '--state-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('acme/docs#21 is task type creative');
    expect((await cli(home, ['tasktype', 'acme/docs#21', 'inferred', '--state-dir', dir])).code).toBe(0);
    const lines = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { type: 'command', command: 'tasktype', issue: 'acme/docs#21', taskType: 'creative' },
      { type: 'command', command: 'tasktype', issue: 'acme/docs#21', taskType: null },
    ]);
  });

  it('refuses an unknown task type or something that is not an issue, naming the choices', async () => {
    const type = await cli(home, ['tasktype', 'acme/docs#21', 'poetry', '--state-dir', dir]);
    expect(type.code).not.toBe(0);
    expect(type.stderr).toMatch(/"poetry" is not a task type; use one of: architecture, .*creative.*, or inferred\./);
    const issue = await cli(home, ['tasktype', 'acme/docs', 'creative', '--state-dir', dir]);
    expect(issue.code).not.toBe(0);
    expect(issue.stderr).toMatch(/is not an issue: give owner\/name#number/);
  });
});
