;; The MLP's training kernel: WebAssembly text with two-lane f64 SIMD. mlp-kernel.ts loads its assembled bytes
;; (mlp-kernel.wasm, written by `npm run build:wasm`) and lays out its memory; mlp.ts says why training runs in
;; WebAssembly and how its results stay bit-identical to plain loops.
(module
  ;; All arrays are float64 in this memory, at byte offsets set once per fit by init. A batch of m rows is processed
  ;; in blocks of four rows (the last block padded with zero rows, whose output delta is 0); every sum over rows goes
  ;; block by block, in order, each block summed as ((r0 + r1) + r2) + r3. Hidden units are padded to Hp, a multiple
  ;; of 4 (see TrainingKernel). Lanes of every f64x2 operation are independent units, rows or parameters, never two
  ;; terms of one sum, so each number is computed by the same sequence of IEEE operations as the plain loops in the
  ;; comments (test/models/mlp.test.ts keeps them as TypeScript and compares the trained weights).
  ;;
  ;; Why blocks: a block's forward pass, output deltas and backward pass run close together while its inputs and
  ;; activations sit in small buffers that stay in the L1 cache, instead of whole-batch passes through memory (the
  ;; activations of a 200-row batch are 160 KB); the gradients are summed in their arrays, block after block. The
  ;; buffers hold one group of blocks (groupRows rows, see step), slot q for the group's block q:
  ;;   zB  inputs, interleaved: slot q is d*32 bytes, zB[k*4 + r] = z[row r, input k]
  ;;   hB  hidden activations: slot q is Hp*32 bytes, by unit pair, then row: the f64x2 (h[r, j], h[r, j+1]) of pair
  ;;       j = 2p is at byte p*64 + r*16
  ;;   oB, odB  outputs and output deltas d(batch loss)/d(output): slot q is the four rows' values
  (memory (export "memory") 1)

  (global $d (mut i32) (i32.const 0))        ;; inputs
  (global $H (mut i32) (i32.const 0))        ;; hidden units
  (global $Hp (mut i32) (i32.const 0))       ;; hidden units padded to a multiple of 4
  (global $Z (mut i32) (i32.const 0))        ;; the standardized training set, n x d row-major
  (global $y (mut i32) (i32.const 0))        ;; its labels, 0 or 1
  (global $w (mut i32) (i32.const 0))        ;; its row weights
  (global $order (mut i32) (i32.const 0))    ;; i32 row indices, this epoch's order
  (global $weight (mut i32) (i32.const 0))   ;; per batch row: w[r] (for the caller's loss)
  (global $pTrue (mut i32) (i32.const 0))    ;; per batch row: the clipped probability of the true class
  (global $zB (mut i32) (i32.const 0))
  (global $hB (mut i32) (i32.const 0))
  (global $oB (mut i32) (i32.const 0))
  (global $odB (mut i32) (i32.const 0))
  (global $params (mut i32) (i32.const 0))   ;; [w1T (d x Hp) | b1 (Hp) | w2 (Hp) | b2]; w1T[k*Hp + j] = w1[j, k]
  (global $grad (mut i32) (i32.const 0))     ;; the gradients, same layout
  (global $m (mut i32) (i32.const 0))        ;; adam's moments, same layout
  (global $v (mut i32) (i32.const 0))
  (global $nParams (mut i32) (i32.const 0))
  (global $beta1 (mut f64) (f64.const 0))
  (global $c1 (mut f64) (f64.const 0))       ;; 1 - beta1, computed by the caller
  (global $beta2 (mut f64) (f64.const 0))
  (global $c2 (mut f64) (f64.const 0))       ;; 1 - beta2
  (global $eps (mut f64) (f64.const 0))
  (global $lossClip (mut f64) (f64.const 0))
  (global $groupRows (mut i32) (i32.const 0)) ;; rows per group of blocks, a multiple of 4 (see step)

  (func (export "init") (param $d i32) (param $H i32) (param $Hp i32) (param $Z i32) (param $y i32) (param $w i32)
        (param $order i32) (param $weight i32) (param $pTrue i32) (param $zB i32) (param $hB i32) (param $oB i32)
        (param $odB i32) (param $params i32) (param $grad i32) (param $m i32) (param $v i32) (param $nParams i32)
        (param $beta1 f64) (param $c1 f64) (param $beta2 f64) (param $c2 f64) (param $eps f64) (param $lossClip f64)
        (param $groupRows i32)
    (global.set $d (local.get $d)) (global.set $H (local.get $H)) (global.set $Hp (local.get $Hp))
    (global.set $Z (local.get $Z)) (global.set $y (local.get $y)) (global.set $w (local.get $w))
    (global.set $order (local.get $order)) (global.set $weight (local.get $weight)) (global.set $pTrue (local.get $pTrue))
    (global.set $zB (local.get $zB)) (global.set $hB (local.get $hB)) (global.set $oB (local.get $oB))
    (global.set $odB (local.get $odB)) (global.set $params (local.get $params)) (global.set $grad (local.get $grad))
    (global.set $m (local.get $m)) (global.set $v (local.get $v)) (global.set $nParams (local.get $nParams))
    (global.set $beta1 (local.get $beta1)) (global.set $c1 (local.get $c1)) (global.set $beta2 (local.get $beta2))
    (global.set $c2 (local.get $c2)) (global.set $eps (local.get $eps)) (global.set $lossClip (local.get $lossClip))
    (global.set $groupRows (local.get $groupRows)))

  ;; One minibatch, rows order[start .. start+m): returns ||w1||² + ||w2||² of the weights it starts from, sums the
  ;; gradients of the batch loss plus the L2 term l2 * W block by block, then takes one adam step with the
  ;; bias-corrected learning rate lr. The loss's data part is left to the caller (weight and pTrue per row).
  (func (export "step") (param $start i32) (param $m i32) (param $l2 f64) (param $lr f64) (result f64)
    (local $sq f64) (local $b i32) (local $mp i32) (local $end i32) (local $first i32) (local $q i32)
    (local $d i32) (local $Hp i32) (local $dHpB i32) (local $zSlot i32) (local $hSlot i32)
    (local $w1T i32) (local $b1 i32) (local $w2 i32) (local $gw1T i32)
    (local.set $d (global.get $d))
    (local.set $Hp (global.get $Hp))
    (local.set $mp (i32.and (i32.add (local.get $m) (i32.const 3)) (i32.const -4)))
    (local.set $dHpB (i32.shl (i32.mul (local.get $d) (local.get $Hp)) (i32.const 3)))
    (local.set $zSlot (i32.shl (local.get $d) (i32.const 5)))
    (local.set $hSlot (i32.shl (local.get $Hp) (i32.const 5)))
    (local.set $w1T (global.get $params))
    (local.set $b1 (i32.add (local.get $w1T) (local.get $dHpB)))
    (local.set $w2 (i32.add (local.get $b1) (i32.shl (local.get $Hp) (i32.const 3))))
    (local.set $gw1T (global.get $grad))
    (local.set $sq (call $squaredNorm (local.get $w1T) (local.get $w2) (local.get $d) (global.get $H) (local.get $Hp)))
    (call $l2Terms (local.get $w1T) (local.get $gw1T) (local.get $dHpB) (local.get $Hp) (local.get $l2))
    ;; Groups of blocks: first the forward passes (and output deltas) of a group's blocks, then their backward
    ;; passes, so that w1 (read by the forward pass) and gw1 (summed by the backward pass) are not both needed in the
    ;; cache at every block. The backward passes keep the blocks' order, so every sum keeps its order.
    (loop $groups
      (local.set $end (i32.add (local.get $b) (global.get $groupRows)))
      (if (i32.gt_u (local.get $end) (local.get $mp)) (then (local.set $end (local.get $mp))))
      (local.set $first (local.get $b))
      (local.set $q (i32.const 0))
      (loop $forward
        (call $gatherBlock (global.get $Z) (global.get $order) (i32.add (local.get $start) (local.get $b))
          (i32.sub (local.get $m) (local.get $b)) (local.get $d) (i32.add (global.get $zB) (i32.mul (local.get $q) (local.get $zSlot))))
        (call $hiddenBlock (local.get $w1T) (local.get $b1) (local.get $w2)
          (f64.load (i32.add (local.get $w2) (i32.shl (local.get $Hp) (i32.const 3))))
          (i32.add (global.get $zB) (i32.mul (local.get $q) (local.get $zSlot)))
          (i32.add (global.get $hB) (i32.mul (local.get $q) (local.get $hSlot)))
          (i32.add (global.get $oB) (i32.shl (local.get $q) (i32.const 5))) (local.get $d) (global.get $H) (local.get $Hp))
        (call $outputDeltas (i32.add (global.get $oB) (i32.shl (local.get $q) (i32.const 5)))
          (i32.add (global.get $odB) (i32.shl (local.get $q) (i32.const 5)))
          (i32.add (local.get $start) (local.get $b)) (i32.sub (local.get $m) (local.get $b)) (local.get $m)
          (i32.add (global.get $weight) (i32.shl (local.get $b) (i32.const 3)))
          (i32.add (global.get $pTrue) (i32.shl (local.get $b) (i32.const 3))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $forward (i32.lt_u (local.get $b) (local.get $end))))
      (local.set $b (local.get $first))
      (local.set $q (i32.const 0))
      (loop $backward
        (call $backwardBlock (local.get $w2) (i32.add (global.get $hB) (i32.mul (local.get $q) (local.get $hSlot)))
          (i32.add (global.get $odB) (i32.shl (local.get $q) (i32.const 5)))
          (i32.add (global.get $zB) (i32.mul (local.get $q) (local.get $zSlot)))
          (local.get $gw1T) (i32.add (local.get $gw1T) (local.get $dHpB)) (local.get $d) (local.get $Hp))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $backward (i32.lt_u (local.get $b) (local.get $end))))
      (br_if $groups (i32.lt_u (local.get $b) (local.get $mp))))
    (call $adam (global.get $params) (global.get $grad) (global.get $m) (global.get $v) (global.get $nParams)
      (local.get $lr) (global.get $beta1) (global.get $c1) (global.get $beta2) (global.get $c2) (global.get $eps))
    (local.get $sq))

  ;; s = 0 + w1[0, 0]*w1[0, 0] + w1[0, 1]*w1[0, 1] + ... (w1 row by row, H x d order) + w2[0]*w2[0] + ... (H units),
  ;; one sum in the plain loop's order (it is the L2 term of the loss).
  (func $squaredNorm (param $w1T i32) (param $w2 i32) (param $d i32) (param $H i32) (param $Hp i32) (result f64)
    (local $s f64) (local $x f64) (local $j i32) (local $k i32) (local $p i32) (local $HpB i32)
    (local.set $HpB (i32.shl (local.get $Hp) (i32.const 3)))
    (loop $units
      (local.set $p (i32.add (local.get $w1T) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $k (local.get $d))
      (loop $inputs
        (local.set $x (f64.load (local.get $p)))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (local.get $HpB)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $inputs (local.get $k)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $units (i32.lt_u (local.get $j) (local.get $H))))
    (local.set $j (i32.const 0))
    (loop $outputs
      (local.set $x (f64.load (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $outputs (i32.lt_u (local.get $j) (local.get $H))))
    (local.get $s))

  ;; The gradients' starting values (the blocks add their sums to them): gw1 = l2*w1, gb1 = 0, gw2 = l2*w2, gb2 = 0,
  ;; over the parameter block [w1T | b1 | w2 | b2] and the gradient block of the same layout.
  (func $l2Terms (param $params i32) (param $grad i32) (param $dHpB i32) (param $Hp i32) (param $l2 f64)
    (local $at i32) (local $end i32) (local $HpB i32) (local $l2v v128)
    (local.set $l2v (f64x2.splat (local.get $l2)))
    (local.set $HpB (i32.shl (local.get $Hp) (i32.const 3)))
    (local.set $end (local.get $dHpB))
    (loop $w1
      (v128.store (i32.add (local.get $grad) (local.get $at))
        (f64x2.mul (local.get $l2v) (v128.load (i32.add (local.get $params) (local.get $at)))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $w1 (i32.lt_u (local.get $at) (local.get $end))))
    (local.set $end (i32.add (local.get $end) (local.get $HpB)))
    (loop $b1
      (v128.store (i32.add (local.get $grad) (local.get $at)) (v128.const i64x2 0 0))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $b1 (i32.lt_u (local.get $at) (local.get $end))))
    (local.set $end (i32.add (local.get $end) (local.get $HpB)))
    (loop $w2
      (v128.store (i32.add (local.get $grad) (local.get $at))
        (f64x2.mul (local.get $l2v) (v128.load (i32.add (local.get $params) (local.get $at)))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $w2 (i32.lt_u (local.get $at) (local.get $end))))
    (f64.store (i32.add (local.get $grad) (local.get $at)) (f64.const 0)))

  ;; A block's inputs: zB <- the rows order[first], order[first + 1], ... of Z, interleaved (zB[k*4 + r] = Z[row r, k]);
  ;; when fewer than four rows are left (left < 4), the others are zero rows.
  (func $gatherBlock (param $Z i32) (param $order i32) (param $first i32) (param $left i32) (param $d i32) (param $zB i32)
    (local $r i32) (local $k i32) (local $src i32) (local $dst i32)
    (loop $rows
      (local.set $dst (i32.add (local.get $zB) (i32.shl (local.get $r) (i32.const 3))))
      (local.set $k (local.get $d))
      (if (i32.lt_s (local.get $r) (local.get $left))
        (then
          (local.set $src (i32.add (local.get $Z) (i32.mul (i32.shl (local.get $d) (i32.const 3))
            (i32.load (i32.add (local.get $order) (i32.shl (i32.add (local.get $first) (local.get $r)) (i32.const 2)))))))
          (loop $copy
            (i64.store (local.get $dst) (i64.load (local.get $src)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $copy (local.get $k))))
        (else
          (loop $zero
            (i64.store (local.get $dst) (i64.const 0))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $zero (local.get $k)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $r) (i32.const 4)))))

  ;; Forward pass of the block: for every unit j (lanes = units j, j+1; four units per pass, so each weight pair is
  ;; loaded once for four rows and each input once for four units),
  ;;   h[r, j] = relu(b1[j] + w1[j, 0]*z[r, 0] + w1[j, 1]*z[r, 1] + ...)      (sum over k in order) into hB,
  ;; and, from the activations still in registers (lanes = rows r, r+1), the outputs
  ;;   out[r] = b2 + h[r, 0]*w2[0] + h[r, 1]*w2[1] + ...                       (over the H real units, in order) into oB.
  (func $hiddenBlock (param $w1T i32) (param $b1 i32) (param $w2 i32) (param $b2 f64) (param $zB i32) (param $hB i32)
        (param $oB i32) (param $d i32) (param $H i32) (param $Hp i32)
    (local $j i32) (local $k i32) (local $zp i32) (local $wp i32) (local $hp i32) (local $HpB i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128)
    (local $a30 v128) (local $a31 v128) (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local $wa v128) (local $wb v128) (local $o01 v128) (local $o23 v128)
    (local.set $HpB (i32.shl (local.get $Hp) (i32.const 3)))
    (local.set $hp (local.get $hB))
    (local.set $o01 (f64x2.splat (local.get $b2)))
    (local.set $o23 (local.get $o01))
    (loop $tiles
      ;; $a<r><p>: row r, pair p of the four units (units j + 2p, j + 2p + 1)
      (local.set $wp (i32.add (local.get $b1) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $a00 (v128.load (local.get $wp)))
      (local.set $a01 (v128.load offset=16 (local.get $wp)))
      (local.set $a10 (local.get $a00)) (local.set $a20 (local.get $a00)) (local.set $a30 (local.get $a00))
      (local.set $a11 (local.get $a01)) (local.set $a21 (local.get $a01)) (local.set $a31 (local.get $a01))
      (local.set $zp (local.get $zB))
      (local.set $wp (i32.add (local.get $w1T) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $k (local.get $d))
      (loop $inputs
        (local.set $z0 (v128.load64_splat (local.get $zp)))
        (local.set $z1 (v128.load64_splat offset=8 (local.get $zp)))
        (local.set $z2 (v128.load64_splat offset=16 (local.get $zp)))
        (local.set $z3 (v128.load64_splat offset=24 (local.get $zp)))
        (local.set $wa (v128.load (local.get $wp)))
        (local.set $wb (v128.load offset=16 (local.get $wp)))
        (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $wa) (local.get $z0))))
        (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $wb) (local.get $z0))))
        (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $wa) (local.get $z1))))
        (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $wb) (local.get $z1))))
        (local.set $a20 (f64x2.add (local.get $a20) (f64x2.mul (local.get $wa) (local.get $z2))))
        (local.set $a21 (f64x2.add (local.get $a21) (f64x2.mul (local.get $wb) (local.get $z2))))
        (local.set $a30 (f64x2.add (local.get $a30) (f64x2.mul (local.get $wa) (local.get $z3))))
        (local.set $a31 (f64x2.add (local.get $a31) (f64x2.mul (local.get $wb) (local.get $z3))))
        (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
        (local.set $wp (i32.add (local.get $wp) (local.get $HpB)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $inputs (local.get $k)))
      ;; relu: f64x2.pmax(0, s) is "0 < s ? s : 0", the same as "s > 0 ? s : 0"
      (local.set $a00 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a00)))
      (local.set $a10 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a10)))
      (local.set $a20 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a20)))
      (local.set $a30 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a30)))
      (local.set $a01 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a01)))
      (local.set $a11 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a11)))
      (local.set $a21 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a21)))
      (local.set $a31 (f64x2.pmax (v128.const i64x2 0 0) (local.get $a31)))
      (v128.store (local.get $hp) (local.get $a00))
      (v128.store offset=16 (local.get $hp) (local.get $a10))
      (v128.store offset=32 (local.get $hp) (local.get $a20))
      (v128.store offset=48 (local.get $hp) (local.get $a30))
      (v128.store offset=64 (local.get $hp) (local.get $a01))
      (v128.store offset=80 (local.get $hp) (local.get $a11))
      (v128.store offset=96 (local.get $hp) (local.get $a21))
      (v128.store offset=112 (local.get $hp) (local.get $a31))
      ;; The outputs, one unit at a time: unit j of rows 0 and 1 is lane 0 of $a00 and $a10 (an unpack-low
      ;; shuffle), unit j + 1 lane 1 (unpack-high). Padding units (j >= H) are left out.
      (local.set $wp (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $wa (v128.load64_splat (local.get $wp)))
      (local.set $o01 (f64x2.add (local.get $o01) (f64x2.mul
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a00) (local.get $a10)) (local.get $wa))))
      (local.set $o23 (f64x2.add (local.get $o23) (f64x2.mul
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a20) (local.get $a30)) (local.get $wa))))
      (if (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $H))
        (then
          (local.set $wa (v128.load64_splat offset=8 (local.get $wp)))
          (local.set $o01 (f64x2.add (local.get $o01) (f64x2.mul
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a00) (local.get $a10)) (local.get $wa))))
          (local.set $o23 (f64x2.add (local.get $o23) (f64x2.mul
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a20) (local.get $a30)) (local.get $wa))))))
      (if (i32.lt_u (i32.add (local.get $j) (i32.const 2)) (local.get $H))
        (then
          (local.set $wa (v128.load64_splat offset=16 (local.get $wp)))
          (local.set $o01 (f64x2.add (local.get $o01) (f64x2.mul
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a01) (local.get $a11)) (local.get $wa))))
          (local.set $o23 (f64x2.add (local.get $o23) (f64x2.mul
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a21) (local.get $a31)) (local.get $wa))))))
      (if (i32.lt_u (i32.add (local.get $j) (i32.const 3)) (local.get $H))
        (then
          (local.set $wa (v128.load64_splat offset=24 (local.get $wp)))
          (local.set $o01 (f64x2.add (local.get $o01) (f64x2.mul
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a01) (local.get $a11)) (local.get $wa))))
          (local.set $o23 (f64x2.add (local.get $o23) (f64x2.mul
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a21) (local.get $a31)) (local.get $wa))))))
      (local.set $hp (i32.add (local.get $hp) (i32.const 128)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br_if $tiles (i32.lt_u (local.get $j) (local.get $Hp))))
    (v128.store (local.get $oB) (local.get $o01))
    (v128.store offset=16 (local.get $oB) (local.get $o23)))

  ;; The block's output deltas (mlp.ts's per-row loss terms): for its rows i < left (the others are padding,
  ;; odB[i] = 0), with r = order[first + i], x = oB[i] and label t = y[r],
  ;;   prob = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))      (the sigmoid, exp bit for bit Math.exp)
  ;;   pc = min(max(prob, lossClip), 1 - lossClip)
  ;;   pTrue[i] = t ? pc : 1 - pc;  weight[i] = w[r]                  (the caller sums -weight * log(pTrue))
  ;;   odB[i] = (w[r] * (prob - t)) / m
  (func $outputDeltas (param $oB i32) (param $odB i32) (param $first i32) (param $left i32) (param $m i32)
        (param $weight i32) (param $pTrue i32)
    (local $i i32) (local $r i32) (local $x f64) (local $e f64) (local $prob f64) (local $pc f64) (local $t f64) (local $wr f64)
    (loop $rows
      (if (i32.lt_s (local.get $i) (local.get $left))
        (then
          (local.set $r (i32.load (i32.add (global.get $order) (i32.shl (i32.add (local.get $first) (local.get $i)) (i32.const 2)))))
          (local.set $x (f64.load (i32.add (local.get $oB) (i32.shl (local.get $i) (i32.const 3)))))
          (if (f64.ge (local.get $x) (f64.const 0))
            (then (local.set $prob (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.neg (local.get $x)))))))
            (else
              (local.set $e (call $exp (local.get $x)))
              (local.set $prob (f64.div (local.get $e) (f64.add (f64.const 1) (local.get $e))))))
          (local.set $pc (f64.min (f64.max (local.get $prob) (global.get $lossClip)) (f64.sub (f64.const 1) (global.get $lossClip))))
          (local.set $t (f64.load (i32.add (global.get $y) (i32.shl (local.get $r) (i32.const 3)))))
          (local.set $wr (f64.load (i32.add (global.get $w) (i32.shl (local.get $r) (i32.const 3)))))
          (f64.store (i32.add (local.get $pTrue) (i32.shl (local.get $i) (i32.const 3)))
            (select (local.get $pc) (f64.sub (f64.const 1) (local.get $pc)) (f64.ne (local.get $t) (f64.const 0))))
          (f64.store (i32.add (local.get $weight) (i32.shl (local.get $i) (i32.const 3))) (local.get $wr))
          (f64.store (i32.add (local.get $odB) (i32.shl (local.get $i) (i32.const 3)))
            (f64.div (f64.mul (local.get $wr) (f64.sub (local.get $prob) (local.get $t))) (f64.convert_i32_u (local.get $m)))))
        (else (f64.store (i32.add (local.get $odB) (i32.shl (local.get $i) (i32.const 3))) (f64.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (i32.const 4)))))

  ;; Backward pass of the block, with od_r = odB[r] and h_r = h[r, j] (lanes = units; four units per pass):
  ;;   delta[r, j] = h_r > 0 ? od_r*w2[j] : 0              (an inactive ReLU passes no gradient back)
  ;;   gw2[j] += ((od0*h0 + od1*h1) + od2*h2) + od3*h3
  ;;   gb1[j] += ((delta0 + delta1) + delta2) + delta3
  ;;   gw1[j, k] += ((delta0*z0k + delta1*z1k) + delta2*z2k) + delta3*z3k      for every input k
  ;;   gb2 += ((od0 + od1) + od2) + od3
  ;; The four units' deltas stay in registers for all inputs k, and each gradient sum is carried in its array from
  ;; block to block (a load and a store per sum and block: cheaper than reloading the deltas for every input, which
  ;; a pass over all blocks per (unit, input) tile would need; 5.2 against 4.0 G multiply-adds/s).
  ;; An earlier kernel skipped, for each unit, the blocks whose four deltas are all zero. Such a block adds zeros,
  ;; which leave any non-zero sum unchanged and can at most flip the sign of a zero gradient; adam's update is the
  ;; same for +0 and -0 gradients (m and v start at +0 and the parameters are never -0), so the weights are the same.
  (func $backwardBlock (param $w2 i32) (param $hB i32) (param $odB i32) (param $zB i32) (param $gw1T i32) (param $gb1 i32)
        (param $d i32) (param $Hp i32)
    (local $j i32) (local $k i32) (local $hp i32) (local $gp i32) (local $zp i32) (local $HpB i32) (local $gw2 i32)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128) (local $w v128)
    (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
    (local $e00 v128) (local $e01 v128) (local $e02 v128) (local $e03 v128) (local $e10 v128) (local $e11 v128)
    (local $e12 v128) (local $e13 v128) (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local.set $HpB (i32.shl (local.get $Hp) (i32.const 3)))
    (local.set $gw2 (i32.add (local.get $gb1) (local.get $HpB)))
    ;; gb2, after gw2 in the gradient block
    (local.set $gp (i32.add (local.get $gw2) (local.get $HpB)))
    (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (f64.add (f64.add (f64.add
      (f64.load (local.get $odB)) (f64.load offset=8 (local.get $odB))) (f64.load offset=16 (local.get $odB)))
      (f64.load offset=24 (local.get $odB)))))
    (local.set $hp (local.get $hB))
    (loop $units
      ;; $e<p><r>: the delta of row r for pair p of the four units j .. j+3; pair 0 first, then pair 1
      (local.set $o0 (v128.load64_splat (local.get $odB)))
      (local.set $o1 (v128.load64_splat offset=8 (local.get $odB)))
      (local.set $o2 (v128.load64_splat offset=16 (local.get $odB)))
      (local.set $o3 (v128.load64_splat offset=24 (local.get $odB)))
      (local.set $w (v128.load (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $h0 (v128.load (local.get $hp)))
      (local.set $h1 (v128.load offset=16 (local.get $hp)))
      (local.set $h2 (v128.load offset=32 (local.get $hp)))
      (local.set $h3 (v128.load offset=48 (local.get $hp)))
      (local.set $gp (i32.add (local.get $gw2) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store (local.get $gp) (f64x2.add (v128.load (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
        (f64x2.mul (local.get $o0) (local.get $h0)) (f64x2.mul (local.get $o1) (local.get $h1)))
        (f64x2.mul (local.get $o2) (local.get $h2))) (f64x2.mul (local.get $o3) (local.get $h3)))))
      ;; h > 0 ? od*w : +0 as a bit mask, not a branch: a data-dependent branch here mispredicts half the time
      (local.set $e00 (v128.and (f64x2.mul (local.get $o0) (local.get $w)) (f64x2.gt (local.get $h0) (v128.const i64x2 0 0))))
      (local.set $e01 (v128.and (f64x2.mul (local.get $o1) (local.get $w)) (f64x2.gt (local.get $h1) (v128.const i64x2 0 0))))
      (local.set $e02 (v128.and (f64x2.mul (local.get $o2) (local.get $w)) (f64x2.gt (local.get $h2) (v128.const i64x2 0 0))))
      (local.set $e03 (v128.and (f64x2.mul (local.get $o3) (local.get $w)) (f64x2.gt (local.get $h3) (v128.const i64x2 0 0))))
      (local.set $gp (i32.add (local.get $gb1) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store (local.get $gp) (f64x2.add (v128.load (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
        (local.get $e00) (local.get $e01)) (local.get $e02)) (local.get $e03))))
      (local.set $w (v128.load offset=16 (i32.add (local.get $w2) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $h0 (v128.load offset=64 (local.get $hp)))
      (local.set $h1 (v128.load offset=80 (local.get $hp)))
      (local.set $h2 (v128.load offset=96 (local.get $hp)))
      (local.set $h3 (v128.load offset=112 (local.get $hp)))
      (local.set $gp (i32.add (local.get $gw2) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store offset=16 (local.get $gp) (f64x2.add (v128.load offset=16 (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
        (f64x2.mul (local.get $o0) (local.get $h0)) (f64x2.mul (local.get $o1) (local.get $h1)))
        (f64x2.mul (local.get $o2) (local.get $h2))) (f64x2.mul (local.get $o3) (local.get $h3)))))
      (local.set $e10 (v128.and (f64x2.mul (local.get $o0) (local.get $w)) (f64x2.gt (local.get $h0) (v128.const i64x2 0 0))))
      (local.set $e11 (v128.and (f64x2.mul (local.get $o1) (local.get $w)) (f64x2.gt (local.get $h1) (v128.const i64x2 0 0))))
      (local.set $e12 (v128.and (f64x2.mul (local.get $o2) (local.get $w)) (f64x2.gt (local.get $h2) (v128.const i64x2 0 0))))
      (local.set $e13 (v128.and (f64x2.mul (local.get $o3) (local.get $w)) (f64x2.gt (local.get $h3) (v128.const i64x2 0 0))))
      (local.set $gp (i32.add (local.get $gb1) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store offset=16 (local.get $gp) (f64x2.add (v128.load offset=16 (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
        (local.get $e10) (local.get $e11)) (local.get $e12)) (local.get $e13))))
      ;; gw1, input by input
      (local.set $zp (local.get $zB))
      (local.set $gp (i32.add (local.get $gw1T) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $k (local.get $d))
      (loop $inputs
        (local.set $z0 (v128.load64_splat (local.get $zp)))
        (local.set $z1 (v128.load64_splat offset=8 (local.get $zp)))
        (local.set $z2 (v128.load64_splat offset=16 (local.get $zp)))
        (local.set $z3 (v128.load64_splat offset=24 (local.get $zp)))
        (v128.store (local.get $gp) (f64x2.add (v128.load (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $e00) (local.get $z0)) (f64x2.mul (local.get $e01) (local.get $z1)))
          (f64x2.mul (local.get $e02) (local.get $z2))) (f64x2.mul (local.get $e03) (local.get $z3)))))
        (v128.store offset=16 (local.get $gp) (f64x2.add (v128.load offset=16 (local.get $gp)) (f64x2.add (f64x2.add (f64x2.add
          (f64x2.mul (local.get $e10) (local.get $z0)) (f64x2.mul (local.get $e11) (local.get $z1)))
          (f64x2.mul (local.get $e12) (local.get $z2))) (f64x2.mul (local.get $e13) (local.get $z3)))))
        (local.set $zp (i32.add (local.get $zp) (i32.const 32)))
        (local.set $gp (i32.add (local.get $gp) (local.get $HpB)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $inputs (local.get $k)))
      (local.set $hp (i32.add (local.get $hp) (i32.const 128)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br_if $units (i32.lt_u (local.get $j) (local.get $Hp)))))

  ;; Adam on n parameters:  m = beta1*m + c1*g;  v = beta2*v + (c2*g)*g;  p = p - (lr*m) / (sqrt(v) + eps)
  ;; with c1 = 1 - beta1 and c2 = 1 - beta2 computed by the caller. Lanes are parameters.
  (func $adam (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
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
)
