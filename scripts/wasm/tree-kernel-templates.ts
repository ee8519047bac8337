/**
 * The generated parts of the tree engine's WebAssembly kernel (src/models/tree/kernel.wat): the three histogram
 * builds, featureBuild4's unrolled per-row steps and the three split scans. They repeat a few pieces (the candidate
 * formula, the bitmap walk, the row-slot loop) that WebAssembly text cannot share without macros, so their text is
 * put together here from templates and written into kernel.wat's `@generated` regions by `npm run build:wasm`
 * (scripts/wasm/build.ts). Everything else in kernel.wat is written by hand there.
 */

/** Indents every line of a WAT snippet by `n` spaces. */
function indent(n: number, wat: string): string {
  const pad = ' '.repeat(n);
  return wat.split('\n').map((line) => (line ? pad + line : line)).join('\n');
}

/** The locals and the node's totals and constraints (set by "node") that every scan starts with. */
const SCAN_LOCALS = String.raw`(local $c f64) (local $gL f64) (local $hL f64) (local $cL f64) (local $hR f64) (local $gR f64)
(local $dL f64) (local $dR f64) (local $g f64) (local $bestBin i32) (local $bestC f64)`;
const SCAN_NODE_LOCALS = String.raw`(local $G f64) (local $H f64) (local $C f64) (local $ps f64) (local $l2 f64) (local $minLeaf f64) (local $minHess f64)
(local.set $G (global.get $G)) (local.set $H (global.get $H)) (local.set $C (global.get $C))
(local.set $ps (global.get $ps)) (local.set $l2 (global.get $l2))
(local.set $minLeaf (global.get $minLeaf)) (local.set $minHess (global.get $minHess))`;

/**
 * One candidate whose left child has gradient and hessian sums $<gl>, $<hl> and whose right child has hessian $<hr>
 * (checked against the constraints by the caller): gR = G - gl, dL = hl + l2, dR = hr + l2,
 * gain = (gl*gl*dR + gR*gR*dL) / (dL*dR) - ps; if gain > best, `record` runs after best and bestBin are set.
 */
function candidateWat(gl: string, hl: string, hr: string, record: string): string {
  return String.raw`(local.set $gR (f64.sub (local.get $G) (local.get $${gl})))
(local.set $dL (f64.add (local.get $${hl}) (local.get $l2)))
(local.set $dR (f64.add (local.get $${hr}) (local.get $l2)))
(local.set $g (f64.sub
  (f64.div
    (f64.add (f64.mul (f64.mul (local.get $${gl}) (local.get $${gl})) (local.get $dR))
             (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
    (f64.mul (local.get $dL) (local.get $dR)))
  (local.get $ps)))
(if (f64.gt (local.get $g) (local.get $best))
  (then
    (local.set $best (local.get $g))
    (local.set $bestBin (local.get $b))
${indent(4, record)}))`;
}

/** Adds bin $b (at byte $<at>) to the running left sums; `then` runs for an occupied bin, with its count in $c. */
function addBinWat(at: string, then: string): string {
  return String.raw`(local.set $c (f64.load offset=16 (local.get $${at})))
(if (f64.ne (local.get $c) (f64.const 0))
  (then
    (local.set $gL (f64.add (local.get $gL) (f64.load (local.get $${at}))))
    (local.set $hL (f64.add (local.get $hL) (f64.load offset=8 (local.get $${at}))))
    (local.set $cL (f64.add (local.get $cL) (local.get $c)))
${indent(4, then)}))`;
}

/**
 * Runs `body` for each bin b < $nBins whose bit $firstBit + b is set in the bitmap at $map, lowest bit first
 * (ascending bins), with $o = $at + 24*b; `br $done` leaves the walk.
 */
function forEachMarkedBinWat(body: string): string {
  return String.raw`(local.set $lastBit (i32.sub (i32.add (local.get $firstBit) (local.get $nBins)) (i32.const 1)))
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
${indent(8, body)}
        (br $set)))
    (local.set $w (i32.add (local.get $w) (i32.const 1)))
    (br $words)))`;
}

/**
 * featureBuild4's per-row step for its k-th sampled feature: adds the row's g, h and 1 to the feature's bin in the
 * histogram at $sums and sets the bin's bit in the feature's 8 words of marks (at $marks + 32k). featureBuild4
 * writes it out for k = 0..3 (unrolled).
 */
function addRowToFeatureWat(k: number): string {
  const marks = k === 0 ? '(local.get $marks)' : `(i32.add (local.get $marks) (i32.const ${32 * k}))`;
  return indent(8, String.raw`(local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f${k}) (i32.const 1)))))
(local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
(local.set $s (i32.sub (local.get $s) (local.get $first${k})))
(local.set $wa (i32.add ${marks} (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
(i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))`);
}

const ROW_SLOT_LOCALS = String.raw`(local $rp i32) (local $rend i32) (local $i i32) (local $g f64) (local $h f64) (local $sp i32) (local $send i32) (local $o i32)`;

/**
 * The histogram builds' loop: for each row i of rows[start, end), in order, loads its g and h into $g and $h, then
 * runs `body` for each of its feature slots (u16 at $sp, row-major), in feature order.
 */
function forEachRowSlotWat(body: string): string {
  return String.raw`(local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
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
${indent(8, body)}
        (local.set $sp (i32.add (local.get $sp) (i32.const 2)))
        (br $feature)))
    (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
    (br $row)))`;
}

const BITMAP_LOCALS = String.raw`(local $w i32) (local $lastW i32) (local $lastBit i32) (local $wordStart i32) (local $bits i32) (local $b i32) (local $o i32)`;

/** Missing values to the right (no missing rows): the candidate of the scans without a missing bin. */
const CANDIDATE_NO_MISSING = String.raw`(if (f64.ge (local.get $cL) (local.get $minLeaf))
  (then
    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
    (if (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess)))
      (then
${indent(8, candidateWat('gL', 'hL', 'hR', '(local.set $bestC (local.get $cL))'))}))))`;

/** Stores the best candidate's gain and left count (bytes 0 and 8) when there is one. */
const STORE_BEST = String.raw`(if (i32.ge_s (local.get $bestBin) (i32.const 0))
  (then
    (f64.store (i32.const 0) (local.get $best))
    (f64.store (i32.const 8) (local.get $bestC))))`;

const SPLIT_SCANS = String.raw`  (func (export "dense") (param $at i32) (param $nBins i32) (param $best f64) (result i32)
    (local $b i32) ${SCAN_LOCALS.replace('\n', '\n    ')}
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $bestBin (i32.const -1))
    (block $done
      (loop $bins
        (br_if $done (i32.ge_s (local.get $b) (local.get $nBins)))
${indent(8, addBinWat('at', CANDIDATE_NO_MISSING))}
        (local.set $at (i32.add (local.get $at) (i32.const 24)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bins)))
${indent(4, STORE_BEST)}
    (local.get $bestBin))

  ;; The same candidates, visiting only bins b whose bit firstBit + b of the bitmap at $map is set, lowest bit first
  ;; (ascending bins).
  (func (export "bits") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    ${BITMAP_LOCALS}
    ${SCAN_LOCALS.replace('\n', '\n    ')}
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $bestBin (i32.const -1))
${indent(4, forEachMarkedBinWat(addBinWat('o', CANDIDATE_NO_MISSING)))}
${indent(4, STORE_BEST)}
    (local.get $bestBin))

  ;; The scan of a feature whose missing bin (just after its nBins value bins) has rows: each threshold is tried
  ;; with the missing rows on the right, then on the left, as in JavaScript. Returns 2 * bin + (1 if the missing
  ;; rows go left), or -1 if no candidate beat $best.
  (func (export "bitsMissing") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    ${BITMAP_LOCALS}
    ${SCAN_LOCALS.replace('\n', '\n    ')} (local $bestLeft i32)
    (local $gM f64) (local $hM f64) (local $cM f64) (local $gl f64) (local $hl f64) (local $cl f64) (local $hr f64)
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $o (i32.add (local.get $at) (i32.mul (local.get $nBins) (i32.const 24))))
    (local.set $gM (f64.load (local.get $o)))
    (local.set $hM (f64.load offset=8 (local.get $o)))
    (local.set $cM (f64.load offset=16 (local.get $o)))
    (local.set $bestBin (i32.const -1))
${indent(4, forEachMarkedBinWat(addBinWat('o', String.raw`(if (f64.ge (f64.add (local.get $cL) (local.get $cM)) (local.get $minLeaf))
  (then
    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
    ;; Missing values to the right.
    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
    (if (i32.and (f64.ge (local.get $cL) (local.get $minLeaf))
          (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess))))
      (then
${indent(8, candidateWat('gL', 'hL', 'hR', '(local.set $bestC (local.get $cL))\n(local.set $bestLeft (i32.const 0))'))}))
    ;; Missing values to the left.
    (local.set $gl (f64.add (local.get $gL) (local.get $gM)))
    (local.set $hl (f64.add (local.get $hL) (local.get $hM)))
    (local.set $cl (f64.add (local.get $cL) (local.get $cM)))
    (local.set $hr (f64.sub (local.get $H) (local.get $hl)))
    (if (i32.and (f64.ge (f64.sub (local.get $C) (local.get $cl)) (local.get $minLeaf))
          (i32.and (f64.ge (local.get $hl) (local.get $minHess)) (f64.ge (local.get $hr) (local.get $minHess))))
      (then
${indent(8, candidateWat('gl', 'hl', 'hr', '(local.set $bestC (local.get $cl))\n(local.set $bestLeft (i32.const 1))'))}))))`)))}
    (if (result i32) (i32.ge_s (local.get $bestBin) (i32.const 0))
      (then
        (f64.store (i32.const 0) (local.get $best))
        (f64.store (i32.const 8) (local.get $bestC))
        (i32.or (i32.shl (local.get $bestBin) (i32.const 1)) (local.get $bestLeft)))
      (else (i32.const -1))))`;

/** The three histogram builds: one loop over the rows' feature slots, three per-slot bodies. */
const HISTOGRAM_BUILDS = String.raw`  ;; For the rows rows[start, end), in order: G += g, H += h, C += 1 at the slot of each feature of the row.
  (func (export "buildDense") (param $hist i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
${indent(4, forEachRowSlotWat(String.raw`(local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))`))})

  ;; buildDense, also setting each touched slot's bit in the bitmap at $map.
  (func (export "buildMarking") (param $hist i32) (param $map i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
    (local $s i32) (local $wa i32)
${indent(4, forEachRowSlotWat(String.raw`(local.set $s (i32.load16_u (local.get $sp)))
(local.set $o (i32.add (local.get $hist) (i32.mul (local.get $s) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
(local.set $wa (i32.add (local.get $map) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
(i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))`))})

  ;; buildDense without the counts (G and H only).
  (func (export "buildGH") (param $hist i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
${indent(4, forEachRowSlotWat(String.raw`(local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))`))})`;

/** The texts of kernel.wat's generated regions, by region name. */
export const TREE_KERNEL_REGIONS: Readonly<Record<string, string>> = {
  'tree-histogram-builds': HISTOGRAM_BUILDS,
  'tree-feature-build4': [0, 1, 2, 3].map((k) => addRowToFeatureWat(k)).join('\n'),
  'tree-split-scans': SPLIT_SCANS,
};
