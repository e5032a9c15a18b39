/** A minibatch as the model consumes it: `size` rows of `features` inputs and their class labels. */
export interface Batch {
  /**
   * `size * features` inputs, row-major: floats, or bytes that stand for `byte * scale` (images as
   * stored, so a backend can scale inside its kernels). May be a view the producer reuses later.
   */
  readonly x: Float32Array | Uint8Array;
  /** For byte inputs, the value of one step of a byte: 1/255 for pixels scaled to [0, 1]. */
  readonly scale?: number;
  /**
   * Optional, with `source`: the batch as rows of a data set, `x` being rows `rows` of `source`
   * (`features` values a row, bytes with `scale`). A backend that picks rows itself (core's
   * `gatherRows`) then gets the set once and each batch by its rows, and `x` is never read. The
   * model keeps the set it uploaded until `dispose`: `source` must not change meanwhile.
   */
  readonly rows?: Uint32Array;
  /** The data set `rows` index, see `rows`. */
  readonly source?: Uint8Array;
  /** `size` class indices. */
  readonly labels: ArrayLike<number>;
  /** Number of examples in the batch. */
  readonly size: number;
}

/** The book's hyperparameters. */
export interface Hyperparameters {
  /** Passes over the training set. */
  readonly epochs: number;
  /** Examples per minibatch. */
  readonly batchSize: number;
  /** Learning rate of the SGD step `param -= lr * grad / batchSize`. */
  readonly lr: number;
  /** Seed of the run's one `Random` (initial weights and shuffles). */
  readonly seed: number;
}

/** d2l.ai chapter "Softmax Regression Implementation from Scratch": batch 256, lr 0.1, 10 epochs. */
export const BOOK_RECIPE: Hyperparameters = Object.freeze({ epochs: 10, batchSize: 256, lr: 0.1, seed: 0 });

/** Sums over some examples, as the book's `Accumulator`: summed loss, correct count, example count. */
export interface Tally {
  /** Cross-entropy loss summed over the examples. */
  readonly lossSum: number;
  /** Examples whose most likely class is the label. */
  readonly correct: number;
  /** Examples counted. */
  readonly count: number;
}
