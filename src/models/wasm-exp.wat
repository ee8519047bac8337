;; exp(x), bit for bit the value V8's Math.exp returns, for the training kernels that need it: `npm run build:wasm`
;; copies the fields of this module into the "fdlibm-exp" regions of mlp-kernel.wat and svm-kernel.wat. WHY: once
;; any wasm module is instantiated in a process, V8's Math.exp costs ~50 ns instead of ~18 ns, and the SVM needs
;; millions per fit; the kernels also avoid a call out of wasm per value.
;;
;; V8 computes Math.exp with fdlibm's algorithm (FreeBSD msun e_exp.c, in v8/src/base/ieee754.cc), written out here
;; operation by operation: argument reduction x = k*ln2 + r with ln2 split in a high part (exact products) and a low
;; part, a degree-5 minimax polynomial in r*r, then scaling by 2^k ($pow2). The function is exported as "exp" so the
;; tests can compare it with Math.exp on many arguments; both kernels' tests do.
;;
;; This file is a module of its own only so that editors and wat2wasm can check it alone; nothing loads it.
(module
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
)
