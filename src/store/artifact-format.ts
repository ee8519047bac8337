/**
 * The one self-describing file format for trained models.
 *
 * Layout (all text is UTF-8):
 *
 *     SIGNAL-POOL-MODEL <formatVersion> <sha256 of everything after this line>\n
 *     <header JSON: kind, params, featureNames, createdAt, state layout>\n
 *     <state JSON bytes><binary blob bytes...>
 *
 * Why this shape:
 * - The first line alone tells what the file is, which version of the format wrote it, and the checksum, so a reader
 *   rejects a foreign or corrupt file before parsing anything large.
 * - The checksum covers the header too: a flipped feature name is caught just like a flipped weight.
 * - Typed arrays in the state (Float64Array weights, Float32Array tensors...) are stored as raw little-endian bytes
 *   after the state JSON instead of as decimal text, so a 20 MB model encodes and decodes in milliseconds and loses
 *   no precision. Non-finite numbers, which JSON would silently turn into null, are stored as tagged values.
 *
 * Decoding verifies the magic, the format version, the checksum and (when asked) the feature names, and throws an
 * ArtifactError saying exactly what is wrong. A model is never loaded from bytes that fail any of these checks.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

export const ARTIFACT_MAGIC = 'SIGNAL-POOL-MODEL';
export const ARTIFACT_FORMAT_VERSION = 1;

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}

/** What a caller stores: a classifier's kind, hyper-parameters, feature order and learned state. */
export interface ArtifactInput {
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly featureNames: readonly string[];
  /** JSON-like data; typed arrays anywhere inside are stored as raw bytes and come back as the same typed array. */
  readonly state: unknown;
  /** Defaults to now. */
  readonly createdAt?: Date;
}

export interface DecodedArtifact {
  readonly kind: string;
  readonly params: Record<string, unknown>;
  readonly featureNames: string[];
  readonly state: unknown;
  readonly createdAt: Date;
  readonly formatVersion: number;
  /** Hex sha256 of everything after the first line. */
  readonly sha256: string;
}

export interface DecodeOptions {
  /** When given, the artifact's feature names must equal these, in the same order. */
  readonly expectedFeatureNames?: readonly string[];
}

// ---------------------------------------------------------------- typed arrays <-> raw bytes
const TYPED_ARRAYS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
  i8: Int8Array,
  u8: Uint8Array,
} as const;
type BlobType = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[BlobType]>;

function blobTypeOf(value: ArrayBufferView): BlobType | null {
  // Check the exact constructor chain: Buffer is a Uint8Array and is stored as u8.
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Uint32Array) return 'u32';
  if (value instanceof Int16Array) return 'i16';
  if (value instanceof Uint16Array) return 'u16';
  if (value instanceof Int8Array) return 'i8';
  if (value instanceof Uint8Array) return 'u8';
  return null;
}

interface BlobRef {
  readonly type: BlobType;
  /** Byte offset inside the blob section. */
  readonly offset: number;
  /** Element count. */
  readonly length: number;
}

/** Reserved keys that mark encoded values inside the state JSON. */
const BLOB_KEY = '$blob';
const NUMBER_KEY = '$num';

interface Header {
  readonly kind: string;
  readonly params: Record<string, unknown>;
  readonly featureNames: string[];
  readonly createdAt: string;
  /** Byte length of the state JSON that starts the payload section. */
  readonly stateJsonBytes: number;
  readonly blobs: BlobRef[];
  /** True when the state JSON holds tagged values ($blob / $num) that decoding must restore. */
  readonly tagged: boolean;
}

function assertLittleEndian(): void {
  // Raw typed-array bytes are written in the machine's byte order; every platform Node supports today is
  // little-endian, and refusing the rare exception is better than writing files other machines misread.
  if (endianness() !== 'LE') throw new ArtifactError('model artifacts can only be written and read on little-endian machines');
}

// ---------------------------------------------------------------- encode
export function encodeArtifact(input: ArtifactInput): Uint8Array {
  assertLittleEndian();
  if (typeof input.kind !== 'string' || input.kind.length === 0) throw new ArtifactError('artifact kind must be a non-empty string');
  const featureNames = [...input.featureNames];
  const seen = new Set<string>();
  for (const name of featureNames) {
    if (typeof name !== 'string' || name.length === 0) throw new ArtifactError('feature names must be non-empty strings');
    if (seen.has(name)) throw new ArtifactError(`feature name "${name}" appears twice`);
    seen.add(name);
  }

  const blobs: BlobRef[] = [];
  const blobParts: Uint8Array[] = [];
  let blobBytes = 0;
  let tagged = false;
  // Most states are plain JSON (trees as number arrays): V8's JSON.stringify without a replacer is many times faster
  // than calling a replacer for each of a forest's ~500k numbers, and gives the same text for such states.
  const stateJson = isPlainJson(input.state ?? null) ? JSON.stringify(input.state ?? null) : JSON.stringify(input.state ?? null, function replacer(this: unknown, key: string, value: unknown) {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return value;
      tagged = true;
      return { [NUMBER_KEY]: String(value) }; // 'NaN' | 'Infinity' | '-Infinity'
    }
    // Look at the raw value: Buffer has a toJSON() that would otherwise turn it into a number list first.
    const raw = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(raw)) value = raw;
    if (value !== null && typeof value === 'object') {
      if (ArrayBuffer.isView(value)) {
        const type = blobTypeOf(value);
        if (!type) throw new ArtifactError(`state key "${key}" holds an unsupported binary view (${value.constructor.name})`);
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        blobs.push({ type, offset: blobBytes, length: (value as AnyTypedArray).length });
        blobParts.push(bytes);
        blobBytes += bytes.byteLength;
        tagged = true;
        return { [BLOB_KEY]: blobs.length - 1 };
      }
      if (!Array.isArray(value) && (BLOB_KEY in value || NUMBER_KEY in value)) {
        throw new ArtifactError(`state key "${key}" uses a reserved key (${BLOB_KEY} or ${NUMBER_KEY})`);
      }
    }
    return value;
  });
  const stateBytes = Buffer.from(stateJson, 'utf8');

  const header: Header = {
    kind: input.kind,
    params: JSON.parse(JSON.stringify(input.params ?? {})) as Record<string, unknown>,
    featureNames,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    stateJsonBytes: stateBytes.byteLength,
    blobs,
    tagged,
  };
  const headerBytes = Buffer.from(JSON.stringify(header) + '\n', 'utf8');

  const body = Buffer.allocUnsafe(headerBytes.byteLength + stateBytes.byteLength + blobBytes);
  let at = headerBytes.copy(body, 0);
  at += stateBytes.copy(body, at);
  for (const part of blobParts) {
    body.set(part, at);
    at += part.byteLength;
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  const firstLine = Buffer.from(`${ARTIFACT_MAGIC} ${ARTIFACT_FORMAT_VERSION} ${sha256}\n`, 'utf8');
  return new Uint8Array(Buffer.concat([firstLine, body]));
}

/**
 * True when `value` holds only finite numbers, strings, booleans, null, arrays and plain objects without reserved
 * keys or toJSON methods: then the replacer above would return every value unchanged. Iterative (deep states are
 * fine) and allocation-light.
 */
function isPlainJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== 'object') return false; // undefined, functions, bigint, symbols: let the replacer path decide
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'number') {
          if (!Number.isFinite(e)) return false;
        } else {
          stack.push(e);
        }
      }
      continue;
    }
    if (ArrayBuffer.isView(v)) return false;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    if (BLOB_KEY in v || NUMBER_KEY in v) return false;
    for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return true;
}

// ---------------------------------------------------------------- decode
export function decodeArtifact(bytes: Uint8Array, options: DecodeOptions = {}): DecodedArtifact {
  assertLittleEndian();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // 1. First line: magic, version, checksum. Read at most a small prefix so a foreign 20 MB file fails fast.
  const firstNewline = buf.indexOf(0x0a, 0);
  if (firstNewline < 0 || firstNewline > 200) throw new ArtifactError(`not a Signal Pool model artifact (no "${ARTIFACT_MAGIC}" header line)`);
  const [magic, versionText, sha256, ...rest] = buf.toString('utf8', 0, firstNewline).split(' ');
  if (magic !== ARTIFACT_MAGIC || rest.length > 0) throw new ArtifactError(`not a Signal Pool model artifact (bad magic "${(magic ?? '').slice(0, 40)}")`);
  const formatVersion = Number(versionText);
  if (!Number.isInteger(formatVersion) || formatVersion < 1) throw new ArtifactError(`artifact has an unreadable format version "${versionText}"`);
  if (formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactError(`artifact format version ${formatVersion} is newer than this program reads (${ARTIFACT_FORMAT_VERSION}); upgrade signal-pool`);
  }
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) throw new ArtifactError('artifact header line has no valid sha256 checksum');

  // 2. Checksum over everything after the first line, before trusting any of it.
  const body = buf.subarray(firstNewline + 1);
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== sha256) {
    throw new ArtifactError(`artifact is corrupt: sha256 checksum mismatch (recorded ${sha256.slice(0, 12)}..., computed ${actual.slice(0, 12)}...)`);
  }

  // 3. Header, then feature names, then state.
  const headerEnd = body.indexOf(0x0a, 0);
  if (headerEnd < 0) throw new ArtifactError('artifact is truncated: no header');
  let header: Header;
  try {
    header = JSON.parse(body.toString('utf8', 0, headerEnd)) as Header;
  } catch (err) {
    throw new ArtifactError(`artifact header is not valid JSON: ${(err as Error).message}`);
  }
  validateHeader(header);

  if (options.expectedFeatureNames) {
    const problem = describeFeatureMismatch(options.expectedFeatureNames, header.featureNames);
    if (problem) throw new ArtifactError(`artifact feature names do not match: ${problem}`);
  }

  const stateStart = headerEnd + 1;
  const blobStart = stateStart + header.stateJsonBytes;
  if (blobStart > body.byteLength) throw new ArtifactError('artifact is truncated: state section is shorter than recorded');
  let state = JSON.parse(body.toString('utf8', stateStart, blobStart)) as unknown;
  if (header.tagged) state = restoreTagged(state, header.blobs, body.subarray(blobStart));

  return {
    kind: header.kind,
    params: header.params,
    featureNames: header.featureNames,
    state,
    createdAt: new Date(header.createdAt),
    formatVersion,
    sha256,
  };
}

function validateHeader(h: Header): void {
  const ok =
    h !== null &&
    typeof h === 'object' &&
    typeof h.kind === 'string' &&
    typeof h.params === 'object' &&
    Array.isArray(h.featureNames) &&
    h.featureNames.every((n) => typeof n === 'string') &&
    typeof h.createdAt === 'string' &&
    Number.isInteger(h.stateJsonBytes) &&
    Array.isArray(h.blobs);
  if (!ok) throw new ArtifactError('artifact header is missing required fields (kind, params, featureNames, createdAt, layout)');
}

/** Human-readable difference between the expected and the stored feature lists, or null when equal. */
export function describeFeatureMismatch(expected: readonly string[], actual: readonly string[]): string | null {
  if (expected.length === actual.length && expected.every((name, i) => actual[i] === name)) return null;
  const expectedSet = new Set(expected);
  const actualSet = new Set(actual);
  const missing = expected.filter((n) => !actualSet.has(n));
  const unexpected = actual.filter((n) => !expectedSet.has(n));
  const parts = [`expected ${expected.length} features, the model has ${actual.length}`];
  if (missing.length > 0) parts.push(`missing from the model: ${missing.join(', ')}`);
  if (unexpected.length > 0) parts.push(`not expected: ${unexpected.join(', ')}`);
  if (missing.length === 0 && unexpected.length === 0) {
    const i = expected.findIndex((name, k) => actual[k] !== name);
    parts.push(`same names in a different order (first difference at position ${i}: expected "${expected[i]}", model has "${actual[i]}")`);
  }
  return parts.join('; ');
}

function restoreTagged(value: unknown, blobs: readonly BlobRef[], blobSection: Buffer): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') value[i] = restoreTagged(item, blobs, blobSection);
    }
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (NUMBER_KEY in obj) return Number(obj[NUMBER_KEY]);
  if (BLOB_KEY in obj) {
    const ref = blobs[obj[BLOB_KEY] as number];
    if (!ref || !(ref.type in TYPED_ARRAYS)) throw new ArtifactError(`artifact state refers to a missing binary blob #${String(obj[BLOB_KEY])}`);
    const Ctor = TYPED_ARRAYS[ref.type];
    const byteLength = ref.length * Ctor.BYTES_PER_ELEMENT;
    if (ref.offset + byteLength > blobSection.byteLength) throw new ArtifactError(`artifact is truncated: binary blob #${String(obj[BLOB_KEY])} is incomplete`);
    // Copy into a fresh, aligned ArrayBuffer: the input may sit at any byte offset of a shared buffer.
    const copy = new Uint8Array(byteLength);
    copy.set(blobSection.subarray(ref.offset, ref.offset + byteLength));
    return new Ctor(copy.buffer);
  }
  for (const key of Object.keys(obj)) {
    const item = obj[key];
    if (item !== null && typeof item === 'object') obj[key] = restoreTagged(item, blobs, blobSection);
  }
  return obj;
}
