import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlayMap } from '../../src/core/overlay-map.js';

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
        expect([...overlay]).toEqual([...plain]);
        expect([...overlay.keys()]).toEqual([...plain.keys()]);
        expect([...overlay.values()]).toEqual([...plain.values()]);
        expect(overlay.size).toBe(plain.size);
        for (let k = 0; k <= 41; k++) {
          expect(overlay.get(k)).toBe(plain.get(k));
          expect(overlay.has(k)).toBe(plain.has(k));
        }
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
