import { describe, expect, it } from "vitest";
import { ShapeError, TensorplugError } from "./errors.js";
import { broadcastOf, checkSameShape, checkShape, concatShape, matmulDims, reducedShape } from "./shapes.js";
import type { Shape, Tensor } from "./tensor.js";

const t = (rows: number, cols: number): Tensor => ({ shape: [rows, cols], backend: "none" });

/** Runs `fn`, expects a ShapeError and returns it for further checks. */
function shapeError(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ShapeError);
    return error as ShapeError;
  }
  throw new Error("expected a ShapeError, nothing was thrown");
}

describe("broadcastOf", () => {
  it("classifies same, row, column and scalar operands", () => {
    expect(broadcastOf("add", [4, 3], t(4, 3))).toBe("same");
    expect(broadcastOf("add", [4, 3], t(1, 3))).toBe("row");
    expect(broadcastOf("add", [4, 3], t(4, 1))).toBe("col");
    expect(broadcastOf("add", [4, 3], 2.5)).toBe("scalar");
    expect(broadcastOf("add", [4, 3], 0)).toBe("scalar");
  });

  it("prefers same over row/col when the left operand is itself a row or a column", () => {
    expect(broadcastOf("mul", [1, 3], t(1, 3))).toBe("same");
    expect(broadcastOf("mul", [4, 1], t(4, 1))).toBe("same");
    expect(broadcastOf("mul", [1, 1], t(1, 1))).toBe("same");
  });

  it.each<[Shape, Shape]>([
    [
      [4, 3],
      [2, 3],
    ],
    [
      [4, 3],
      [4, 2],
    ],
    [
      [4, 3],
      [3, 4],
    ],
    [
      [4, 3],
      [1, 2],
    ],
    [
      [4, 3],
      [2, 1],
    ],
    [
      [1, 3],
      [4, 3],
    ],
  ])("rejects %j against %j with a ShapeError naming the op and both shapes", (a, b) => {
    const err = shapeError(() => broadcastOf("sub", a, t(b[0], b[1])));
    expect(err.op).toBe("sub");
    expect(err.shapes).toEqual([a, b]);
    expect(err.message).toContain(`sub: `);
    expect(err.message).toContain(`${a[0]}x${a[1]} and ${b[0]}x${b[1]}`);
  });

  it("gives the documented message for 4x3 against 2x3", () => {
    const err = shapeError(() => broadcastOf("add", [4, 3], t(2, 3)));
    expect(err.message).toBe(
      "add: shapes 4x3 and 2x3 do not fit: the right operand must be 4x3, 1x3, 4x1 or a scalar",
    );
    expect(err.code).toBe("E_SHAPE");
  });
});

describe("matmulDims", () => {
  it("returns [m, k, n] without transposes", () => {
    expect(matmulDims([2, 3], [3, 5])).toEqual([2, 3, 5]);
    expect(matmulDims([1, 1], [1, 7], {})).toEqual([1, 1, 7]);
  });

  it("honours transA and transB", () => {
    expect(matmulDims([3, 2], [3, 5], { transA: true })).toEqual([2, 3, 5]);
    expect(matmulDims([2, 3], [5, 3], { transB: true })).toEqual([2, 3, 5]);
    expect(matmulDims([3, 2], [5, 3], { transA: true, transB: true })).toEqual([2, 3, 5]);
    expect(matmulDims([2, 3], [3, 5], { transA: false, transB: false })).toEqual([2, 3, 5]);
  });

  it("rejects differing inner dimensions, naming the flags and both shapes", () => {
    const plain = shapeError(() => matmulDims([2, 3], [4, 5]));
    expect(plain.op).toBe("matmul");
    expect(plain.message).toBe("matmul: shapes 2x3 and 4x5 do not fit: inner dimensions 3 and 4 differ");

    // [2,3] x [3,5] fits plainly but not when a is transposed (k becomes 2).
    const transA = shapeError(() => matmulDims([2, 3], [3, 5], { transA: true }));
    expect(transA.op).toBe("matmul (transA)");
    expect(transA.message).toContain("2x3 and 3x5");
    expect(transA.message).toContain("inner dimensions 2 and 3 differ");

    const transB = shapeError(() => matmulDims([2, 3], [3, 5], { transB: true }));
    expect(transB.op).toBe("matmul (transB)");
    expect(transB.message).toContain("inner dimensions 3 and 5 differ");

    const both = shapeError(() => matmulDims([2, 3], [3, 5], { transA: true, transB: true }));
    expect(both.op).toBe("matmul (transA transB)");
  });
});

describe("reducedShape", () => {
  it("keeps the reduced axis with length 1", () => {
    expect(reducedShape("sum", [4, 3], 0)).toEqual([1, 3]);
    expect(reducedShape("sum", [4, 3], 1)).toEqual([4, 1]);
    expect(reducedShape("max", [1, 1], 0)).toEqual([1, 1]);
  });

  it("rejects an axis other than 0 or 1", () => {
    const err = shapeError(() => reducedShape("sum", [4, 3], 2 as 0));
    expect(err.op).toBe("sum");
    expect(err.message).toContain("4x3");
    expect(err.message).toContain("axis must be 0 or 1, got 2");
  });
});

describe("concatShape", () => {
  it("adds rows along axis 0 and columns along axis 1", () => {
    expect(
      concatShape(
        [
          [2, 3],
          [5, 3],
          [1, 3],
        ],
        0,
      ),
    ).toEqual([8, 3]);
    expect(
      concatShape(
        [
          [4, 1],
          [4, 6],
        ],
        1,
      ),
    ).toEqual([4, 7]);
    expect(concatShape([[2, 2]], 0)).toEqual([2, 2]);
  });

  it("rejects parts whose other dimension differs", () => {
    const rows = shapeError(() =>
      concatShape(
        [
          [2, 3],
          [2, 4],
        ],
        0,
      ),
    );
    expect(rows.op).toBe("concat");
    expect(rows.message).toContain("2x3 and 2x4");
    expect(rows.message).toContain("every part must have 3 columns");

    const cols = shapeError(() =>
      concatShape(
        [
          [2, 3],
          [5, 3],
        ],
        1,
      ),
    );
    expect(cols.message).toContain("every part must have 2 rows");
  });

  it("rejects an empty list", () => {
    const err = shapeError(() => concatShape([], 0));
    expect(err.message).toContain("needs at least one tensor");
    expect(err.message).not.toContain("  ");
  });
});

describe("checkShape", () => {
  it("accepts positive integer shapes and a matching data length", () => {
    expect(() => checkShape("upload", [1, 1])).not.toThrow();
    expect(() => checkShape("upload", [256, 784], 256 * 784)).not.toThrow();
  });

  const bad: Shape[] = [
    [0, 3],
    [3, 0],
    [-1, 3],
    [3, -2],
    [1.5, 2],
    [2, 0.5],
    [Number.NaN, 1],
    [1, Number.POSITIVE_INFINITY],
  ];
  it.each(bad.map((shape) => ({ shape, label: `${shape[0]}x${shape[1]}` })))(
    "rejects $label",
    ({ shape }) => {
      const err = shapeError(() => checkShape("upload", shape));
      expect(err.op).toBe("upload");
      expect(err.message).toContain("rows and columns must be positive integers");
    },
  );

  it("rejects a data length that does not match the shape", () => {
    const err = shapeError(() => checkShape("upload", [2, 3], 5));
    expect(err.message).toBe("upload: shapes 2x3 do not fit: the data holds 5 values, the shape needs 6");
    expect(() => checkShape("upload", [2, 3], 7)).toThrow(ShapeError);
  });
});

describe("checkSameShape", () => {
  it("accepts equal shapes and rejects transposed or differing ones", () => {
    expect(() => checkSameShape("axpy", [2, 3], [2, 3])).not.toThrow();
    const err = shapeError(() => checkSameShape("axpy", [2, 3], [3, 2]));
    expect(err).toBeInstanceOf(TensorplugError);
    expect(err.message).toContain("axpy: shapes 2x3 and 3x2");
    expect(() => checkSameShape("axpy", [2, 3], [2, 4])).toThrow(ShapeError);
  });
});
