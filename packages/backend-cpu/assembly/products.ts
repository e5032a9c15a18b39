// A gathered row times the right operand (the forward products), and its part of the weight
// gradient; one row at a time, or two gathered together.

import { gather, rowOf, touchRow, valueAt } from "./gather";
import { madd } from "./lanes";

/**
 * Row sums of the gathered row times `w` (stride 12), plus `bias`, into `out` (12 floats), added
 * in column order: the order `forwardPair` adds them in, so a row has the same sums gathered alone,
 * as floats, or with a partner.
 */
function forward12<T>(
  idx: usize,
  vals: usize,
  lut: usize,
  count: i32,
  w: usize,
  bias: usize,
  out: usize,
): void {
  let z0 = v128.load(bias);
  let z1 = v128.load(bias, 16);
  let z2 = v128.load(bias, 32);
  let q = 0;
  for (; q + 2 <= count; q += 2) {
    const at = (<usize>q) << 2;
    const f = f32x4.splat(valueAt<T>(vals, q, lut));
    const r = w + <usize>load<i32>(idx + at);
    const e = f32x4.splat(valueAt<T>(vals, q + 1, lut));
    const s = w + <usize>load<i32>(idx + at, 4);
    z0 = madd(e, v128.load(s), madd(f, v128.load(r), z0));
    z1 = madd(e, v128.load(s, 16), madd(f, v128.load(r, 16), z1));
    z2 = madd(e, v128.load(s, 32), madd(f, v128.load(r, 32), z2));
  }
  if (q < count) {
    const f = f32x4.splat(valueAt<T>(vals, q, lut));
    const r = w + <usize>load<i32>(idx + ((<usize>q) << 2));
    z0 = madd(f, v128.load(r), z0);
    z1 = madd(f, v128.load(r, 16), z1);
    z2 = madd(f, v128.load(r, 32), z2);
  }
  v128.store(out, z0);
  v128.store(out, z1, 16);
  v128.store(out, z2, 32);
}

/** Adds `f · (g0, g1, g2)` to the 12 floats at `r`: one pixel's part of a gradient row of stride 12. */
function addScaled(r: usize, f: v128, g0: v128, g1: v128, g2: v128): void {
  v128.store(r, madd(f, g0, v128.load(r)));
  v128.store(r, madd(f, g1, v128.load(r, 16)), 16);
  v128.store(r, madd(f, g2, v128.load(r, 32)), 32);
}

/** Adds the gathered row times the gradient row `g` (stride `ns`) to the rows of `gw`. */
export function accumulate<T>(
  idx: usize,
  vals: usize,
  lut: usize,
  count: i32,
  g: usize,
  ns: i32,
  gw: usize,
): void {
  const bytes = (<usize>ns) << 2;
  if (ns === 12) {
    const g0 = v128.load(g);
    const g1 = v128.load(g, 16);
    const g2 = v128.load(g, 32);
    // Two pixels an iteration: the loop's own count, test and stack check once for both.
    let q = 0;
    for (; q + 2 <= count; q += 2) {
      const f = f32x4.splat(valueAt<T>(vals, q, lut));
      const e = f32x4.splat(valueAt<T>(vals, q + 1, lut));
      const r = gw + <usize>load<i32>(idx + ((<usize>q) << 2));
      const s = gw + <usize>load<i32>(idx + ((<usize>q) << 2), 4);
      addScaled(r, f, g0, g1, g2);
      addScaled(s, e, g0, g1, g2);
    }
    if (q < count) {
      const f = f32x4.splat(valueAt<T>(vals, q, lut));
      const r = gw + <usize>load<i32>(idx + ((<usize>q) << 2));
      addScaled(r, f, g0, g1, g2);
    }
    return;
  }
  for (let q = 0; q < count; q++) {
    const f = f32x4.splat(valueAt<T>(vals, q, lut));
    addScaledRow(gw + <usize>load<i32>(idx + ((<usize>q) << 2)), f, g, bytes);
  }
}

/** Adds `f` times the row of `bytes` bytes at `src` to the one at `dst`: the wide matrices' path. */
function addScaledRow(dst: usize, f: v128, src: usize, bytes: usize): void {
  for (let c: usize = 0; c < bytes; c += 16)
    v128.store(dst + c, madd(f, v128.load(src + c), v128.load(dst + c)));
}

/**
 * `forward12` for two rows gathered by `gatherPair`: the first row's sums into `outA`, the
 * second's into `outB`, each added in column order as `forward12` adds them. Each weight row is
 * loaded once for both.
 */
export function forwardPair(
  idx: usize,
  vals: usize,
  lut: usize,
  count: i32,
  w: usize,
  bias: usize,
  outA: usize,
  outB: usize,
): void {
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let b0 = a0;
  let b1 = a1;
  let b2 = a2;
  for (let q = 0; q < count; q++) {
    const r = w + <usize>load<i32>(idx + ((<usize>q) << 2));
    const v = <usize>load<u16>(vals + ((<usize>q) << 1));
    const fa = v128.load32_splat(lut + ((v & 255) << 2));
    const fb = v128.load32_splat(lut + ((v >> 8) << 2));
    const w0 = v128.load(r);
    const w1 = v128.load(r, 16);
    const w2 = v128.load(r, 32);
    a0 = madd(fa, w0, a0);
    a1 = madd(fa, w1, a1);
    a2 = madd(fa, w2, a2);
    b0 = madd(fb, w0, b0);
    b1 = madd(fb, w1, b1);
    b2 = madd(fb, w2, b2);
  }
  v128.store(outA, a0);
  v128.store(outA, a1, 16);
  v128.store(outA, a2, 32);
  v128.store(outB, b0);
  v128.store(outB, b1, 16);
  v128.store(outB, b2, 32);
}

/**
 * `accumulate` (stride 12) for two rows gathered by `gatherPair`, whose gradient rows are `ga`
 * and `gb`: at each column the first row's part, then the second's, so each gradient row gets its
 * terms in the order of one row at a time, and is read and written once for both.
 */
export function accumulatePair(
  idx: usize,
  vals: usize,
  lut: usize,
  count: i32,
  ga: usize,
  gb: usize,
  gw: usize,
): void {
  const a0 = v128.load(ga);
  const a1 = v128.load(ga, 16);
  const a2 = v128.load(ga, 32);
  const b0 = v128.load(gb);
  const b1 = v128.load(gb, 16);
  const b2 = v128.load(gb, 32);
  for (let q = 0; q < count; q++) {
    const r = gw + <usize>load<i32>(idx + ((<usize>q) << 2));
    const v = <usize>load<u16>(vals + ((<usize>q) << 1));
    const fa = v128.load32_splat(lut + ((v & 255) << 2));
    const fb = v128.load32_splat(lut + ((v >> 8) << 2));
    v128.store(r, madd(fb, b0, madd(fa, a0, v128.load(r))));
    v128.store(r, madd(fb, b1, madd(fa, a1, v128.load(r, 16))), 16);
    v128.store(r, madd(fb, b2, madd(fa, a2, v128.load(r, 32))), 32);
  }
}

/**
 * The row sums of a gathered row times `w` (stride `ns`, a multiple of 4), plus `bias`, into `out`:
 * `forward12` for up to 12 columns, else with the sums in memory at `out`.
 */
export function forward<T>(
  idx: usize,
  vals: usize,
  lut: usize,
  count: i32,
  w: usize,
  ns: i32,
  bias: usize,
  out: usize,
): void {
  if (ns === 12) {
    forward12<T>(idx, vals, lut, count, w, bias, out);
    return;
  }
  const bytes = (<usize>ns) << 2;
  memory.copy(out, bias, bytes);
  for (let q = 0; q < count; q++) {
    const f = f32x4.splat(valueAt<T>(vals, q, lut));
    addScaledRow(out, f, w + <usize>load<i32>(idx + ((<usize>q) << 2)), bytes);
  }
}

/**
 * Rows `from` to `to` (exclusive) of `c = a · w`: `a` is `[m,k]` (bytes through `lut`, or floats),
 * `w` `[k,ns]` padded, `c` `[m,ns]` padded. `zero` is `ns` zero floats (the bias of a plain product).
 * `rows`, unless 0, is the table of the rows of `a` the call's rows are (see `rowOf`).
 */
export function matmul(
  a: usize,
  bytes: bool,
  lut: usize,
  from: i32,
  to: i32,
  k: i32,
  w: usize,
  ns: i32,
  skipZeros: bool,
  zero: usize,
  c: usize,
  idx: usize,
  val: usize,
  rows: usize,
): void {
  const rowBytes = (<usize>ns) << 2;
  let touched: u32 = 0;
  for (let i = from; i < to; i++) {
    if (rows !== 0 && i + 1 < to) touched |= touchRow(a, bytes, rowOf(rows, i + 1), k);
    const count = gather(a, bytes, rowOf(rows, i), k, skipZeros, ns << 2, idx, val);
    const out = c + <usize>i * rowBytes;
    if (bytes) forward<u8>(idx, val, lut, count, w, ns, zero, out);
    else forward<f32>(idx, val, lut, count, w, ns, zero, out);
  }
  // Kept, so that the touching loads are not optimised away: the lists are scratch.
  store<u32>(idx, touched);
}
