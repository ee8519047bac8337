;; The SVM's hot loops: WebAssembly text with two-lane f64 SIMD. svm-kernel.ts loads their assembled bytes
;; (svm-kernel.wasm, written by `npm run build:wasm`), lays out their memory and says why they run in WebAssembly.
(module
  (memory (export "memory") 1)

  ;; Constants at bytes 0..167 (the caller keeps them free), 8 bytes each, little-endian. Functions load them into
  ;; locals before their loops: a constant written in the code is rebuilt at every use inside a loop (three
  ;; instructions each in V8's code).
  (data (i32.const 0) "\11\ea\2d\81\99\97\71\3d") ;; 0: tau = 1e-12, LIBSVM's curvature for a pair whose a <= 0 (selectJ)
  (data (i32.const 8) "\d1\dc\ff\ff\ff\ff\ef\3f") ;; 8: 0.999999999999, the slack of selectJ's pre-test
  (data (i32.const 16) "\ff\ff\ff\ff\ff\ff\ff\7f") ;; 16: i64 mask of |x| (expSpan from here on)
  (data (i32.const 24) "\00\00\00\00\00\00\e0\3f") ;; 24: 0.5
  (data (i32.const 32) "\fe\82\2b\65\47\15\f7\3f") ;; 32: 1/ln2
  (data (i32.const 40) "\00\00\e0\fe\42\2e\e6\3f") ;; 40: ln2, high part (k*ln2hi is exact)
  (data (i32.const 48) "\76\3c\79\35\ef\39\ea\3d") ;; 48: ln2, low part
  (data (i32.const 56) "\3e\55\55\55\55\55\c5\3f") ;; 56: P1
  (data (i32.const 64) "\93\bd\be\16\6c\c1\66\bf") ;; 64: P2
  (data (i32.const 72) "\2c\de\25\af\6a\56\11\3f") ;; 72: P3
  (data (i32.const 80) "\f1\6b\d2\c5\41\bd\bb\be") ;; 80: P4
  (data (i32.const 88) "\d0\a4\be\72\69\37\66\3e") ;; 88: P5
  (data (i32.const 96) "\00\00\00\00\00\00\f0\3f") ;; 96: 1
  (data (i32.const 104) "\00\00\00\00\00\00\00\40") ;; 104: 2
  (data (i32.const 112) "\42\2e\d6\3f\00\00\00\00") ;; 112: i64 high word of 0.5*ln2
  (data (i32.const 120) "\41\2e\86\40\00\00\00\00") ;; 120: i64 high word below 709.78 (overflow, NaN and infinities above)
  (data (i32.const 128) "\00\00\30\3e\00\00\00\00") ;; 128: i64 high word of 2^-28
  (data (i32.const 136) "\00\00\00\00\00\e8\8f\c0") ;; 136: -1021, the smallest k whose 2^k scaling is direct
  (data (i32.const 144) "\00\00\00\00\00\f8\8f\40") ;; 144: 1023, the largest
  (data (i32.const 152) "\00\00\00\00\00\00\38\43") ;; 152: 0x1.8p52: t + 0x1.8p52 holds the integer t in its low bits
  (data (i32.const 160) "\ff\03\00\00\00\00\c8\bc") ;; 160: i64 1023 - bits(0x1.8p52), turning those bits into the exponent field of 2^k

  ;; The solver's arrays, set by "layout" before each solve (byte offsets, one entry per variable, variables in pairs
  ;; as the two lanes of an f64x2): base i32 (the variable's kernel row, which is also its column), yG f64 (y*grad f:
  ;; the gradient with the label folded in), yGbar f64 (y*Gbar, Gbar being the gradient's part from variables at
  ;; their upper bound), QD f64 (K_ii), and the multipliers upMul f64 (-1 for a variable in I_up, NaN otherwise) and
  ;; lowMul f64 (+1 in I_low, NaN otherwise): upMul*yG is -y*grad f or NaN, which no comparison takes.
  ;; Why y*grad f: LIBSVM's update G_k += Q_ki*dalpha_i + Q_kj*dalpha_j is y_k*(K_ki*si + K_kj*sj) with
  ;; si = y_i*dalpha_i, and y_k*round(G_k + y_k*t) = round(y_k*G_k + t) exactly (sign changes are exact, rounding is
  ;; symmetric), so keeping y*G saves the multiplications by y_k and gives bit for bit y times LIBSVM's G. Likewise
  ;; for Gbar.
  ;; The loops cover whole pairs: when the active size n is odd, the caller makes variable n inert for the call (NaN
  ;; multipliers, its gradient restored afterwards).
  (global $base (mut i32) (i32.const 0))
  (global $yG (mut i32) (i32.const 0))
  (global $yGbar (mut i32) (i32.const 0))
  (global $QD (mut i32) (i32.const 0))
  (global $upMul (mut i32) (i32.const 0))
  (global $lowMul (mut i32) (i32.const 0))
  ;; Results of the last updateScan.
  (global $gmax (export "gmax") (mut f64) (f64.const 0))
  (global $gmax2 (export "gmax2") (mut f64) (f64.const 0))

  (func (export "layout") (param $base i32) (param $yG i32) (param $yGbar i32) (param $QD i32) (param $upMul i32) (param $lowMul i32)
    (global.set $base (local.get $base))
    (global.set $yG (local.get $yG))
    (global.set $yGbar (local.get $yGbar))
    (global.set $QD (local.get $QD))
    (global.set $upMul (local.get $upMul))
    (global.set $lowMul (local.get $lowMul)))

  ;; Over the variables k < n (n rounded up to even), if bit 0 of mode is set, first
  ;;   yG_k += K_i[base_k]*si + K_j[base_k]*sj
  ;; (the gradient change when alpha_i and alpha_j change by si*y_i and sj*y_j; rowI, rowJ are the byte offsets of
  ;; kernel rows i and j), and with bit 1, then bit 2 set, yGbar_k += K_i[base_k]*ci, yGbar_k += K_j[base_k]*cj (the
  ;; same rows' contribution to Gbar when i or j reaches or leaves its upper bound); then
  ;;   gmax  = max of -yG_k over I_up, returning the last k attaining it (comparisons are >=; -1 if I_up is empty),
  ;;   gmax2 = max of  yG_k over I_low.
  ;; The maxima are compared lane 0 then lane 1, so ties go to the same (last) index as a one-at-a-time scan; one test
  ;; per pair comes first, as the maxima rarely change.
  (func (export "updateScan") (param $n i32) (param $mode i32) (param $rowI i32) (param $rowJ i32)
        (param $si f64) (param $sj f64) (param $ci f64) (param $cj f64) (result i32)
    (local $k i32) (local $b0 i32) (local $b1 i32) (local $g v128) (local $vu v128) (local $vl v128) (local $ki v128) (local $kj v128)
    (local $vsi v128) (local $vsj v128) (local $vci v128) (local $vcj v128)
    (local $x f64) (local $gmax f64) (local $gmax2 f64) (local $gmaxv v128) (local $gmax2v v128) (local $imax i32)
    (local $base i32) (local $yG i32) (local $yGbar i32) (local $upMul i32) (local $lowMul i32)
    (local.set $base (global.get $base))
    (local.set $yG (global.get $yG))
    (local.set $yGbar (global.get $yGbar))
    (local.set $upMul (global.get $upMul))
    (local.set $lowMul (global.get $lowMul))
    (local.set $vsi (f64x2.splat (local.get $si)))
    (local.set $vsj (f64x2.splat (local.get $sj)))
    (local.set $vci (f64x2.splat (local.get $ci)))
    (local.set $vcj (f64x2.splat (local.get $cj)))
    (local.set $gmax (f64.const -inf))
    (local.set $gmax2 (f64.const -inf))
    (local.set $gmaxv (f64x2.splat (local.get $gmax)))
    (local.set $gmax2v (local.get $gmaxv))
    (local.set $imax (i32.const -1))
    (if (i32.gt_s (local.get $n) (i32.const 0))
      (then
        (loop $pairs
          (local.set $g (v128.load (local.get $yG)))
          (if (local.get $mode)
            (then
              (local.set $b0 (i32.shl (i32.load (local.get $base)) (i32.const 2)))
              (local.set $b1 (i32.shl (i32.load offset=4 (local.get $base)) (i32.const 2)))
              (local.set $ki (f64x2.promote_low_f32x4
                (v128.load32_lane 1 (i32.add (local.get $rowI) (local.get $b1)) (v128.load32_zero (i32.add (local.get $rowI) (local.get $b0))))))
              (local.set $kj (f64x2.promote_low_f32x4
                (v128.load32_lane 1 (i32.add (local.get $rowJ) (local.get $b1)) (v128.load32_zero (i32.add (local.get $rowJ) (local.get $b0))))))
              (if (i32.and (local.get $mode) (i32.const 1))
                (then
                  (local.set $g (f64x2.add (local.get $g)
                    (f64x2.add (f64x2.mul (local.get $ki) (local.get $vsi)) (f64x2.mul (local.get $kj) (local.get $vsj)))))
                  (v128.store (local.get $yG) (local.get $g))))
              (if (i32.and (local.get $mode) (i32.const 2))
                (then (v128.store (local.get $yGbar) (f64x2.add (v128.load (local.get $yGbar)) (f64x2.mul (local.get $ki) (local.get $vci))))))
              (if (i32.and (local.get $mode) (i32.const 4))
                (then (v128.store (local.get $yGbar) (f64x2.add (v128.load (local.get $yGbar)) (f64x2.mul (local.get $kj) (local.get $vcj))))))))
          (local.set $vu (f64x2.mul (v128.load (local.get $upMul)) (local.get $g)))
          (local.set $vl (f64x2.mul (v128.load (local.get $lowMul)) (local.get $g)))
          (if (v128.any_true (v128.or (f64x2.ge (local.get $vu) (local.get $gmaxv)) (f64x2.ge (local.get $vl) (local.get $gmax2v))))
            (then
              (local.set $x (f64x2.extract_lane 0 (local.get $vu)))
              (if (f64.ge (local.get $x) (local.get $gmax)) (then (local.set $gmax (local.get $x)) (local.set $imax (local.get $k))))
              (local.set $x (f64x2.extract_lane 1 (local.get $vu)))
              (if (f64.ge (local.get $x) (local.get $gmax)) (then (local.set $gmax (local.get $x)) (local.set $imax (i32.add (local.get $k) (i32.const 1)))))
              (local.set $gmaxv (f64x2.splat (local.get $gmax)))
              (local.set $x (f64x2.extract_lane 0 (local.get $vl)))
              (if (f64.ge (local.get $x) (local.get $gmax2)) (then (local.set $gmax2 (local.get $x))))
              (local.set $x (f64x2.extract_lane 1 (local.get $vl)))
              (if (f64.ge (local.get $x) (local.get $gmax2)) (then (local.set $gmax2 (local.get $x))))
              (local.set $gmax2v (f64x2.splat (local.get $gmax2)))))
          (local.set $k (i32.add (local.get $k) (i32.const 2)))
          (local.set $base (i32.add (local.get $base) (i32.const 8)))
          (local.set $yG (i32.add (local.get $yG) (i32.const 16)))
          (local.set $yGbar (i32.add (local.get $yGbar) (i32.const 16)))
          (local.set $upMul (i32.add (local.get $upMul) (i32.const 16)))
          (local.set $lowMul (i32.add (local.get $lowMul) (i32.const 16)))
          (br_if $pairs (i32.lt_s (local.get $k) (local.get $n))))))
    (global.set $gmax (local.get $gmax))
    (global.set $gmax2 (local.get $gmax2))
    (local.get $imax))

  ;; Second-order choice of j for the chosen i (row rowI of K): over j < n in I_low with b = gmax + yG_j > 0, the
  ;; last j minimising -(b*b)/a, a = (QD_i + QD_j) - 2*K_i[base_j] (tau when a <= 0). Returns -1 when there is none.
  ;; b is NaN outside I_low (lowMul), so "b > 0" is the whole candidate test. 2*K is computed as K + K (the same
  ;; exact doubling, without a constant).
  ;; The division is the expensive step, and its result only matters when it reaches the running minimum qmin <= 0:
  ;; a pair is divided only if a lane has b*b >= (-qmin*a)*0.999999999999. That test lets through every lane whose
  ;; rounded quotient is <= qmin (the quotient and the two products are each within 2^-53 relative of exact), so the
  ;; exact comparisons below see every lane they would see without it.
  (func (export "selectJ") (param $n i32) (param $rowI i32) (param $qdi f64) (param $gmax f64) (result i32)
    (local $j i32) (local $b0 i32) (local $b1 i32) (local $b v128) (local $bb v128) (local $a v128) (local $kij v128) (local $q v128)
    (local $vq v128) (local $vg v128) (local $tau v128) (local $slack v128) (local $zero v128)
    (local $x f64) (local $qmin f64) (local $negQmin v128) (local $jmin i32)
    (local $base i32) (local $yG i32) (local $QD i32) (local $lowMul i32)
    (local.set $base (global.get $base))
    (local.set $yG (global.get $yG))
    (local.set $QD (global.get $QD))
    (local.set $lowMul (global.get $lowMul))
    (local.set $tau (v128.load64_splat (i32.const 0)))
    (local.set $slack (v128.load64_splat (i32.const 8)))
    (local.set $vq (f64x2.splat (local.get $qdi)))
    (local.set $vg (f64x2.splat (local.get $gmax)))
    (local.set $qmin (f64.const inf))
    (local.set $negQmin (f64x2.splat (f64.neg (local.get $qmin))))
    (local.set $jmin (i32.const -1))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $b0 (i32.shl (i32.load (local.get $base)) (i32.const 2)))
        (local.set $b1 (i32.shl (i32.load offset=4 (local.get $base)) (i32.const 2)))
        (local.set $b (f64x2.add (local.get $vg) (f64x2.mul (v128.load (local.get $lowMul)) (v128.load (local.get $yG)))))
        (local.set $bb (f64x2.mul (local.get $b) (local.get $b)))
        (local.set $kij (f64x2.promote_low_f32x4
          (v128.load32_lane 1 (i32.add (local.get $rowI) (local.get $b1)) (v128.load32_zero (i32.add (local.get $rowI) (local.get $b0))))))
        (local.set $a (f64x2.sub (f64x2.add (local.get $vq) (v128.load (local.get $QD))) (f64x2.add (local.get $kij) (local.get $kij))))
        (local.set $a (v128.bitselect (local.get $a) (local.get $tau) (f64x2.gt (local.get $a) (local.get $zero))))
        (if (v128.any_true (v128.and (f64x2.gt (local.get $b) (local.get $zero))
              (f64x2.ge (local.get $bb) (f64x2.mul (f64x2.mul (local.get $negQmin) (local.get $a)) (local.get $slack)))))
          (then
            (local.set $q (v128.bitselect
              (f64x2.div (f64x2.neg (local.get $bb)) (local.get $a))
              (v128.const f64x2 nan nan)
              (f64x2.gt (local.get $b) (local.get $zero))))
            (local.set $x (f64x2.extract_lane 0 (local.get $q)))
            (if (f64.le (local.get $x) (local.get $qmin)) (then (local.set $qmin (local.get $x)) (local.set $jmin (local.get $j))))
            (local.set $x (f64x2.extract_lane 1 (local.get $q)))
            (if (f64.le (local.get $x) (local.get $qmin)) (then (local.set $qmin (local.get $x)) (local.set $jmin (i32.add (local.get $j) (i32.const 1)))))
            (local.set $negQmin (f64x2.splat (f64.neg (local.get $qmin))))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (local.set $base (i32.add (local.get $base) (i32.const 8)))
        (local.set $yG (i32.add (local.get $yG) (i32.const 16)))
        (local.set $QD (i32.add (local.get $QD) (i32.const 16)))
        (local.set $lowMul (i32.add (local.get $lowMul) (i32.const 16)))
        (br $pairs)))
    (local.get $jmin))

  ;; dst_k += K_row[base_k]*c for from <= k < to (dst an f64 array: yG or yGbar). Pairs start at the even position at
  ;; or below from; lanes outside [from, to) keep their value.
  (func (export "axpy") (param $dst i32) (param $from i32) (param $to i32) (param $row i32) (param $c f64)
    (local $k i32) (local $p i32) (local $b0 i32) (local $b1 i32) (local $d v128) (local $vc v128)
    (local.set $vc (f64x2.splat (local.get $c)))
    (local.set $k (i32.and (local.get $from) (i32.const -2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (local.get $k) (local.get $to)))
        (local.set $p (i32.add (local.get $dst) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $b0 (i32.shl (i32.load (i32.add (global.get $base) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2)))
        (local.set $b1 (i32.shl (i32.load offset=4 (i32.add (global.get $base) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2)))
        (local.set $d (v128.load (local.get $p)))
        (v128.store (local.get $p) (v128.bitselect
          (f64x2.add (local.get $d) (f64x2.mul (f64x2.promote_low_f32x4
            (v128.load32_lane 1 (i32.add (local.get $row) (local.get $b1)) (v128.load32_zero (i32.add (local.get $row) (local.get $b0)))))
            (local.get $vc)))
          (local.get $d)
          (v128.and
            (select (v128.const i64x2 -1 -1) (v128.const i64x2 0 -1) (i32.ge_s (local.get $k) (local.get $from)))
            (select (v128.const i64x2 -1 -1) (v128.const i64x2 -1 0) (i32.lt_s (i32.add (local.get $k) (i32.const 1)) (local.get $to))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $pairs))))

  ;; exp(x) and its helper $pow2: bit for bit Math.exp (see wasm-exp.wat).
  ;; @generated-begin fdlibm-exp (edit src/models/wasm-exp.wat, then npm run build:wasm)
  (func $exp (export "exp") (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| >= 709.78: NaN, infinities, overflow (huge*huge = inf), underflow (twom1000*twom1000 = +0)
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000))
          (then
            (if (i32.or (i32.and (local.get $hx) (i32.const 0xfffff)) (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x))))
              (then (return (f64.add (local.get $x) (local.get $x)))))
            (return (select (f64.const 0) (local.get $x) (local.get $xsb)))))
        (if (f64.gt (local.get $x) (f64.const 0x1.62e42fefa39efp+9)) (then (return (f64.const inf))))
        (if (f64.lt (local.get $x) (f64.const -0x1.74910d52d3051p+9)) (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3FD62E42))
      (then
        ;; |x| > 0.5 ln2
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2))
          (then
            ;; |x| < 1.5 ln2: k = +-1; V8 returns its constant E for exp(1)
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 0x1.5bf0a8b145769p+1))))
            (local.set $hi (f64.sub (local.get $x) (select (f64.const -0x1.62e42feep-1) (f64.const 0x1.62e42feep-1) (local.get $xsb))))
            (local.set $lo (select (f64.const -0x1.a39ef35793c76p-33) (f64.const 0x1.a39ef35793c76p-33) (local.get $xsb)))
            (local.set $k (i32.sub (i32.const 1) (i32.shl (local.get $xsb) (i32.const 1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 0x1.71547652b82fep+0) (local.get $x))
              (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 0x1.62e42feep-1))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 0x1.a39ef35793c76p-33)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x (k stays 0 otherwise)
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000)) (then (return (f64.add (f64.const 1) (local.get $x)))))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    ;; c = x - t*(P1 + t*(P2 + t*(P3 + t*(P4 + t*P5))))
    (local.set $c (f64.mul (local.get $t) (f64.const 0x1.6376972bea4d0p-25)))
    (local.set $c (f64.mul (local.get $t) (f64.add (f64.const -0x1.bbd41c5d26bf1p-20) (local.get $c))))
    (local.set $c (f64.mul (local.get $t) (f64.add (f64.const 0x1.1566aaf25de2cp-14) (local.get $c))))
    (local.set $c (f64.mul (local.get $t) (f64.add (f64.const -0x1.6c16c16bebd93p-9) (local.get $c))))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.add (f64.const 0x1.555555555553ep-3) (local.get $c)))))
    ;; k = 0: 1 - ((x*c)/(c - 2) - x)
    (if (i32.eqz (local.get $k))
      (then
        (return (f64.sub (f64.const 1)
          (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    ;; y = 1 - ((lo - (x*c)/(2 - c)) - hi), then y*2^k (2^k built from its exponent bits; in two steps near underflow)
    (local.set $y (f64.sub (f64.const 1)
      (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c))))
        (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021))
      (then
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))))
        (return (f64.mul (local.get $y) (call $pow2 (local.get $k))))))
    (f64.mul (f64.mul (local.get $y) (call $pow2 (i32.add (local.get $k) (i32.const 1000)))) (f64.const 0x1p-1000)))

  ;; 2^k for -1022 <= k <= 1023, from its bits: high word 0x3FF00000 + (k << 20), low word 0.
  (func $pow2 (param $k i32) (result f64)
    (f64.reinterpret_i64 (i64.shl
      (i64.extend_i32_u (i32.add (i32.const 0x3FF00000) (i32.shl (local.get $k) (i32.const 20))))
      (i64.const 32))))
  ;; @generated-end fdlibm-exp

  ;; dst[i] = exp(src[i]) for i < count (count even; dst may be src), each bit for bit $exp, two at a time. Values on
  ;; $exp's common path (2^-28 <= |x| < 709.78, x != 1, result not subnormal) need no branch: there $exp is one
  ;; formula once k (0 when |x| <= 0.5 ln2, else trunc(x/ln2 +- 0.5), which is also the +-1 of its middle range) is
  ;; known, because with k = 0 the reduction leaves hi = x, lo = +0 and its "1 - ((x*c)/(c - 2) - x)" equals
  ;; "1 - ((lo - (x*c)/(2 - c)) - hi)" exactly (c - 2 = -(2 - c), and rounding is symmetric). A pair with a lane off
  ;; that path goes through $exp lane by lane. The constants are kept in locals for the whole loop.
  (func $expSpan (export "expSpan") (param $src i32) (param $count i32) (param $dst i32)
    (local $i i32) (local $x v128) (local $hx v128) (local $t v128) (local $k v128) (local $hi v128) (local $lo v128)
    (local $r v128) (local $tt v128) (local $c v128)
    (local $absMask v128) (local $half v128) (local $invln2 v128) (local $ln2hi v128) (local $ln2lo v128)
    (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128) (local $p5 v128) (local $one v128) (local $two v128)
    (local $hxHalfLn2 v128) (local $hxBig v128) (local $hxTiny v128) (local $kMin v128) (local $kMax v128) (local $magic v128) (local $expBias v128)
    (local.set $absMask (v128.load64_splat (i32.const 16)))
    (local.set $half (v128.load64_splat (i32.const 24)))
    (local.set $invln2 (v128.load64_splat (i32.const 32)))
    (local.set $ln2hi (v128.load64_splat (i32.const 40)))
    (local.set $ln2lo (v128.load64_splat (i32.const 48)))
    (local.set $p1 (v128.load64_splat (i32.const 56)))
    (local.set $p2 (v128.load64_splat (i32.const 64)))
    (local.set $p3 (v128.load64_splat (i32.const 72)))
    (local.set $p4 (v128.load64_splat (i32.const 80)))
    (local.set $p5 (v128.load64_splat (i32.const 88)))
    (local.set $one (v128.load64_splat (i32.const 96)))
    (local.set $two (v128.load64_splat (i32.const 104)))
    (local.set $hxHalfLn2 (v128.load64_splat (i32.const 112)))
    (local.set $hxBig (v128.load64_splat (i32.const 120)))
    (local.set $hxTiny (v128.load64_splat (i32.const 128)))
    (local.set $kMin (v128.load64_splat (i32.const 136)))
    (local.set $kMax (v128.load64_splat (i32.const 144)))
    (local.set $magic (v128.load64_splat (i32.const 152)))
    (local.set $expBias (v128.load64_splat (i32.const 160)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_s (local.get $i) (local.get $count)))
        (local.set $x (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $hx (i64x2.shr_u (v128.and (local.get $x) (local.get $absMask)) (i32.const 32)))
        ;; t = k as a double (+0 when |x| <= 0.5 ln2); k as an integer from the low bits of t + 0x1.8p52
        (local.set $t (v128.and
          (f64x2.trunc (f64x2.add (f64x2.mul (local.get $invln2) (local.get $x))
            (v128.xor (local.get $half) (v128.andnot (local.get $x) (local.get $absMask)))))
          (i64x2.gt_s (local.get $hx) (local.get $hxHalfLn2))))
        (local.set $k (f64x2.add (local.get $t) (local.get $magic)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (if (result v128)
            (v128.any_true (v128.or (v128.or
                (i64x2.gt_s (local.get $hx) (local.get $hxBig))
                (i64x2.gt_s (local.get $hxTiny) (local.get $hx)))
              (v128.or (v128.or
                (f64x2.eq (local.get $x) (local.get $one))
                (f64x2.lt (local.get $t) (local.get $kMin)))
                (f64x2.gt (local.get $t) (local.get $kMax)))))
            (then
              (f64x2.replace_lane 1
                (f64x2.splat (call $exp (f64x2.extract_lane 0 (local.get $x))))
                (call $exp (f64x2.extract_lane 1 (local.get $x)))))
            (else
              (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $t) (local.get $ln2hi))))
              (local.set $lo (f64x2.mul (local.get $t) (local.get $ln2lo)))
              (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
              (local.set $tt (f64x2.mul (local.get $r) (local.get $r)))
              (local.set $c (f64x2.mul (local.get $tt) (local.get $p5)))
              (local.set $c (f64x2.mul (local.get $tt) (f64x2.add (local.get $p4) (local.get $c))))
              (local.set $c (f64x2.mul (local.get $tt) (f64x2.add (local.get $p3) (local.get $c))))
              (local.set $c (f64x2.mul (local.get $tt) (f64x2.add (local.get $p2) (local.get $c))))
              (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $tt) (f64x2.add (local.get $p1) (local.get $c)))))
              (f64x2.mul
                (f64x2.sub (local.get $one)
                  (f64x2.sub (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (local.get $two) (local.get $c))))
                    (local.get $hi)))
                ;; 2^k: exponent bits k + 1023, k being the low bits of t + 0x1.8p52
                (i64x2.shl (i64x2.add (local.get $k) (local.get $expBias)) (i32.const 52))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs))))

  ;; K(i, j) = float32(exp(negGamma*((sq_i + sq_j) - 2*(z_i0*z_j0 + z_i1*z_j1 + ...)))) for j = j0 + c, c < count,
  ;; written to out (f32) at c. Each dot product is summed from 0 in feature order. zrm is Z row-major (n x d), zt is
  ;; Z transposed (d x stride), so lanes are two consecutive columns j, eight columns (four independent sums) per
  ;; step; the exponents go through args (f64 scratch of count rounded up to 8 entries), then exp in place.
  (func (export "rbfRow") (param $zrm i32) (param $zt i32) (param $sq i32) (param $stride i32) (param $d i32)
        (param $i i32) (param $j0 i32) (param $count i32) (param $negGamma f64) (param $args i32) (param $out i32)
    (local $c i32) (local $k i32) (local $zi i32) (local $zp i32) (local $rowB i32) (local $sp i32) (local $op i32)
    (local $w v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sqi v128) (local $ng v128)
    (local.set $zi (i32.add (local.get $zrm) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
    (local.set $sqi (v128.load64_splat (i32.add (local.get $sq) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $ng (f64x2.splat (local.get $negGamma)))
    (local.set $rowB (i32.shl (local.get $stride) (i32.const 3)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_s (local.get $c) (local.get $count)))
        (local.set $a0 (v128.const i64x2 0 0))
        (local.set $a1 (v128.const i64x2 0 0))
        (local.set $a2 (v128.const i64x2 0 0))
        (local.set $a3 (v128.const i64x2 0 0))
        (local.set $zp (i32.add (local.get $zt) (i32.shl (i32.add (local.get $j0) (local.get $c)) (i32.const 3))))
        (local.set $k (i32.const 0))
        (block $featsDone
          (loop $feats
            (br_if $featsDone (i32.ge_s (local.get $k) (local.get $d)))
            (local.set $w (v128.load64_splat (i32.add (local.get $zi) (i32.shl (local.get $k) (i32.const 3)))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (v128.load (local.get $zp)))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $zp)))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w) (v128.load offset=32 (local.get $zp)))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w) (v128.load offset=48 (local.get $zp)))))
            (local.set $zp (i32.add (local.get $zp) (local.get $rowB)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $feats)))
        (local.set $sp (i32.add (local.get $sq) (i32.shl (i32.add (local.get $j0) (local.get $c)) (i32.const 3))))
        (local.set $op (i32.add (local.get $args) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store (local.get $op) (f64x2.mul (local.get $ng)
          (f64x2.sub (f64x2.add (local.get $sqi) (v128.load (local.get $sp))) (f64x2.add (local.get $a0) (local.get $a0)))))
        (v128.store offset=16 (local.get $op) (f64x2.mul (local.get $ng)
          (f64x2.sub (f64x2.add (local.get $sqi) (v128.load offset=16 (local.get $sp))) (f64x2.add (local.get $a1) (local.get $a1)))))
        (v128.store offset=32 (local.get $op) (f64x2.mul (local.get $ng)
          (f64x2.sub (f64x2.add (local.get $sqi) (v128.load offset=32 (local.get $sp))) (f64x2.add (local.get $a2) (local.get $a2)))))
        (v128.store offset=48 (local.get $op) (f64x2.mul (local.get $ng)
          (f64x2.sub (f64x2.add (local.get $sqi) (v128.load offset=48 (local.get $sp))) (f64x2.add (local.get $a3) (local.get $a3)))))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (br $cols)))
    (call $expSpan (local.get $args) (i32.and (i32.add (local.get $count) (i32.const 1)) (i32.const -2)) (local.get $args))
    ;; round to float32, two at a time; an odd last entry alone (nothing is written past count)
    (local.set $c (i32.const 0))
    (block $f32Done
      (loop $f32s
        (br_if $f32Done (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $count)))
        (v128.store64_lane 0 (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $args) (i32.shl (local.get $c) (i32.const 3))))))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $f32s)))
    (if (i32.lt_s (local.get $c) (local.get $count))
      (then
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.load (i32.add (local.get $args) (i32.shl (local.get $c) (i32.const 3)))))))))

  ;; Decision values of row pairs: for pair p (pairs holds two rows interleaved feature by feature) and lane L,
  ;;   out[2p + L] = -rho + coef_0*exp(negGamma*e_0) + coef_1*exp(negGamma*e_1) + ...   (in support-vector order)
  ;; with e_v = (x_0 - s_0)^2 + (x_1 - s_1)^2 + ... summed from 0 in feature order, x the lane's row and s row sv[v]
  ;; of zrm (row-major, d columns). Per pair: the exponents of all support vectors into scratch (two support vectors
  ;; per step, two independent sums), exp in place, then the sum in order.
  (func (export "decisions") (param $zrm i32) (param $d i32) (param $pairs i32) (param $nPairs i32) (param $sv i32)
        (param $coef i32) (param $nSv i32) (param $rho f64) (param $negGamma f64) (param $scratch i32) (param $out i32)
    (local $p i32) (local $v i32) (local $k i32) (local $pp i32) (local $s0 i32) (local $s1 i32) (local $dB i32) (local $sp i32)
    (local $x v128) (local $t v128) (local $e0 v128) (local $e1 v128) (local $r v128) (local $ng v128)
    (local.set $dB (i32.shl (local.get $d) (i32.const 3)))
    (local.set $ng (f64x2.splat (local.get $negGamma)))
    (block $pairsDone
      (loop $pairsNext
        (br_if $pairsDone (i32.ge_s (local.get $p) (local.get $nPairs)))
        (local.set $v (i32.const 0))
        (block $svsDone
          (loop $svs
            (br_if $svsDone (i32.ge_s (local.get $v) (local.get $nSv)))
            ;; the second support vector of the step is the first again when nSv is odd (its slot is padding)
            (local.set $s0 (i32.add (local.get $zrm) (i32.mul (i32.load (i32.add (local.get $sv) (i32.shl (local.get $v) (i32.const 2)))) (local.get $dB))))
            (local.set $s1 (select
              (i32.add (local.get $zrm) (i32.mul (i32.load offset=4 (i32.add (local.get $sv) (i32.shl (local.get $v) (i32.const 2)))) (local.get $dB)))
              (local.get $s0)
              (i32.lt_s (i32.add (local.get $v) (i32.const 1)) (local.get $nSv))))
            (local.set $pp (i32.add (local.get $pairs) (i32.mul (local.get $p) (i32.shl (local.get $dB) (i32.const 1)))))
            (local.set $e0 (v128.const i64x2 0 0))
            (local.set $e1 (v128.const i64x2 0 0))
            (local.set $k (i32.const 0))
            (block $featsDone
              (loop $feats
                (br_if $featsDone (i32.ge_s (local.get $k) (local.get $d)))
                (local.set $x (v128.load (local.get $pp)))
                (local.set $t (f64x2.sub (local.get $x) (v128.load64_splat (local.get $s0))))
                (local.set $e0 (f64x2.add (local.get $e0) (f64x2.mul (local.get $t) (local.get $t))))
                (local.set $t (f64x2.sub (local.get $x) (v128.load64_splat (local.get $s1))))
                (local.set $e1 (f64x2.add (local.get $e1) (f64x2.mul (local.get $t) (local.get $t))))
                (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
                (local.set $s0 (i32.add (local.get $s0) (i32.const 8)))
                (local.set $s1 (i32.add (local.get $s1) (i32.const 8)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $feats)))
            (local.set $sp (i32.add (local.get $scratch) (i32.shl (local.get $v) (i32.const 4))))
            (v128.store (local.get $sp) (f64x2.mul (local.get $ng) (local.get $e0)))
            (v128.store offset=16 (local.get $sp) (f64x2.mul (local.get $ng) (local.get $e1)))
            (local.set $v (i32.add (local.get $v) (i32.const 2)))
            (br $svs)))
        (call $expSpan (local.get $scratch) (i32.shl (local.get $nSv) (i32.const 1)) (local.get $scratch))
        (local.set $r (f64x2.splat (f64.neg (local.get $rho))))
        (local.set $v (i32.const 0))
        (block $sumDone
          (loop $sum
            (br_if $sumDone (i32.ge_s (local.get $v) (local.get $nSv)))
            (local.set $r (f64x2.add (local.get $r) (f64x2.mul
              (v128.load64_splat (i32.add (local.get $coef) (i32.shl (local.get $v) (i32.const 3))))
              (v128.load (i32.add (local.get $scratch) (i32.shl (local.get $v) (i32.const 4)))))))
            (local.set $v (i32.add (local.get $v) (i32.const 1)))
            (br $sum)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 4))) (local.get $r))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pairsNext))))

  ;; Copies the upper triangle of rows [i0, i1) of the n x n float32 matrix at K into the columns below it:
  ;; K[j][i] = K[i][j] for i0 <= i < i1, i < j < n. For each j the writes are one contiguous run of row j.
  (func (export "mirror") (param $K i32) (param $n i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $j i32) (local $end i32) (local $rowB i32) (local $src i32) (local $dst i32)
    (local.set $rowB (i32.shl (local.get $n) (i32.const 2)))
    (local.set $j (i32.add (local.get $i0) (i32.const 1)))
    (block $done
      (loop $cols
        (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $end (select (local.get $i1) (local.get $j) (i32.lt_s (local.get $i1) (local.get $j))))
        (local.set $i (local.get $i0))
        (local.set $src (i32.add (local.get $K) (i32.add (i32.mul (local.get $i0) (local.get $rowB)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $dst (i32.add (local.get $K) (i32.add (i32.mul (local.get $j) (local.get $rowB)) (i32.shl (local.get $i0) (i32.const 2)))))
        (block $rowDone
          (loop $rows
            (br_if $rowDone (i32.ge_s (local.get $i) (local.get $end)))
            (f32.store (local.get $dst) (f32.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $rowB)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols))))
)
