import type { Shape } from "@tensorplug/core";
import fc from "fast-check";
import type { F32Matrix } from "./host.js";

// Generators of the property checks. Values are float32-representable (fc.float), so the float64
// reference sees exactly the numbers the backend was given; shapes lean on the edge cases.

/** Finite float32 values in `[min, max]` (bounds rounded to float32). */
export function floats(min: number, max: number): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
}

/** Finite float32 values with `lo <= |v| <= hi`, either sign: divisors that keep quotients sane. */
export function awayFromZero(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.tuple(fc.boolean(), floats(lo, hi)).map(([negative, v]) => (negative ? -v : v));
}

/** Small integers: many exact ties and equalities, for `equal`, `max` and `argmax`. */
export function smallInts(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.integer({ min: lo, max: hi });
}

/** A dimension in `1..max`. */
export function dim(max: number): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max });
}

/** A shape up to `maxRows x maxCols`; a quarter each are 1x1, 1xn and mx1, the rest anything. */
export function shapes(maxRows = 9, maxCols = 9): fc.Arbitrary<Shape> {
  return fc.oneof(
    { arbitrary: fc.constant<Shape>([1, 1]), weight: 1 },
    { arbitrary: dim(maxCols).map((n): Shape => [1, n]), weight: 1 },
    { arbitrary: dim(maxRows).map((m): Shape => [m, 1]), weight: 1 },
    { arbitrary: fc.tuple(dim(maxRows), dim(maxCols)), weight: 3 },
  );
}

/** A matrix of the given shape with values drawn from `values`. */
export function matrixOf(shape: Shape, values: fc.Arbitrary<number>): fc.Arbitrary<F32Matrix> {
  const size = shape[0] * shape[1];
  return fc
    .array(values, { minLength: size, maxLength: size })
    .map((v) => ({ shape, data: Float32Array.from(v) }));
}

/** A matrix of any shape from `shapeArb` (edge shapes included by default). */
export function matrices(
  values: fc.Arbitrary<number>,
  shapeArb: fc.Arbitrary<Shape> = shapes(),
): fc.Arbitrary<F32Matrix> {
  return shapeArb.chain((s) => matrixOf(s, values));
}

/** `count` class labels in `0..classes-1`. */
export function labels(count: number, classes: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: count, maxLength: count });
}
