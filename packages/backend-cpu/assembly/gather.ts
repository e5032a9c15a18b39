// Rows of the left operand into lists of their nonzero columns, one row or two at a time, and
// the table of rows a call may read them through.
//
// A row is gathered into a list of (column, value) pairs, leaving out exact zeros: half of every
// Fashion-MNIST image is background, and a zero adds nothing to a product, unless the other
// factor is infinite or NaN, which is why the host asks for skipping only when it holds every
// value of the other factor finite. A column is listed as the byte offset of its row of the
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
export function gather(
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
export function gatherPair(x: usize, a: i32, b: i32, k: i32, stride: i32, idx: usize, vals: usize): i32 {
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
export function valueAt<T>(vals: usize, q: i32, lut: usize): f32 {
  if (isInteger<T>()) return load<f32>(lut + ((<usize>load<u8>(vals + <usize>q)) << 2));
  return load<f32>(vals + ((<usize>q) << 2));
}

/**
 * Entry `i` of a table of row numbers, or `i` itself when there is no table (`rows` 0): which row
 * of the left operand is row `i` of a call (a batch picked out of a data set the memory holds
 * whole), or which of a call's rows the layer kernel takes `i`-th (see `labelOrder`).
 */
export function rowOf(rows: usize, i: i32): i32 {
  return rows === 0 ? i : load<i32>(rows + ((<usize>i) << 2));
}

/**
 * Reads a byte of every cache line of row `r` of `x` (`bytes` or floats), and returns them ORed
 * together for the caller to store: with a table of rows, each row comes from anywhere in a data
 * set of tens of megabytes, and the gather's own loads, each waiting on the one before, would
 * meet the memory's latency line after line. Touched one row ahead, the lines arrive together
 * while the row before is worked on.
 */
export function touchRow(x: usize, bytes: bool, r: i32, k: i32): u32 {
  const length = bytes ? <usize>k : (<usize>k) << 2;
  const row = x + <usize>r * length;
  let touched: u32 = load<u8>(row + length - 1);
  for (let j: usize = 0; j < length; j += 64) touched |= load<u8>(row + j);
  return touched;
}
