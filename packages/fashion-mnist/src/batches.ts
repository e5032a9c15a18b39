import { IMAGE_SIZE } from "./constants.js";
import type { ImageSet } from "./load.js";

/** One mini-batch. */
export interface Batch {
  /**
   * `size * IMAGE_SIZE` pixel bytes as stored (0-255). Each stands for `byte * scale`, a pixel
   * scaled to [0, 1]: backends scale inside their kernels, so the images are never held as floats
   * (a quarter of the memory traffic). Gathered when first read, into a buffer REUSED by the next
   * batch of the same iterator: copy it if you need it after advancing (reading it only after
   * advancing gathers into a fresh buffer).
   */
  readonly x: Uint8Array;
  /**
   * The examples of this batch: their indices in the set, in batch order (a view into the pass's
   * order). With `source`, a consumer that picks rows itself (core's `gatherRows`) never needs `x`.
   */
  readonly rows: Uint32Array;
  /** The set's images, `IMAGE_SIZE` bytes per example: `x` is rows `rows` of it. */
  readonly source: Uint8Array;
  /** `1/255`: the value of one step of a pixel byte. */
  readonly scale: number;
  /** `size` class indices; a fresh array per batch, safe to keep. */
  readonly labels: Uint8Array;
  /** Examples in this batch: `batchSize`, except possibly the last batch of a pass. */
  readonly size: number;
  /** Batch number within the pass, from 0. */
  readonly index: number;
}

/** How {@link batches} slices a pass over an {@link ImageSet}. */
export interface BatchOptions {
  /** Examples per batch, a positive integer. The last batch holds the remainder. */
  batchSize: number;
  /**
   * Called once per pass with the indices 0..n-1 to permute in place; the pass visits examples
   * in the resulting order. Absent: in order. Must leave a permutation behind.
   */
  shuffle?: (indices: Uint32Array) => void;
  /** Use only the first `limit` examples (all if larger than the set). */
  limit?: number;
}

/**
 * The value of one step of a pixel byte. For every byte b, fround(b * PIXEL_SCALE) equals
 * fround(b / 255), so kernels may multiply instead of divide and lose nothing.
 */
export const PIXEL_SCALE = 1 / 255;

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Number of batches one pass over `count` examples yields, counting a final partial batch.
 *
 * @throws RangeError unless `count` is a non-negative and `batchSize` a positive integer
 */
export function batchCount(count: number, batchSize: number): number {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  checkPositiveInteger(batchSize, "batchSize");
  return Math.ceil(count / batchSize);
}

function identityOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

function checkPermutation(order: Uint32Array): void {
  // A faulty shuffle would otherwise read past the set (NaN pixels) or silently repeat examples.
  const seen = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const k = order[i]!;
    if (k >= order.length || seen[k] === 1) {
      throw new RangeError(
        `shuffle left index ${k} at position ${i}: not a permutation of 0..${order.length - 1}`,
      );
    }
    seen[k] = 1;
  }
}

/**
 * One pass over `set` in mini-batches: the pixel bytes of each batch gathered into one buffer
 * reused batch after batch, with {@link PIXEL_SCALE} mapping them to [0, 1]. Call again for the next pass (and the next `shuffle`).
 *
 * Arguments are checked, and `shuffle` is called, when `batches` is called, not on first `next()`.
 *
 * @throws RangeError for a bad `batchSize` or `limit`, an inconsistent set, or a shuffle that
 *   does not leave a permutation
 */
export function batches(set: ImageSet, opts: BatchOptions): Generator<Batch> {
  const { batchSize, shuffle, limit } = opts;
  checkPositiveInteger(batchSize, "batchSize");
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const n = Math.min(limit ?? set.count, set.count);
  if (set.images.length < n * IMAGE_SIZE || set.labels.length < n) {
    throw new RangeError(
      `image set claims ${set.count} examples but holds ${set.images.length} pixel bytes and ${set.labels.length} labels`,
    );
  }
  let order: Uint32Array | undefined;
  if (shuffle !== undefined) {
    order = identityOrder(n);
    shuffle(order);
    checkPermutation(order);
  }
  return pass(set, n, batchSize, order);
}

function* pass(
  set: ImageSet,
  n: number,
  batchSize: number,
  order: Uint32Array | undefined,
): Generator<Batch> {
  const { images, labels: allLabels } = set;
  const examples = order ?? identityOrder(n);
  const buffer = new Uint8Array(batchSize * IMAGE_SIZE);
  let current = -1;
  for (let index = 0, start = 0; start < n; index++, start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const rows = examples.subarray(start, start + size);
    const labels = new Uint8Array(size);
    for (let j = 0; j < size; j++) labels[j] = allLabels[rows[j]!]!;
    current = index;
    let x: Uint8Array | undefined;
    // Gathering the pixels is most of a batch's cost, and a consumer that picks rows out of
    // `source` itself never reads them: gather on first read only.
    const pixels = (): Uint8Array => {
      if (x !== undefined) return x;
      const into =
        index === current ? buffer.subarray(0, size * IMAGE_SIZE) : new Uint8Array(size * IMAGE_SIZE);
      gatherInto(images, order === undefined ? start : rows, size, into);
      x = into;
      return x;
    };
    yield {
      get x() {
        return pixels();
      },
      rows,
      source: images,
      scale: PIXEL_SCALE,
      labels,
      size,
      index,
    };
  }
}

/** The pixels of `size` examples into `into`: rows `start..start+size` in order, or the listed rows. */
function gatherInto(images: Uint8Array, rows: number | Uint32Array, size: number, into: Uint8Array): void {
  if (typeof rows === "number") {
    // In order, the batch is one contiguous run of bytes.
    into.set(images.subarray(rows * IMAGE_SIZE, (rows + size) * IMAGE_SIZE));
    return;
  }
  for (let j = 0; j < size; j++) {
    const example = rows[j]!;
    into.set(images.subarray(example * IMAGE_SIZE, (example + 1) * IMAGE_SIZE), j * IMAGE_SIZE);
  }
}
