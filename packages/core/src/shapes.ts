import type { Axis, MatmulOptions } from "./backend.js";
import { ShapeError } from "./errors.js";
import type { Operand, Shape } from "./tensor.js";

/** How the right operand of an element-wise op lines up with the left one. */
export type Broadcast = "same" | "row" | "col" | "scalar";

/** Checks that a shape is two positive integers. */
export function checkShape(op: string, shape: Shape, length?: number): void {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new ShapeError(op, [shape], "rows and columns must be positive integers");
  }
  if (length !== undefined && length !== rows * cols) {
    throw new ShapeError(op, [shape], `the data holds ${length} values, the shape needs ${rows * cols}`);
  }
}

/** Classifies the broadcast of `b` against `a`, or throws a `ShapeError` naming both shapes. */
export function broadcastOf(op: string, a: Shape, b: Operand): Broadcast {
  if (typeof b === "number") return "scalar";
  const [m, n] = a;
  const [p, q] = b.shape;
  if (p === m && q === n) return "same";
  if (p === 1 && q === n) return "row";
  if (p === m && q === 1) return "col";
  throw new ShapeError(op, [a, b.shape], `the right operand must be ${m}x${n}, 1x${n}, ${m}x1 or a scalar`);
}

/** The `[m, k, n]` of `op(a) * op(b)`, or a `ShapeError` when the inner dimensions differ. */
export function matmulDims(a: Shape, b: Shape, opts: MatmulOptions = {}): [m: number, k: number, n: number] {
  const [m, ka] = opts.transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = opts.transB ? [b[1], b[0]] : [b[0], b[1]];
  if (ka !== kb) {
    const flags = `${opts.transA ? "transA " : ""}${opts.transB ? "transB" : ""}`.trim();
    throw new ShapeError(
      `matmul${flags ? ` (${flags})` : ""}`,
      [a, b],
      `inner dimensions ${ka} and ${kb} differ`,
    );
  }
  return [m, ka, n];
}

/** The shape a reduction along `axis` keeps: the reduced axis stays, with length 1. */
export function reducedShape(op: string, shape: Shape, axis: Axis): Shape {
  if (axis !== 0 && axis !== 1) throw new ShapeError(op, [shape], `axis must be 0 or 1, got ${String(axis)}`);
  return axis === 0 ? [1, shape[1]] : [shape[0], 1];
}

/** The shape of `concat(parts, axis)`, or a `ShapeError` when the other dimension differs. */
export function concatShape(shapes: readonly Shape[], axis: Axis): Shape {
  const first = shapes[0];
  if (first === undefined) throw new ShapeError("concat", [], "needs at least one tensor");
  const keep = axis === 0 ? 1 : 0;
  let total = 0;
  for (const s of shapes) {
    if (s[keep] !== first[keep]) {
      throw new ShapeError(
        "concat",
        shapes,
        `every part must have ${first[keep]} ${axis === 0 ? "columns" : "rows"}`,
      );
    }
    total += s[axis];
  }
  return axis === 0 ? [total, first[1]] : [first[0], total];
}

/** Same-shape check for ops like `axpy` that take no broadcast. */
export function checkSameShape(op: string, a: Shape, b: Shape): void {
  if (a[0] !== b[0] || a[1] !== b[1])
    throw new ShapeError(op, [a, b], "both operands must have the same shape");
}
