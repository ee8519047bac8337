/**
 * The MLP's training kernel: WebAssembly with two-lane f64 SIMD (source in KERNEL_WAT, assembled bytes in
 * KERNEL_WASM_BASE64), and the TrainingKernel class that holds one fit's parameters, gradients, adam moments and batch
 * in the kernel's memory. Split from mlp.ts so the model reads without the kernel's text in the way; see mlp.ts for
 * why training runs in WebAssembly and how its results stay bit-identical to plain loops.
 */

/** adam's constants (scikit-learn's defaults). */
export const BETA1 = 0.9;
export const BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

export interface Network {
  /** H × d row-major: row j holds the weights into hidden unit j, so a unit's input is one contiguous dot product. */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array; // length 1, so adam can treat every parameter block the same way
}

// ---- The training kernel ---------------------------------------------------------------------------------------

/**
 * The training state in one WebAssembly memory (parameters, gradients, adam moments, the current batch and the
 * activations) and the kernels of KERNEL_WAT that work on it. One instance per fit: its memory is freed with it.
 * Parameters and gradients are each one contiguous block [w1 | b1 | w2 | b2], so one adam call updates all.
 */
export class TrainingKernel {
  /** Views into the parameter block; w1 is H × d row-major like Network.w1. */
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  /** Gradient of the output bias (the only gradient computed outside the kernel). */
  readonly gb2: Float64Array;
  /** The batch: row-major (rows × d) and transposed (d × rows, row stride = the batch's padded row count). */
  readonly zb: Float64Array;
  readonly zT: Float64Array;
  /** Per row: d(batch loss)/d(output), and the output pre-activation. */
  readonly od: Float64Array;
  readonly out: Float64Array;
  private readonly kernels: KernelExports;
  private readonly at: Record<'params' | 'w1' | 'b1' | 'w2' | 'grad' | 'gw1' | 'gb1' | 'gw2' | 'm' | 'v' | 'zb' | 'zT' | 'hT' | 'od' | 'out' | 'delta' | 'blocks' | 'counts', number>;
  private readonly nParams: number;

  constructor(private readonly d: number, private readonly H: number, maxBatch: number, init: Network) {
    const padded = Math.ceil(maxBatch / 4) * 4;
    const P = H * d + 2 * H + 1;
    this.nParams = P;
    // Byte offsets; every array starts on 16 bytes (f64 counts rounded up to even).
    let next = 0;
    const take = (f64s: number): number => {
      const at = next;
      next += Math.ceil(f64s / 2) * 16;
      return at;
    };
    const params = take(P);
    const grad = take(P);
    this.at = {
      params, w1: params, b1: params + 8 * H * d, w2: params + 8 * (H * d + H),
      grad, gw1: grad, gb1: grad + 8 * H * d, gw2: grad + 8 * (H * d + H),
      m: take(P), v: take(P), zb: take(padded * d), zT: take(padded * d), hT: take(padded * H), od: take(padded), out: take(padded),
      delta: take(padded * H), blocks: take((padded / 4) * H / 2), counts: take(H / 2),
    };
    const instance = new WebAssembly.Instance(kernelModule());
    this.kernels = instance.exports as unknown as KernelExports;
    const memory = this.kernels.memory;
    const pages = Math.ceil(next / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const view = (at: number, length: number) => new Float64Array(memory.buffer, at, length);
    this.w1 = view(this.at.w1, H * d);
    this.b1 = view(this.at.b1, H);
    this.w2 = view(this.at.w2, H);
    this.b2 = view(this.at.w2 + 8 * H, 1);
    this.gb2 = view(this.at.gw2 + 8 * H, 1);
    this.zb = view(this.at.zb, padded * d);
    this.zT = view(this.at.zT, padded * d);
    this.od = view(this.at.od, padded);
    this.out = view(this.at.out, padded);
    this.w1.set(init.w1);
    this.b1.set(init.b1);
    this.w2.set(init.w2);
    this.b2.set(init.b2);
  }

  /** Hidden activations of the batch's mp rows (mp a multiple of 4). */
  forward(mp: number): void {
    const { at, d, H } = this;
    this.kernels.forward(at.w1, at.b1, at.zT, at.hT, d, H, mp);
  }

  /** Output pre-activations into `out`. */
  output(mp: number): void {
    const { at, H } = this;
    this.kernels.output(at.hT, at.w2, this.b2[0]!, at.out, H, mp);
  }

  /** Gradients of w1, b1 and w2 from `od`, including the L2 term l2 · W. */
  backward(l2: number, mp: number): void {
    const { at, d, H } = this;
    this.kernels.backwardUnits(at.w2, at.hT, at.od, at.delta, at.gw2, at.gb1, at.blocks, at.counts, l2, H, mp);
    this.kernels.backwardInputs(at.w1, at.zb, at.delta, at.gw1, at.blocks, at.counts, l2, d, H, mp);
  }

  /** One adam step on every parameter with the bias-corrected learning rate lrT. */
  adam(lrT: number): void {
    const { at } = this;
    this.kernels.adam(at.params, at.grad, at.m, at.v, this.nParams, lrT, BETA1, 1 - BETA1, BETA2, 1 - BETA2, ADAM_EPS);
  }

  /** A copy of the weights (the kernel's memory goes away with it). */
  network(): Network {
    return { w1: this.w1.slice(), b1: this.b1.slice(), w2: this.w2.slice(), b2: this.b2.slice() };
  }
}

interface KernelExports {
  memory: WebAssembly.Memory;
  forward(w1: number, b1: number, zT: number, hT: number, d: number, H: number, mp: number): void;
  output(hT: number, w2: number, b2: number, out: number, H: number, mp: number): void;
  backwardUnits(w2: number, hT: number, od: number, delta: number, gw2: number, gb1: number, blocks: number, counts: number, l2: number, H: number, mp: number): void;
  backwardInputs(w1: number, zb: number, delta: number, gw1: number, blocks: number, counts: number, l2: number, d: number, H: number, mp: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, c1: number, beta2: number, c2: number, eps: number): void;
}

let compiled: WebAssembly.Module | undefined;
/** Compiled once per thread (a few milliseconds), instantiated once per fit. */
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  return compiled;
}

/**
 * The kernel's source, WebAssembly text with SIMD. KERNEL_WASM_BASE64 is this text assembled by wabt's wat2wasm
 * (`npm i -D wabt`; test/models/mlp.test.ts assembles it and fails, printing the new bytes, when the two differ).
 */
export const KERNEL_WAT = String.raw`(module
  ;; All arrays are float64 in this memory, at byte offsets chosen by the caller. "mp" is the batch size rounded up
  ;; to a multiple of 4 (padding rows are zero). Lanes of every f64x2 operation are independent rows, columns or
  ;; units, never two terms of one sum, so each number is computed by the same sequence of IEEE operations as the
  ;; plain loops in the comments.
  (memory (export "memory") 1)

  ;; hT[j*mp + b] = relu(b1[j] + w1[j*d]*zT[b] + w1[j*d + 1]*zT[mp + b] + ...)  (sum over k in order)
  ;; for every unit j < H and row b < mp. zT is the batch transposed (d x mp), so lanes are rows.
  ;; Four units x four rows per pass: each weight is loaded once for four rows, each input once for four units.
  (func (export "forward") (param $w1 i32) (param $b1 i32) (param $zT i32) (param $hT i32) (param $d i32) (param $H i32) (param $mp i32)
    (local $j i32) (local $b i32) (local $k i32) (local $dB i32) (local $mpB i32) (local $zp i32) (local $wp i32) (local $hp i32)
    (local $u0a v128) (local $u0b v128) (local $u1a v128) (local $u1b v128) (local $u2a v128) (local $u2b v128) (local $u3a v128) (local $u3b v128)
    (local $za v128) (local $zb v128) (local $w v128)
    (local.set $dB (i32.shl (local.get $d) (i32.const 3)))
    (local.set $mpB (i32.shl (local.get $mp) (i32.const 3)))
    (block $quadsDone
      (loop $quads
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $H)))
        (local.set $b (i32.const 0))
        (loop $rows
          (local.set $wp (i32.add (local.get $b1) (i32.shl (local.get $j) (i32.const 3))))
          (local.set $u0a (v128.load64_splat (local.get $wp)))
          (local.set $u0b (local.get $u0a))
          (local.set $u1a (v128.load64_splat offset=8 (local.get $wp)))
          (local.set $u1b (local.get $u1a))
          (local.set $u2a (v128.load64_splat offset=16 (local.get $wp)))
          (local.set $u2b (local.get $u2a))
          (local.set $u3a (v128.load64_splat offset=24 (local.get $wp)))
          (local.set $u3b (local.get $u3a))
          (local.set $wp (i32.add (local.get $w1) (i32.mul (local.get $j) (local.get $dB))))
          (local.set $zp (i32.add (local.get $zT) (i32.shl (local.get $b) (i32.const 3))))
          (local.set $k (local.get $d))
          (loop $cols
            (local.set $za (v128.load (local.get $zp)))
            (local.set $zb (v128.load offset=16 (local.get $zp)))
            (local.set $w (v128.load64_splat (local.get $wp)))
            (local.set $u0a (f64x2.add (local.get $u0a) (f64x2.mul (local.get $w) (local.get $za))))
            (local.set $u0b (f64x2.add (local.get $u0b) (f64x2.mul (local.get $w) (local.get $zb))))
            (local.set $w (v128.load64_splat (i32.add (local.get $wp) (local.get $dB))))
            (local.set $u1a (f64x2.add (local.get $u1a) (f64x2.mul (local.get $w) (local.get $za))))
            (local.set $u1b (f64x2.add (local.get $u1b) (f64x2.mul (local.get $w) (local.get $zb))))
            (local.set $w (v128.load64_splat (i32.add (local.get $wp) (i32.shl (local.get $dB) (i32.const 1)))))
            (local.set $u2a (f64x2.add (local.get $u2a) (f64x2.mul (local.get $w) (local.get $za))))
            (local.set $u2b (f64x2.add (local.get $u2b) (f64x2.mul (local.get $w) (local.get $zb))))
            (local.set $w (v128.load64_splat (i32.add (local.get $wp) (i32.mul (local.get $dB) (i32.const 3)))))
            (local.set $u3a (f64x2.add (local.get $u3a) (f64x2.mul (local.get $w) (local.get $za))))
            (local.set $u3b (f64x2.add (local.get $u3b) (f64x2.mul (local.get $w) (local.get $zb))))
            (local.set $zp (i32.add (local.get $zp) (local.get $mpB)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 8)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $cols (local.get $k)))
          ;; relu: f64x2.pmax(0, s) is "0 < s ? s : 0", the same as "s > 0 ? s : 0"
          (local.set $hp (i32.add (i32.add (local.get $hT) (i32.mul (local.get $j) (local.get $mpB))) (i32.shl (local.get $b) (i32.const 3))))
          (v128.store (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u0a)))
          (v128.store offset=16 (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u0b)))
          (local.set $hp (i32.add (local.get $hp) (local.get $mpB)))
          (v128.store (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u1a)))
          (v128.store offset=16 (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u1b)))
          (local.set $hp (i32.add (local.get $hp) (local.get $mpB)))
          (v128.store (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u2a)))
          (v128.store offset=16 (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u2b)))
          (local.set $hp (i32.add (local.get $hp) (local.get $mpB)))
          (v128.store (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u3a)))
          (v128.store offset=16 (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u3b)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (br_if $rows (i32.lt_u (local.get $b) (local.get $mp))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $quads)))
    ;; the last H % 4 units, one at a time
    (block $unitsDone
      (loop $units
        (br_if $unitsDone (i32.ge_u (local.get $j) (local.get $H)))
        (local.set $b (i32.const 0))
        (loop $rows
          (local.set $u0a (v128.load64_splat (i32.add (local.get $b1) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $u0b (local.get $u0a))
          (local.set $wp (i32.add (local.get $w1) (i32.mul (local.get $j) (local.get $dB))))
          (local.set $zp (i32.add (local.get $zT) (i32.shl (local.get $b) (i32.const 3))))
          (local.set $k (local.get $d))
          (loop $cols
            (local.set $w (v128.load64_splat (local.get $wp)))
            (local.set $u0a (f64x2.add (local.get $u0a) (f64x2.mul (local.get $w) (v128.load (local.get $zp)))))
            (local.set $u0b (f64x2.add (local.get $u0b) (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $zp)))))
            (local.set $zp (i32.add (local.get $zp) (local.get $mpB)))
            (local.set $wp (i32.add (local.get $wp) (i32.const 8)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $cols (local.get $k)))
          (local.set $hp (i32.add (i32.add (local.get $hT) (i32.mul (local.get $j) (local.get $mpB))) (i32.shl (local.get $b) (i32.const 3))))
          (v128.store (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u0a)))
          (v128.store offset=16 (local.get $hp) (f64x2.pmax (v128.const i64x2 0 0) (local.get $u0b)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (br_if $rows (i32.lt_u (local.get $b) (local.get $mp))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units))))

  ;; out[b] = b2 + hT[b]*w2[0] + hT[mp + b]*w2[1] + ...  (sum over units in order), for every row b < mp.
  (func (export "output") (param $hT i32) (param $w2 i32) (param $b2 f64) (param $out i32) (param $H i32) (param $mp i32)
    (local $b i32) (local $j i32) (local $hp i32) (local $mpB i32) (local $sa v128) (local $sb v128) (local $w v128)
    (local.set $mpB (i32.shl (local.get $mp) (i32.const 3)))
    (loop $rows
      (local.set $sa (f64x2.splat (local.get $b2)))
      (local.set $sb (local.get $sa))
      (local.set $hp (i32.add (local.get $hT) (i32.shl (local.get $b) (i32.const 3))))
      (local.set $j (i32.const 0))
      (loop $units
        (local.set $w (v128.load64_splat (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $sa (f64x2.add (local.get $sa) (f64x2.mul (v128.load (local.get $hp)) (local.get $w))))
        (local.set $sb (f64x2.add (local.get $sb) (f64x2.mul (v128.load offset=16 (local.get $hp)) (local.get $w))))
        (local.set $hp (i32.add (local.get $hp) (local.get $mpB)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $units (i32.lt_u (local.get $j) (local.get $H))))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))) (local.get $sa))
      (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $b) (i32.const 3))) (local.get $sb))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br_if $rows (i32.lt_u (local.get $b) (local.get $mp)))))

  ;; Backward pass, first half: for every unit j, with a_b = hT[j*mp + b] and od_b = od[b] (d loss / d output),
  ;;   delta[j*mp + b] = a_b > 0 ? od_b*w2[j] : 0          (an inactive ReLU passes no gradient back)
  ;;   gw2[j] = l2*w2[j] + sum over blocks of four rows, in order, of ((od0*a0 + od1*a1) + od2*a2) + od3*a3
  ;;   gb1[j] = sum over blocks of ((delta0 + delta1) + delta2) + delta3
  ;; and lists the blocks whose four deltas are not all zero (i32 row indices at blocks + j*mp bytes, their count
  ;; at counts[j]): only those contribute to gw1.
  (func (export "backwardUnits") (param $w2 i32) (param $hT i32) (param $od i32) (param $delta i32) (param $gw2 i32)
        (param $gb1 i32) (param $blocks i32) (param $counts i32) (param $l2 f64) (param $H i32) (param $mp i32)
    (local $j i32) (local $b i32) (local $n i32) (local $hp i32) (local $op i32) (local $dp i32) (local $lp i32)
    (local $wj f64) (local $g2 f64) (local $g1 f64)
    (local $w v128) (local $a01 v128) (local $a23 v128) (local $o01 v128) (local $o23 v128) (local $p01 v128) (local $p23 v128)
    (local.set $hp (local.get $hT))
    (local.set $dp (local.get $delta))
    (loop $units
      (local.set $wj (f64.load (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $w (f64x2.splat (local.get $wj)))
      (local.set $g2 (f64.mul (local.get $l2) (local.get $wj)))
      (local.set $g1 (f64.const 0))
      (local.set $n (i32.const 0))
      (local.set $lp (i32.add (local.get $blocks) (i32.mul (local.get $j) (local.get $mp))))
      (local.set $op (local.get $od))
      (local.set $b (i32.const 0))
      (loop $rows
        (local.set $a01 (v128.load (local.get $hp)))
        (local.set $a23 (v128.load offset=16 (local.get $hp)))
        (local.set $o01 (v128.load (local.get $op)))
        (local.set $o23 (v128.load offset=16 (local.get $op)))
        (local.set $p01 (f64x2.mul (local.get $o01) (local.get $a01)))
        (local.set $p23 (f64x2.mul (local.get $o23) (local.get $a23)))
        (local.set $g2 (f64.add (local.get $g2) (f64.add (f64.add (f64.add
          (f64x2.extract_lane 0 (local.get $p01)) (f64x2.extract_lane 1 (local.get $p01)))
          (f64x2.extract_lane 0 (local.get $p23))) (f64x2.extract_lane 1 (local.get $p23)))))
        ;; a > 0 ? od*w : +0 as a bit mask, not a branch: a data-dependent branch here mispredicts half the time
        ;; and doubled the time of this function
        (local.set $p01 (v128.and (f64x2.mul (local.get $o01) (local.get $w)) (f64x2.gt (local.get $a01) (v128.const i64x2 0 0))))
        (local.set $p23 (v128.and (f64x2.mul (local.get $o23) (local.get $w)) (f64x2.gt (local.get $a23) (v128.const i64x2 0 0))))
        (v128.store (local.get $dp) (local.get $p01))
        (v128.store offset=16 (local.get $dp) (local.get $p23))
        (local.set $g1 (f64.add (local.get $g1) (f64.add (f64.add (f64.add
          (f64x2.extract_lane 0 (local.get $p01)) (f64x2.extract_lane 1 (local.get $p01)))
          (f64x2.extract_lane 0 (local.get $p23))) (f64x2.extract_lane 1 (local.get $p23)))))
        ;; always write the block's index, advance the list only when a delta is not zero (again no branch)
        (i32.store (i32.add (local.get $lp) (i32.shl (local.get $n) (i32.const 2))) (local.get $b))
        (local.set $n (i32.add (local.get $n) (v128.any_true (v128.or
          (f64x2.ne (local.get $p01) (v128.const i64x2 0 0)) (f64x2.ne (local.get $p23) (v128.const i64x2 0 0))))))
        (local.set $hp (i32.add (local.get $hp) (i32.const 32)))
        (local.set $op (i32.add (local.get $op) (i32.const 32)))
        (local.set $dp (i32.add (local.get $dp) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $rows (i32.lt_u (local.get $b) (local.get $mp))))
      (f64.store (i32.add (local.get $gw2) (i32.shl (local.get $j) (i32.const 3))) (local.get $g2))
      (f64.store (i32.add (local.get $gb1) (i32.shl (local.get $j) (i32.const 3))) (local.get $g1))
      (i32.store (i32.add (local.get $counts) (i32.shl (local.get $j) (i32.const 2))) (local.get $n))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $units (i32.lt_u (local.get $j) (local.get $H)))))

  ;; Backward pass, second half: for every unit j and column k,
  ;;   gw1[j*d + k] = l2*w1[j*d + k] + sum over the listed blocks, in order, of
  ;;                  ((delta0*z0k + delta1*z1k) + delta2*z2k) + delta3*z3k
  ;; where z0..z3 are the block's rows of the row-major batch zb. Lanes are columns; eight columns (four registers)
  ;; are summed over all blocks before being stored, then pairs, then the last column when d is odd.
  (func (export "backwardInputs") (param $w1 i32) (param $zb i32) (param $delta i32) (param $gw1 i32)
        (param $blocks i32) (param $counts i32) (param $l2 f64) (param $d i32) (param $H i32) (param $mp i32)
    (local $j i32) (local $k i32) (local $b i32) (local $dB i32) (local $row i32) (local $lp i32) (local $lend i32)
    (local $at i32) (local $dp i32) (local $z0 i32) (local $z1 i32) (local $z2 i32) (local $z3 i32)
    (local $l2v v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s f64)
    (local.set $dB (i32.shl (local.get $d) (i32.const 3)))
    (local.set $l2v (f64x2.splat (local.get $l2)))
    (loop $units
      (local.set $row (i32.mul (local.get $j) (local.get $dB))) ;; byte offset of row j of w1 and gw1
      (local.set $k (i32.const 0))
      (block $eightsDone
        (loop $eights
          (br_if $eightsDone (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $d)))
          (local.set $at (i32.add (i32.add (local.get $w1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))))
          (local.set $s0 (f64x2.mul (local.get $l2v) (v128.load (local.get $at))))
          (local.set $s1 (f64x2.mul (local.get $l2v) (v128.load offset=16 (local.get $at))))
          (local.set $s2 (f64x2.mul (local.get $l2v) (v128.load offset=32 (local.get $at))))
          (local.set $s3 (f64x2.mul (local.get $l2v) (v128.load offset=48 (local.get $at))))
          (local.set $lp (i32.add (local.get $blocks) (i32.mul (local.get $j) (local.get $mp))))
          (local.set $lend (i32.add (local.get $lp) (i32.shl (i32.load (i32.add (local.get $counts) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
          (block $listDone
            (loop $list
              (br_if $listDone (i32.ge_u (local.get $lp) (local.get $lend)))
              (local.set $b (i32.load (local.get $lp)))
              (local.set $dp (i32.add (local.get $delta) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $mp)) (local.get $b)) (i32.const 3))))
              (local.set $e0 (v128.load64_splat (local.get $dp)))
              (local.set $e1 (v128.load64_splat offset=8 (local.get $dp)))
              (local.set $e2 (v128.load64_splat offset=16 (local.get $dp)))
              (local.set $e3 (v128.load64_splat offset=24 (local.get $dp)))
              (local.set $z0 (i32.add (local.get $zb) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $d)) (local.get $k)) (i32.const 3))))
              (local.set $z1 (i32.add (local.get $z0) (local.get $dB)))
              (local.set $z2 (i32.add (local.get $z1) (local.get $dB)))
              (local.set $z3 (i32.add (local.get $z2) (local.get $dB)))
              (local.set $s0 (f64x2.add (local.get $s0) (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $e0) (v128.load (local.get $z0))) (f64x2.mul (local.get $e1) (v128.load (local.get $z1))))
                (f64x2.mul (local.get $e2) (v128.load (local.get $z2)))) (f64x2.mul (local.get $e3) (v128.load (local.get $z3))))))
              (local.set $s1 (f64x2.add (local.get $s1) (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $e0) (v128.load offset=16 (local.get $z0))) (f64x2.mul (local.get $e1) (v128.load offset=16 (local.get $z1))))
                (f64x2.mul (local.get $e2) (v128.load offset=16 (local.get $z2)))) (f64x2.mul (local.get $e3) (v128.load offset=16 (local.get $z3))))))
              (local.set $s2 (f64x2.add (local.get $s2) (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $e0) (v128.load offset=32 (local.get $z0))) (f64x2.mul (local.get $e1) (v128.load offset=32 (local.get $z1))))
                (f64x2.mul (local.get $e2) (v128.load offset=32 (local.get $z2)))) (f64x2.mul (local.get $e3) (v128.load offset=32 (local.get $z3))))))
              (local.set $s3 (f64x2.add (local.get $s3) (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $e0) (v128.load offset=48 (local.get $z0))) (f64x2.mul (local.get $e1) (v128.load offset=48 (local.get $z1))))
                (f64x2.mul (local.get $e2) (v128.load offset=48 (local.get $z2)))) (f64x2.mul (local.get $e3) (v128.load offset=48 (local.get $z3))))))
              (local.set $lp (i32.add (local.get $lp) (i32.const 4)))
              (br $list)))
          (local.set $at (i32.add (i32.add (local.get $gw1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))))
          (v128.store (local.get $at) (local.get $s0))
          (v128.store offset=16 (local.get $at) (local.get $s1))
          (v128.store offset=32 (local.get $at) (local.get $s2))
          (v128.store offset=48 (local.get $at) (local.get $s3))
          (local.set $k (i32.add (local.get $k) (i32.const 8)))
          (br $eights)))
      (block $pairsDone
        (loop $pairs
          (br_if $pairsDone (i32.gt_u (i32.add (local.get $k) (i32.const 2)) (local.get $d)))
          (local.set $s0 (f64x2.mul (local.get $l2v)
            (v128.load (i32.add (i32.add (local.get $w1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $lp (i32.add (local.get $blocks) (i32.mul (local.get $j) (local.get $mp))))
          (local.set $lend (i32.add (local.get $lp) (i32.shl (i32.load (i32.add (local.get $counts) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
          (block $listDone
            (loop $list
              (br_if $listDone (i32.ge_u (local.get $lp) (local.get $lend)))
              (local.set $b (i32.load (local.get $lp)))
              (local.set $dp (i32.add (local.get $delta) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $mp)) (local.get $b)) (i32.const 3))))
              (local.set $z0 (i32.add (local.get $zb) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $d)) (local.get $k)) (i32.const 3))))
              (local.set $z1 (i32.add (local.get $z0) (local.get $dB)))
              (local.set $z2 (i32.add (local.get $z1) (local.get $dB)))
              (local.set $z3 (i32.add (local.get $z2) (local.get $dB)))
              (local.set $s0 (f64x2.add (local.get $s0) (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (v128.load64_splat (local.get $dp)) (v128.load (local.get $z0)))
                (f64x2.mul (v128.load64_splat offset=8 (local.get $dp)) (v128.load (local.get $z1))))
                (f64x2.mul (v128.load64_splat offset=16 (local.get $dp)) (v128.load (local.get $z2))))
                (f64x2.mul (v128.load64_splat offset=24 (local.get $dp)) (v128.load (local.get $z3))))))
              (local.set $lp (i32.add (local.get $lp) (i32.const 4)))
              (br $list)))
          (v128.store (i32.add (i32.add (local.get $gw1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))) (local.get $s0))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (br $pairs)))
      (if (i32.lt_u (local.get $k) (local.get $d))
        (then
          (local.set $s (f64.mul (local.get $l2)
            (f64.load (i32.add (i32.add (local.get $w1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))))))
          (local.set $lp (i32.add (local.get $blocks) (i32.mul (local.get $j) (local.get $mp))))
          (local.set $lend (i32.add (local.get $lp) (i32.shl (i32.load (i32.add (local.get $counts) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 2))))
          (block $listDone
            (loop $list
              (br_if $listDone (i32.ge_u (local.get $lp) (local.get $lend)))
              (local.set $b (i32.load (local.get $lp)))
              (local.set $dp (i32.add (local.get $delta) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $mp)) (local.get $b)) (i32.const 3))))
              (local.set $z0 (i32.add (local.get $zb) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $d)) (local.get $k)) (i32.const 3))))
              (local.set $z1 (i32.add (local.get $z0) (local.get $dB)))
              (local.set $z2 (i32.add (local.get $z1) (local.get $dB)))
              (local.set $z3 (i32.add (local.get $z2) (local.get $dB)))
              (local.set $s (f64.add (local.get $s) (f64.add (f64.add (f64.add
                (f64.mul (f64.load (local.get $dp)) (f64.load (local.get $z0)))
                (f64.mul (f64.load offset=8 (local.get $dp)) (f64.load (local.get $z1))))
                (f64.mul (f64.load offset=16 (local.get $dp)) (f64.load (local.get $z2))))
                (f64.mul (f64.load offset=24 (local.get $dp)) (f64.load (local.get $z3))))))
              (local.set $lp (i32.add (local.get $lp) (i32.const 4)))
              (br $list)))
          (f64.store (i32.add (i32.add (local.get $gw1) (local.get $row)) (i32.shl (local.get $k) (i32.const 3))) (local.get $s))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $units (i32.lt_u (local.get $j) (local.get $H)))))

  ;; Adam on n parameters:  m = beta1*m + c1*g;  v = beta2*v + (c2*g)*g;  p = p - (lr*m) / (sqrt(v) + eps)
  ;; with c1 = 1 - beta1 and c2 = 1 - beta2 computed by the caller. Lanes are parameters.
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
        (param $lr f64) (param $beta1 f64) (param $c1 f64) (param $beta2 f64) (param $c2 f64) (param $eps f64)
    (local $o i32) (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $gs f64) (local $ms f64) (local $vs f64)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $mv (f64x2.add (f64x2.mul (f64x2.splat (local.get $beta1)) (v128.load (i32.add (local.get $m) (local.get $o))))
                                  (f64x2.mul (f64x2.splat (local.get $c1)) (local.get $gv))))
        (local.set $vv (f64x2.add (f64x2.mul (f64x2.splat (local.get $beta2)) (v128.load (i32.add (local.get $v) (local.get $o))))
                                  (f64x2.mul (f64x2.mul (f64x2.splat (local.get $c2)) (local.get $gv)) (local.get $gv))))
        (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vv))
        (v128.store (i32.add (local.get $p) (local.get $o))
          (f64x2.sub (v128.load (i32.add (local.get $p) (local.get $o)))
            (f64x2.div (f64x2.mul (f64x2.splat (local.get $lr)) (local.get $mv))
                       (f64x2.add (f64x2.sqrt (local.get $vv)) (f64x2.splat (local.get $eps))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $gs (f64.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms (f64.add (f64.mul (local.get $beta1) (f64.load (i32.add (local.get $m) (local.get $o)))) (f64.mul (local.get $c1) (local.get $gs))))
        (local.set $vs (f64.add (f64.mul (local.get $beta2) (f64.load (i32.add (local.get $v) (local.get $o)))) (f64.mul (f64.mul (local.get $c2) (local.get $gs)) (local.get $gs))))
        (f64.store (i32.add (local.get $m) (local.get $o)) (local.get $ms))
        (f64.store (i32.add (local.get $v) (local.get $o)) (local.get $vs))
        (f64.store (i32.add (local.get $p) (local.get $o))
          (f64.sub (f64.load (i32.add (local.get $p) (local.get $o)))
            (f64.div (f64.mul (local.get $lr) (local.get $ms)) (f64.add (f64.sqrt (local.get $vs)) (local.get $eps))))))))
)
`;

export const KERNEL_WASM_BASE64 =
  'AGFzbQEAAAABPQVgB39/f39/f38AYAZ/f3x/f38AYAt/f39/f39/f3x/fwBgCn9/f39/f3x/f38AYAt/f39/f3x8fHx8fAADBgUAAQIDBAUDAQABB0UGBm1lbW9yeQIAB2ZvcndhcmQAAAZvdXRwdXQAAQ1iYWNrd2FyZFVuaXRzAAIOYmFja3dhcmRJbnB1dHMAAwRhZGFtAAQKxBUF0wYCCH8LeyAEQQN0IQogBkEDdCELAkADQCAHQQRqIAVLDQFBACEIA0AgASAHQQN0aiENIA39CgMAIQ8gDyEQIA39CgMIIREgESESIA39CgMQIRMgEyEUIA39CgMYIRUgFSEWIAAgByAKbGohDSACIAhBA3RqIQwgBCEJA0AgDP0ABAAhFyAM/QAEECEYIA39CgMAIRkgDyAZIBf98gH98AEhDyAQIBkgGP3yAf3wASEQIA0gCmr9CgMAIRkgESAZIBf98gH98AEhESASIBkgGP3yAf3wASESIA0gCkEBdGr9CgMAIRkgEyAZIBf98gH98AEhEyAUIBkgGP3yAf3wASEUIA0gCkEDbGr9CgMAIRkgFSAZIBf98gH98AEhFSAWIBkgGP3yAf3wASEWIAwgC2ohDCANQQhqIQ0gCUEBayEJIAkNAAsgAyAHIAtsaiAIQQN0aiEOIA79DAAAAAAAAAAAAAAAAAAAAAAgD/33Af0LBAAgDv0MAAAAAAAAAAAAAAAAAAAAACAQ/fcB/QsEECAOIAtqIQ4gDv0MAAAAAAAAAAAAAAAAAAAAACAR/fcB/QsEACAO/QwAAAAAAAAAAAAAAAAAAAAAIBL99wH9CwQQIA4gC2ohDiAO/QwAAAAAAAAAAAAAAAAAAAAAIBP99wH9CwQAIA79DAAAAAAAAAAAAAAAAAAAAAAgFP33Af0LBBAgDiALaiEOIA79DAAAAAAAAAAAAAAAAAAAAAAgFf33Af0LBAAgDv0MAAAAAAAAAAAAAAAAAAAAACAW/fcB/QsEECAIQQRqIQggCCAGSQ0ACyAHQQRqIQcMAAsLAkADQCAHIAVPDQFBACEIA0AgASAHQQN0av0KAwAhDyAPIRAgACAHIApsaiENIAIgCEEDdGohDCAEIQkDQCAN/QoDACEZIA8gGSAM/QAEAP3yAf3wASEPIBAgGSAM/QAEEP3yAf3wASEQIAwgC2ohDCANQQhqIQ0gCUEBayEJIAkNAAsgAyAHIAtsaiAIQQN0aiEOIA79DAAAAAAAAAAAAAAAAAAAAAAgD/33Af0LBAAgDv0MAAAAAAAAAAAAAAAAAAAAACAQ/fcB/QsEECAIQQRqIQggCCAGSQ0ACyAHQQFqIQcMAAsLC5wBAgR/A3sgBUEDdCEJA0AgAv0UIQogCiELIAAgBkEDdGohCEEAIQcDQCABIAdBA3Rq/QoDACEMIAogCP0ABAAgDP3yAf3wASEKIAsgCP0ABBAgDP3yAf3wASELIAggCWohCCAHQQFqIQcgByAESQ0ACyADIAZBA3RqIAr9CwQAIAMgBkEDdGogC/0LBBAgBkEEaiEGIAYgBUkNAAsLpwMDB38DfAd7IAEhDiADIRADQCAAIAtBA3RqKwMAIRIgEv0UIRUgCCASoiETRAAAAAAAAAAAIRRBACENIAYgCyAKbGohESACIQ9BACEMA0AgDv0ABAAhFiAO/QAEECEXIA/9AAQAIRggD/0ABBAhGSAYIBb98gEhGiAZIBf98gEhGyATIBr9IQAgGv0hAaAgG/0hAKAgG/0hAaCgIRMgGCAV/fIBIBb9DAAAAAAAAAAAAAAAAAAAAAD9Sv1OIRogGSAV/fIBIBf9DAAAAAAAAAAAAAAAAAAAAAD9Sv1OIRsgECAa/QsEACAQIBv9CwQQIBQgGv0hACAa/SEBoCAb/SEAoCAb/SEBoKAhFCARIA1BAnRqIAw2AgAgDSAa/QwAAAAAAAAAAAAAAAAAAAAA/UggG/0MAAAAAAAAAAAAAAAAAAAAAP1I/VD9U2ohDSAOQSBqIQ4gD0EgaiEPIBBBIGohECAMQQRqIQwgDCAKSQ0ACyAEIAtBA3RqIBM5AwAgBSALQQN0aiAUOQMAIAcgC0ECdGogDTYCACALQQFqIQsgCyAJSQ0ACwuACAMNfwl7AXwgB0EDdCENIAb9FCEXA0AgCiANbCEOQQAhCwJAA0AgC0EIaiAHSw0BIAAgDmogC0EDdGohESAXIBH9AAQA/fIBIRwgFyAR/QAEEP3yASEdIBcgEf0ABCD98gEhHiAXIBH9AAQw/fIBIR8gBCAKIAlsaiEPIA8gBSAKQQJ0aigCAEECdGohEAJAA0AgDyAQTw0BIA8oAgAhDCACIAogCWwgDGpBA3RqIRIgEv0KAwAhGCAS/QoDCCEZIBL9CgMQIRogEv0KAxghGyABIAwgB2wgC2pBA3RqIRMgEyANaiEUIBQgDWohFSAVIA1qIRYgHCAYIBP9AAQA/fIBIBkgFP0ABAD98gH98AEgGiAV/QAEAP3yAf3wASAbIBb9AAQA/fIB/fAB/fABIRwgHSAYIBP9AAQQ/fIBIBkgFP0ABBD98gH98AEgGiAV/QAEEP3yAf3wASAbIBb9AAQQ/fIB/fAB/fABIR0gHiAYIBP9AAQg/fIBIBkgFP0ABCD98gH98AEgGiAV/QAEIP3yAf3wASAbIBb9AAQg/fIB/fAB/fABIR4gHyAYIBP9AAQw/fIBIBkgFP0ABDD98gH98AEgGiAV/QAEMP3yAf3wASAbIBb9AAQw/fIB/fAB/fABIR8gD0EEaiEPDAALCyADIA5qIAtBA3RqIREgESAc/QsEACARIB39CwQQIBEgHv0LBCAgESAf/QsEMCALQQhqIQsMAAsLAkADQCALQQJqIAdLDQEgFyAAIA5qIAtBA3Rq/QAEAP3yASEcIAQgCiAJbGohDyAPIAUgCkECdGooAgBBAnRqIRACQANAIA8gEE8NASAPKAIAIQwgAiAKIAlsIAxqQQN0aiESIAEgDCAHbCALakEDdGohEyATIA1qIRQgFCANaiEVIBUgDWohFiAcIBL9CgMAIBP9AAQA/fIBIBL9CgMIIBT9AAQA/fIB/fABIBL9CgMQIBX9AAQA/fIB/fABIBL9CgMYIBb9AAQA/fIB/fAB/fABIRwgD0EEaiEPDAALCyADIA5qIAtBA3RqIBz9CwQAIAtBAmohCwwACwsgCyAHSQRAIAYgACAOaiALQQN0aisDAKIhICAEIAogCWxqIQ8gDyAFIApBAnRqKAIAQQJ0aiEQAkADQCAPIBBPDQEgDygCACEMIAIgCiAJbCAMakEDdGohEiABIAwgB2wgC2pBA3RqIRMgEyANaiEUIBQgDWohFSAVIA1qIRYgICASKwMAIBMrAwCiIBIrAwggFCsDAKKgIBIrAxAgFSsDAKKgIBIrAxggFisDAKKgoCEgIA9BBGohDwwACwsgAyAOaiALQQN0aiAgOQMACyAKQQFqIQogCiAISQ0ACwujAgMCfwN7A3wgBEF+cUEDdCEMAkADQCALIAxPDQEgASALav0ABAAhDSAG/RQgAiALav0ABAD98gEgB/0UIA398gH98AEhDiAI/RQgAyALav0ABAD98gEgCf0UIA398gEgDf3yAf3wASEPIAIgC2ogDv0LBAAgAyALaiAP/QsEACAAIAtqIAAgC2r9AAQAIAX9FCAO/fIBIA/97wEgCv0U/fAB/fMB/fEB/QsEACALQRBqIQsMAAsLIARBAXEEQCABIAtqKwMAIRAgBiACIAtqKwMAoiAHIBCioCERIAggAyALaisDAKIgCSAQoiAQoqAhEiACIAtqIBE5AwAgAyALaiASOQMAIAAgC2ogACALaisDACAFIBGiIBKfIAqgo6E5AwALCw==';
