import {
  type Backend,
  canGatherRows,
  gatherRows,
  linearSoftmaxLoss,
  linearSoftmaxSgd,
  type Random,
  ShapeError,
  softmax,
  type Tensor,
  tidy,
  uploadBytes,
} from "@tensorplug/core";
import type { Batch, Tally } from "./types.js";

/** Size of the model: inputs per example and classes. */
export interface ModelShape {
  /** Inputs per example (784 pixels for Fashion-MNIST). */
  readonly features: number;
  /** Number of classes (10 for Fashion-MNIST). */
  readonly classes: number;
}

/** Host copies of the parameters: `W` is `features x classes` row-major, `b` has `classes` values. */
export interface Weights {
  /** `features * classes` weights, row-major. */
  readonly W: Float32Array;
  /** `classes` biases. */
  readonly b: Float32Array;
}

/** The class probabilities of one example, and its most likely class. */
export interface Prediction {
  /** The most likely class (ties go to the lowest index). */
  readonly label: number;
  /** The label's name, when the caller passed class names. */
  readonly name?: string;
  /** The softmax of the example's logits, one value per class. */
  readonly probabilities: Float32Array;
}

/** Fashion-MNIST's shape: 784 inputs (28x28 pixels), 10 classes. */
export const FASHION_SHAPE: ModelShape = Object.freeze({ features: 784, classes: 10 });

/** The book's initialisation: `W ~ N(0, 0.01)`, `b = 0`, drawn on the host so every backend starts alike. */
export function initialWeights(rng: Random, shape: ModelShape = FASHION_SHAPE, std = 0.01): Weights {
  return { W: rng.normalArray(shape.features * shape.classes, 0, std), b: new Float32Array(shape.classes) };
}

/**
 * Softmax regression, `softmax(X W + b)`, on any backend. The model only calls the backend
 * interface; it never reads synchronously and reads back at most once per batch.
 */
export class SoftmaxRegression {
  /** The backend the parameters live on. */
  readonly backend: Backend;
  /** Inputs per example and classes. */
  readonly shape: ModelShape;
  private W: Tensor;
  private b: Tensor;
  /** The data sets batches came from, each uploaded once, for backends that pick rows (see `Batch.rows`). */
  private readonly sources = new Map<Uint8Array, { readonly tensor: Tensor; readonly scale: number }>();

  constructor(backend: Backend, weights: Weights, shape: ModelShape = FASHION_SHAPE) {
    const { features, classes } = shape;
    if (weights.W.length !== features * classes || weights.b.length !== classes) {
      throw new ShapeError(
        "SoftmaxRegression",
        [
          [1, weights.W.length],
          [1, weights.b.length],
        ],
        `W needs ${features * classes} values (${features}x${classes}) and b needs ${classes}`,
      );
    }
    this.backend = backend;
    this.shape = shape;
    this.W = backend.upload(weights.W, [features, classes]);
    this.b = backend.upload(weights.b, [1, classes]);
  }

  /** A model with the book's random initialisation drawn from `rng`. */
  static initialize(backend: Backend, rng: Random, shape: ModelShape = FASHION_SHAPE): SoftmaxRegression {
    return new SoftmaxRegression(backend, initialWeights(rng, shape), shape);
  }

  /** `X W + b`, `[m, classes]`. Pass the scope's backend view when calling from inside a `tidy`. */
  logits(x: Tensor, backend: Backend = this.backend): Tensor {
    return tidy(backend, (b) => b.add(b.matmul(x, this.W), this.b));
  }

  /**
   * One SGD step on a batch, `param -= lr * grad / batch size`, and the batch's tally
   * computed with the weights before the step (as the book does).
   */
  async trainBatch(batch: Batch, lr: number): Promise<Tally> {
    const { stats, W, b } = tidy(this.backend, (be) => {
      const { x, targets } = this.uploadBatch(be, batch);
      const step = linearSoftmaxSgd(be, x, this.W, this.b, targets, -lr / batch.size);
      return { stats: be.concat([be.sum(step.loss, 0), be.sum(step.correct, 0)], 1), W: step.W, b: step.b };
    });
    this.backend.dispose(this.W);
    this.backend.dispose(this.b);
    this.W = W;
    this.b = b;
    return this.readTally(stats, batch.size);
  }

  /** Loss and correct count of a batch, without training. */
  async scoreBatch(batch: Batch): Promise<Tally> {
    const stats = tidy(this.backend, (be) => {
      const { x, targets } = this.uploadBatch(be, batch);
      const { loss, correct } = linearSoftmaxLoss(be, x, this.W, this.b, targets);
      return be.concat([be.sum(loss, 0), be.sum(correct, 0)], 1);
    });
    return this.readTally(stats, batch.size);
  }

  /** Class probabilities for `size` examples, with the predicted label's name when `classNames` is given. */
  async predict(
    x: Float32Array | Uint8Array,
    size: number,
    classNames?: readonly string[],
    scale?: number,
  ): Promise<Prediction[]> {
    const { classes } = this.shape;
    const probs = tidy(this.backend, (be) =>
      softmax(be, this.logits(this.uploadInputs(be, x, size, scale), be)),
    );
    const host = await this.readAndDispose(probs);
    const out: Prediction[] = [];
    for (let i = 0; i < size; i++) {
      const p = host.slice(i * classes, (i + 1) * classes);
      let label = 0;
      for (let j = 1; j < classes; j++) if (p[j]! > p[label]!) label = j;
      const name = classNames?.[label];
      out.push(name === undefined ? { label, probabilities: p } : { label, name, probabilities: p });
    }
    return out;
  }

  /** Host copies of `W` and `b`. */
  async weights(): Promise<Weights> {
    const [W, b] = await Promise.all([this.backend.read(this.W), this.backend.read(this.b)]);
    return { W, b };
  }

  /** Frees the parameters, and the data sets uploaded for picking batches from, on the backend. */
  dispose(): void {
    this.backend.dispose(this.W);
    this.backend.dispose(this.b);
    for (const { tensor } of this.sources.values()) this.backend.dispose(tensor);
    this.sources.clear();
  }

  private uploadBatch(be: Backend, batch: Batch): { x: Tensor; targets: Tensor } {
    const { features, classes } = this.shape;
    const m = batch.size;
    // Rows picked by the backend first: `x` may be gathered only when read. (A throw below leaves
    // the picked rows to the caller's scope.)
    const picked = this.pickRows(be, batch);
    const inputs = picked === undefined ? batch.x.length : m * features;
    if (inputs < m * features || batch.labels.length < m) {
      throw new ShapeError(
        "batch",
        [
          [1, inputs],
          [1, batch.labels.length],
        ],
        `a batch of ${m} needs ${m * features} inputs and ${m} labels`,
      );
    }
    const targets = new Float32Array(m * classes);
    for (let i = 0; i < m; i++) {
      const y = batch.labels[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= classes) {
        throw new RangeError(`label ${y} of example ${i} is outside 0..${classes - 1}`);
      }
      targets[i * classes + y] = 1;
    }
    const x = picked ?? this.uploadInputs(be, batch.x, m, batch.scale);
    return { x, targets: be.upload(targets, [m, classes]) };
  }

  /**
   * The batch picked out of its data set by the backend, when the batch names its rows and the
   * backend can pick them: the set is uploaded once (a copy, unless its bytes came from the
   * backend's own `allocateBytes`) and kept until `dispose`. Otherwise `undefined`.
   */
  private pickRows(be: Backend, batch: Batch): Tensor | undefined {
    const { rows, source, scale, size } = batch;
    const { features } = this.shape;
    if (rows === undefined || source === undefined || scale === undefined || !canGatherRows(be))
      return undefined;
    if (source.length === 0 || source.length % features !== 0 || rows.length < size) return undefined;
    let set = this.sources.get(source);
    if (set === undefined) {
      // Uploaded outside the step's scope, on the backend itself, so that it outlives the step.
      const tensor = uploadBytes(this.backend, source, [source.length / features, features], scale);
      set = { tensor, scale };
      this.sources.set(source, set);
    }
    if (set.scale !== scale) return undefined;
    return gatherRows(be, set.tensor, rows.subarray(0, size));
  }

  /** `size` rows of inputs, given as floats or as bytes with their scale. */
  private uploadInputs(be: Backend, x: Float32Array | Uint8Array, size: number, scale?: number): Tensor {
    const shape = [size, this.shape.features] as const;
    const values = x.subarray(0, size * this.shape.features);
    if (values instanceof Float32Array) return be.upload(values, shape);
    if (scale === undefined) {
      throw new RangeError("a batch of bytes needs its scale (1/255 for pixels scaled to [0, 1])");
    }
    return uploadBytes(be, values, shape, scale);
  }

  private async readAndDispose(t: Tensor): Promise<Float32Array> {
    try {
      return await this.backend.read(t);
    } finally {
      this.backend.dispose(t);
    }
  }

  private async readTally(stats: Tensor, count: number): Promise<Tally> {
    const host = await this.readAndDispose(stats);
    return { lossSum: host[0]!, correct: host[1]!, count };
  }
}
