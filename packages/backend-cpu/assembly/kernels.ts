// WebAssembly SIMD kernels of backend-cpu, in AssemblyScript: the module's entry. The host
// (src/wasm-kernels.ts) lays every operand out in linear memory and passes byte offsets; nothing
// here allocates.
//
// Matrices of the right-hand side (`W`, `B`, gradients) are stored with their rows padded to a
// stride `ns`, a multiple of 4 floats, so each row is a whole number of 128-bit vectors. For up to
// 12 columns (Fashion-MNIST has 10) the stride is 12 and a row's running sums live in three vector
// registers; wider matrices take the general path, with the sums in memory.
//
// This file holds the layer kernel, which meets the others in one pass over a row; beside it:
// gather.ts (rows into lists of their nonzero columns), products.ts (a gathered row times the
// weights, and its part of their gradient), softmax.ts (a row's softmax and loss), weights.ts
// (laying the weights out, their SGD step, the sum of the chunks' gradient parts), label-order.ts
// (the order the layer kernel takes a call's rows in) and lanes.ts (small vector helpers).

import { gather, gatherPair, rowOf, touchRow } from "./gather";
import { accumulate, accumulatePair, forward, forwardPair } from "./products";
import { softmaxOfRow } from "./softmax";

// The module's exports, the host's entry points: of all the files, only the entry's exports are the
// module's.
export { heapBase } from "./gather";
export { labelOrder } from "./label-order";
export { matmul } from "./products";
export { allFinite, pad, stepWeights, sumSlots, unpad } from "./weights";

/** Adds the row of `bytes` bytes at `g` to the one at `sum`. */
function addRow(sum: usize, g: usize, bytes: usize): void {
  for (let c: usize = 0; c < bytes; c += 16)
    v128.store(sum + c, f32x4.add(v128.load(sum + c), v128.load(g + c)));
}

/**
 * Dense layer, softmax and cross-entropy, forward and backward, for rows `from` to `to`
 * (exclusive), so each row of `x` is read from memory once. `t` holds the targets `[m,n]`
 * unpadded; `loss` and `correct` get one float per row; `gw` `[k,ns]` and `gb` `[ns]` are
 * overwritten with these rows' part of the gradients of the summed loss, unless `gradients` is
 * false (scoring: the forward half only, and `gw`, `gb` untouched). `z` and `g` are scratch, two
 * rows of `ns` floats each. `rows`, unless 0, is the table of the rows of `x` the call's rows are
 * (see `rowOf`); targets and outputs follow the call's rows. `order`, unless 0, is the order the
 * call's rows are taken in (see `labelOrder`): the gradients add their rows' parts in that order.
 *
 * Byte rows of up to 12 columns go two at a time (`gatherPair`): the weights' and the gradient's
 * rows are read and written once for both, a third fewer times than one row at a time on
 * Fashion-MNIST, and every logit and gradient sum comes out with the bits it has one row at a time
 * (a partner's zeros add exactly nothing). Other rows, and the last of an odd count, go one by one.
 */
export function linearSoftmaxCrossEntropy(
  x: usize,
  bytes: bool,
  lut: usize,
  from: i32,
  to: i32,
  k: i32,
  w: usize,
  bias: usize,
  ns: i32,
  n: i32,
  t: usize,
  skipZeros: bool,
  loss: usize,
  correct: usize,
  gw: usize,
  gb: usize,
  idx: usize,
  val: usize,
  z: usize,
  g: usize,
  gradients: bool,
  rows: usize,
  order: usize,
): void {
  const rowBytes = (<usize>ns) << 2;
  const stride = ns << 2;
  if (gradients) {
    memory.fill(gw, 0, <usize>k * rowBytes);
    memory.fill(gb, 0, rowBytes);
  }
  memory.fill(g, 0, rowBytes << 1);
  let touched: u32 = 0;
  let i = from;
  // Zeros are listed in pairs, so only where skipping them is allowed (see `gather`).
  if (bytes && skipZeros && ns === 12) {
    const z2 = z + rowBytes;
    const g2 = g + rowBytes;
    for (; i + 1 < to; i += 2) {
      if (rows !== 0 && i + 2 < to) touched |= touchRow(x, bytes, rowOf(rows, rowOf(order, i + 2)), k);
      if (rows !== 0 && i + 3 < to) touched |= touchRow(x, bytes, rowOf(rows, rowOf(order, i + 3)), k);
      const first = rowOf(order, i);
      const second = rowOf(order, i + 1);
      const a = rowOf(rows, first);
      const b = rowOf(rows, second);
      const count = gatherPair(x, a, b, k, stride, idx, val);
      forwardPair(idx, val, lut, count, w, bias, z, z2);
      const finiteA = softmaxOfRow(z, t, first, n, ns, loss, correct, g);
      const finiteB = softmaxOfRow(z2, t, second, n, ns, loss, correct, g2);
      if (!gradients) continue;
      addRow(gb, g, rowBytes);
      addRow(gb, g2, rowBytes);
      if (finiteA && finiteB) {
        accumulatePair(idx, val, lut, count, g, g2, gw);
        continue;
      }
      // A zero input times a NaN or infinite gradient is NaN, not nothing: each row on its own,
      // every column of one whose gradient is not finite.
      accumulate<u8>(idx, val, lut, gather(x, bytes, a, k, finiteA, stride, idx, val), g, ns, gw);
      accumulate<u8>(idx, val, lut, gather(x, bytes, b, k, finiteB, stride, idx, val), g2, ns, gw);
    }
  }
  for (; i < to; i++) {
    if (rows !== 0 && i + 1 < to) touched |= touchRow(x, bytes, rowOf(rows, rowOf(order, i + 1)), k);
    const row = rowOf(order, i);
    const r = rowOf(rows, row);
    let count = gather(x, bytes, r, k, skipZeros, stride, idx, val);
    if (bytes) forward<u8>(idx, val, lut, count, w, ns, bias, z);
    else forward<f32>(idx, val, lut, count, w, ns, bias, z);
    const finite = softmaxOfRow(z, t, row, n, ns, loss, correct, g);
    if (!gradients) continue;
    addRow(gb, g, rowBytes);
    // A zero input times a NaN or infinite gradient is NaN, not nothing: gather every column then.
    if (skipZeros && !finite) count = gather(x, bytes, r, k, false, stride, idx, val);
    if (bytes) accumulate<u8>(idx, val, lut, count, g, ns, gw);
    else accumulate<f32>(idx, val, lut, count, g, ns, gw);
  }
  // Kept, so that the touching loads are not optimised away: the lists are scratch.
  store<u32>(idx, touched);
}
