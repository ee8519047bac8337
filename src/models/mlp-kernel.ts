/**
 * The MLP's training kernel: WebAssembly with two-lane f64 SIMD (source in mlp-kernel.wat, assembled into
 * mlp-kernel.wasm by `npm run build:wasm`), and the TrainingKernel class that holds one fit's training set, parameters, gradients and adam
 * moments in the kernel's memory. Split from mlp.ts so the model reads without the kernel's text in the way; see
 * mlp.ts for why training runs in WebAssembly and how its results stay bit-identical to plain loops.
 */
import type { Matrix } from './matrix.ts';
import { compileWasmFile } from './wasm-module.ts';

/** adam's constants (scikit-learn's defaults). */
export const BETA1 = 0.9;
export const BETA2 = 0.999;
export const ADAM_EPS = 1e-8;
/** scikit-learn clips probabilities to [eps, 1 - eps] in the log loss. */
export const LOSS_CLIP = Number.EPSILON;

/**
 * Blocks of four rows whose forward passes run before their backward passes (see mlp-kernel.wat's step): w1 and gw1 then
 * take turns in the cache every 16 rows instead of every 4 (~2% faster than one block; 8 blocks gain nothing more).
 */
const BLOCKS_PER_GROUP = 4;

export interface Network {
  /** H × d row-major: row j holds the weights into hidden unit j, so a unit's input is one contiguous dot product. */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array; // length 1, so adam can treat every parameter block the same way
}

// ---- The training kernel ---------------------------------------------------------------------------------------

/**
 * One fit's training state in one WebAssembly memory, and mlp-kernel.wat's code that works on it. One instance per fit:
 * its memory is freed with it. A minibatch is one call, step(): forward pass, output deltas, backward pass and the
 * adam step, four rows at a time (see mlp-kernel.wat); only the loss's logarithms stay in TypeScript (loss()).
 *
 * Layout: the hidden units are padded to Hp, a multiple of four, with units whose parameters are 0 and stay exactly
 * 0 (their activations are relu(0) = +0, so every gradient term of theirs is a product with +0), so the kernel needs
 * no remainder loops; the outputs and the L2 term sum over the H real units only. w1 is stored transposed (w1T,
 * d × Hp: w1T[k*Hp + j] = w1[j, k]) so that consecutive units are adjacent lanes. Parameters and gradients are each
 * one contiguous block [w1T | b1 | w2 | b2], so one adam pass updates all.
 */
export class TrainingKernel {
  /** The training rows in this epoch's order (the caller shuffles it in place); a batch is a slice of it. */
  readonly order: Int32Array;
  /** Per row of the last batch: its row weight, and the (clipped) probability of its true class, whose log is its loss. */
  private readonly weight: Float64Array;
  private readonly pTrue: Float64Array;
  private readonly params: Float64Array;
  private readonly kernels: KernelExports;
  private readonly d: number;
  private readonly H: number;
  private readonly Hp: number;

  /** Z: the standardized training set; y: its labels; w: its row weights. */
  constructor(Z: Matrix, y: Uint8Array, w: Float64Array, H: number, maxBatch: number, init: Network) {
    const { nRows: n, nCols: d } = Z;
    const Hp = Math.ceil(H / 4) * 4;
    const P = d * Hp + 2 * Hp + 1;
    const G = BLOCKS_PER_GROUP;
    this.d = d;
    this.H = H;
    this.Hp = Hp;
    // Byte offsets; every array starts on 16 bytes.
    let next = 0;
    const take = (bytes: number): number => {
      const at = next;
      next += Math.ceil(bytes / 16) * 16;
      return at;
    };
    const at = {
      params: take(8 * P), grad: take(8 * P), m: take(8 * P), v: take(8 * P), Z: take(8 * n * d), y: take(8 * n), w: take(8 * n),
      order: take(4 * n), weight: take(8 * maxBatch), pTrue: take(8 * maxBatch), zB: take(32 * G * d), hB: take(32 * G * Hp), oB: take(32 * G), odB: take(32 * G),
    };
    const instance = new WebAssembly.Instance(kernelModule());
    this.kernels = instance.exports as unknown as KernelExports;
    const memory = this.kernels.memory;
    const pages = Math.ceil(next / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const buf = memory.buffer;
    this.params = new Float64Array(buf, at.params, P);
    this.order = new Int32Array(buf, at.order, n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.weight = new Float64Array(buf, at.weight, maxBatch);
    this.pTrue = new Float64Array(buf, at.pTrue, maxBatch);
    new Float64Array(buf, at.Z, n * d).set(Z.data);
    new Float64Array(buf, at.y, n).set(y);
    new Float64Array(buf, at.w, n).set(w);
    const { w1T, b1, w2, b2 } = this.parameterViews();
    for (let j = 0; j < H; j++) for (let k = 0; k < d; k++) w1T[k * Hp + j] = init.w1[j * d + k]!;
    b1.set(init.b1);
    w2.set(init.w2);
    b2.set(init.b2);
    this.kernels.init(d, H, Hp, at.Z, at.y, at.w, at.order, at.weight, at.pTrue, at.zB, at.hB, at.oB, at.odB, at.params, at.grad, at.m,
      at.v, P, BETA1, 1 - BETA1, BETA2, 1 - BETA2, ADAM_EPS, LOSS_CLIP, 4 * G);
  }

  /**
   * One minibatch, the rows order[start .. start + m): gradients of its loss plus the L2 term l2 · W, and one adam
   * step with learning rate lrT. Returns ||w1||² + ||w2||² before the step (for the L2 term of the loss).
   */
  step(start: number, m: number, l2: number, lrT: number): number {
    return this.kernels.step(start, m, l2, lrT);
  }

  /** The last batch's data loss, sum over its m rows in order of -w_r · log(p_r(true class)) (the logs as Math.log). */
  loss(m: number): number {
    const { weight, pTrue } = this;
    let loss = 0;
    for (let b = 0; b < m; b++) loss -= weight[b]! * Math.log(pTrue[b]!);
    return loss;
  }

  /** A copy of the weights, w1 back in Network's H × d layout (the kernel's memory goes away with it). */
  network(): Network {
    const { d, H, Hp } = this;
    const { w1T, b1, w2, b2 } = this.parameterViews();
    const w1 = new Float64Array(H * d);
    for (let j = 0; j < H; j++) for (let k = 0; k < d; k++) w1[j * d + k] = w1T[k * Hp + j]!;
    return { w1, b1: b1.slice(0, H), w2: w2.slice(0, H), b2: b2.slice() };
  }

  private parameterViews(): { w1T: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array } {
    const { d, Hp, params } = this;
    return {
      w1T: params.subarray(0, d * Hp), b1: params.subarray(d * Hp, d * Hp + Hp), w2: params.subarray(d * Hp + Hp, d * Hp + 2 * Hp),
      b2: params.subarray(d * Hp + 2 * Hp, d * Hp + 2 * Hp + 1),
    };
  }
}

interface KernelExports {
  memory: WebAssembly.Memory;
  init(d: number, H: number, Hp: number, Z: number, y: number, w: number, order: number, weight: number, pTrue: number, zB: number, hB: number,
    oB: number, odB: number, params: number, grad: number, m: number, v: number, nParams: number, beta1: number, c1: number, beta2: number,
    c2: number, eps: number, lossClip: number, groupRows: number): void;
  step(start: number, m: number, l2: number, lr: number): number;
  /** Math.exp, bit for bit (exported for the tests). */
  exp(x: number): number;
}

let compiled: WebAssembly.Module | undefined;
/** Compiled once per thread (a few milliseconds), instantiated once per fit (exported for the tests of its exp). */
export function kernelModule(): WebAssembly.Module {
  compiled ??= compileWasmFile(new URL('./mlp-kernel.wasm', import.meta.url));
  return compiled;
}
