import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedBacklog, startSandbox, writeStateAtomic } from '../../src/sandbox/index.js';
import { apiClient, eventually } from '../helpers/sandbox-client.js';

describe('state persistence', () => {
  let dir: string;
  let statePath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-state-'));
    statePath = join(dir, 'state.json');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps issues, comments and labels across a restart', async () => {
    const first = await startSandbox({ statePath, issues: 9 });
    const api = apiClient(first);
    const created = await api.post('/repos/demo/web/issues', { title: 'Survives a restart' });
    await api.post(`/repos/demo/web/issues/${created.body.number}/comments`, { body: 'still here' });
    await api.post(`/repos/demo/web/issues/${created.body.number}/labels`, { labels: ['bug'] });
    await first.close();

    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(statSync(statePath).mode & 0o777).toBe(0o600);

    // Different seed options do not matter once there is a state file.
    const second = await startSandbox({ statePath, issues: 200, seed: 99 });
    try {
      const again = apiClient(second);
      const issue = await again.get(`/repos/demo/web/issues/${created.body.number}`);
      expect(issue.body).toMatchObject({ title: 'Survives a restart', comments: 1, labels: [{ name: 'bug' }] });
      const open = second.store.issues('demo/web').filter((i) => i.state === 'open' && !i.pull).length;
      expect(open).toBe(4);
      const next = await again.post('/repos/demo/web/issues', { title: 'Numbering continues' });
      expect(next.body.number).toBe(created.body.number + 1);
    } finally {
      await second.close();
    }
  });

  it('writes changes shortly after they happen, not only on close', async () => {
    const sandbox = await startSandbox({ statePath, issues: 3, repos: 1 });
    try {
      sandbox.store.addComment('demo/api', 1, 'written soon');
      await eventually(() => (existsSync(statePath) && readFileSync(statePath, 'utf8').includes('written soon') ? true : undefined), 3000, 'the state file');
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a state file that is not sandbox state, and leaves it alone', async () => {
    writeFileSync(statePath, '{"version": 2, "repos": "nope"}');
    await expect(startSandbox({ statePath })).rejects.toThrow(/is not sandbox state/);
    writeFileSync(statePath, '{ truncated');
    await expect(startSandbox({ statePath })).rejects.toThrow(/is not valid JSON/);
    expect(readFileSync(statePath, 'utf8')).toBe('{ truncated');
  });

  it('never shows a half-written file to a concurrent reader', async () => {
    const state = seedBacklog({ repos: 1, issues: 800, now: new Date('2025-01-01T00:00:00Z') });
    writeStateAtomic(statePath, state);
    // A separate process reads as fast as it can while this one rewrites the file; it says when
    // it has started, so a slow start on a busy machine cannot leave the rewrites unobserved.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); let bad = 0, reads = 0, stop = false;
         process.stdin.on('data', () => { stop = true; process.stdout.write(JSON.stringify({ bad, reads })); process.exit(0); });
         (function loop() { for (let i = 0; i < 20; i++) { reads++; try { JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); } catch { bad++; } }
           if (reads === 20) process.stdout.write('ready\\n');
           if (!stop) setImmediate(loop); })();`,
        statePath,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    const ready = new Promise<void>((resolve) => reader.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    }));
    const done = new Promise<void>((resolve) => reader.on('exit', () => resolve()));
    await ready;
    for (let i = 0; i < 30; i++) {
      state.repos[0]!.issues[0]!.title = `rewrite ${i}`;
      writeStateAtomic(statePath, state);
      await new Promise((r) => setTimeout(r, 5));
    }
    reader.stdin.write('report\n');
    await done;
    out = out.slice('ready\n'.length);
    const { bad, reads } = JSON.parse(out) as { bad: number; reads: number };
    // reads went on while the file was rewritten, not only before
    expect(reads).toBeGreaterThan(20);
    expect(bad).toBe(0);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});
