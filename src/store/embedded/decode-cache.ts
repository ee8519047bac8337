/**
 * Decoded documents of the registry, kept by their exact JSON text. GET /models decodes the 40 champions' versions
 * on every request, and JSON decoding was half of what the service spent on it; versions never change once
 * registered, and a record whose text is identical to one already checked and decoded needs neither its checksum
 * checked nor its text parsed again. Callers get a fresh copy each time (copying plain JSON data costs about a third
 * of parsing it), so nothing they do reaches the cache. Bounded: the oldest entries go first.
 */
export class DecodeCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly maxEntries: number) {}

  get<T>(text: string): T | undefined {
    const value = this.entries.get(text);
    return value === undefined ? undefined : (copyJson(value) as T);
  }

  /** Keeps `value` (decoded from `text`) and returns a copy for the caller. */
  set<T>(text: string, value: T): T {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(text, value);
    return copyJson(value) as T;
  }
}

/** A deep copy of JSON-like data (objects, arrays, primitives; NaN and infinities stay as they are). */
export function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}
