/**
 * Shared checks for the hand-written WebAssembly kernels (MLP, SVM): each exp port must equal Math.exp bit for bit.
 */
import { createRng } from '../../src/models/rng.ts';

/** Arguments that exercise every branch of fdlibm's exp: specials, range limits, the reduction's boundaries. */
const EXP_SPECIAL_ARGUMENTS = [0, -0, 1, -1, 2, Infinity, -Infinity, NaN, 709.78, 709.79, -745.13, -745.14, -708.4, -709.5, 1e-9, -1e-300,
  0.5 * Math.LN2, -0.5 * Math.LN2, 1.5 * Math.LN2, -1.5 * Math.LN2, 5e-324, -37, -36.7];

/**
 * Generators of exp arguments (seeded): the ranges the kernels use (sigmoid and RBF exponents), wide and tiny values,
 * random bit patterns (NaNs, subnormals, huge values) and the special arguments above.
 */
export function expArgumentGenerators(seed: number): (() => number)[] {
  const rng = createRng(seed);
  const bits = new Uint32Array(2);
  const asDouble = new Float64Array(bits.buffer);
  return [
    () => -rng() * 40,
    () => rng() * 1600 - 800,
    () => rng() * 4 - 2,
    () => (rng() - 0.5) * 1e-7,
    () => {
      bits[0] = Math.floor(rng() * 2 ** 32);
      bits[1] = Math.floor(rng() * 2 ** 32);
      return asDouble[0]!;
    },
    () => EXP_SPECIAL_ARGUMENTS[Math.floor(rng() * EXP_SPECIAL_ARGUMENTS.length)]!,
  ];
}
