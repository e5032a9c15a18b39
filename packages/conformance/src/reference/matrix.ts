import type { Shape } from "@tensorplug/core";

/** A row-major host matrix: the input format of every reference function. */
export interface HostMatrix {
  /** Rows and columns. */
  readonly shape: Shape;
  /** `rows * cols` values, row-major. */
  readonly data: ArrayLike<number>;
}

/** A reference result: row-major float64, so reference rounding never hides a backend's error. */
export interface RefMatrix extends HostMatrix {
  /** `rows * cols` float64 values, row-major. */
  readonly data: Float64Array;
}

/** A host matrix from nested rows, e.g. `matrix([[1, 2], [3, 4]])`. */
export function matrix(rows: readonly (readonly number[])[]): RefMatrix {
  const m = rows.length;
  const n = rows[0]?.length ?? 0;
  const data = new Float64Array(m * n);
  rows.forEach((row, i) => {
    if (row.length !== n) throw new RangeError(`matrix: row ${i} has ${row.length} values, expected ${n}`);
    data.set(row, i * n);
  });
  return { shape: [m, n], data };
}

/** The element at row `i`, column `j`. */
export function at(x: HostMatrix, i: number, j: number): number {
  return x.data[i * x.shape[1] + j]!;
}

/** Element-wise absolute value; the reference uses it to size the rounding error a sum can make. */
export function abs(x: HostMatrix): RefMatrix {
  return { shape: x.shape, data: Float64Array.from(x.data, Math.abs) };
}

/** The matrix's rows as arrays, for tests and messages. */
export function toRows(x: HostMatrix): number[][] {
  const [m, n] = x.shape;
  return Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => at(x, i, j)));
}
