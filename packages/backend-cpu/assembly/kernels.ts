// WebAssembly SIMD kernels of backend-cpu, in AssemblyScript. The host (src/wasm-kernels.ts) lays
// every operand out in linear memory and passes byte offsets; nothing here allocates.
//
// Matrices of the right-hand side (`W`, `B`, gradients) are stored with their rows padded to a
// stride `ns`, a multiple of 4 floats, so each row is a whole number of 128-bit vectors. For up to
// 12 columns (Fashion-MNIST has 10) the stride is 12 and a row's running sums live in three vector
// registers; wider matrices take the general path, with the sums in memory.
//
// Inputs are gathered once per row into a list of (column, value) pairs, leaving out exact zeros:
// half of every Fashion-MNIST image is background, and a zero adds nothing to a product, unless
// the other factor is infinite or NaN, which is why the host asks for skipping only when it holds
// every value of the other factor finite. A column is listed as the byte offset of its row of the
// right-hand side (`column · ns · 4`), ready to add to an address; a value as its byte, for byte
// inputs, or its float. The layer kernel gathers byte rows in pairs (`gatherPair`): the columns
// where either row is nonzero, with both bytes.

/**
 * For each 8-bit mask, the positions of its set bits in ascending order (8 bytes, unused ones 0):
 * the shuffle that packs the nonzero bytes of half a vector to its front. Filled when an instance
 * starts; a second instance on the same shared memory writes the same bytes again. It lies past
 * the module's data, not in it (`memory.data` would be): every instantiation first writes a data
 * segment's bytes, and a worker starting while the other thread runs a kernel would zero the table
 * under it.
 */
const PACK: usize = __heap_base;
const PACK_BYTES: usize = 256 * 8;

/** First free byte after the module's own data and the table above: the host's arena starts here. */
export function heapBase(): usize {
  return __heap_base + PACK_BYTES;
}
for (let m = 0; m < 256; m++) {
  let c: usize = 0;
  for (let b = 0; b < 8; b++) {
    if ((m >> b) & 1) {
      store<u8>(PACK + ((<usize>m) << 3) + c, <u8>b);
      c++;
    }
  }
}

/**
 * Packs the bytes of `v` that `mask` (8 bits) picks from lanes `half` to `half + 7` into the lists
 * at `count`: their column (`p` + lane) into `idx`, their byte into `vals`. Always writes eight
 * entries (the lists have room: `count` never passes `p`) and returns `count` plus the picked.
 */
function packHalf(
  v: v128,
  mask: i32,
  half: i32,
  p: i32,
  stride: i32,
  idx: usize,
  vals: usize,
  count: i32,
): i32 {
  const lanes = i8x16.add(v128.load64_zero(PACK + ((<usize>mask) << 3)), i8x16.splat(<i8>half));
  v128.store64_lane(vals + <usize>count, i8x16.swizzle(v, lanes), 0);
  storeColumns(lanes, p, stride, idx + ((<usize>count) << 2));
  return count + <i32>popcnt(mask);
}

/**
 * The column offsets (`(p + lane) · stride`) of the eight lanes whose numbers are the low eight
 * bytes of `lanes`, as eight i32s at `at`.
 */
function storeColumns(lanes: v128, p: i32, stride: i32, at: usize): void {
  const lanes16 = i16x8.extend_low_i8x16_u(lanes);
  const column = i32x4.splat(p * stride);
  const times = i32x4.splat(stride);
  v128.store(at, i32x4.add(i32x4.mul(i32x4.extend_low_i16x8_u(lanes16), times), column));
  v128.store(at, i32x4.add(i32x4.mul(i32x4.extend_high_i16x8_u(lanes16), times), column), 16);
}

/**
 * Gathers row `i` of `x` into the lists `idx` (column) and `vals` (value); returns their length.
 * Bytes stay bytes in `vals` (the kernels look each up in the float table where they use it);
 * floats are copied as floats. With `skipZeros`, exact zeros are left out: bytes 16 at a time,
 * without a branch per byte; floats 4 at a time, a background vector costing one test.
 */
function gather(
  x: usize,
  bytes: bool,
  i: i32,
  k: i32,
  skipZeros: bool,
  stride: i32,
  idx: usize,
  vals: usize,
): i32 {
  let count = 0;
  let p = 0;
  if (bytes) {
    const row = x + <usize>i * <usize>k;
    if (skipZeros) {
      for (; p + 16 <= k; p += 16) {
        const v = v128.load(row + p);
        const mask = i8x16.bitmask(i8x16.ne(v, i8x16.splat(0)));
        if (mask === 0) continue;
        count = packHalf(v, mask & 255, 0, p, stride, idx, vals, count);
        count = packHalf(v, mask >> 8, 8, p, stride, idx, vals, count);
      }
    }
    for (; p < k; p++) {
      const b = load<u8>(row + p);
      store<i32>(idx + ((<usize>count) << 2), p * stride);
      store<u8>(vals + <usize>count, b);
      count += i32(!skipZeros || b !== 0);
    }
    return count;
  }
  const row = x + ((<usize>i * <usize>k) << 2);
  if (skipZeros) {
    for (; p + 4 <= k; p += 4) {
      let mask = i32x4.bitmask(f32x4.ne(v128.load(row + ((<usize>p) << 2)), f32x4.splat(0)));
      while (mask !== 0) {
        const q = p + ctz(mask);
        store<i32>(idx + ((<usize>count) << 2), q * stride);
        store<f32>(vals + ((<usize>count) << 2), load<f32>(row + ((<usize>q) << 2)));
        count++;
        mask &= mask - 1;
      }
    }
  }
  for (; p < k; p++) {
    const v = load<f32>(row + ((<usize>p) << 2));
    store<i32>(idx + ((<usize>count) << 2), p * stride);
    store<f32>(vals + ((<usize>count) << 2), v);
    count += i32(!skipZeros || v !== 0);
  }
  return count;
}

/**
 * Packs the pixels of `v` that `mask` (8 bits) picks (8 pixels of two rows, a 16-bit lane each:
 * the first row's byte low, the second's high) into the lists at `count`: their column (`p` +
 * lane) into `idx`, their two bytes into `vals`. Always writes eight entries (`count` never passes
 * `p`, and the lists have room) and returns `count` plus the picked.
 */
function packPairs(v: v128, mask: i32, p: i32, stride: i32, idx: usize, vals: usize, count: i32): i32 {
  const lanes = v128.load64_zero(PACK + ((<usize>mask) << 3));
  const twice = i8x16.shuffle(lanes, lanes, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  const picks = i8x16.add(i8x16.add(twice, twice), i8x16(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1));
  v128.store(vals + ((<usize>count) << 1), i8x16.swizzle(v, picks));
  storeColumns(lanes, p, stride, idx + ((<usize>count) << 2));
  return count + <i32>popcnt(mask);
}

/**
 * Gathers byte rows `a` and `b` of `x` into one list: each column where either row is nonzero
 * (in `idx`, as `gather` lists it) and the two bytes there (in `vals`, a 16-bit entry: `a`'s
 * low). Returns the list's length. A column nonzero in only one row lists a zero for the other,
 * whose product with a finite weight adds exactly nothing to its sums.
 */
function gatherPair(x: usize, a: i32, b: i32, k: i32, stride: i32, idx: usize, vals: usize): i32 {
  const rowA = x + <usize>a * <usize>k;
  const rowB = x + <usize>b * <usize>k;
  let count = 0;
  let p = 0;
  for (; p + 16 <= k; p += 16) {
    const va = v128.load(rowA + p);
    const vb = v128.load(rowB + p);
    const mask = i8x16.bitmask(i8x16.ne(v128.or(va, vb), i8x16.splat(0)));
    if (mask === 0) continue;
    const low = i8x16.shuffle(va, vb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const high = i8x16.shuffle(va, vb, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    count = packPairs(low, mask & 255, p, stride, idx, vals, count);
    count = packPairs(high, mask >> 8, p + 8, stride, idx, vals, count);
  }
  for (; p < k; p++) {
    const byteA = <u32>load<u8>(rowA + p);
    const byteB = <u32>load<u8>(rowB + p);
    store<i32>(idx + ((<usize>count) << 2), p * stride);
    store<u16>(vals + ((<usize>count) << 1), <u16>(byteA | (byteB << 8)));
    count += i32((byteA | byteB) !== 0);
  }
  return count;
}

/** Entry `q` of a gathered value list: a byte through the table `lut` (`T` = u8), or a float. */
function valueAt<T>(vals: usize, q: i32, lut: usize): f32 {
  if (isInteger<T>()) return load<f32>(lut + ((<usize>load<u8>(vals + <usize>q)) << 2));
  return load<f32>(vals + ((<usize>q) << 2));
}

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

/** All ones in the lanes of `v` that are finite: `v - v` is 0 there, NaN for ±Infinity and NaN. */
function finiteLanes(v: v128): v128 {
  return f32x4.eq(f32x4.sub(v, v), f32x4.splat(0));
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
 * `a · b + c` lane by lane: a fused multiply-add, rounded once, in the build for runtimes with
 * relaxed SIMD (where the hardware fuses; elsewhere the runtime rounds twice); a product and a
 * sum in the other build. With the product and the sum as two instructions, the products' and
 * the gradient's loops are bound by the float unit's two ports as much as by the loads.
 */
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

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
function accumulate<T>(idx: usize, vals: usize, lut: usize, count: i32, g: usize, ns: i32, gw: usize): void {
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
    const r = gw + <usize>load<i32>(idx + ((<usize>q) << 2));
    for (let c: usize = 0; c < bytes; c += 16) {
      v128.store(r + c, madd(f, v128.load(g + c), v128.load(r + c)));
    }
  }
}

/**
 * `forward12` for two rows gathered by `gatherPair`: the first row's sums into `outA`, the
 * second's into `outB`, each added in column order as `forward12` adds them. Each weight row is
 * loaded once for both.
 */
function forwardPair(
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
function accumulatePair(
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
function forward<T>(
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
    const r = w + <usize>load<i32>(idx + ((<usize>q) << 2));
    for (let c: usize = 0; c < bytes; c += 16) {
      v128.store(out + c, madd(f, v128.load(r + c), v128.load(out + c)));
    }
  }
}

/**
 * Entry `i` of a table of row numbers, or `i` itself when there is no table (`rows` 0): which row
 * of the left operand is row `i` of a call (a batch picked out of a data set the memory holds
 * whole), or which of a call's rows the layer kernel takes `i`-th (see `labelOrder`).
 */
function rowOf(rows: usize, i: i32): i32 {
  return rows === 0 ? i : load<i32>(rows + ((<usize>i) << 2));
}

/**
 * Reads a byte of every cache line of row `r` of `x` (`bytes` or floats), and returns them ORed
 * together for the caller to store: with a table of rows, each row comes from anywhere in a data
 * set of tens of megabytes, and the gather's own loads, each waiting on the one before, would
 * meet the memory's latency line after line. Touched one row ahead, the lines arrive together
 * while the row before is worked on.
 */
function touchRow(x: usize, bytes: bool, r: i32, k: i32): u32 {
  const length = bytes ? <usize>k : (<usize>k) << 2;
  const row = x + <usize>r * length;
  let touched: u32 = load<u8>(row + length - 1);
  for (let j: usize = 0; j < length; j += 64) touched |= load<u8>(row + j);
  return touched;
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

/** The sum of the four lanes, in float64. */
function lanesSum(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) +
    <f64>f32x4.extract_lane(v, 1) +
    <f64>f32x4.extract_lane(v, 2) +
    <f64>f32x4.extract_lane(v, 3)
  );
}

/** Lanes `base` to `base + 3` of a row of `n` floats at `row`, 0 past `n`, never reading past it. */
function rowLanes(row: usize, base: i32, n: i32): v128 {
  const at = row + ((<usize>base) << 2);
  if (n >= base + 4) return v128.load(at);
  let v = f32x4.splat(0);
  if (n > base) v = f32x4.replace_lane(v, 0, load<f32>(at));
  if (n > base + 1) v = f32x4.replace_lane(v, 1, load<f32>(at, 4));
  if (n > base + 2) v = f32x4.replace_lane(v, 2, load<f32>(at, 8));
  return v;
}

/** All ones in the lanes `base` to `base + 3` that are below `n`, zeros in the others. */
function realLanes(base: i32, n: i32): v128 {
  return i32x4.lt_s(i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(base)), i32x4.splat(n));
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

/**
 * The softmax and cross-entropy of row `i` from its `n` logits at `z` (stride `ns`), against its
 * targets in `t`: its loss and correct flag (largest logit at the largest target; ties: the lowest
 * index) stored, `softmax - targets` written to `g`. Returns whether `g` is all finite.
 */
function softmaxOfRow(
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
