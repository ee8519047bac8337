/**
 * The sorted feature columns of XGBoost's exact greedy split finder, for the TypeScript trainer
 * (xgboost-trainer.ts).
 *
 * XGBoost builds each column from the rows that have the feature (in row order) and sorts it by value with
 * `std::sort`, which is not stable. Rows with equal values end up in an order that only the sorting algorithm
 * decides, and that order matters: the split finder adds gradients in double precision in column order, and a
 * different order of tied rows can change the last bit of a sum, hence a gain, hence (rarely) a chosen split.
 * So the columns are sorted here with the same algorithm as the C++ standard library the wasm port was built with
 * (LLVM libc++'s introsort of that era: median-of-3/5 pivots, the guarded partition that keeps elements equal to
 * the pivot on its right, insertion sort below 31 elements, and the "incomplete insertion sort" shortcut after a
 * partition without swaps), so that tied rows come out in exactly the same order. The sort runs in the trainer's
 * WebAssembly kernel (xgboost-kernel.ts, "sortColumn"; in TypeScript it took 50–80 ms of a process's first fits
 * before V8 had optimised it). Checked against libc++'s std::sort of LLVM 14 on tie-heavy inputs up to 5,000
 * entries, with its recursion depth limit raised (LLVM 14 added a heapsort fallback that the 2018 library did not
 * have); the test keeps hashes of those orders.
 */
import { sortColumnsInKernel } from './xgboost-kernel.ts';

/** Feature columns sorted by value; column f is rows/values[start[f] .. start[f] + length[f]). */
export interface SortedColumns {
  /** Row index of each entry. */
  readonly rows: Int32Array;
  /** Feature value of each entry (a float32 value). */
  readonly values: Float64Array;
  readonly start: Int32Array;
  readonly length: Int32Array;
}

/**
 * Sorts every column of `x` (row-major, nRows × nCols, float32 values, NaN = missing) as XGBoost's column
 * page is sorted.
 */
export function sortColumns(x: Float64Array, nRows: number, nCols: number): SortedColumns {
  const length = new Int32Array(nCols);
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nCols; f++) if (!Number.isNaN(x[r * nCols + f]!)) length[f]!++;
  }
  const start = new Int32Array(nCols);
  let total = 0;
  for (let f = 0; f < nCols; f++) {
    start[f] = total;
    total += length[f]!;
  }
  const rows = new Int32Array(total);
  const values = new Float64Array(total);
  const fill = Int32Array.from(start);
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nCols; f++) {
      const v = x[r * nCols + f]!;
      if (Number.isNaN(v)) continue;
      const k = fill[f]!++;
      rows[k] = r;
      values[k] = v;
    }
  }
  sortColumnsInKernel(rows, values, start, length);
  return { rows, values, start, length };
}
