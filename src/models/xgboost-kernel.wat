;; The XGBoost trainer's hot loops. xgboost-kernel.ts loads their assembled bytes (xgboost-kernel.wasm, written by
;; `npm run build:wasm`) and lays out their memory; xgboost-trainer.ts drives them.
(module
  ;; Row indices are i32, gradients f64; every pointer is a byte offset chosen by the caller. Row r's grad, hess and
  ;; |grad| are the three f64 at gradHess + 24·r.
  (memory (export "memory") 1)

  ;; The running sums of a column slice scanned from index from to index to (exclusive) by step (+1 or -1), in
  ;; order, one row at a time (the order of XGBoost's additions). Before every size entries and after the last one
  ;; it records the entry index and the sums at starts/grads/hesses/abss[b]. Returns the number of blocks b.
  (func (export "sumBlocks")
    (param $rows i32) (param $gradHess i32) (param $from i32) (param $to i32) (param $step i32) (param $size i32)
    (param $starts i32) (param $grads i32) (param $hesses i32) (param $abss i32)
    (result i32)
    (local $i i32) (local $b i32) (local $end i32) (local $p i32) (local $g f64) (local $h f64) (local $a f64)
    (local.set $i (local.get $from))
    (block $done
      (loop $blocks
        (i32.store (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2))) (local.get $i))
        (f64.store (i32.add (local.get $grads) (i32.shl (local.get $b) (i32.const 3))) (local.get $g))
        (f64.store (i32.add (local.get $hesses) (i32.shl (local.get $b) (i32.const 3))) (local.get $h))
        (f64.store (i32.add (local.get $abss) (i32.shl (local.get $b) (i32.const 3))) (local.get $a))
        (br_if $done (i32.eq (local.get $i) (local.get $to)))
        ;; end = i + size·step, or to if fewer entries remain
        (local.set $end
          (select
            (i32.add (local.get $i) (i32.mul (local.get $size) (local.get $step)))
            (local.get $to)
            (i32.gt_s (i32.mul (i32.sub (local.get $to) (local.get $i)) (local.get $step)) (local.get $size))))
        (loop $entries
          (local.set $p
            (i32.add (local.get $gradHess)
              (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 24))))
          (local.set $g (f64.add (local.get $g) (f64.load (local.get $p))))
          (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $p))))
          (local.set $a (f64.add (local.get $a) (f64.load offset=16 (local.get $p))))
          (local.set $i (i32.add (local.get $i) (local.get $step)))
          (br_if $entries (i32.ne (local.get $i) (local.get $end))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $blocks)))
    (local.get $b))

  ;; Stable partition of the row indices src[start, end) into dst: rows whose goesLeft byte is 1 go to
  ;; dst[start ...], the others to dst[start + nLeft ...]. Branch-free (the side is a coin flip per row).
  (func (export "partition")
    (param $src i32) (param $dst i32) (param $goesLeft i32) (param $start i32) (param $end i32) (param $nLeft i32)
    (local $i i32) (local $wl i32) (local $wr i32) (local $r i32) (local $isLeft i32)
    (local.set $wl (local.get $start))
    (local.set $wr (i32.add (local.get $start) (local.get $nLeft)))
    (local.set $i (local.get $start))
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
      (loop $entries
        (local.set $r (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $isLeft (i32.load8_u (i32.add (local.get $goesLeft) (local.get $r))))
        (i32.store
          (i32.add (local.get $dst)
            (i32.shl (select (local.get $wl) (local.get $wr) (local.get $isLeft)) (i32.const 2)))
          (local.get $r))
        (local.set $wl (i32.add (local.get $wl) (local.get $isLeft)))
        (local.set $wr (i32.add (local.get $wr) (i32.xor (local.get $isLeft) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $entries (i32.lt_s (local.get $i) (local.get $end))))))

  ;; The number of rows in src[start, end) whose goesLeft byte is 1.
  (func (export "countLeft")
    (param $src i32) (param $goesLeft i32) (param $start i32) (param $end i32)
    (result i32)
    (local $i i32) (local $n i32)
    (local.set $i (local.get $start))
    (block $done
      (br_if $done (i32.ge_s (local.get $i) (local.get $end)))
      (loop $entries
        (local.set $n
          (i32.add (local.get $n)
            (i32.load8_u (i32.add (local.get $goesLeft)
              (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $entries (i32.lt_s (local.get $i) (local.get $end)))))
    (local.get $n))

  ;; The largest float32 below the float32 x, as a double (a candidate whose loss change rounds to at most this
  ;; loses against x).
  (func $below (param $x f64) (result f64)
    (local $bits i32)
    (if (f64.eq (local.get $x) (f64.const 0)) (then (return (f64.const -0x1p-149))))
    (local.set $bits (i32.reinterpret_f32 (f32.demote_f64 (local.get $x))))
    (f64.promote_f32 (f32.reinterpret_i32
      (select
        (i32.sub (local.get $bits) (i32.const 1))
        (i32.add (local.get $bits) (i32.const 1))
        (f64.gt (local.get $x) (f64.const 0))))))

  ;; XGBoost's ThresholdL1: soft-thresholding of a gradient sum by alpha. (With alpha 0 it is the identity up to
  ;; the sign of zero, which squaring removes, so callers skip it then.)
  (func $thresholdL1 (param $g f64) (param $alpha f64) (result f64)
    (if (result f64) (f64.gt (local.get $g) (local.get $alpha))
      (then (f64.sub (local.get $g) (local.get $alpha)))
      (else
        (if (result f64) (f64.lt (local.get $g) (f64.neg (local.get $alpha)))
          (then (f64.add (local.get $g) (local.get $alpha)))
          (else (f64.const 0))))))

  ;; Upper bound of the loss change (before subtracting the node's gain) of every candidate of each block of a scan
  ;; (blocks of sumBlocks): inside a block the scanned side's gradient sum stays within its start plus the block's
  ;; negative and positive parts ((net -/+ sum |grad|) / 2, widened for their rounding), its hessian only grows and
  ;; the rest's only shrinks. Writes bounds[b] (infinity where a denominator is not positive); returns the largest.
  (func (export "bounds")
    (param $grads i32) (param $hesses i32) (param $abss i32) (param $bounds i32) (param $blocks i32)
    (param $totalGrad f64) (param $totalHess f64) (param $lambda f64)
    (result f64)
    (local $b i32) (local $o i32) (local $g f64) (local $net f64) (local $abs f64) (local $widen f64)
    (local $gMin f64) (local $gMax f64) (local $leftDen f64) (local $restDen f64) (local $rA f64) (local $rB f64)
    (local $bound f64) (local $max f64)
    (local.set $max (f64.const -inf))
    (block $done
      (br_if $done (i32.ge_s (local.get $b) (local.get $blocks)))
      (loop $each
        (local.set $o (i32.shl (local.get $b) (i32.const 3)))
        (local.set $g (f64.load (i32.add (local.get $grads) (local.get $o))))
        (local.set $net (f64.sub (f64.load offset=8 (i32.add (local.get $grads) (local.get $o))) (local.get $g)))
        (local.set $abs (f64.sub (f64.load offset=8 (i32.add (local.get $abss) (local.get $o)))
                                 (f64.load (i32.add (local.get $abss) (local.get $o)))))
        (local.set $widen (f64.mul (f64.const 1e-10)
          (f64.add (f64.load offset=8 (i32.add (local.get $abss) (local.get $o))) (f64.abs (local.get $g)))))
        (local.set $gMin (f64.sub (f64.add (local.get $g)
          (f64.mul (f64.sub (local.get $net) (local.get $abs)) (f64.const 0.5))) (local.get $widen)))
        (local.set $gMax (f64.add (f64.add (local.get $g)
          (f64.mul (f64.add (local.get $net) (local.get $abs)) (f64.const 0.5))) (local.get $widen)))
        (local.set $leftDen (f64.add (f64.load (i32.add (local.get $hesses) (local.get $o))) (local.get $lambda)))
        (local.set $restDen (f64.add (f64.sub (local.get $totalHess)
          (f64.load offset=8 (i32.add (local.get $hesses) (local.get $o)))) (local.get $lambda)))
        (local.set $rA (f64.sub (local.get $totalGrad) (local.get $gMin)))
        (local.set $rB (f64.sub (local.get $totalGrad) (local.get $gMax)))
        (local.set $bound
          (select
            (f64.add
              (f64.div (f64.max (f64.mul (local.get $gMin) (local.get $gMin)) (f64.mul (local.get $gMax) (local.get $gMax)))
                       (local.get $leftDen))
              (f64.div (f64.max (f64.mul (local.get $rA) (local.get $rA)) (f64.mul (local.get $rB) (local.get $rB)))
                       (local.get $restDen)))
            (f64.const inf)
            (i32.and (f64.gt (local.get $leftDen) (f64.const 0)) (f64.gt (local.get $restDen) (f64.const 0)))))
        (f64.store (i32.add (local.get $bounds) (local.get $o)) (local.get $bound))
        (if (f64.gt (local.get $bound) (local.get $max)) (then (local.set $max (local.get $bound))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br_if $each (i32.lt_s (local.get $b) (local.get $blocks)))))
    (local.get $max))

  ;; XGBoost's candidates of one scan, in its order, for the blocks whose bound could beat the best so far
  ;; (best* at state: loss f64 at +0, threshold f64 at +8, feature index with the default-left bit i32 at +16; read
  ;; and updated). A candidate sits at each change of value while both sides have hessian >= min_child_weight; its
  ;; loss change is float32(gain(rest) + gain(scanned) - rootGain) with gain = thresholdL1(G)²/(H + lambda), its
  ;; threshold float32((v + v_prev)·0.5) in float32; it replaces the best if strictly better, or equal against a
  ;; best on a larger feature (SplitEntry::NeedReplace). Then the scan's last candidate: everything scanned on one
  ;; side, the rest (with the missing values) on the other, at last ± float32(|last| + 1e-6).
  (func (export "evaluate")
    (param $rows i32) (param $x i32) (param $gradHess i32) (param $starts i32) (param $grads i32) (param $hesses i32)
    (param $bounds i32) (param $blocks i32) (param $step i32) (param $index i32)
    (param $totalGrad f64) (param $totalHess f64) (param $rootGain f64) (param $mcw f64) (param $lambda f64)
    (param $alpha f64) (param $state i32)
    (local $bestLoss f64) (local $bestValue f64) (local $bestIndex i32) (local $strict i32) (local $target f64)
    (local $b i32) (local $bound f64) (local $bg f64) (local $bh f64) (local $i i32) (local $end i32) (local $last f64)
    (local $r i32) (local $v f64) (local $restHess f64) (local $tg f64) (local $tr f64) (local $loss f64)
    (local $p i32) (local $gap f32)
    (local.set $bestLoss (f64.load (local.get $state)))
    (local.set $bestValue (f64.load offset=8 (local.get $state)))
    (local.set $bestIndex (i32.load offset=16 (local.get $state)))
    (local.set $strict (i32.le_u (i32.and (local.get $bestIndex) (i32.const 0x7fffffff))
                                 (i32.and (local.get $index) (i32.const 0x7fffffff))))
    (local.set $target (f64.add (call $below (local.get $bestLoss)) (local.get $rootGain)))
    (block $blocksDone
      (br_if $blocksDone (i32.ge_s (local.get $b) (local.get $blocks)))
      (loop $eachBlock
        (local.set $bound (f64.load (i32.add (local.get $bounds) (i32.shl (local.get $b) (i32.const 3)))))
        (if (i32.eqz (f64.lt
              (f64.add (local.get $bound) (f64.mul (f64.const 1e-9) (f64.add (local.get $bound) (f64.abs (local.get $target)))))
              (local.get $target)))
          (then
            (local.set $bg (f64.load (i32.add (local.get $grads) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $bh (f64.load (i32.add (local.get $hesses) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $i (i32.load (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $b) (i32.const 2)))))
            (local.set $last
              (if (result f64) (i32.eqz (local.get $b))
                (then (f64.const 0))
                (else (f64.load (i32.add (local.get $x) (i32.shl
                  (i32.load (i32.add (local.get $rows) (i32.shl (i32.sub (local.get $i) (local.get $step)) (i32.const 2))))
                  (i32.const 3)))))))
            (block $entriesDone
              (br_if $entriesDone (i32.eq (local.get $i) (local.get $end)))
              (loop $eachEntry
                (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $v (f64.load (i32.add (local.get $x) (i32.shl (local.get $r) (i32.const 3)))))
                ;; XGBoost treats a side with zero hessian as "not started" (GradStats::Empty).
                (if (i32.and (i32.and (f64.ne (local.get $bh) (f64.const 0)) (f64.ne (local.get $v) (local.get $last)))
                             (f64.ge (local.get $bh) (local.get $mcw)))
                  (then
                    (local.set $restHess (f64.sub (local.get $totalHess) (local.get $bh)))
                    (if (f64.ge (local.get $restHess) (local.get $mcw))
                      (then
                        (local.set $tg (local.get $bg))
                        (local.set $tr (f64.sub (local.get $totalGrad) (local.get $bg)))
                        (if (f64.ne (local.get $alpha) (f64.const 0))
                          (then
                            (local.set $tg (call $thresholdL1 (local.get $tg) (local.get $alpha)))
                            (local.set $tr (call $thresholdL1 (local.get $tr) (local.get $alpha)))))
                        (local.set $loss (f64.promote_f32 (f32.demote_f64
                          (f64.sub
                            (f64.add
                              (f64.div (f64.mul (local.get $tr) (local.get $tr)) (f64.add (local.get $restHess) (local.get $lambda)))
                              (f64.div (f64.mul (local.get $tg) (local.get $tg)) (f64.add (local.get $bh) (local.get $lambda))))
                            (local.get $rootGain)))))
                        (if (select
                              (f64.gt (local.get $loss) (local.get $bestLoss))
                              (i32.eqz (f64.gt (local.get $bestLoss) (local.get $loss)))
                              (local.get $strict))
                          (then
                            (local.set $bestLoss (local.get $loss))
                            (local.set $bestIndex (local.get $index))
                            (local.set $bestValue (f64.promote_f32 (f32.mul
                              (f32.demote_f64 (f64.add (local.get $v) (local.get $last))) (f32.const 0.5))))
                            (local.set $strict (i32.const 1))
                            (local.set $target (f64.add (call $below (local.get $bestLoss)) (local.get $rootGain)))))))))
                (local.set $p (i32.add (local.get $gradHess) (i32.mul (local.get $r) (i32.const 24))))
                (local.set $bg (f64.add (local.get $bg) (f64.load (local.get $p))))
                (local.set $bh (f64.add (local.get $bh) (f64.load offset=8 (local.get $p))))
                (local.set $last (local.get $v))
                (local.set $i (i32.add (local.get $i) (local.get $step)))
                (br_if $eachEntry (i32.ne (local.get $i) (local.get $end)))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br_if $eachBlock (i32.lt_s (local.get $b) (local.get $blocks)))))
    ;; The last candidate.
    (local.set $bg (f64.load (i32.add (local.get $grads) (i32.shl (local.get $blocks) (i32.const 3)))))
    (local.set $bh (f64.load (i32.add (local.get $hesses) (i32.shl (local.get $blocks) (i32.const 3)))))
    (local.set $restHess (f64.sub (local.get $totalHess) (local.get $bh)))
    (if (i32.and (i32.gt_s (local.get $blocks) (i32.const 0))
          (i32.and (f64.ge (local.get $bh) (local.get $mcw)) (f64.ge (local.get $restHess) (local.get $mcw))))
      (then
        (local.set $tg (call $thresholdL1 (local.get $bg) (local.get $alpha)))
        (local.set $tr (call $thresholdL1 (f64.sub (local.get $totalGrad) (local.get $bg)) (local.get $alpha)))
        (local.set $loss (f64.promote_f32 (f32.demote_f64
          (f64.sub
            (f64.add
              (f64.div (f64.mul (local.get $tr) (local.get $tr)) (f64.add (local.get $restHess) (local.get $lambda)))
              (f64.div (f64.mul (local.get $tg) (local.get $tg)) (f64.add (local.get $bh) (local.get $lambda))))
            (local.get $rootGain)))))
        (if (select
              (f64.gt (local.get $loss) (local.get $bestLoss))
              (i32.eqz (f64.gt (local.get $bestLoss) (local.get $loss)))
              (local.get $strict))
          (then
            (local.set $last (f64.load (i32.add (local.get $x) (i32.shl
              (i32.load (i32.add (local.get $rows) (i32.shl
                (i32.sub (i32.load (i32.add (local.get $starts) (i32.shl (local.get $blocks) (i32.const 2)))) (local.get $step))
                (i32.const 2))))
              (i32.const 3)))))
            (local.set $gap (f32.demote_f64 (f64.add (f64.abs (local.get $last)) (f64.promote_f32 (f32.const 1e-6)))))
            (local.set $bestLoss (local.get $loss))
            (local.set $bestIndex (local.get $index))
            (local.set $bestValue (f64.promote_f32 (f32.demote_f64 (f64.add (local.get $last)
              (select (f64.promote_f32 (local.get $gap)) (f64.neg (f64.promote_f32 (local.get $gap)))
                (i32.eq (local.get $step) (i32.const 1))))))))))) 
    (f64.store (local.get $state) (local.get $bestLoss))
    (f64.store offset=8 (local.get $state) (local.get $bestValue))
    (i32.store offset=16 (local.get $state) (local.get $bestIndex)))
  ;; ---- Per-row loops of a boosting round ----

  ;; musl's scalbnf: y·2^n in float32, in at most three scalings.
  (func $scalbnf (param $y f32) (param $n i32) (result f32)
    (if (i32.gt_s (local.get $n) (i32.const 127))
      (then
        (local.set $y (f32.mul (local.get $y) (f32.const 0x1p127)))
        (local.set $n (i32.sub (local.get $n) (i32.const 127)))
        (if (i32.gt_s (local.get $n) (i32.const 127))
          (then
            (local.set $y (f32.mul (local.get $y) (f32.const 0x1p127)))
            (local.set $n (i32.sub (local.get $n) (i32.const 127)))
            (if (i32.gt_s (local.get $n) (i32.const 127)) (then (local.set $n (i32.const 127)))))))
      (else
        (if (i32.lt_s (local.get $n) (i32.const -126))
          (then
            (local.set $y (f32.mul (local.get $y) (f32.const 0x1p-126)))
            (local.set $n (i32.add (local.get $n) (i32.const 126)))
            (if (i32.lt_s (local.get $n) (i32.const -126))
              (then
                (local.set $y (f32.mul (local.get $y) (f32.const 0x1p-126)))
                (local.set $n (i32.add (local.get $n) (i32.const 126)))
                (if (i32.lt_s (local.get $n) (i32.const -126)) (then (local.set $n (i32.const -126))))))))))
    (f32.mul (local.get $y) (f32.reinterpret_i32 (i32.shl (i32.add (i32.const 0x7f) (local.get $n)) (i32.const 23)))))

  ;; e^x in float32 as musl's expf of 2018 (FreeBSD msun e_expf.c, Sun Microsystems 1993) computes it; the same
  ;; steps as expf in xgboost-float32.ts.
  (func $expf (param $x f32) (result f32)
    (local $hx i32) (local $sign i32) (local $k i32) (local $hi f32) (local $lo f32) (local $xx f32) (local $c f32)
    (local $y f32)
    (local.set $hx (i32.reinterpret_f32 (local.get $x)))
    (local.set $sign (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    (if (i32.ge_u (local.get $hx) (i32.const 0x42aeac50))
      (then
        (if (i32.gt_u (local.get $hx) (i32.const 0x7f800000)) (then (return (local.get $x))))
        (if (i32.and (i32.ge_u (local.get $hx) (i32.const 0x42b17218)) (i32.eqz (local.get $sign)))
          (then (return (f32.mul (local.get $x) (f32.const 0x1p127)))))
        (if (i32.and (local.get $sign) (i32.ge_u (local.get $hx) (i32.const 0x42cff1b5)))
          (then (return (f32.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3eb17218))
      (then
        (local.set $k
          (if (result i32) (i32.gt_u (local.get $hx) (i32.const 0x3f851592))
            (then (i32.trunc_f32_s (f32.add (f32.mul (f32.const 0x1.715476p0) (local.get $x))
              (select (f32.const -0.5) (f32.const 0.5) (local.get $sign)))))
            (else (i32.sub (i32.sub (i32.const 1) (local.get $sign)) (local.get $sign)))))
        (local.set $hi (f32.sub (local.get $x) (f32.mul (f32.convert_i32_s (local.get $k)) (f32.const 0x1.62e4p-1))))
        (local.set $lo (f32.mul (f32.convert_i32_s (local.get $k)) (f32.const 0x1.7f7d1cp-20)))
        (local.set $x (f32.sub (local.get $hi) (local.get $lo))))
      (else
        (if (i32.gt_u (local.get $hx) (i32.const 0x39000000))
          (then
            (local.set $k (i32.const 0))
            (local.set $hi (local.get $x))
            (local.set $lo (f32.const 0)))
          (else (return (f32.add (f32.const 1) (local.get $x)))))))
    (local.set $xx (f32.mul (local.get $x) (local.get $x)))
    (local.set $c (f32.sub (local.get $x)
      (f32.mul (local.get $xx) (f32.add (f32.const 0x1.55551ep-3) (f32.mul (local.get $xx) (f32.const -0x1.6aa42ap-9))))))
    (local.set $y (f32.add (f32.const 1)
      (f32.add
        (f32.sub (f32.div (f32.mul (local.get $x) (local.get $c)) (f32.sub (f32.const 2) (local.get $c))) (local.get $lo))
        (local.get $hi))))
    (if (result f32) (i32.eqz (local.get $k))
      (then (local.get $y))
      (else (call $scalbnf (local.get $y) (local.get $k)))))

  ;; binary:logistic's gradient pairs from float32 margins, in float32 like XGBoost: p = 1/(1 + expf(-margin)),
  ;; w = 1 + y·(scale_pos_weight - 1) (spwMinus1 is that float32 difference), grad = (p - y)·w,
  ;; hess = max(p(1 - p), 1e-16)·w; stored as float64 grad, hess, |grad| per row.
  (func (export "gradients")
    (param $margin i32) (param $labels i32) (param $n i32) (param $spwMinus1 f32) (param $gradHess i32)
    (local $r i32) (local $p f32) (local $y f32) (local $w f32) (local $grad f32) (local $h f32) (local $out i32)
    (block $done
      (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
      (loop $rows
        (local.set $p (f32.div (f32.const 1) (f32.add (f32.const 1)
          (call $expf (f32.neg (f32.load (i32.add (local.get $margin) (i32.shl (local.get $r) (i32.const 2)))))))))
        (local.set $y (f32.convert_i32_u (i32.load8_u (i32.add (local.get $labels) (local.get $r)))))
        (local.set $w (f32.add (f32.const 1) (f32.mul (local.get $y) (local.get $spwMinus1))))
        (local.set $grad (f32.mul (f32.sub (local.get $p) (local.get $y)) (local.get $w)))
        (local.set $h (f32.mul (local.get $p) (f32.sub (f32.const 1) (local.get $p))))
        (local.set $h (f32.mul
          (select (f32.const 1e-16) (local.get $h) (f32.lt (local.get $h) (f32.const 1e-16)))
          (local.get $w)))
        (local.set $out (i32.add (local.get $gradHess) (i32.mul (local.get $r) (i32.const 24))))
        (f64.store (local.get $out) (f64.promote_f32 (local.get $grad)))
        (f64.store offset=8 (local.get $out) (f64.promote_f32 (local.get $h)))
        (f64.store offset=16 (local.get $out) (f64.promote_f32 (f32.abs (local.get $grad))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $r) (local.get $n))))))

  ;; Each row's node gets the row's grad and hess added to its sums, in row order (XGBoost's InitNewNode);
  ;; rows of finished leaves (negative positions) are skipped.
  (func (export "nodeSums")
    (param $position i32) (param $gradHess i32) (param $sumGrad i32) (param $sumHess i32) (param $n i32)
    (local $r i32) (local $nid i32) (local $at i32) (local $src i32)
    (block $done
      (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
      (loop $rows
        (local.set $nid (i32.load (i32.add (local.get $position) (i32.shl (local.get $r) (i32.const 2)))))
        (if (i32.ge_s (local.get $nid) (i32.const 0))
          (then
            (local.set $src (i32.add (local.get $gradHess) (i32.mul (local.get $r) (i32.const 24))))
            (local.set $at (i32.add (local.get $sumGrad) (i32.shl (local.get $nid) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (local.get $src))))
            (local.set $at (i32.add (local.get $sumHess) (i32.shl (local.get $nid) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load offset=8 (local.get $src))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $r) (local.get $n))))))

  ;; Moves each row of a split node to a child: x < threshold goes left, a missing value (NaN) to the default
  ;; side; rows of nodes that became leaves finish (position ~node). Per node: nodeOffset = feature·n, or -1 for a
  ;; leaf; nodeThreshold (f64); nodeChild (left, right); nodeMissingLeft (byte). Sets goesLeft[r] and counts
  ;; leftCount[node].
  (func (export "route")
    (param $position i32) (param $goesLeft i32) (param $leftCount i32) (param $nodeOffset i32) (param $nodeThreshold i32)
    (param $nodeChild i32) (param $nodeMissingLeft i32) (param $x i32) (param $n i32)
    (local $r i32) (local $nid i32) (local $offset i32) (local $v f64) (local $goLeft i32) (local $at i32)
    (block $done
      (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
      (loop $rows
        (local.set $at (i32.add (local.get $position) (i32.shl (local.get $r) (i32.const 2))))
        (local.set $nid (i32.load (local.get $at)))
        (if (i32.ge_s (local.get $nid) (i32.const 0))
          (then
            (local.set $offset (i32.load (i32.add (local.get $nodeOffset) (i32.shl (local.get $nid) (i32.const 2)))))
            (if (i32.lt_s (local.get $offset) (i32.const 0))
              (then (i32.store (local.get $at) (i32.xor (local.get $nid) (i32.const -1))))
              (else
                (local.set $v (f64.load (i32.add (local.get $x)
                  (i32.shl (i32.add (local.get $offset) (local.get $r)) (i32.const 3)))))
                (local.set $goLeft
                  (if (result i32) (f64.lt (local.get $v) (f64.load (i32.add (local.get $nodeThreshold) (i32.shl (local.get $nid) (i32.const 3)))))
                    (then (i32.const 1))
                    (else
                      (if (result i32) (f64.eq (local.get $v) (local.get $v))
                        (then (i32.const 0))
                        (else (i32.load8_u (i32.add (local.get $nodeMissingLeft) (local.get $nid))))))))
                (i32.store (local.get $at)
                  (i32.load (i32.add (local.get $nodeChild)
                    (i32.shl (i32.sub (i32.add (i32.shl (local.get $nid) (i32.const 1)) (i32.const 1)) (local.get $goLeft)) (i32.const 2)))))
                (i32.store8 (i32.add (local.get $goesLeft) (local.get $r)) (local.get $goLeft))
                (local.set $at (i32.add (local.get $leftCount) (i32.shl (local.get $nid) (i32.const 2))))
                (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (local.get $goLeft)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $r) (local.get $n))))))

  ;; Adds each row's leaf value to its float32 margin (XGBoost's prediction cache: 0 + leaf, then margin + that).
  ;; leafOf[node] is the value of the leaf that holds node's rows after pruning.
  (func (export "addLeaves") (param $margin i32) (param $position i32) (param $leafOf i32) (param $n i32)
    (local $r i32) (local $nid i32) (local $at i32)
    (block $done
      (br_if $done (i32.ge_s (local.get $r) (local.get $n)))
      (loop $rows
        (local.set $nid (i32.load (i32.add (local.get $position) (i32.shl (local.get $r) (i32.const 2)))))
        (if (i32.lt_s (local.get $nid) (i32.const 0)) (then (local.set $nid (i32.xor (local.get $nid) (i32.const -1)))))
        (local.set $at (i32.add (local.get $margin) (i32.shl (local.get $r) (i32.const 2))))
        (f32.store (local.get $at) (f32.add (f32.load (local.get $at))
          (f32.add (f32.const 0) (f32.load (i32.add (local.get $leafOf) (i32.shl (local.get $nid) (i32.const 2)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $r) (local.get $n))))))
  ;; ---- libc++'s std::sort of a column (see xgboost-columns.ts), on (row i32, value f64) pairs ----
  ;; The column being sorted: entry i is rows[i] (i32 at $sortRows + 4i) and its value (f64 at $sortValues + 8i).
  ;; ($less and $value are written out inline where their arguments are locals: V8 does not inline wasm calls.)
  (global $sortRows (mut i32) (i32.const 0))
  (global $sortValues (mut i32) (i32.const 0))

  (func $value (param $i i32) (result f64)
    (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))))

  (func $less (param $i i32) (param $j i32) (result i32)
    (f64.lt (call $value (local.get $i)) (call $value (local.get $j))))

  (func $swap (param $i i32) (param $j i32)
    (local $pi i32) (local $pj i32) (local $r i32) (local $v f64)
    (local.set $pi (i32.add (global.get $sortRows) (i32.shl (local.get $i) (i32.const 2))))
    (local.set $pj (i32.add (global.get $sortRows) (i32.shl (local.get $j) (i32.const 2))))
    (local.set $r (i32.load (local.get $pi)))
    (i32.store (local.get $pi) (i32.load (local.get $pj)))
    (i32.store (local.get $pj) (local.get $r))
    (local.set $pi (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3))))
    (local.set $pj (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3))))
    (local.set $v (f64.load (local.get $pi)))
    (f64.store (local.get $pi) (f64.load (local.get $pj)))
    (f64.store (local.get $pj) (local.get $v)))

  ;; Sorts three positions; returns the number of swaps.
  (func $sort3 (param $x i32) (param $y i32) (param $z i32) (result i32)
    (if (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $y) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x) (i32.const 3))))))
      (then
        (if (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $z) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $y) (i32.const 3)))))) (then (return (i32.const 0))))
        (call $swap (local.get $y) (local.get $z))
        (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $y) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x) (i32.const 3)))))
          (then (call $swap (local.get $x) (local.get $y)) (return (i32.const 2))))
        (return (i32.const 1))))
    (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $z) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $y) (i32.const 3)))))
      (then (call $swap (local.get $x) (local.get $z)) (return (i32.const 1))))
    (call $swap (local.get $x) (local.get $y))
    (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $z) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $y) (i32.const 3)))))
      (then (call $swap (local.get $y) (local.get $z)) (return (i32.const 2))))
    (i32.const 1))

  (func $sort4 (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $x4 i32) (result i32)
    (local $swaps i32)
    (local.set $swaps (call $sort3 (local.get $x1) (local.get $x2) (local.get $x3)))
    (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x4) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x3) (i32.const 3)))))
      (then
        (call $swap (local.get $x3) (local.get $x4))
        (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
        (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x3) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x2) (i32.const 3)))))
          (then
            (call $swap (local.get $x2) (local.get $x3))
            (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
            (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x2) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x1) (i32.const 3)))))
              (then
                (call $swap (local.get $x1) (local.get $x2))
                (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))))))))
    (local.get $swaps))

  (func $sort5 (param $x1 i32) (param $x2 i32) (param $x3 i32) (param $x4 i32) (param $x5 i32) (result i32)
    (local $swaps i32)
    (local.set $swaps (call $sort4 (local.get $x1) (local.get $x2) (local.get $x3) (local.get $x4)))
    (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x5) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x4) (i32.const 3)))))
      (then
        (call $swap (local.get $x4) (local.get $x5))
        (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
        (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x4) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x3) (i32.const 3)))))
          (then
            (call $swap (local.get $x3) (local.get $x4))
            (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
            (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x3) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x2) (i32.const 3)))))
              (then
                (call $swap (local.get $x2) (local.get $x3))
                (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
                (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x2) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $x1) (i32.const 3)))))
                  (then
                    (call $swap (local.get $x1) (local.get $x2))
                    (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))))))))))
    (local.get $swaps))

  ;; Insertion sort of [first, last) (at least 3 entries) after sorting the first three; with limit > 0 it gives up
  ;; after that many insertions and returns whether the range ended up sorted anyway.
  (func $insertionSort3 (param $first i32) (param $last i32) (param $limit i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $count i32) (local $tRow i32) (local $tValue f64)
    (local.set $j (i32.add (local.get $first) (i32.const 2)))
    (drop (call $sort3 (local.get $first) (i32.add (local.get $first) (i32.const 1)) (local.get $j)))
    (local.set $i (i32.add (local.get $j) (i32.const 1)))
    (block $done
      (loop $each
        (br_if $done (i32.eq (local.get $i) (local.get $last)))
        (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3)))))
          (then
            (local.set $tRow (i32.load (i32.add (global.get $sortRows) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $tValue (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $k (local.get $j))
            (local.set $j (local.get $i))
            ;; do { a[j] = a[k]; j = k } while (j != first && t < a[--k])
            (block $shifted
              (loop $shift
                (i32.store (i32.add (global.get $sortRows) (i32.shl (local.get $j) (i32.const 2)))
                  (i32.load (i32.add (global.get $sortRows) (i32.shl (local.get $k) (i32.const 2)))))
                (f64.store (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $k) (i32.const 3)))))
                (local.set $j (local.get $k))
                (br_if $shifted (i32.eq (local.get $j) (local.get $first)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br_if $shift (f64.lt (local.get $tValue) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $k) (i32.const 3))))))))
            (i32.store (i32.add (global.get $sortRows) (i32.shl (local.get $j) (i32.const 2))) (local.get $tRow))
            (f64.store (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3))) (local.get $tValue))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (if (i32.eq (local.get $count) (local.get $limit))
              (then (return (i32.eq (i32.add (local.get $i) (i32.const 1)) (local.get $last)))))))
        (local.set $j (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.const 1))

  ;; Sorts a range of at most five entries and returns 1, or returns 0 for a longer range.
  (func $sortSmall (param $first i32) (param $last i32) (result i32)
    (local $len i32)
    (local.set $len (i32.sub (local.get $last) (local.get $first)))
    (if (i32.le_s (local.get $len) (i32.const 1)) (then (return (i32.const 1))))
    (if (i32.eq (local.get $len) (i32.const 2))
      (then
        (if (call $less (i32.sub (local.get $last) (i32.const 1)) (local.get $first))
          (then (call $swap (local.get $first) (i32.sub (local.get $last) (i32.const 1)))))
        (return (i32.const 1))))
    (if (i32.eq (local.get $len) (i32.const 3))
      (then
        (drop (call $sort3 (local.get $first) (i32.add (local.get $first) (i32.const 1)) (i32.sub (local.get $last) (i32.const 1))))
        (return (i32.const 1))))
    (if (i32.eq (local.get $len) (i32.const 4))
      (then
        (drop (call $sort4 (local.get $first) (i32.add (local.get $first) (i32.const 1)) (i32.add (local.get $first) (i32.const 2))
          (i32.sub (local.get $last) (i32.const 1))))
        (return (i32.const 1))))
    (if (i32.eq (local.get $len) (i32.const 5))
      (then
        (drop (call $sort5 (local.get $first) (i32.add (local.get $first) (i32.const 1)) (i32.add (local.get $first) (i32.const 2))
          (i32.add (local.get $first) (i32.const 3)) (i32.sub (local.get $last) (i32.const 1))))
        (return (i32.const 1))))
    (i32.const 0))

  (func $insertionSortIncomplete (param $first i32) (param $last i32) (result i32)
    (if (call $sortSmall (local.get $first) (local.get $last)) (then (return (i32.const 1))))
    (call $insertionSort3 (local.get $first) (local.get $last) (i32.const 8)))

  ;; libc++'s __sort of [first, last): median-of-3 (median-of-5 from 1000 entries) pivot, the guarded partition that
  ;; keeps entries equal to the pivot on its right, insertion sort up to 30 entries, the incomplete insertion sort
  ;; after a partition without swaps, recursion into the smaller part.
  (func $sort (param $first i32) (param $last i32)
    (local $len i32) (local $m i32) (local $lm1 i32) (local $swaps i32) (local $i i32) (local $j i32)
    (local $restart i32) (local $leftSorted i32) (local $quarter i32)
    (loop $restartLoop
      (block $continue
        (local.set $len (i32.sub (local.get $last) (local.get $first)))
        (if (call $sortSmall (local.get $first) (local.get $last)) (then (return)))
        (if (i32.le_s (local.get $len) (i32.const 30))
          (then (drop (call $insertionSort3 (local.get $first) (local.get $last) (i32.const 0))) (return)))
        (local.set $m (i32.add (local.get $first) (i32.shr_s (local.get $len) (i32.const 1))))
        (local.set $lm1 (i32.sub (local.get $last) (i32.const 1)))
        (local.set $quarter (i32.shr_s (local.get $len) (i32.const 2)))
        (local.set $swaps
          (if (result i32) (i32.ge_s (local.get $len) (i32.const 1000))
            (then (call $sort5 (local.get $first) (i32.add (local.get $first) (local.get $quarter)) (local.get $m)
              (i32.add (local.get $m) (local.get $quarter)) (local.get $lm1)))
            (else (call $sort3 (local.get $first) (local.get $m) (local.get $lm1)))))
        (local.set $i (local.get $first))
        (local.set $j (local.get $lm1))
        (local.set $restart (i32.const 0))
        (if (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $m) (i32.const 3))))))
          (then
            ;; *first == *m: look for a guard for the downward scan
            (block $guarded
              (loop $findGuard
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                (if (i32.eq (local.get $i) (local.get $j))
                  (then
                    ;; every entry is >= *first: partition into [first, i) == *first and *first < [i, last)
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (local.set $j (i32.sub (local.get $last) (i32.const 1)))
                    (if (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $first) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3))))))
                      (then
                        (block $found
                          (loop $scan
                            (if (i32.eq (local.get $i) (local.get $j)) (then (return)))
                            (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $first) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))))
                              (then
                                (call $swap (local.get $i) (local.get $j))
                                (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
                                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                                (br $found)))
                            (local.set $i (i32.add (local.get $i) (i32.const 1)))
                            (br $scan)))))
                    (if (i32.eq (local.get $i) (local.get $j)) (then (return)))
                    (block $partitioned
                      (loop $part
                        (block $stopI
                          (loop $advanceI
                            (br_if $stopI (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $first) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3))))))
                            (local.set $i (i32.add (local.get $i) (i32.const 1)))
                            (br $advanceI)))
                        (loop $retreatJ
                          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                          (br_if $retreatJ (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $first) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3)))))))
                        (br_if $partitioned (i32.ge_s (local.get $i) (local.get $j)))
                        (call $swap (local.get $i) (local.get $j))
                        (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br $part)))
                    (local.set $first (local.get $i))
                    (local.set $restart (i32.const 1))
                    (br $guarded)))
                (if (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $m) (i32.const 3)))))
                  (then
                    (call $swap (local.get $i) (local.get $j))
                    (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
                    (br $guarded)))
                (br $findGuard)))))
        (br_if $continue (local.get $restart))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.lt_s (local.get $i) (local.get $j))
          (then
            (block $partitioned2
              (loop $part2
                (block $stopI2
                  (loop $advanceI2
                    (br_if $stopI2 (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $m) (i32.const 3)))))))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $advanceI2)))
                (loop $retreatJ2
                  (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                  (br_if $retreatJ2 (i32.eqz (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $j) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $m) (i32.const 3))))))))
                (br_if $partitioned2 (i32.gt_s (local.get $i) (local.get $j)))
                (call $swap (local.get $i) (local.get $j))
                (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))
                (if (i32.eq (local.get $m) (local.get $i)) (then (local.set $m (local.get $j))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $part2)))))
        (if (i32.and (i32.ne (local.get $i) (local.get $m)) (f64.lt (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $m) (i32.const 3)))) (f64.load (i32.add (global.get $sortValues) (i32.shl (local.get $i) (i32.const 3))))))
          (then
            (call $swap (local.get $i) (local.get $m))
            (local.set $swaps (i32.add (local.get $swaps) (i32.const 1)))))
        (if (i32.eqz (local.get $swaps))
          (then
            ;; a perfect partition: maybe both halves are (nearly) sorted already
            (local.set $leftSorted (call $insertionSortIncomplete (local.get $first) (local.get $i)))
            (if (call $insertionSortIncomplete (i32.add (local.get $i) (i32.const 1)) (local.get $last))
              (then
                (if (local.get $leftSorted) (then (return)))
                (local.set $last (local.get $i))
                (br $continue)))
            (if (local.get $leftSorted)
              (then
                (local.set $first (i32.add (local.get $i) (i32.const 1)))
                (br $continue)))))
        ;; recurse into the smaller part, loop on the larger
        (if (i32.lt_s (i32.sub (local.get $i) (local.get $first)) (i32.sub (local.get $last) (local.get $i)))
          (then
            (call $sort (local.get $first) (local.get $i))
            (local.set $first (i32.add (local.get $i) (i32.const 1))))
          (else
            (call $sort (i32.add (local.get $i) (i32.const 1)) (local.get $last))
            (local.set $last (local.get $i)))))
      (br $restartLoop)))

  ;; Sorts entries [first, last) of the column whose rows and values start at the given byte offsets.
  (func (export "sortColumn") (param $rows i32) (param $values i32) (param $first i32) (param $last i32)
    (global.set $sortRows (local.get $rows))
    (global.set $sortValues (local.get $values))
    (call $sort (local.get $first) (local.get $last)))
)
