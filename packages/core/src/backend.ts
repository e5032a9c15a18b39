import type { Operand, Shape, Tensor } from "./tensor.js";

/**
 * Composite ops a backend may replace with a kernel of its own. Core builds each one from the
 * primitives (see `ops.ts`); a backend that lists one in `caps.fused` runs its own instead.
 */
export type FusedOp =
  | "softmax"
  | "logSoftmax"
  | "softmaxCrossEntropy"
  | "uploadBytes"
  | "linearSoftmaxCrossEntropy"
  | "linearSoftmaxLoss"
  | "linearSoftmaxSgd";

/** A reduction axis: 0 reduces over rows (result `[1,n]`), 1 over columns (result `[m,1]`). */
export type Axis = 0 | 1;

/** What a backend can do beyond the required primitives. */
export interface BackendCaps {
  /** Bits of float precision the backend computes in; conformance tolerances derive from it. */
  readonly precision: 16 | 32;
  /** Whether `readSync` exists. The model never relies on it. */
  readonly syncRead: boolean;
  /** Composite ops for which the backend provides a fused kernel. */
  readonly fused: ReadonlySet<FusedOp>;
  /**
   * Rows a scoring call (`linearSoftmaxLoss`) takes best at once, where that is more than a
   * training batch: a caller scoring a whole data set may cut it into batches this large. Absent:
   * score in batches of the training size. Only speed depends on it.
   */
  readonly scoreRows?: number;
}

/**
 * A dense layer, softmax and cross-entropy, forward and backward, for inputs `x` `[m,k]`, weights
 * `W` `[k,n]`, bias `b` `[1,n]` and targets `[m,n]` (one-hot labels, or any distribution per row).
 * Everything one SGD step of softmax regression needs, so a backend can compute it in a single pass
 * over `x`. A type alias, so that `tidy` can return it.
 */
export type LinearSoftmaxCrossEntropy = {
  /** `[m,1]`: `-sum(targets * log softmax(x W + b))` per row. */
  readonly loss: Tensor;
  /** `[m,1]`: 1 where the row's largest logit is at its target's largest entry, else 0 (ties: lowest index). */
  readonly correct: Tensor;
  /** `[k,n]`: gradient of the summed loss with respect to `W`, `xᵀ (softmax - targets)`. */
  readonly gradW: Tensor;
  /** `[1,n]`: gradient of the summed loss with respect to `b`, the column sums of `softmax - targets`. */
  readonly gradB: Tensor;
};

/**
 * The forward half of `LinearSoftmaxCrossEntropy`: what scoring a batch needs, without the
 * gradients (half the work of a training step). A type alias, so that `tidy` can return it.
 */
export type LinearSoftmaxLoss = {
  /** `[m,1]`: `-sum(targets * log softmax(x W + b))` per row. */
  readonly loss: Tensor;
  /** `[m,1]`: 1 where the row's largest logit is at its target's largest entry, else 0 (ties: lowest index). */
  readonly correct: Tensor;
};

/**
 * One step of minibatch SGD on the layer of `LinearSoftmaxCrossEntropy`: each row's loss and
 * correct flag under the weights given, and the weights after the step. The gradients never
 * leave the backend. A type alias, so that `tidy` can return it.
 */
export type LinearSoftmaxSgd = {
  /** `[m,1]`: `-sum(targets * log softmax(x W + b))` per row, under the weights before the step. */
  readonly loss: Tensor;
  /** `[m,1]`: 1 where the row's largest logit is at its target's largest entry, else 0 (ties: lowest index). */
  readonly correct: Tensor;
  /** `[k,n]`: `W + scale * gradW`, rounded as `axpy` rounds. */
  readonly W: Tensor;
  /** `[1,n]`: `b + scale * gradB`, rounded as `axpy` rounds. */
  readonly b: Tensor;
};

/** Transpose flags for `matmul`: the product is `op(a) * op(b)`. */
export interface MatmulOptions {
  /** Multiply by the transpose of `a` (`[k,m]` read as `[m,k]`). */
  readonly transA?: boolean;
  /** Multiply by the transpose of `b` (`[n,k]` read as `[k,n]`). */
  readonly transB?: boolean;
}

/**
 * Per-row loss and the gradient of the summed loss with respect to the logits. A type alias, not an
 * interface, so that it is a `Kept` and `tidy` can return it.
 */
export type LossAndGrad = {
  /** `[m,1]`: `-log softmax(z)[y]` per row. */
  readonly loss: Tensor;
  /** `[m,n]`: `softmax(z) - onehot(y)`. */
  readonly grad: Tensor;
};

/**
 * The compute interface. Every op returns a new handle synchronously and never mutates its
 * inputs; `read` is the one asynchronous boundary. Element-wise binary ops broadcast `b` when it is
 * a scalar, a `[1,n]` row, or an `[m,1]` column.
 */
export interface Backend {
  /** Registry name, e.g. `"cpu"`. */
  readonly name: string;
  /** The variant that actually runs, e.g. gpu.js `"webasm"`; equal to `name` when there is none. */
  readonly mode: string;
  /** Precision, synchronous read and fused kernels of this backend. */
  readonly caps: BackendCaps;

  /**
   * Copies `data` (row-major, `rows * cols` values) into a new tensor of `shape`; later changes to `data` do
   * not reach it.
   */
  upload(data: Float32Array, shape: Shape): Tensor;
  /**
   * Stores bytes that stand for `byte * scale` (images as they are stored: pixels with scale
   * 1/255), so a backend can keep them as bytes and scale inside its kernels. Present when
   * `caps.fused` has `"uploadBytes"`; otherwise core scales on the host and calls `upload`.
   */
  uploadBytes?(data: Uint8Array, shape: Shape, scale: number): Tensor;
  /**
   * Optional: `length` bytes of host memory that the backend's kernels can read in place, zeroed.
   * `uploadBytes` of bytes inside it (or of a part of it) does not copy them: the tensor reads them
   * where they are, so they must not change while it lives. For data that is loaded once and
   * trained on many times (a data set); valid until the backend is closed. Core's `hostBytes`
   * falls back to a plain array.
   */
  allocateBytes?(length: number): Uint8Array;
  /**
   * Optional: rows `rows` of `x`, in that order, as a new `[rows.length, cols]` tensor. With the
   * data set uploaded once, a training batch is picked out of it without a host copy per batch.
   * Core's `gatherRows` checks the rows first; callers ask `canGatherRows` whether it exists.
   */
  gatherRows?(x: Tensor, rows: Uint32Array): Tensor;
  /** The tensor's values as a fresh row-major `Float32Array`; the one asynchronous boundary. */
  read(t: Tensor): Promise<Float32Array>;
  /** Optional synchronous read, present only when `caps.syncRead` is true. */
  readSync?(t: Tensor): Float32Array;
  /** Frees the tensor; the handle is invalid afterwards. */
  dispose(t: Tensor): void;
  /** Handles made and not yet disposed, for leak checks. */
  live(): number;

  /** The matrix product `op(a) * op(b)`, each operand optionally transposed (`opts`). */
  matmul(a: Tensor, b: Tensor, opts?: MatmulOptions): Tensor;
  /** `a + b`, element-wise, `b` broadcast when a scalar, `[1,n]` row or `[m,1]` column. */
  add(a: Tensor, b: Operand): Tensor;
  /** `a - b`, element-wise, broadcasting `b` as `add` does. */
  sub(a: Tensor, b: Operand): Tensor;
  /** `a * b`, element-wise, broadcasting `b` as `add` does. */
  mul(a: Tensor, b: Operand): Tensor;
  /** `a / b`, element-wise, broadcasting `b` as `add` does. */
  div(a: Tensor, b: Operand): Tensor;
  /** 1 where `a == b`, else 0. */
  equal(a: Tensor, b: Operand): Tensor;
  /** `e^x`, element-wise. */
  exp(x: Tensor): Tensor;
  /** The natural logarithm, element-wise. */
  log(x: Tensor): Tensor;
  /** `-x`, element-wise. */
  neg(x: Tensor): Tensor;
  /** Sums along `axis`, keeping it as length 1: `[1,n]` for axis 0, `[m,1]` for axis 1. */
  sum(x: Tensor, axis: Axis): Tensor;
  /** Largest value along `axis`, keeping it as length 1. */
  max(x: Tensor, axis: Axis): Tensor;
  /** Index of the largest value of each row, `[m,1]`; ties go to the lowest index. */
  argmax(x: Tensor): Tensor;
  /** Joins tensors along an axis: rows (0) or columns (1). */
  concat(parts: readonly Tensor[], axis: Axis): Tensor;
  /** `y + alpha * x`, the SGD update. */
  axpy(alpha: number, x: Tensor, y: Tensor): Tensor;

  /** Optional fused row-wise softmax, used only when `caps.fused` names it. */
  softmax?(logits: Tensor): Tensor;
  /** Optional fused row-wise log-softmax, used only when `caps.fused` names it. */
  logSoftmax?(logits: Tensor): Tensor;
  /** Optional fused loss and gradient (see `LossAndGrad`), used only when `caps.fused` names it. */
  softmaxCrossEntropy?(logits: Tensor, onehot: Tensor): LossAndGrad;
  /** Optional fused dense layer with softmax cross-entropy and its gradients, used only when `caps.fused` names it. */
  linearSoftmaxCrossEntropy?(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxCrossEntropy;
  /** Optional fused dense layer with softmax cross-entropy, forward only, used only when `caps.fused` names it. */
  linearSoftmaxLoss?(x: Tensor, W: Tensor, b: Tensor, targets: Tensor): LinearSoftmaxLoss;
  /** Optional fused SGD step of that layer (see `LinearSoftmaxSgd`), used only when `caps.fused` names it. */
  linearSoftmaxSgd?(x: Tensor, W: Tensor, b: Tensor, targets: Tensor, scale: number): LinearSoftmaxSgd;

  /** Releases everything the backend holds (kernels, contexts). The backend is unusable after. */
  close?(): void | Promise<void>;
}

/** The names of every op that returns a new tensor, used by scopes to track what an op made. */
export const TENSOR_OPS = [
  "upload",
  "uploadBytes",
  "gatherRows",
  "matmul",
  "add",
  "sub",
  "mul",
  "div",
  "equal",
  "exp",
  "log",
  "neg",
  "sum",
  "max",
  "argmax",
  "concat",
  "axpy",
  "softmax",
  "logSoftmax",
] as const satisfies readonly (keyof Backend)[];

/** The ops that return several tensors in a plain object, also tracked by scopes. */
export const MULTI_TENSOR_OPS = [
  "softmaxCrossEntropy",
  "linearSoftmaxCrossEntropy",
  "linearSoftmaxLoss",
  "linearSoftmaxSgd",
] as const satisfies readonly (keyof Backend)[];
