// Test-only helpers: synthetic data, a float64 reference of one SGD step, and an instrumented
// backend. Excluded from the build (tsconfig.build.json) and from the published files.
import { CpuBackend } from "@tensorplug/backend-cpu";
import { type Backend, Random, type Tensor } from "@tensorplug/core";
import type { ModelShape, Weights } from "./model.js";
import type { Batch } from "./types.js";

/** A labelled data set held on the host: `x` is `n x features` row-major. */
export interface Dataset {
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  readonly n: number;
  readonly features: number;
}

/**
 * `n` examples drawn from `classes` Gaussian blobs in `features` dimensions. Blob centres are
 * drawn with standard deviation `spread`, points around them with standard deviation 1.
 */
export function gaussianBlobs(
  rng: Random,
  n: number,
  features: number,
  classes: number,
  spread = 3,
  centres?: Float64Array,
): Dataset & { centres: Float64Array } {
  const c = centres ?? Float64Array.from({ length: classes * features }, () => rng.normal(0, spread));
  const x = new Float32Array(n * features);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    labels[i] = y;
    for (let f = 0; f < features; f++) x[i * features + f] = c[y * features + f]! + rng.normal();
  }
  return { x, labels, n, features, centres: c };
}

/** Splits a data set into batches of `batchSize` in order (the last one may be smaller). */
export function batchesOf(data: Dataset, batchSize: number, order?: ArrayLike<number>): Batch[] {
  const out: Batch[] = [];
  const { features } = data;
  for (let start = 0; start < data.n; start += batchSize) {
    const size = Math.min(batchSize, data.n - start);
    const x = new Float32Array(size * features);
    const labels = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const row = order ? order[start + i]! : start + i;
      x.set(data.x.subarray(row * features, (row + 1) * features), i * features);
      labels[i] = data.labels[row]!;
    }
    out.push({ x, labels, size });
  }
  return out;
}

/** Host parameters in float64, for the reference. */
export interface RefParams {
  W: Float64Array;
  b: Float64Array;
}

export function toRef(w: Weights): RefParams {
  return { W: Float64Array.from(w.W), b: Float64Array.from(w.b) };
}

/** `X W + b` in float64, `m x classes`. */
export function refLogits(p: RefParams, x: ArrayLike<number>, m: number, shape: ModelShape): Float64Array {
  const { features, classes } = shape;
  const z = new Float64Array(m * classes);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < classes; j++) {
      let acc = p.b[j]!;
      for (let f = 0; f < features; f++) acc += x[i * features + f]! * p.W[f * classes + j]!;
      z[i * classes + j] = acc;
    }
  }
  return z;
}

/** Row-wise stable softmax in float64. */
export function refSoftmax(z: Float64Array, m: number, classes: number): Float64Array {
  const p = new Float64Array(m * classes);
  for (let i = 0; i < m; i++) {
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, z[i * classes + j]!);
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(z[i * classes + j]! - max);
    for (let j = 0; j < classes; j++) p[i * classes + j] = Math.exp(z[i * classes + j]! - max) / sum;
  }
  return p;
}

/** Index of the largest value of row `i` (first one wins a tie) and its margin over the runner-up. */
export function refArgmax(
  z: ArrayLike<number>,
  i: number,
  classes: number,
): { index: number; margin: number } {
  let best = 0;
  for (let j = 1; j < classes; j++) if (z[i * classes + j]! > z[i * classes + best]!) best = j;
  let second = -Infinity;
  for (let j = 0; j < classes; j++) if (j !== best) second = Math.max(second, z[i * classes + j]!);
  return { index: best, margin: z[i * classes + best]! - second };
}

/**
 * One SGD step in float64, with the tally computed before the step:
 * loss = -log p[y], grad = p - onehot, W -= lr/m * X^T grad, b -= lr/m * sum(grad).
 * Mutates `p`. `minMargin` is the smallest top-1/top-2 logit gap of the batch.
 */
export function refStep(
  p: RefParams,
  batch: Batch,
  lr: number,
  shape: ModelShape,
): { lossSum: number; correct: number; count: number; minMargin: number } {
  const { features, classes } = shape;
  const m = batch.size;
  const z = refLogits(p, batch.x, m, shape);
  const prob = refSoftmax(z, m, classes);
  const grad = new Float64Array(m * classes);
  let lossSum = 0;
  let correct = 0;
  let minMargin = Infinity;
  for (let i = 0; i < m; i++) {
    const y = batch.labels[i]!;
    lossSum -= Math.log(prob[i * classes + y]!);
    const { index, margin } = refArgmax(z, i, classes);
    if (index === y) correct++;
    minMargin = Math.min(minMargin, margin);
    for (let j = 0; j < classes; j++) grad[i * classes + j] = prob[i * classes + j]! - (j === y ? 1 : 0);
  }
  const scale = lr / m;
  for (let f = 0; f < features; f++) {
    for (let j = 0; j < classes; j++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += batch.x[i * features + f]! * grad[i * classes + j]!;
      p.W[f * classes + j]! -= scale * acc;
    }
  }
  for (let j = 0; j < classes; j++) {
    let acc = 0;
    for (let i = 0; i < m; i++) acc += grad[i * classes + j]!;
    p.b[j]! -= scale * acc;
  }
  return { lossSum, correct, count: m, minMargin };
}

/** Largest `|a - b| / (abs + rel * |b|)` over two arrays; at most 1 means "within tolerance". */
export function worstError(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (abs + rel * Math.abs(b[i]!)));
  }
  return worst;
}

/** A CPU backend seen through a proxy that counts `read` calls and fails every `readSync`. */
export interface CountingBackend {
  readonly backend: Backend;
  readonly inner: CpuBackend;
  readonly counts: { read: number; readSync: number };
}

export function countingBackend(): CountingBackend {
  const inner = new CpuBackend();
  const counts = { read: 0, readSync: 0 };
  const backend = new Proxy(inner, {
    get(target, key) {
      if (key === "read") {
        return (t: Tensor) => {
          counts.read++;
          return target.read(t);
        };
      }
      if (key === "readSync") {
        return () => {
          counts.readSync++;
          throw new Error("readSync called: the model must only read asynchronously");
        };
      }
      if (key === "caps") return { ...target.caps, syncRead: false };
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Backend;
  return { backend, inner, counts };
}

/** Random host weights with a larger spread than the book's, so that softmax is far from uniform. */
export function randomWeights(seed: number, shape: ModelShape, std = 0.5): Weights {
  const rng = new Random(seed);
  return {
    W: rng.normalArray(shape.features * shape.classes, 0, std),
    b: rng.normalArray(shape.classes, 0, std),
  };
}
