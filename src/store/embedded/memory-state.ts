/**
 * The in-memory image of one journal: named collections of documents keyed by string, plus optional unique
 * secondary indexes. It is only ever changed by applying journal operations, the same way at start-up (replay) and
 * after each durable append, so memory and disk cannot drift apart.
 */
import type { JournalOp } from './journal.ts';

interface IndexDef {
  readonly collection: string;
  readonly keyOf: (doc: unknown) => string;
  /** index key -> document key */
  readonly map: Map<string, string>;
}

export class MemoryState {
  private readonly collections = new Map<string, Map<string, unknown>>();
  private readonly indexes = new Map<string, IndexDef>();

  /** Declares a unique index on a collection. Must be called before any operation is applied. */
  defineIndex(name: string, collection: string, keyOf: (doc: unknown) => string): void {
    this.indexes.set(name, { collection, keyOf, map: new Map() });
  }

  apply(ops: readonly JournalOp[]): void {
    for (const op of ops) {
      let docs = this.collections.get(op.c);
      const previous = docs?.get(op.k);
      if (previous !== undefined) this.unindex(op.c, previous);
      if (op.op === 'put') {
        if (!docs) {
          docs = new Map();
          this.collections.set(op.c, docs);
        }
        docs.set(op.k, op.v);
        this.index(op.c, op.k, op.v);
      } else if (docs) {
        docs.delete(op.k);
        if (docs.size === 0) this.collections.delete(op.c);
      }
    }
  }

  get<T>(collection: string, key: string): T | undefined {
    return this.collections.get(collection)?.get(key) as T | undefined;
  }

  has(collection: string, key: string): boolean {
    return this.collections.get(collection)?.has(key) ?? false;
  }

  /** The documents of a collection, in insertion order. Callers must treat them as read-only. */
  values<T>(collection: string): T[] {
    const docs = this.collections.get(collection);
    return docs ? ([...docs.values()] as T[]) : [];
  }

  entries<T>(collection: string): [string, T][] {
    const docs = this.collections.get(collection);
    return docs ? ([...docs.entries()] as [string, T][]) : [];
  }

  count(collection: string): number {
    return this.collections.get(collection)?.size ?? 0;
  }

  collectionNames(): string[] {
    return [...this.collections.keys()];
  }

  /** Document key for an index key, if present. */
  lookup(indexName: string, indexKey: string): string | undefined {
    return this.indexes.get(indexName)?.map.get(indexKey);
  }

  /** Every live document as 'put' records of up to `perRecord` operations: the content of a compacted journal. */
  snapshotRecords(perRecord = 500): JournalOp[][] {
    const records: JournalOp[][] = [];
    let current: JournalOp[] = [];
    for (const [c, docs] of this.collections) {
      for (const [k, v] of docs) {
        current.push({ op: 'put', c, k, v });
        if (current.length >= perRecord) {
          records.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) records.push(current);
    return records;
  }

  private index(collection: string, key: string, doc: unknown): void {
    for (const def of this.indexes.values()) if (def.collection === collection) def.map.set(def.keyOf(doc), key);
  }

  private unindex(collection: string, doc: unknown): void {
    for (const def of this.indexes.values()) if (def.collection === collection) def.map.delete(def.keyOf(doc));
  }
}
