import type { Shape } from "@tensorplug/core";

/** How far a backend's value may sit from the float64 reference: `abs + rel * magnitude`. */
export interface Tolerance {
  /** Relative bound, multiplied by `max(|expected|, magnitude)` (see the package README). */
  readonly rel: number;
  /** Absolute bound, added to the relative one; what remains allowed around zero. */
  readonly abs: number;
}

/**
 * Base tolerance per `caps.precision`. 32: about 170 float32 ulps of relative slack, room for
 * a GPU's approximate `exp`/`log` while still catching any wrong index or formula. 16: half floats
 * round inputs and outputs at 2^-11 each, so two roundings plus the op need about 2e-3.
 */
export const PRECISION_TOLERANCE: Readonly<Record<16 | 32, Tolerance>> = Object.freeze({
  32: Object.freeze({ rel: 1e-5, abs: 1e-6 }),
  16: Object.freeze({ rel: 2e-3, abs: 1e-3 }),
});

/** The base tolerance for a backend of the given precision. */
export function toleranceFor(precision: 16 | 32): Tolerance {
  return PRECISION_TOLERANCE[precision];
}

/**
 * The tolerance of a result that accumulates `terms` rounded values (a dot product of length k,
 * a reduction over k elements): rounding errors add up like a random walk, so both bounds grow
 * by `sqrt(terms)`.
 */
export function accumulated(tol: Tolerance, terms: number): Tolerance {
  const f = Math.sqrt(Math.max(1, terms));
  return { rel: tol.rel * f, abs: tol.abs * f };
}

/** The first element outside tolerance. */
export interface Mismatch {
  /** Row-major index of the first element out of tolerance. */
  readonly index: number;
  /** The backend's value there. */
  readonly actual: number;
  /** The reference value there. */
  readonly expected: number;
  /** The largest difference the tolerance allowed at this element. */
  readonly allowed: number;
}

/**
 * The first element where `actual` strays from `expected` by more than `abs + rel * scale`,
 * with `scale = max(|expected|, magnitude[i])`. Pass `magnitude` for sums, where the error is
 * proportional to the summed absolute terms rather than to a result that may have cancelled to 0.
 * Non-finite references must be matched exactly (NaN by NaN).
 */
export function findMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  magnitude?: ArrayLike<number>,
): Mismatch | undefined {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) {
      if (Object.is(a, e) || a === e) continue;
      return { index: i, actual: a, expected: e, allowed: 0 };
    }
    const allowed = tol.abs + tol.rel * Math.max(Math.abs(e), Math.abs(magnitude?.[i] ?? 0));
    // Written so that a NaN `actual` fails: every comparison with NaN is false.
    if (!(Math.abs(a - e) <= allowed)) return { index: i, actual: a, expected: e, allowed };
  }
  return undefined;
}

/** Options of `assertClose`. */
export interface CloseOptions {
  /** Per-element error scale, e.g. `|A|·|B|` for a matmul (see `findMismatch`). */
  readonly magnitude?: ArrayLike<number>;
  /** Shape of the result, so the message says `[row,col]` instead of a flat index. */
  readonly shape?: Shape;
}

/**
 * Throws when `actual` and `expected` differ in length or in any element beyond `tol`. The
 * message starts with `label` (put the op and the input shapes there) so a failure is a repro.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label: string,
  options: CloseOptions = {},
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: got ${actual.length} values, the reference has ${expected.length}`);
  }
  const miss = findMismatch(actual, expected, tol, options.magnitude);
  if (miss === undefined) return;
  const cols = options.shape?.[1];
  const where = cols ? `[${Math.floor(miss.index / cols)},${miss.index % cols}]` : `#${miss.index}`;
  // Values in full (they are the repro); the error bounds to 4 digits (they are context).
  const short = (v: number) => v.toPrecision(4);
  throw new Error(
    `${label}: element ${where} is ${miss.actual}, reference ${miss.expected} (off by ` +
      `${short(Math.abs(miss.actual - miss.expected))}, allowed ${short(miss.allowed)}; rel ${short(tol.rel)}, abs ${short(tol.abs)})`,
  );
}
