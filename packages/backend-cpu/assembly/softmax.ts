// A row's softmax, cross-entropy and gradient of the logits, from its logits and targets.

import { finiteLanes, lanesSum, realLanes, rowLanes } from "./lanes";

/** ln 2 in two parts: `n · LN2_HI` is exact for any exponent `n` of a float32 (LN2_HI has 16 bits). */
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.428606765330187e-6;
/** Below this an exponential is under float32's smallest normal number; it is taken as 0. */
const EXP_FLOOR: f32 = -87.0;

/**
 * `exp(x + lo)` of four float32 lanes where `x` is at most 0 (a logit minus the row's largest) and
 * `lo` the rounding error of that subtraction, a few float32 ulps from exact: `x + lo = n ln2 + r`
 * with `|r| <= ln2 / 2`, `exp(r)` from its Taylor series to `r^7` (the rest is under 6e-9 there),
 * times `2^n` built in the exponent bits. A NaN stays NaN (the maximum and the arithmetic keep it);
 * `-Infinity` and anything under `EXP_FLOOR` give 0.
 * Why: ten calls of the float64 `Math.exp` a row, and their conversions, cost more than this.
 */
function expNonPositive(x: v128, lo: v128): v128 {
  const floor = f32x4.splat(EXP_FLOOR);
  const y = f32x4.max(x, floor);
  const n = f32x4.nearest(f32x4.mul(y, f32x4.splat(<f32>Math.LOG2E)));
  const hi = f32x4.sub(y, f32x4.mul(n, f32x4.splat(LN2_HI)));
  const r = f32x4.add(f32x4.sub(hi, f32x4.mul(n, f32x4.splat(LN2_LO))), lo);
  let p = f32x4.splat(<f32>(1.0 / 5040));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), f32x4.lt(x, floor));
}

/**
 * What `d = z - m` lost to rounding, exactly (Knuth's two-sum): `z - m = d + error`. The shifted
 * logits are rounded to float32, off by up to `|d|` float32 ulps, which `exp` would magnify; the
 * float64 reference shifts exactly.
 */
function subtractionError(z: v128, m: v128, d: v128): v128 {
  const negM = f32x4.neg(m);
  const back = f32x4.sub(d, z);
  return f32x4.add(f32x4.sub(z, f32x4.sub(d, back)), f32x4.sub(negM, back));
}

/**
 * Softmax and cross-entropy of one row of `n` (at most 12) logits at `z` (stride 12) whose
 * largest is `max`, against the `n` targets at `target`: writes `softmax - targets` to `g` (12
 * floats, the lanes past `n` zero) and returns the row's loss, `-sum(t (z - max - log sum
 * exp(z - max)))` over the nonzero targets (a zero target adds nothing, even where log p is
 * -Infinity). Three vectors of four classes instead of a loop over ten.
 */
function softmaxRow12(z: usize, target: usize, n: i32, max: f32, g: usize): f64 {
  const t0 = rowLanes(target, 0, n);
  const t1 = rowLanes(target, 4, n);
  const t2 = rowLanes(target, 8, n);
  const m = f32x4.splat(max);
  const z0 = v128.load(z);
  const z1 = v128.load(z, 16);
  const z2 = v128.load(z, 32);
  const d0 = f32x4.sub(z0, m);
  const d1 = f32x4.sub(z1, m);
  const d2 = f32x4.sub(z2, m);
  const lo0 = subtractionError(z0, m, d0);
  const lo1 = subtractionError(z1, m, d1);
  const lo2 = subtractionError(z2, m, d2);
  const e0 = v128.and(expNonPositive(d0, lo0), realLanes(0, n));
  const e1 = v128.and(expNonPositive(d1, lo1), realLanes(4, n));
  const e2 = v128.and(expNonPositive(d2, lo2), realLanes(8, n));
  const sum = lanesSum(f32x4.add(f32x4.add(e0, e1), e2));
  const inverse = f32x4.splat(<f32>(1 / sum));
  v128.store(g, f32x4.sub(f32x4.mul(e0, inverse), t0));
  v128.store(g, f32x4.sub(f32x4.mul(e1, inverse), t1), 16);
  v128.store(g, f32x4.sub(f32x4.mul(e2, inverse), t2), 32);
  const logSum = f32x4.splat(<f32>Math.log(sum));
  const zero = f32x4.splat(0);
  const l0 = v128.andnot(f32x4.mul(t0, f32x4.add(f32x4.sub(d0, logSum), lo0)), f32x4.eq(t0, zero));
  const l1 = v128.andnot(f32x4.mul(t1, f32x4.add(f32x4.sub(d1, logSum), lo1)), f32x4.eq(t1, zero));
  const l2 = v128.andnot(f32x4.mul(t2, f32x4.add(f32x4.sub(d2, logSum), lo2)), f32x4.eq(t2, zero));
  return -lanesSum(f32x4.add(f32x4.add(l0, l1), l2));
}

/** Whether the 12 floats at `g` are all finite: `v - v` is 0 for those, NaN for the others. */
function allFinite12(g: usize): bool {
  return (
    i32x4.all_true(finiteLanes(v128.load(g))) &&
    i32x4.all_true(finiteLanes(v128.load(g, 16))) &&
    i32x4.all_true(finiteLanes(v128.load(g, 32)))
  );
}

/**
 * The softmax and cross-entropy of row `i` from its `n` logits at `z` (stride `ns`), against its
 * targets in `t`: its loss and correct flag (largest logit at the largest target; ties: the lowest
 * index) stored, `softmax - targets` written to `g`. Returns whether `g` is all finite.
 */
export function softmaxOfRow(
  z: usize,
  t: usize,
  i: i32,
  n: i32,
  ns: i32,
  loss: usize,
  correct: usize,
  g: usize,
): bool {
  const target = t + ((<usize>i * <usize>n) << 2);
  let max = <f64>load<f32>(z);
  let best = 0;
  let targetBest = 0;
  let targetMax = load<f32>(target);
  for (let j = 1; j < n; j++) {
    const v = <f64>load<f32>(z + ((<usize>j) << 2));
    if (v > max) {
      max = v;
      best = j;
    }
    const tv = load<f32>(target + ((<usize>j) << 2));
    if (tv > targetMax) {
      targetMax = tv;
      targetBest = j;
    }
  }
  store<f32>(correct + ((<usize>i) << 2), best === targetBest ? 1 : 0);
  if (ns === 12) {
    store<f32>(loss + ((<usize>i) << 2), <f32>softmaxRow12(z, target, n, <f32>max, g));
    return allFinite12(g);
  }
  // One exponential per class: e_j = exp(z_j - max), p_j = e_j / sum, log p_j only where a target is.
  let sum: f64 = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(<f64>load<f32>(z + ((<usize>j) << 2)) - max);
    store<f32>(g + ((<usize>j) << 2), <f32>e);
    sum += e;
  }
  const logSum = Math.log(sum);
  const inverse = 1 / sum;
  let rowLoss: f64 = 0;
  let finite = true;
  for (let j = 0; j < n; j++) {
    const tv = <f64>load<f32>(target + ((<usize>j) << 2));
    // A zero target adds nothing, even where log p is -Infinity (as in the reference).
    if (tv !== 0) rowLoss -= tv * (<f64>load<f32>(z + ((<usize>j) << 2)) - max - logSum);
    const gj = <f32>(<f64>load<f32>(g + ((<usize>j) << 2)) * inverse - tv);
    finite = finite && isFinite(gj);
    store<f32>(g + ((<usize>j) << 2), gj);
  }
  store<f32>(loss + ((<usize>i) << 2), <f32>rowLoss);
  return finite;
}
