import { describe, expect, it } from "vitest";
import { matmul } from "./kernels.js";

/** `[m,k] · [k,n]` through each transpose path of the kernel, with the operands stored to match. */
function allPaths(a: number[][], b: number[][]): Float32Array[] {
  const m = a.length;
  const k = b.length;
  const n = b[0]!.length;
  const flat = (rows: number[][]) => Float32Array.from(rows.flat());
  const t = (rows: number[][]) => rows[0]!.map((_, j) => rows.map((r) => r[j]!));
  return [
    matmul(flat(a), flat(b), m, k, n, false, false),
    matmul(flat(t(a)), flat(b), m, k, n, true, false),
    matmul(flat(a), flat(t(b)), m, k, n, false, true),
    matmul(flat(t(a)), flat(t(b)), m, k, n, true, true),
  ];
}

describe("matmul kernel", () => {
  it("propagates 0 * Infinity and 0 * NaN as NaN on every transpose path", () => {
    // Row 0 of a has a zero where b's row holds a non-finite value; the zero skip must not hide it.
    const results = allPaths(
      [
        [0, 1],
        [1, 1],
      ],
      [
        [Number.POSITIVE_INFINITY, Number.NaN],
        [2, 3],
      ],
    );
    for (const r of results)
      expect(Array.from(r)).toEqual([Number.NaN, Number.NaN, Number.POSITIVE_INFINITY, Number.NaN]);
  });

  it("gives bitwise-identical results on every path when zeros meet finite values", () => {
    const [plain, ...others] = allPaths(
      [
        [0, 1.5, 0],
        [-2, 0, 0.25],
      ],
      [
        [3, -1],
        [0.5, 0],
        [7, 2],
      ],
    );
    expect(Array.from(plain!)).toEqual([0.75, 0, -4.25, 2.5]);
    for (const r of others) expect(Array.from(r)).toEqual(Array.from(plain!));
  });
});
