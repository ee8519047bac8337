/**
 * Seeded pseudo-random numbers. Every random choice in the models (bootstrap draws, feature sampling, weight
 * initialisation, shuffles) goes through an Rng created here, so the same seed always gives the same model.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words, seeded through splitmix32 so that nearby seeds
 * (1, 2, 3 ...) give unrelated streams. It is fast on 32-bit integer maths, which is what JS engines do well.
 */

/** Returns values uniformly distributed in [0, 1). */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  // Fold the whole (possibly > 32-bit or fractional) seed into two 32-bit words before expanding it.
  const lo = Math.floor(seed) >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let sm = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  const splitmix32 = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix32();
  let s1 = splitmix32();
  let s2 = splitmix32();
  let s3 = splitmix32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point of xoshiro

  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seed for stream `index` of `seed`: independent-looking streams per row (or per fold) that do not depend on how
 * the work was split, e.g. KernelSHAP gives row 57 the same coalitions whether it is explained alone or in a chunk.
 */
export function deriveSeed(seed: number, index: number): number {
  if (!Number.isFinite(seed) || !Number.isInteger(index) || index < 0) throw new Error(`deriveSeed: bad seed ${seed} or index ${index}`);
  // The first output of a generator seeded with `seed` is mixed with the index through a splitmix32-style finaliser.
  const base = Math.floor(createRng(seed)() * 4294967296);
  let z = (base + Math.imul(index + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates shuffle of `a` in place; returns `a`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(rng: Rng, a: T): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
  return a;
}
