/**
 * The loaded-model cache of the serving path: a Map bounded by entry count that evicts the least recently used
 * model first. It used to be a plain Map that never evicted, so every artifact ever predicted with (old champions,
 * replaced ones) stayed in memory for the life of the process (issue 19). A Map subclass, so the code that reads it
 * (predict.ts: get/set) needs no change; `get` refreshes an entry's recency.
 */
export class LruMap<K, V> extends Map<K, V> {
  evictions = 0;

  constructor(readonly maxEntries: number) {
    super();
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`cache size must be a whole number >= 1, got ${maxEntries}`);
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    // Re-insert: a Map iterates in insertion order, so the first key is always the least recently used.
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    super.set(key, value);
    while (this.size > this.maxEntries) {
      const oldest = this.keys().next().value as K;
      super.delete(oldest);
      this.evictions++;
    }
    return this;
  }
}
