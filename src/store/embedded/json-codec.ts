/**
 * JSON text for stored documents, with two additions the embedded store needs:
 * - Non-finite numbers survive. JSON has no NaN or Infinity and JSON.stringify turns them into null without a word,
 *   but metrics can legitimately be NaN (precision with no positive predictions), so documents that contain them
 *   tag each one as {"$nf":"NaN"}. The legacy journal format used the same tagging, so its records decode here too.
 * - A checksum (CRC-32) of the exact text, stored beside it, so a record damaged on disk is detected when it is read
 *   or verified instead of being served as if it were what was written.
 */
import { crc32 } from 'node:zlib';

const NON_FINITE_KEY = '$nf';

export function encodeJson(value: unknown): string {
  if (!containsNonFinite(value)) return JSON.stringify(value);
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE_KEY]: String(v) } : v));
}

export function decodeJson<T>(json: string): T {
  if (!json.includes(`"${NON_FINITE_KEY}":`)) return JSON.parse(json) as T;
  return JSON.parse(json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === NON_FINITE_KEY) return Number((value as Record<string, string>)[NON_FINITE_KEY]);
    }
    return value;
  }) as T;
}

/** CRC-32 of a text's UTF-8 bytes, as an unsigned 32-bit integer. */
export function checksumOf(text: string): number {
  return crc32(text);
}

function containsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsNonFinite(item)) return true;
    return false;
  }
  for (const key in value) if (containsNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}
