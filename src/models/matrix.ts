/**
 * A dense row-major matrix of float64. Every classifier and explainer takes this one shape so that
 * hot loops (tree binning, kernel SHAP, kNN distances) run on typed arrays without per-row allocations.
 */
export interface Matrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Row-major values: element (i, j) is data[i * nCols + j]. */
  readonly data: Float64Array;
}

export function matrixFromRows(rows: readonly (ArrayLike<number>)[], nCols?: number): Matrix {
  const cols = nCols ?? (rows.length > 0 ? rows[0]!.length : 0);
  const data = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.length !== cols) throw new Error(`matrixFromRows: row ${i} has ${r.length} values, expected ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j]!;
  }
  return { nRows: rows.length, nCols: cols, data };
}

/** A view (no copy) of row i. */
export function rowOf(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.nCols, (i + 1) * m.nCols);
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.nRows; i++) out.push(Array.from(rowOf(m, i)));
  return out;
}

/** Rows [start, end) as a view sharing the same buffer. */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  const s = Math.max(0, start);
  const e = Math.min(m.nRows, end);
  return { nRows: Math.max(0, e - s), nCols: m.nCols, data: m.data.subarray(s * m.nCols, Math.max(s, e) * m.nCols) };
}

/** Copies the selected rows into a new matrix. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const data = new Float64Array(indices.length * m.nCols);
  for (let k = 0; k < indices.length; k++) data.set(rowOf(m, indices[k]!), k * m.nCols);
  return { nRows: indices.length, nCols: m.nCols, data };
}

/** Copies the selected columns (in the given order) into a new matrix. */
export function takeColumns(m: Matrix, columns: readonly number[]): Matrix {
  const d = columns.length;
  const data = new Float64Array(m.nRows * d);
  for (let i = 0; i < m.nRows; i++) {
    const base = i * m.nCols;
    for (let j = 0; j < d; j++) data[i * d + j] = m.data[base + columns[j]!]!;
  }
  return { nRows: m.nRows, nCols: d, data };
}
