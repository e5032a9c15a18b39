// The order the layer kernel takes a call's rows in: by label, so that a pair's images share more
// of their foreground.

import { realLanes, rowLanes } from "./lanes";

/**
 * The order for the layer kernel to take `m` rows of `n` (at most 12) targets in (`order`, `m`
 * i32s): by label, each row's largest target (see `labelOf`), rows of one label in their own
 * order. `scratch` holds `n + 1 + m` i32s: a count per label, then the rows' labels. Reads whole
 * vectors: `t` needs 16 bytes of room after its last row.
 *
 * Why: two images of one class share more of their foreground than two of any classes, so a pair
 * lists fewer columns (in Fashion-MNIST batches of 256, 60 % of two rows' columns against 67 % in
 * batch order). The order depends on the targets alone, so no result depends on the thread count.
 */
export function labelOrder(t: usize, m: i32, n: i32, order: usize, scratch: usize): void {
  const starts = scratch;
  const labels = scratch + ((<usize>n + 1) << 2);
  memory.fill(starts, 0, (<usize>n + 1) << 2);
  for (let i = 0; i < m; i++) {
    const label = labelOf(t, i, n);
    store<i32>(labels + ((<usize>i) << 2), label);
    const at = starts + ((<usize>label + 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let j = 0; j < n; j++) {
    const at = starts + ((<usize>j + 1) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  for (let i = 0; i < m; i++) {
    const at = starts + ((<usize>load<i32>(labels + ((<usize>i) << 2))) << 2);
    const place = load<i32>(at);
    store<i32>(order + ((<usize>place) << 2), i);
    store<i32>(at, place + 1);
  }
}

/**
 * The index of row `i`'s largest target among its `n` (at most 12; the first where several tie;
 * 0 where one is NaN). On three vectors, without a branch: which target is largest is a coin toss
 * for the processor's predictor, row after row.
 */
function labelOf(t: usize, i: i32, n: i32): i32 {
  const row = t + ((<usize>i * <usize>n) << 2);
  const none = f32x4.splat(-Infinity);
  const t0 = v128.bitselect(rowLanes(row, 0, n), none, realLanes(0, n));
  const t1 = v128.bitselect(rowLanes(row, 4, n), none, realLanes(4, n));
  // Read whole past the row's end (up to 12 bytes; by lanes, the third vector took a fifth of
  // the time); the lanes past `n` are masked.
  const t2 = n > 8 ? v128.bitselect(v128.load(row, 32), none, realLanes(8, n)) : none;
  let largest = f32x4.max(t0, f32x4.max(t1, t2));
  largest = f32x4.max(largest, i32x4.shuffle(largest, largest, 2, 3, 0, 1));
  largest = f32x4.max(largest, i32x4.shuffle(largest, largest, 1, 0, 3, 2));
  const at =
    i32x4.bitmask(f32x4.eq(t0, largest)) |
    (i32x4.bitmask(f32x4.eq(t1, largest)) << 4) |
    (i32x4.bitmask(f32x4.eq(t2, largest)) << 8);
  return at === 0 ? 0 : <i32>ctz(at);
}
