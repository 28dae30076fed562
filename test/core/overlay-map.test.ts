import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListedMap, OverlayMap } from '../../src/core/overlay-map.js';

/** Entries, order, size and every lookup of keys 0..maxKey the same as the plain Map's. */
function readsLike(map: ReadonlyMap<number, number>, plain: ReadonlyMap<number, number>, maxKey: number): void {
  expect([...map]).toEqual([...plain]);
  expect([...map.keys()]).toEqual([...plain.keys()]);
  expect([...map.values()]).toEqual([...plain.values()]);
  expect(map.size).toBe(plain.size);
  for (let k = 0; k <= maxKey; k++) {
    expect(map.get(k)).toBe(plain.get(k));
    expect(map.has(k)).toBe(plain.has(k));
  }
}

/** The engine's proposals map: puts without copying must read exactly like a copied `Map`. */
describe('OverlayMap', () => {
  it('after any sequence of puts it has the entries, order and size of a Map given the same puts, and the maps before stay as they were', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.nat()), { maxLength: 5000 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.nat()), { maxLength: 8 }), (puts, batch) => {
        let overlay: ReadonlyMap<number, number> = new Map([[7, 0], [3, 0]]);
        const plain = new Map(overlay);
        const snapshots: [ReadonlyMap<number, number>, [number, number][]][] = [];
        for (const [k, v] of puts) {
          if (snapshots.length < 5) snapshots.push([overlay, [...overlay]]);
          overlay = OverlayMap.with(overlay, k, v);
          plain.set(k, v);
        }
        overlay = OverlayMap.withAll(overlay, batch);
        for (const [k, v] of batch) plain.set(k, v);
        readsLike(overlay, plain, 41);
        for (const [map, entries] of snapshots) expect([...map]).toEqual(entries);
      }),
      { numRuns: 60 },
    );
  });

  it('folds a long run of puts into a plain map and keeps reading the same', () => {
    let overlay: ReadonlyMap<string, number> = new Map([['a', 1]]);
    const plain = new Map(overlay);
    for (let i = 0; i < 9000; i++) {
      const k = `k${i % 6000}`;
      overlay = OverlayMap.with(overlay, k, i);
      plain.set(k, i);
    }
    expect([...overlay]).toEqual([...plain]);
    expect(overlay.size).toBe(6001);
  });
});

/** A plan that changed some keys lists the new order and reads the rest through the map before. */
describe('ListedMap', () => {
  it('after any sequence of re-keyings and puts it reads exactly like the Map it stands for, and the maps before stay as they were', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ order: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 30 }), values: fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.nat()), { maxLength: 6 }), put: fc.option(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.nat())) }), { maxLength: 40 }),
        (steps) => {
          let map: ReadonlyMap<number, number> = new Map([[1, 0], [2, 0]]);
          const snapshots: [ReadonlyMap<number, number>, [number, number][]][] = [];
          for (const step of steps) {
            // The next map: keys in a new order (some gone, some new), a few values changed.
            const keys = [...new Set(step.order)];
            const plain = new Map<number, number>();
            for (const k of keys) plain.set(k, map.get(k) ?? k);
            for (const [k, v] of step.values) if (plain.has(k)) plain.set(k, v);
            const over = new Map([...plain].filter(([k, v]) => map.get(k) !== v));
            const removed = new Set([...map.keys()].filter((k) => !plain.has(k)));
            if (snapshots.length < 5) snapshots.push([map, [...map]]);
            map = ListedMap.of(keys, map, over, removed);
            if (step.put) {
              map = OverlayMap.with(map, step.put[0], step.put[1]);
              plain.set(step.put[0], step.put[1]);
            }
            readsLike(map, plain, 31);
          }
          for (const [before, entries] of snapshots) expect([...before]).toEqual(entries);
        },
      ),
      { numRuns: 60 },
    );
  });
});
