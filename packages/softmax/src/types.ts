/** A minibatch as the model consumes it: `size` rows of `features` pixels and their class labels. */
export interface Batch {
  /** `size * features` values, row-major. May be a view reused by the producer after the call. */
  readonly x: Float32Array;
  /** `size` class indices. */
  readonly labels: ArrayLike<number>;
  readonly size: number;
}

/** The book's hyperparameters. */
export interface Hyperparameters {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/** d2l.ai chapter "Softmax Regression Implementation from Scratch": batch 256, lr 0.1, 10 epochs. */
export const BOOK_RECIPE: Hyperparameters = Object.freeze({ epochs: 10, batchSize: 256, lr: 0.1, seed: 0 });

/** Sums over some examples, as the book's `Accumulator`: summed loss, correct count, example count. */
export interface Tally {
  readonly lossSum: number;
  readonly correct: number;
  readonly count: number;
}
