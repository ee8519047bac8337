/** Rolling helpers over a daily series (row offsets, one row per candle). NaN where a window is incomplete. */

const nanArray = (n: number) => new Float64Array(n).fill(Number.NaN);

/** log(x_t / x_{t-k}); NaN for the first k values. */
export function logReturn(x: Float64Array, k: number): Float64Array {
  const out = nanArray(x.length);
  for (let i = k; i < x.length; i++) out[i] = Math.log(x[i]! / x[i - k]!);
  return out;
}

/** Sample standard deviation of the last `k` values of x (NaN-free windows only). */
export function rollingStd(x: Float64Array, k: number): Float64Array {
  const out = nanArray(x.length);
  for (let i = k - 1; i < x.length; i++) {
    let s = 0, s2 = 0, ok = true;
    for (let j = i - k + 1; j <= i; j++) {
      const v = x[j]!;
      if (!Number.isFinite(v)) { ok = false; break; }
      s += v;
      s2 += v * v;
    }
    if (!ok) continue;
    const mean = s / k;
    out[i] = Math.sqrt(Math.max(0, (s2 - k * mean * mean) / (k - 1)));
  }
  return out;
}


/** Max or min of the last `k` values, over the values there are before the first full window (expanding start). */
export function rollingExtreme(x: Float64Array, k: number, pick: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let m = x[i]!;
    for (let j = Math.max(0, i - k + 1); j < i; j++) m = pick(m, x[j]!);
    out[i] = m;
  }
  return out;
}

/** Sum of the last `k` values; NaN before the first full window. */
export function rollingSum(x: Float64Array, k: number): Float64Array {
  const out = nanArray(x.length);
  for (let i = k - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - k + 1; j <= i; j++) s += x[j]!;
    out[i] = s;
  }
  return out;
}
