/**
 * Single-precision arithmetic exactly as ml-xgboost's wasm build does it, for the trainer (xgboost-trainer.ts) to
 * reproduce its models bit for bit. (The per-row gradient loop runs expf's port in the trainer's kernel,
 * xgboost-kernel.ts; expf and sigmoidf here are the readable reference, and both are tested against ml-xgboost.)
 *
 * XGBoost keeps predictions, gradients, hessians, leaf values and split thresholds in float32, and its logistic
 * objective calls `expf`/`logf`. The wasm port was linked against emscripten's musl of early 2018, whose expf and
 * logf are the FreeBSD/Sun msun routines (Sun Microsystems, 1993): not correctly rounded, so `Math.fround(Math.exp(x))`
 * differs from them in the last bit now and then. They are re-implemented here step by step in float32 (every
 * operation rounded with Math.fround, as wasm's f32 instructions do; wasm has no fused multiply-add).
 */

const fround = Math.fround;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

function floatBits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}

function floatFromBits(bits: number): number {
  U32[0] = bits >>> 0;
  return F32[0]!;
}

// msun expf constants (float32 bit patterns given in the original).
const LN2_HI = floatFromBits(0x3f317200);
const LN2_LO = floatFromBits(0x35bfbe8e);
const INV_LN2 = floatFromBits(0x3fb8aa3b);
const EXP_P1 = 0xaaaa8f * 2 ** -26; // 1.6666625440e-1
const EXP_P2 = -0xb55215 * 2 ** -32; // -2.7667332906e-3

/** musl's scalbnf: y·2^n in float32, scaling in at most three steps as musl does (only far outside logistic use). */
function scalbnf(y: number, n: number): number {
  if (n > 127) {
    y = fround(y * 2 ** 127);
    n -= 127;
    if (n > 127) {
      y = fround(y * 2 ** 127);
      n -= 127;
      if (n > 127) n = 127;
    }
  } else if (n < -126) {
    y = fround(y * 2 ** -126);
    n += 126;
    if (n < -126) {
      y = fround(y * 2 ** -126);
      n += 126;
      if (n < -126) n = -126;
    }
  }
  return fround(y * POW2[n + 126]!);
}

/** 2^n for n in [-126, 127], exact (Math.pow is slow enough to show in the gradient loop). */
const POW2 = Float64Array.from({ length: 254 }, (_, i) => 2 ** (i - 126));

/** e^x in float32, computed as musl's (msun-derived) expf of 2018 computes it. `x` must be a float32 value. */
export function expf(x: number): number {
  const bits = floatBits(x);
  const sign = bits >>> 31;
  const hx = bits & 0x7fffffff;
  if (hx >= 0x42aeac50) {
    // |x| >= 87.34 or NaN
    if (hx > 0x7f800000) return x;
    if (hx >= 0x42b17218 && sign === 0) return fround(x * 2 ** 127); // overflow to +Infinity
    if (sign === 1 && hx >= 0x42cff1b5) return 0;
  }
  let hi: number;
  let lo: number;
  let k: number;
  if (hx > 0x3eb17218) {
    // |x| > ln2/2: reduce x to hi - lo = x - k·ln2
    // float → int conversion truncates toward zero
    k = hx > 0x3f851592 ? Math.trunc(fround(fround(INV_LN2 * x) + (sign ? -0.5 : 0.5))) : 1 - sign - sign;
    hi = fround(x - fround(k * LN2_HI));
    lo = fround(k * LN2_LO);
    x = fround(hi - lo);
  } else if (hx > 0x39000000) {
    k = 0;
    hi = x;
    lo = 0;
  } else {
    return fround(1 + x);
  }
  const xx = fround(x * x);
  const c = fround(x - fround(xx * fround(EXP_P1 + fround(xx * EXP_P2))));
  const y = fround(1 + fround(fround(fround(fround(x * c) / fround(2 - c)) - lo) + hi));
  return k === 0 ? y : scalbnf(y, k);
}

// msun logf constants.
const LOG_LN2_HI = floatFromBits(0x3f317180);
const LOG_LN2_LO = floatFromBits(0x3717f7d1);
const LG1 = 0xaaaaaa * 2 ** -24;
const LG2 = 0xccce13 * 2 ** -25;
const LG3 = 0x91e9ee * 2 ** -25;
const LG4 = 0xf89e26 * 2 ** -26;

/** Natural log in float32, as musl's (msun-derived) logf of 2018. `x` must be a float32 value. */
export function logf(x: number): number {
  let ix = floatBits(x);
  let k = 0;
  if (ix < 0x00800000 || ix >>> 31) {
    if (((ix << 1) >>> 0) === 0) return -Infinity;
    if (ix >>> 31) return NaN;
    k -= 25; // subnormal: scale up
    x = fround(x * 2 ** 25);
    ix = floatBits(x);
  } else if (ix >= 0x7f800000) {
    return x;
  } else if (ix === 0x3f800000) {
    return 0;
  }
  // reduce x into [sqrt(2)/2, sqrt(2)]
  ix = (ix + (0x3f800000 - 0x3f3504f3)) >>> 0;
  k += (ix >>> 23) - 0x7f;
  ix = (ix & 0x007fffff) + 0x3f3504f3;
  x = floatFromBits(ix);
  const f = fround(x - 1);
  const s = fround(f / fround(2 + f));
  const z = fround(s * s);
  const w = fround(z * z);
  const t1 = fround(w * fround(LG2 + fround(w * LG4)));
  const t2 = fround(z * fround(LG1 + fround(w * LG3)));
  const r = fround(t2 + t1);
  const hfsq = fround(fround(0.5 * f) * f);
  const dk = fround(k);
  return fround(fround(fround(fround(fround(s * fround(hfsq + r)) + fround(dk * LOG_LN2_LO)) - hfsq) + f) + fround(dk * LOG_LN2_HI));
}

/** XGBoost's logistic transform of a float32 margin: 1 / (1 + expf(-x)), all in float32. */
export function sigmoidf(x: number): number {
  return fround(1 / fround(1 + expf(-x)));
}

/** binary:logistic's base margin from base_score (a float32 probability): -logf(1/p - 1), so 0.5 gives -0. */
export function logisticBaseMargin(baseScore: number): number {
  return -logf(fround(fround(1 / baseScore) - 1));
}

/**
 * The float32 that XGBoost holds for a numeric parameter passed through ml-xgboost: the port sends
 * `String(value)` and XGBoost parses that decimal with a correctly rounded string→float conversion. That equals
 * Math.fround(value) except when the double lies exactly halfway between two float32 values: then the decimal
 * string (the shortest one that round-trips the double) decides, not ties-to-even.
 */
export function float32Parameter(value: number): number {
  const f = fround(value);
  if (f === value || !Number.isFinite(value)) return f;
  const other = nextFloat32Toward(f, value);
  const mid = (f + other) / 2; // exact: float32 values have few enough bits
  if (mid !== value) return f;
  const cmp = compareDecimalToDouble(String(value), mid);
  if (cmp === 0) return f; // exactly halfway: ties-to-even, as fround did
  const above = cmp > 0;
  return (above ? Math.max(f, other) : Math.min(f, other));
}

function nextFloat32Toward(f: number, target: number): number {
  if (f === 0) return target > 0 ? 2 ** -149 : -(2 ** -149);
  const bits = floatBits(f);
  const up = target > f;
  // For positive floats larger bit patterns are larger values; for negative ones the reverse.
  return floatFromBits(up === f > 0 ? bits + 1 : bits - 1);
}

/** Sign of (decimal string value − x), exactly, for a finite decimal string and a finite double x. */
function compareDecimalToDouble(decimal: string, x: number): number {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/.exec(decimal);
  if (!m) throw new Error(`float32Parameter: unexpected number format ${decimal}`);
  const negative = m[1] === '-';
  const digits = BigInt(`${m[2]}${m[3] ?? ''}`);
  const exp10 = Number(m[4] ?? 0) - (m[3]?.length ?? 0);
  // x = mant · 2^exp2 exactly, with an integer mant.
  let exp2 = 0;
  let scaled = Math.abs(x);
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    exp2--;
  }
  const mant = BigInt(scaled);
  // Compare digits·10^exp10 with mant·2^exp2 by moving negative powers to the other side.
  let left = digits;
  let right = mant;
  if (exp10 >= 0) left *= 10n ** BigInt(exp10);
  else right *= 10n ** BigInt(-exp10);
  if (exp2 >= 0) right *= 2n ** BigInt(exp2);
  else left *= 2n ** BigInt(-exp2);
  const magnitude = left > right ? 1 : left < right ? -1 : 0;
  if (negative !== x < 0) throw new Error('float32Parameter: sign mismatch');
  return negative ? -magnitude : magnitude;
}
