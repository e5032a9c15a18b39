// Small operations on 128-bit vectors that the kernels of several files share.

/**
 * `a · b + c` lane by lane: a fused multiply-add, rounded once, in the build for runtimes with
 * relaxed SIMD (where the hardware fuses; elsewhere the runtime rounds twice); a product and a
 * sum in the other build. With the product and the sum as two instructions, the products' and
 * the gradient's loops are bound by the float unit's two ports as much as by the loads.
 */
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** All ones in the lanes of `v` that are finite: `v - v` is 0 there, NaN for ±Infinity and NaN. */
export function finiteLanes(v: v128): v128 {
  return f32x4.eq(f32x4.sub(v, v), f32x4.splat(0));
}

/** The sum of the four lanes, in float64. */
export function lanesSum(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) +
    <f64>f32x4.extract_lane(v, 1) +
    <f64>f32x4.extract_lane(v, 2) +
    <f64>f32x4.extract_lane(v, 3)
  );
}

/** Lanes `base` to `base + 3` of a row of `n` floats at `row`, 0 past `n`, never reading past it. */
export function rowLanes(row: usize, base: i32, n: i32): v128 {
  const at = row + ((<usize>base) << 2);
  if (n >= base + 4) return v128.load(at);
  let v = f32x4.splat(0);
  if (n > base) v = f32x4.replace_lane(v, 0, load<f32>(at));
  if (n > base + 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (n > base + 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  return v;
}

/** All ones in the lanes `base` to `base + 3` that are below `n`, zeros in the others. */
export function realLanes(base: i32, n: i32): v128 {
  return i32x4.lt_s(i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(base)), i32x4.splat(n));
}
