// The right operand laid out and back, the SGD step of the weights, and the sum of the chunks'
// parts of a gradient.

import { finiteLanes, realLanes, rowLanes } from "./lanes";

/** Whether all `count` floats at `at` are finite: `v - v` is 0 for them and NaN for ±Infinity and NaN. */
export function allFinite(at: usize, count: i32): bool {
  let p = 0;
  for (; p + 4 <= count; p += 4) {
    if (!i32x4.all_true(finiteLanes(v128.load(at + ((<usize>p) << 2))))) return false;
  }
  for (; p < count; p++) {
    const v = load<f32>(at + ((<usize>p) << 2));
    if (v - v !== 0) return false;
  }
  return true;
}

/** Copies `rows` rows of `n` floats from `src` into rows of stride `ns` at `dst`, zero-padded. */
export function pad(src: usize, rows: i32, n: i32, dst: usize, ns: i32): void {
  const from = (<usize>n) << 2;
  const to = (<usize>ns) << 2;
  if (ns === 12 && rows > 0) {
    // Three vectors a row, read whole and the lanes past `n` cleared (a copy and a fill per row
    // cost twice as much as the loop below takes for the weights); the last row lane by lane,
    // as reading whole vectors there could pass the end of the memory.
    const m0 = realLanes(0, n);
    const m1 = realLanes(4, n);
    const m2 = realLanes(8, n);
    const last = <usize>rows - 1;
    for (let r: usize = 0; r < last; r++) {
      const s = src + r * from;
      const d = dst + r * to;
      v128.store(d, v128.and(v128.load(s), m0));
      v128.store(d, v128.and(v128.load(s, 16), m1), 16);
      v128.store(d, v128.and(v128.load(s, 32), m2), 32);
    }
    const s = src + last * from;
    const d = dst + last * to;
    v128.store(d, rowLanes(s, 0, n));
    v128.store(d, rowLanes(s, 4, n), 16);
    v128.store(d, rowLanes(s, 8, n), 32);
    return;
  }
  for (let r: usize = 0; r < <usize>rows; r++) {
    memory.copy(dst + r * to, src + r * from, from);
    memory.fill(dst + r * to + from, 0, to - from);
  }
}

/**
 * The weights after an SGD step, `w + scale · gw`, where `gw` is the sum of `slots` parts of the
 * gradient (`stride` bytes apart, added in slot order as `sumSlots` adds them; those before `from`
 * already added into the first, see `sumSlots`): `k` rows of stride
 * `ns` in, `k` packed rows of `n` out, each rounded once from float64, as the host's `axpy` rounds.
 * One pass: the parts are read once and the sum never stored. A row's last vector runs past its
 * `n` floats into the next row, which its own stores overwrite after; `out` needs `ns - n` floats
 * of room at its end. Unless `padded` is 0, the same weights go there too, in rows of stride `ns`
 * with the lanes past `n` zero (it may be `w` itself: each row is read before it is written), so
 * that the next call finds them laid out. Whether every new weight is finite goes to `flag` (an
 * i32, 1 or 0), and `scale` is read from `scaleAt` (a float64): the step may run on the worker
 * thread, whose arguments are 32-bit integers and whose return values no one sees.
 */
export function stepWeights(
  w: usize,
  gw: usize,
  from: i32,
  slots: i32,
  stride: usize,
  k: i32,
  ns: i32,
  n: i32,
  scaleAt: usize,
  out: usize,
  padded: usize,
  flag: usize,
): void {
  const s = f64x2.splat(load<f64>(scaleAt));
  const rowBytes = (<usize>ns) << 2;
  let finite = i32x4.splat(-1);
  if (ns === 12) {
    const m0 = realLanes(0, n);
    const m1 = realLanes(4, n);
    const m2 = realLanes(8, n);
    // A row's three vectors summed side by side: a single vector's sum waits on each add in turn.
    for (let p = 0; p < k; p++) {
      const row = gw + <usize>p * rowBytes;
      let s0 = v128.load(row);
      let s1 = v128.load(row, 16);
      let s2 = v128.load(row, 32);
      for (let slot = from; slot < slots; slot++) {
        const at = row + <usize>slot * stride;
        s0 = f32x4.add(s0, v128.load(at));
        s1 = f32x4.add(s1, v128.load(at, 16));
        s2 = f32x4.add(s2, v128.load(at, 32));
      }
      const w0 = w + <usize>p * rowBytes;
      const v0 = v128.and(steppedLanes(v128.load(w0), s0, s), m0);
      const v1 = v128.and(steppedLanes(v128.load(w0, 16), s1, s), m1);
      const v2 = v128.and(steppedLanes(v128.load(w0, 32), s2, s), m2);
      finite = v128.and(finite, finiteLanes(v0));
      finite = v128.and(finite, finiteLanes(v1));
      finite = v128.and(finite, finiteLanes(v2));
      const o = out + ((<usize>p * <usize>n) << 2);
      v128.store(o, v0);
      v128.store(o, v1, 16);
      v128.store(o, v2, 32);
      if (padded !== 0) {
        const d = padded + <usize>p * rowBytes;
        v128.store(d, v0);
        v128.store(d, v1, 16);
        v128.store(d, v2, 32);
      }
    }
    store<i32>(flag, i32(i32x4.all_true(finite)));
    return;
  }
  for (let p = 0; p < k; p++) {
    const row = <usize>p * rowBytes;
    const o = out + ((<usize>p * <usize>n) << 2);
    for (let c: usize = 0; c < rowBytes; c += 16) {
      let sum = v128.load(gw + row + c);
      for (let slot = from; slot < slots; slot++)
        sum = f32x4.add(sum, v128.load(gw + <usize>slot * stride + row + c));
      const v = v128.and(steppedLanes(v128.load(w + row + c), sum, s), realLanes(<i32>(c >> 2), n));
      finite = v128.and(finite, finiteLanes(v));
      v128.store(o + c, v);
      if (padded !== 0) v128.store(padded + row + c, v);
    }
  }
  store<i32>(flag, i32(i32x4.all_true(finite)));
}

/** `v + s · g` lane by lane, computed in float64 and rounded once to float32, as `axpy` rounds. */
function steppedLanes(v: v128, g: v128, s: v128): v128 {
  const low = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.mul(s, f64x2.promote_low_f32x4(g)));
  const high = f64x2.add(
    f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)),
    f64x2.mul(s, f64x2.promote_low_f32x4(i64x2.shuffle(g, g, 1, 0))),
  );
  return i64x2.shuffle(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 2);
}

/** The inverse of `pad`: rows of stride `ns` at `src` into packed rows of `n` floats at `dst`. */
export function unpad(src: usize, rows: i32, ns: i32, n: i32, dst: usize): void {
  const from = (<usize>ns) << 2;
  const to = (<usize>n) << 2;
  for (let r: usize = 0; r < <usize>rows; r++) memory.copy(dst + r * to, src + r * from, to);
}

/**
 * Adds blocks `from` to `slots - 1` of `count` floats (a multiple of 4), `stride` bytes apart from
 * `at`, into the first, in slot order: the chunks' parts of a gradient, in one pass over them. The
 * blocks before `from` are already in the first (a waiting caller added them, in the same order,
 * so the sum is the same to the bit); `from` one past a block adds just that one.
 */
export function sumSlots(at: usize, from: i32, slots: i32, stride: usize, count: i32): void {
  const bytes = (<usize>count) << 2;
  let v: usize = 0;
  // Four vectors side by side, for the reason `stepWeights` gives.
  for (; v + 64 <= bytes; v += 64) {
    let s0 = v128.load(at + v);
    let s1 = v128.load(at + v, 16);
    let s2 = v128.load(at + v, 32);
    let s3 = v128.load(at + v, 48);
    for (let s = from; s < slots; s++) {
      const part = at + <usize>s * stride + v;
      s0 = f32x4.add(s0, v128.load(part));
      s1 = f32x4.add(s1, v128.load(part, 16));
      s2 = f32x4.add(s2, v128.load(part, 32));
      s3 = f32x4.add(s3, v128.load(part, 48));
    }
    v128.store(at + v, s0);
    v128.store(at + v, s1, 16);
    v128.store(at + v, s2, 32);
    v128.store(at + v, s3, 48);
  }
  for (; v < bytes; v += 16) {
    let sum = v128.load(at + v);
    for (let s = from; s < slots; s++) sum = f32x4.add(sum, v128.load(at + <usize>s * stride + v));
    v128.store(at + v, sum);
  }
}
