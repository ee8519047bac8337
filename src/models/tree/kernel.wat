;; The tree engine's kernels. kernel.ts loads their assembled bytes (kernel.wasm, written by `npm run build:wasm`)
;; and holds their memory; histogram.ts, split.ts and grower.ts keep the JavaScript loops that each kernel equals bit
;; for bit. The @generated regions are put together from templates in scripts/wasm/tree-kernel-templates.ts.
(module
  ;; A histogram's bin b is three float64 at byte offset at + 24*b: G (gradient sum), H (hessian sum), C (row count).
  ;; An occupancy bitmap is i32 words, bit j of word w standing for bit 32*w + j.
  (memory (export "memory") 1)
  (global $G (mut f64) (f64.const 0))
  (global $H (mut f64) (f64.const 0))
  (global $C (mut f64) (f64.const 0))
  (global $ps (mut f64) (f64.const 0))
  (global $l2 (mut f64) (f64.const 0))
  (global $minLeaf (mut f64) (f64.const 0))
  (global $minHess (mut f64) (f64.const 0))
  ;; A scan returns the best bin it found (-1 if none beat the gain it was given) and, when it found one, stores its
  ;; gain at byte 0 and the rows it sends left at byte 8 of the memory. Bytes 0-63 are reserved for results.

  ;; ---- Row data and histogram builds (histogram.ts addRows, markOccupied) ------------------------------------
  ;; The context, set once per GrowContext: row-major slots (u16, nF per row) at $slots, feature-major bin codes (u8,
  ;; $n per feature) at $codes, the rows' statistics (g, h, w as f64) at $stats, the tree's row list (i32) at $rows
  ;; and room for $n more row numbers at $tmp.
  (global $slots (mut i32) (i32.const 0))
  (global $codes (mut i32) (i32.const 0))
  (global $nF (mut i32) (i32.const 0))
  (global $n (mut i32) (i32.const 0))
  (global $stats (mut i32) (i32.const 0))
  (global $rows (mut i32) (i32.const 0))
  (global $tmp (mut i32) (i32.const 0))

  (func (export "setup") (param $slots i32) (param $codes i32) (param $nF i32) (param $n i32) (param $stats i32) (param $rows i32) (param $tmp i32)
    (global.set $slots (local.get $slots))
    (global.set $codes (local.get $codes))
    (global.set $nF (local.get $nF))
    (global.set $n (local.get $n))
    (global.set $stats (local.get $stats))
    (global.set $rows (local.get $rows))
    (global.set $tmp (local.get $tmp)))

  ;; grower.ts TreeGrower.partition: the stable partition of rows[start, end) by "goes left" (code <= bin, or the
  ;; missing bin when missing values go left), summing g, h and w of each side in row order. Branch-free: each row is
  ;; written to both outputs and only the chosen one advances; each sum adds the row's value or +0 (which leaves a
  ;; sum unchanged: sums start at +0 and never become -0). Stores gL hL wL gR hR wR at bytes 16-63, returns the
  ;; number of rows sent left.
  (func (export "partition") (param $start i32) (param $end i32) (param $feature i32) (param $bin i32) (param $missingBin i32) (param $missingLeft i32) (result i32)
    (local $col i32) (local $rp i32) (local $rend i32) (local $wp i32) (local $tp i32) (local $i i32) (local $b i32) (local $left i32) (local $sp i32)
    (local $g f64) (local $h f64) (local $wt f64) (local $gL f64) (local $hL f64) (local $wL f64) (local $gR f64) (local $hR f64) (local $wR f64)
    (local.set $col (i32.add (global.get $codes) (i32.mul (local.get $feature) (global.get $n))))
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (local.set $wp (local.get $rp))
    (local.set $tp (global.get $tmp))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $i))))
        (local.set $left (select (local.get $missingLeft) (i32.le_u (local.get $b) (local.get $bin))
          (i32.eq (local.get $b) (local.get $missingBin))))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $sp)))
        (local.set $h (f64.load offset=8 (local.get $sp)))
        (local.set $wt (f64.load offset=16 (local.get $sp)))
        (i32.store (local.get $wp) (local.get $i))
        (i32.store (local.get $tp) (local.get $i))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $left) (i32.const 2))))
        (local.set $tp (i32.add (local.get $tp) (i32.shl (i32.sub (i32.const 1) (local.get $left)) (i32.const 2))))
        (local.set $gL (f64.add (local.get $gL) (select (local.get $g) (f64.const 0) (local.get $left))))
        (local.set $hL (f64.add (local.get $hL) (select (local.get $h) (f64.const 0) (local.get $left))))
        (local.set $wL (f64.add (local.get $wL) (select (local.get $wt) (f64.const 0) (local.get $left))))
        (local.set $gR (f64.add (local.get $gR) (select (f64.const 0) (local.get $g) (local.get $left))))
        (local.set $hR (f64.add (local.get $hR) (select (f64.const 0) (local.get $h) (local.get $left))))
        (local.set $wR (f64.add (local.get $wR) (select (f64.const 0) (local.get $wt) (local.get $left))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row)))
    ;; The right rows follow the left ones.
    (local.set $rp (global.get $tmp))
    (local.set $i (local.get $wp))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $rp) (local.get $tp)))
        (i32.store (local.get $i) (i32.load (local.get $rp)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $copy)))
    (f64.store (i32.const 16) (local.get $gL))
    (f64.store (i32.const 24) (local.get $hL))
    (f64.store (i32.const 32) (local.get $wL))
    (f64.store (i32.const 40) (local.get $gR))
    (f64.store (i32.const 48) (local.get $hR))
    (f64.store (i32.const 56) (local.get $wR))
    (i32.shr_u (i32.sub (local.get $wp) (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2)))) (i32.const 2)))

  ;; @generated-begin tree-histogram-builds (edit scripts/wasm/tree-kernel-templates.ts, then npm run build:wasm)
  ;; For the rows rows[start, end), in order: G += g, H += h, C += 1 at the slot of each feature of the row.
  (func (export "buildDense") (param $hist i32) (param $start i32) (param $end i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $g f64) (local $h f64) (local $sp i32) (local $send i32) (local $o i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $o (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $o)))
        (local.set $h (f64.load offset=8 (local.get $o)))
        (local.set $sp (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
        (local.set $send (i32.add (local.get $sp) (i32.shl (global.get $nF) (i32.const 1))))
        (block $rowDone
          (loop $feature
            (br_if $rowDone (i32.ge_u (local.get $sp) (local.get $send)))
            (local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
            (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
            (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
            (local.set $sp (i32.add (local.get $sp) (i32.const 2)))
            (br $feature)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row))))

  ;; buildDense, also setting each touched slot's bit in the bitmap at $map.
  (func (export "buildMarking") (param $hist i32) (param $map i32) (param $start i32) (param $end i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $g f64) (local $h f64) (local $sp i32) (local $send i32) (local $o i32)
    (local $s i32) (local $wa i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $o (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $o)))
        (local.set $h (f64.load offset=8 (local.get $o)))
        (local.set $sp (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
        (local.set $send (i32.add (local.get $sp) (i32.shl (global.get $nF) (i32.const 1))))
        (block $rowDone
          (loop $feature
            (br_if $rowDone (i32.ge_u (local.get $sp) (local.get $send)))
            (local.set $s (i32.load16_u (local.get $sp)))
            (local.set $o (i32.add (local.get $hist) (i32.mul (local.get $s) (i32.const 24))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
            (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
            (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
            (local.set $wa (i32.add (local.get $map) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
            (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 2)))
            (br $feature)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row))))

  ;; buildDense without the counts (G and H only).
  (func (export "buildGH") (param $hist i32) (param $start i32) (param $end i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $g f64) (local $h f64) (local $sp i32) (local $send i32) (local $o i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $o (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $o)))
        (local.set $h (f64.load offset=8 (local.get $o)))
        (local.set $sp (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
        (local.set $send (i32.add (local.get $sp) (i32.shl (global.get $nF) (i32.const 1))))
        (block $rowDone
          (loop $feature
            (br_if $rowDone (i32.ge_u (local.get $sp) (local.get $send)))
            (local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
            (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
            (local.set $sp (i32.add (local.get $sp) (i32.const 2)))
            (br $feature)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row))))
  ;; @generated-end tree-histogram-builds

  ;; The bitmap at $map from the counts: bit s set exactly when slot s has rows.
  (func (export "markOccupied") (param $hist i32) (param $map i32) (param $nSlots i32)
    (local $s i32) (local $bits i32) (local $o i32)
    (block $done
      (loop $slot
        (br_if $done (i32.ge_u (local.get $s) (local.get $nSlots)))
        (if (f64.ne (f64.load offset=16 (local.get $hist)) (f64.const 0))
          (then (local.set $bits (i32.or (local.get $bits) (i32.shl (i32.const 1) (local.get $s))))))
        (local.set $hist (i32.add (local.get $hist) (i32.const 24)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $s) (i32.const 31)))
          (then
            (i32.store (local.get $map) (local.get $bits))
            (local.set $map (i32.add (local.get $map) (i32.const 4)))
            (local.set $bits (i32.const 0))))
        (br $slot)))
    (if (i32.and (local.get $nSlots) (i32.const 31)) (then (i32.store (local.get $map) (local.get $bits)))))

  ;; ---- Sampled features (RandomForest: histogram.ts buildFeatureHistograms, clearFeatureHistogram) ----------
  ;; One feature f of rows[start, end) into the histogram whose slot 0 is at $sums (the feature's slots start at slot
  ;; $first), setting bit (slot - first) of the 8 words at $marks for every occupied bin.
  (func (export "featureBuild") (param $sums i32) (param $marks i32) (param $start i32) (param $end i32) (param $f i32) (param $first i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $sp i32) (local $s i32) (local $o i32) (local $wa i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $s (i32.load16_u (i32.add (global.get $slots)
          (i32.shl (i32.add (i32.mul (local.get $i) (global.get $nF)) (local.get $f)) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.load (local.get $sp))))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (f64.load offset=8 (local.get $sp))))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first)))
        (local.set $wa (i32.add (local.get $marks) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row))))

  ;; featureBuild for four features in one pass over the rows (marks blocks of 8 words at $marks, +32, +64, +96).
  (func (export "featureBuild4") (param $sums i32) (param $marks i32) (param $start i32) (param $end i32)
    (param $f0 i32) (param $f1 i32) (param $f2 i32) (param $f3 i32)
    (param $first0 i32) (param $first1 i32) (param $first2 i32) (param $first3 i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $sp i32) (local $row i32) (local $g f64) (local $h f64)
    (local $s i32) (local $o i32) (local $wa i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $sp)))
        (local.set $h (f64.load offset=8 (local.get $sp)))
        (local.set $row (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
        ;; @generated-begin tree-feature-build4 (edit scripts/wasm/tree-kernel-templates.ts, then npm run build:wasm)
        (local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f0) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first0)))
        (local.set $wa (i32.add (local.get $marks) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        (local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f1) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first1)))
        (local.set $wa (i32.add (i32.add (local.get $marks) (i32.const 32)) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        (local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f2) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first2)))
        (local.set $wa (i32.add (i32.add (local.get $marks) (i32.const 64)) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        (local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f3) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first3)))
        (local.set $wa (i32.add (i32.add (local.get $marks) (i32.const 96)) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        ;; @generated-end tree-feature-build4
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $rowLoop))))

  ;; Zeroes the marked bins of one feature (its slots start at $first in the histogram at $sums) and its 8 words of
  ;; marks.
  (func (export "featureClear") (param $sums i32) (param $marks i32) (param $first i32)
    (local $w i32) (local $bits i32) (local $o i32)
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $w) (i32.const 8)))
        (local.set $bits (i32.load (i32.add (local.get $marks) (i32.shl (local.get $w) (i32.const 2)))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $o (i32.add (local.get $sums) (i32.mul (i32.add (local.get $first)
              (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits)))) (i32.const 24))))
            (f64.store (local.get $o) (f64.const 0))
            (f64.store offset=8 (local.get $o) (f64.const 0))
            (f64.store offset=16 (local.get $o) (f64.const 0))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (i32.store (i32.add (local.get $marks) (i32.shl (local.get $w) (i32.const 2))) (i32.const 0))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $words))))

  ;; grower.ts scanSmallNode's compaction: sorts rows[start, end) by their code of feature f (insertion sort of keys
  ;; code * 256 + position at $keys: unique keys, so ties keep row order), then sums each occupied bin's rows into
  ;; consecutive slots of the compact histogram at $compact (bin codes to $binOfSlot), missing bin last. Returns the
  ;; number of value slots.
  (func (export "smallNode") (param $start i32) (param $end i32) (param $f i32) (param $missingBin i32)
    (param $keys i32) (param $compact i32) (param $binOfSlot i32) (result i32)
    (local $n i32) (local $col i32) (local $k i32) (local $j i32) (local $key i32) (local $slots i32) (local $code i32)
    (local $i i32) (local $sp i32) (local $g f64) (local $h f64) (local $c f64) (local $o i32)
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (local.set $col (i32.add (global.get $codes) (i32.mul (local.get $f) (global.get $n))))
    (block $sorted
      (loop $insert
        (br_if $sorted (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $key (i32.add
          (i32.shl (i32.load8_u (i32.add (local.get $col)
            (i32.load (i32.add (global.get $rows) (i32.shl (i32.add (local.get $start) (local.get $k)) (i32.const 2)))))) (i32.const 8))
          (local.get $k)))
        (local.set $j (i32.sub (local.get $k) (i32.const 1)))
        (block $placed
          (loop $shift
            (br_if $placed (i32.lt_s (local.get $j) (i32.const 0)))
            (br_if $placed (i32.le_s (i32.load (i32.add (local.get $keys) (i32.shl (local.get $j) (i32.const 2)))) (local.get $key)))
            (i32.store (i32.add (local.get $keys) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))
              (i32.load (i32.add (local.get $keys) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $shift)))
        (i32.store (i32.add (local.get $keys) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2))) (local.get $key))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $insert)))
    (local.set $k (i32.const 0))
    (block $valuesDone
      (loop $slot
        (br_if $valuesDone (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $code (i32.shr_u (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 8)))
        (br_if $valuesDone (i32.eq (local.get $code) (local.get $missingBin)))
        (local.set $g (f64.const 0)) (local.set $h (f64.const 0)) (local.set $c (f64.const 0))
        (block $binDone
          (loop $inBin
            (br_if $binDone (i32.ge_s (local.get $k) (local.get $n)))
            (local.set $key (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))))
            (br_if $binDone (i32.ne (i32.shr_u (local.get $key) (i32.const 8)) (local.get $code)))
            (local.set $i (i32.load (i32.add (global.get $rows)
              (i32.shl (i32.add (local.get $start) (i32.and (local.get $key) (i32.const 255))) (i32.const 2)))))
            (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
            (local.set $g (f64.add (local.get $g) (f64.load (local.get $sp))))
            (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $sp))))
            (local.set $c (f64.add (local.get $c) (f64.const 1)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $inBin)))
        (local.set $o (i32.add (local.get $compact) (i32.mul (local.get $slots) (i32.const 24))))
        (f64.store (local.get $o) (local.get $g))
        (f64.store offset=8 (local.get $o) (local.get $h))
        (f64.store offset=16 (local.get $o) (local.get $c))
        (i32.store (i32.add (local.get $binOfSlot) (i32.shl (local.get $slots) (i32.const 2))) (local.get $code))
        (local.set $slots (i32.add (local.get $slots) (i32.const 1)))
        (br $slot)))
    ;; Rows with a missing value sort last (their code is the largest).
    (local.set $g (f64.const 0)) (local.set $h (f64.const 0)) (local.set $c (f64.const 0))
    (block $missingDone
      (loop $missing
        (br_if $missingDone (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $key (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $i (i32.load (i32.add (global.get $rows)
          (i32.shl (i32.add (local.get $start) (i32.and (local.get $key) (i32.const 255))) (i32.const 2)))))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.add (local.get $g) (f64.load (local.get $sp))))
        (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $sp))))
        (local.set $c (f64.add (local.get $c) (f64.const 1)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $missing)))
    (local.set $o (i32.add (local.get $compact) (i32.mul (local.get $slots) (i32.const 24))))
    (f64.store (local.get $o) (local.get $g))
    (f64.store offset=8 (local.get $o) (local.get $h))
    (f64.store offset=16 (local.get $o) (local.get $c))
    (local.get $slots))

  ;; ---- Sibling subtraction and clearing (histogram.ts subtractHistogram, Histogram.clear) --------------------
  ;; parent -= child over the child's occupied slots (bitmap at $map, $words words).
  (func (export "subtract") (param $parent i32) (param $child i32) (param $map i32) (param $words i32)
    (local $w i32) (local $bits i32) (local $off i32) (local $p i32) (local $c i32)
    (block $done
      (loop $wordLoop
        (br_if $done (i32.ge_u (local.get $w) (local.get $words)))
        (local.set $bits (i32.load (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2)))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $off (i32.mul (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits))) (i32.const 24)))
            (local.set $p (i32.add (local.get $parent) (local.get $off)))
            (local.set $c (i32.add (local.get $child) (local.get $off)))
            (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (f64.load (local.get $c))))
            (f64.store offset=8 (local.get $p) (f64.sub (f64.load offset=8 (local.get $p)) (f64.load offset=8 (local.get $c))))
            (f64.store offset=16 (local.get $p) (f64.sub (f64.load offset=16 (local.get $p)) (f64.load offset=16 (local.get $c))))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $wordLoop))))

  ;; Zeroes the slots of the bitmap at $map ($words words) and the bitmap.
  (func (export "clear") (param $hist i32) (param $map i32) (param $words i32)
    (local $w i32) (local $bits i32) (local $o i32) (local $wa i32)
    (block $done
      (loop $wordLoop
        (br_if $done (i32.ge_u (local.get $w) (local.get $words)))
        (local.set $wa (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2))))
        (local.set $bits (i32.load (local.get $wa)))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $o (i32.add (local.get $hist)
              (i32.mul (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits))) (i32.const 24))))
            (f64.store (local.get $o) (f64.const 0))
            (f64.store offset=8 (local.get $o) (f64.const 0))
            (f64.store offset=16 (local.get $o) (f64.const 0))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (i32.store (local.get $wa) (i32.const 0))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $wordLoop))))

  ;; ---- The split scans (split.ts BestSplit.scanJs) ----------------------------------------------------------
  (func (export "node") (param $G f64) (param $H f64) (param $C f64) (param $ps f64) (param $l2 f64) (param $minLeaf f64) (param $minHess f64)
    (global.set $G (local.get $G))
    (global.set $H (local.get $H))
    (global.set $C (local.get $C))
    (global.set $ps (local.get $ps))
    (global.set $l2 (local.get $l2))
    (global.set $minLeaf (local.get $minLeaf))
    (global.set $minHess (local.get $minHess)))

  ;; Every bin in order, skipping empty ones (count 0). For each candidate, as in JavaScript:
  ;;   if (cL < minLeaf) continue; if (C - cL < minLeaf) break; hR = H - hL;
  ;;   if (hL >= minHess && hR >= minHess) { gR = G - gL; dL = hL + l2; dR = hR + l2;
  ;;     gain = (gL*gL*dR + gR*gR*dL) / (dL*dR) - ps; if (gain > best) record }
  ;; @generated-begin tree-split-scans (edit scripts/wasm/tree-kernel-templates.ts, then npm run build:wasm)
  (func (export "dense") (param $at i32) (param $nBins i32) (param $best f64) (result i32)
    (local $b i32) (local $c f64) (local $gL f64) (local $hL f64) (local $cL f64) (local $hR f64) (local $gR f64)
    (local $dL f64) (local $dR f64) (local $g f64) (local $bestBin i32) (local $bestC f64)
    (local $G f64) (local $H f64) (local $C f64) (local $ps f64) (local $l2 f64) (local $minLeaf f64) (local $minHess f64)
    (local.set $G (global.get $G)) (local.set $H (global.get $H)) (local.set $C (global.get $C))
    (local.set $ps (global.get $ps)) (local.set $l2 (global.get $l2))
    (local.set $minLeaf (global.get $minLeaf)) (local.set $minHess (global.get $minHess))
    (local.set $bestBin (i32.const -1))
    (block $done
      (loop $bins
        (br_if $done (i32.ge_s (local.get $b) (local.get $nBins)))
        (local.set $c (f64.load offset=16 (local.get $at)))
        (if (f64.ne (local.get $c) (f64.const 0))
          (then
            (local.set $gL (f64.add (local.get $gL) (f64.load (local.get $at))))
            (local.set $hL (f64.add (local.get $hL) (f64.load offset=8 (local.get $at))))
            (local.set $cL (f64.add (local.get $cL) (local.get $c)))
            (if (f64.ge (local.get $cL) (local.get $minLeaf))
              (then
                (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
                (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
                (if (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess)))
                  (then
                    (local.set $gR (f64.sub (local.get $G) (local.get $gL)))
                    (local.set $dL (f64.add (local.get $hL) (local.get $l2)))
                    (local.set $dR (f64.add (local.get $hR) (local.get $l2)))
                    (local.set $g (f64.sub
                      (f64.div
                        (f64.add (f64.mul (f64.mul (local.get $gL) (local.get $gL)) (local.get $dR))
                                 (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
                        (f64.mul (local.get $dL) (local.get $dR)))
                      (local.get $ps)))
                    (if (f64.gt (local.get $g) (local.get $best))
                      (then
                        (local.set $best (local.get $g))
                        (local.set $bestBin (local.get $b))
                        (local.set $bestC (local.get $cL))))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 24)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bins)))
    (if (i32.ge_s (local.get $bestBin) (i32.const 0))
      (then
        (f64.store (i32.const 0) (local.get $best))
        (f64.store (i32.const 8) (local.get $bestC))))
    (local.get $bestBin))

  ;; The same candidates, visiting only bins b whose bit firstBit + b of the bitmap at $map is set, lowest bit first
  ;; (ascending bins).
  (func (export "bits") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    (local $w i32) (local $lastW i32) (local $lastBit i32) (local $wordStart i32) (local $bits i32) (local $b i32) (local $o i32)
    (local $c f64) (local $gL f64) (local $hL f64) (local $cL f64) (local $hR f64) (local $gR f64)
    (local $dL f64) (local $dR f64) (local $g f64) (local $bestBin i32) (local $bestC f64)
    (local $G f64) (local $H f64) (local $C f64) (local $ps f64) (local $l2 f64) (local $minLeaf f64) (local $minHess f64)
    (local.set $G (global.get $G)) (local.set $H (global.get $H)) (local.set $C (global.get $C))
    (local.set $ps (global.get $ps)) (local.set $l2 (global.get $l2))
    (local.set $minLeaf (global.get $minLeaf)) (local.set $minHess (global.get $minHess))
    (local.set $bestBin (i32.const -1))
    (local.set $lastBit (i32.sub (i32.add (local.get $firstBit) (local.get $nBins)) (i32.const 1)))
    (local.set $w (i32.shr_u (local.get $firstBit) (i32.const 5)))
    (local.set $lastW (i32.shr_u (local.get $lastBit) (i32.const 5)))
    (block $done
      (br_if $done (i32.le_s (local.get $nBins) (i32.const 0)))
      (loop $words
        (br_if $done (i32.gt_u (local.get $w) (local.get $lastW)))
        (local.set $wordStart (i32.shl (local.get $w) (i32.const 5)))
        (local.set $bits (i32.load (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2)))))
        (if (i32.lt_s (local.get $wordStart) (local.get $firstBit))
          (then (local.set $bits (i32.and (local.get $bits)
            (i32.shl (i32.const -1) (i32.sub (local.get $firstBit) (local.get $wordStart)))))))
        (if (i32.gt_s (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit))
          (then (local.set $bits (i32.and (local.get $bits)
            (i32.shr_u (i32.const -1) (i32.sub (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit)))))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $b (i32.sub (i32.add (local.get $wordStart) (i32.ctz (local.get $bits))) (local.get $firstBit)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (local.set $o (i32.add (local.get $at) (i32.mul (local.get $b) (i32.const 24))))
            (local.set $c (f64.load offset=16 (local.get $o)))
            (if (f64.ne (local.get $c) (f64.const 0))
              (then
                (local.set $gL (f64.add (local.get $gL) (f64.load (local.get $o))))
                (local.set $hL (f64.add (local.get $hL) (f64.load offset=8 (local.get $o))))
                (local.set $cL (f64.add (local.get $cL) (local.get $c)))
                (if (f64.ge (local.get $cL) (local.get $minLeaf))
                  (then
                    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
                    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
                    (if (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess)))
                      (then
                        (local.set $gR (f64.sub (local.get $G) (local.get $gL)))
                        (local.set $dL (f64.add (local.get $hL) (local.get $l2)))
                        (local.set $dR (f64.add (local.get $hR) (local.get $l2)))
                        (local.set $g (f64.sub
                          (f64.div
                            (f64.add (f64.mul (f64.mul (local.get $gL) (local.get $gL)) (local.get $dR))
                                     (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
                            (f64.mul (local.get $dL) (local.get $dR)))
                          (local.get $ps)))
                        (if (f64.gt (local.get $g) (local.get $best))
                          (then
                            (local.set $best (local.get $g))
                            (local.set $bestBin (local.get $b))
                            (local.set $bestC (local.get $cL))))))))))
            (br $set)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $words)))
    (if (i32.ge_s (local.get $bestBin) (i32.const 0))
      (then
        (f64.store (i32.const 0) (local.get $best))
        (f64.store (i32.const 8) (local.get $bestC))))
    (local.get $bestBin))

  ;; The scan of a feature whose missing bin (just after its nBins value bins) has rows: each threshold is tried
  ;; with the missing rows on the right, then on the left, as in JavaScript. Returns 2 * bin + (1 if the missing
  ;; rows go left), or -1 if no candidate beat $best.
  (func (export "bitsMissing") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    (local $w i32) (local $lastW i32) (local $lastBit i32) (local $wordStart i32) (local $bits i32) (local $b i32) (local $o i32)
    (local $c f64) (local $gL f64) (local $hL f64) (local $cL f64) (local $hR f64) (local $gR f64)
    (local $dL f64) (local $dR f64) (local $g f64) (local $bestBin i32) (local $bestC f64) (local $bestLeft i32)
    (local $gM f64) (local $hM f64) (local $cM f64) (local $gl f64) (local $hl f64) (local $cl f64) (local $hr f64)
    (local $G f64) (local $H f64) (local $C f64) (local $ps f64) (local $l2 f64) (local $minLeaf f64) (local $minHess f64)
    (local.set $G (global.get $G)) (local.set $H (global.get $H)) (local.set $C (global.get $C))
    (local.set $ps (global.get $ps)) (local.set $l2 (global.get $l2))
    (local.set $minLeaf (global.get $minLeaf)) (local.set $minHess (global.get $minHess))
    (local.set $o (i32.add (local.get $at) (i32.mul (local.get $nBins) (i32.const 24))))
    (local.set $gM (f64.load (local.get $o)))
    (local.set $hM (f64.load offset=8 (local.get $o)))
    (local.set $cM (f64.load offset=16 (local.get $o)))
    (local.set $bestBin (i32.const -1))
    (local.set $lastBit (i32.sub (i32.add (local.get $firstBit) (local.get $nBins)) (i32.const 1)))
    (local.set $w (i32.shr_u (local.get $firstBit) (i32.const 5)))
    (local.set $lastW (i32.shr_u (local.get $lastBit) (i32.const 5)))
    (block $done
      (br_if $done (i32.le_s (local.get $nBins) (i32.const 0)))
      (loop $words
        (br_if $done (i32.gt_u (local.get $w) (local.get $lastW)))
        (local.set $wordStart (i32.shl (local.get $w) (i32.const 5)))
        (local.set $bits (i32.load (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2)))))
        (if (i32.lt_s (local.get $wordStart) (local.get $firstBit))
          (then (local.set $bits (i32.and (local.get $bits)
            (i32.shl (i32.const -1) (i32.sub (local.get $firstBit) (local.get $wordStart)))))))
        (if (i32.gt_s (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit))
          (then (local.set $bits (i32.and (local.get $bits)
            (i32.shr_u (i32.const -1) (i32.sub (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit)))))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $b (i32.sub (i32.add (local.get $wordStart) (i32.ctz (local.get $bits))) (local.get $firstBit)))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (local.set $o (i32.add (local.get $at) (i32.mul (local.get $b) (i32.const 24))))
            (local.set $c (f64.load offset=16 (local.get $o)))
            (if (f64.ne (local.get $c) (f64.const 0))
              (then
                (local.set $gL (f64.add (local.get $gL) (f64.load (local.get $o))))
                (local.set $hL (f64.add (local.get $hL) (f64.load offset=8 (local.get $o))))
                (local.set $cL (f64.add (local.get $cL) (local.get $c)))
                (if (f64.ge (f64.add (local.get $cL) (local.get $cM)) (local.get $minLeaf))
                  (then
                    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
                    ;; Missing values to the right.
                    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
                    (if (i32.and (f64.ge (local.get $cL) (local.get $minLeaf))
                          (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess))))
                      (then
                        (local.set $gR (f64.sub (local.get $G) (local.get $gL)))
                        (local.set $dL (f64.add (local.get $hL) (local.get $l2)))
                        (local.set $dR (f64.add (local.get $hR) (local.get $l2)))
                        (local.set $g (f64.sub
                          (f64.div
                            (f64.add (f64.mul (f64.mul (local.get $gL) (local.get $gL)) (local.get $dR))
                                     (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
                            (f64.mul (local.get $dL) (local.get $dR)))
                          (local.get $ps)))
                        (if (f64.gt (local.get $g) (local.get $best))
                          (then
                            (local.set $best (local.get $g))
                            (local.set $bestBin (local.get $b))
                            (local.set $bestC (local.get $cL))
                            (local.set $bestLeft (i32.const 0))))))
                    ;; Missing values to the left.
                    (local.set $gl (f64.add (local.get $gL) (local.get $gM)))
                    (local.set $hl (f64.add (local.get $hL) (local.get $hM)))
                    (local.set $cl (f64.add (local.get $cL) (local.get $cM)))
                    (local.set $hr (f64.sub (local.get $H) (local.get $hl)))
                    (if (i32.and (f64.ge (f64.sub (local.get $C) (local.get $cl)) (local.get $minLeaf))
                          (i32.and (f64.ge (local.get $hl) (local.get $minHess)) (f64.ge (local.get $hr) (local.get $minHess))))
                      (then
                        (local.set $gR (f64.sub (local.get $G) (local.get $gl)))
                        (local.set $dL (f64.add (local.get $hl) (local.get $l2)))
                        (local.set $dR (f64.add (local.get $hr) (local.get $l2)))
                        (local.set $g (f64.sub
                          (f64.div
                            (f64.add (f64.mul (f64.mul (local.get $gl) (local.get $gl)) (local.get $dR))
                                     (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
                            (f64.mul (local.get $dL) (local.get $dR)))
                          (local.get $ps)))
                        (if (f64.gt (local.get $g) (local.get $best))
                          (then
                            (local.set $best (local.get $g))
                            (local.set $bestBin (local.get $b))
                            (local.set $bestC (local.get $cl))
                            (local.set $bestLeft (i32.const 1))))))))))
            (br $set)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $words)))
    (if (result i32) (i32.ge_s (local.get $bestBin) (i32.const 0))
      (then
        (f64.store (i32.const 0) (local.get $best))
        (f64.store (i32.const 8) (local.get $bestC))
        (i32.or (i32.shl (local.get $bestBin) (i32.const 1)) (local.get $bestLeft)))
      (else (i32.const -1))))
  ;; @generated-end tree-split-scans
)
