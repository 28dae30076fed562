import { describe, expect, it } from 'vitest';
import { WriteLanes } from '../../src/core/write-lanes.js';

/** A task that logs its start and end and finishes when the test says so. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { task: async () => { log.push(`${name} start`); await done; log.push(`${name} end`); }, open };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('write lanes', () => {
  it('runs one key strictly in order, even when the first task is slow', async () => {
    const log: string[] = [];
    const lanes = new WriteLanes(4);
    const a = gate(log, 'a1');
    const first = lanes.run('a', a.task);
    const second = lanes.run('a', async () => void log.push('a2'));
    await tick();
    expect(log).toEqual(['a1 start']);
    a.open();
    await Promise.all([first, second]);
    expect(log).toEqual(['a1 start', 'a1 end', 'a2']);
  });

  it('runs different keys side by side, never more than the limit at once, in the order queued', async () => {
    const log: string[] = [];
    const lanes = new WriteLanes(2);
    const gates = ['x', 'y', 'z'].map((k) => gate(log, k));
    const runs = gates.map((g, i) => lanes.run(String(i), g.task));
    await tick();
    expect(log).toEqual(['x start', 'y start']);
    gates[1]!.open();
    await tick();
    expect(log).toEqual(['x start', 'y start', 'y end', 'z start']);
    gates[0]!.open();
    gates[2]!.open();
    await Promise.all(runs);
  });

  it('idle waits for tasks queued while it waits, and a failed task does not block its lane', async () => {
    const lanes = new WriteLanes(1);
    const log: string[] = [];
    const failing = lanes.run('k', async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    void lanes.run('k', async () => {
      await tick();
      void lanes.run('k', async () => void log.push('queued later'));
      log.push('after failure');
    });
    await lanes.idle();
    expect(log).toEqual(['after failure', 'queued later']);
  });

  it('refuses a limit below one', () => {
    expect(() => new WriteLanes(0)).toThrow(RangeError);
  });
});
