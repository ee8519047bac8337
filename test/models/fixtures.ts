/** Shared data and scoring for the classifier tests. */
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';

/** Points in [-1, 1]^d labeled 1 inside the sphere r² < 0.5, with a margin of 0.08 around it (needs a non-linear model). */
export function ball(n: number, d: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    do {
      r2 = 0;
      for (let j = 0; j < d; j++) {
        data[i * d + j] = rng() * 2 - 1;
        r2 += data[i * d + j]! ** 2;
      }
    } while (Math.abs(r2 - 0.5) < 0.08);
    y[i] = r2 < 0.5 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

export function accuracy(pred: Uint8Array, y: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += pred[i] === y[i] ? 1 : 0;
  return ok / y.length;
}
