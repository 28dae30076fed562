/**
 * An immutable map that puts a key in without copying the whole map: a shared base and a small
 * overlay of the entries changed since. Copying a 50,000-entry `Map` costs tens of milliseconds,
 * and the engine puts one proposal at a time (an approve, each write), so a copy per put was most
 * of an approve's time. Keys keep their first place, as in a `Map`; a new key goes last. The
 * overlay is folded into a new base once it holds `FOLD_AT` entries, so a read costs at most two
 * lookups. (Written here rather than taken from a library: the console and the engine only need
 * `ReadonlyMap`, and persistent-map libraries do not implement that interface.)
 */
const FOLD_AT = 4096;

export class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    /** changed entries, and new keys in the order they came */
    private readonly over: ReadonlyMap<K, V>,
    private readonly added: number,
  ) {}

  /** `map` with `key` set to `value`; `map` itself is unchanged. */
  static with<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
    return OverlayMap.withAll(map, [[key, value]]);
  }

  /** `map` with several entries set (one copy of the overlay, not one per entry). */
  static withAll<K, V>(map: ReadonlyMap<K, V>, entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
    const from = map instanceof OverlayMap ? (map as OverlayMap<K, V>) : new OverlayMap(map, new Map(), 0);
    const over = new Map(from.over);
    let added = from.added;
    for (const [key, value] of entries) {
      if (!over.has(key) && !from.base.has(key)) added += 1;
      over.set(key, value);
    }
    const next = new OverlayMap(from.base, over, added);
    return over.size >= FOLD_AT ? new Map(next) : next;
  }

  get size(): number {
    return this.base.size + this.added;
  }

  /** maps read through on a lookup */
  get depth(): number {
    return 1 + depthOf(this.base);
  }

  get(key: K): V | undefined {
    return this.over.has(key) ? this.over.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.over.has(key) || this.base.has(key);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) yield [k, this.over.has(k) ? (this.over.get(k) as V) : v];
    for (const [k, v] of this.over) if (!this.base.has(k)) yield [k, v];
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}

const depthOf = (map: ReadonlyMap<unknown, unknown>): number => (map instanceof OverlayMap || map instanceof ListedMap ? map.depth : 0);

/** Views read through before one is copied into a plain `Map`: a read costs at most this many lookups. */
const DEPTH_AT = 8;

/**
 * An immutable map in a given key order, read through an earlier map: a plan that replaces a few
 * keys (a proposal whose id changed) lists the 50,000 keys in their new order (an array copy) and
 * keeps only the changed entries, instead of building a 50,000-entry `Map`. `removed` are keys
 * of `through` no longer in it; `over` holds every entry that differs from `through`.
 */
export class ListedMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly order: readonly K[],
    private readonly through: ReadonlyMap<K, V>,
    private readonly over: ReadonlyMap<K, V>,
    private readonly removed: ReadonlySet<K>,
    readonly depth: number,
  ) {}

  /** `keys` in that order: each from `over`, else from `through`; `removed` must list the keys of `through` not in `keys`. */
  static of<K, V>(keys: readonly K[], through: ReadonlyMap<K, V>, over: ReadonlyMap<K, V>, removed: ReadonlySet<K>): ReadonlyMap<K, V> {
    const depth = 1 + depthOf(through);
    const view = new ListedMap(keys, through, over, removed, depth);
    return depth >= DEPTH_AT ? new Map(view) : view;
  }

  get size(): number {
    return this.order.length;
  }

  get(key: K): V | undefined {
    if (this.over.has(key)) return this.over.get(key);
    return this.removed.has(key) ? undefined : this.through.get(key);
  }

  has(key: K): boolean {
    return this.over.has(key) || (!this.removed.has(key) && this.through.has(key));
  }

  *entries(): MapIterator<[K, V]> {
    for (const k of this.order) yield [k, this.get(k) as V];
  }

  *keys(): MapIterator<K> {
    yield* this.order;
  }

  *values(): MapIterator<V> {
    for (const k of this.order) yield this.get(k) as V;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const k of this.order) fn.call(thisArg, this.get(k) as V, k, this);
  }
}
