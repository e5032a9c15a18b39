import { axpy, binary } from "./elementwise.js";
import { matmul } from "./matmul.js";
import type { HostMatrix, RefMatrix } from "./matrix.js";
import { argmax, sum } from "./reductions.js";
import { softmaxCrossEntropy } from "./softmax.js";

/** The inputs of one softmax-regression SGD step. */
export interface SgdStepInput {
  /** `[m, features]` examples. */
  readonly x: HostMatrix;
  /** `[features, classes]` weights before the step. */
  readonly W: HostMatrix;
  /** `[1, classes]` bias before the step. */
  readonly b: HostMatrix;
  /** `m` class indices. */
  readonly labels: ArrayLike<number>;
  /** Learning rate: the step is `param -= lr * grad / m`. */
  readonly lr: number;
}

/** What one step produces, plus the intermediates a tolerance check needs. */
export interface SgdStepResult {
  /** `[features, classes]` weights after the step. */
  readonly W: RefMatrix;
  /** `[1, classes]` bias after the step. */
  readonly b: RefMatrix;
  /** Summed cross-entropy of the batch, with the weights before the step. */
  readonly lossSum: number;
  /** Rows whose argmax equals their label, with the weights before the step. */
  readonly correct: number;
  /** `[m, classes]` logits `x W + b`, with the weights before the step. */
  readonly logits: RefMatrix;
  /** `softmax(logits) - onehot`, `[m, classes]`. */
  readonly grad: RefMatrix;
}

/**
 * One step of `SoftmaxRegression.trainBatch` in float64: `param -= lr * grad / m`, where the
 * gradients are `x^T (softmax(xW + b) - onehot)` and the column sums of `softmax - onehot`.
 */
export function sgdStep(input: SgdStepInput): SgdStepResult {
  const { x, W, b, labels, lr } = input;
  const m = x.shape[0];
  const classes = W.shape[1];
  const onehot = new Float64Array(m * classes);
  for (let i = 0; i < m; i++) onehot[i * classes + labels[i]!] = 1;
  const logits = binary("add", matmul(x, W), b);
  const { loss, grad } = softmaxCrossEntropy(logits, { shape: [m, classes], data: onehot });
  const predicted = argmax(logits);
  let correct = 0;
  for (let i = 0; i < m; i++) if (predicted.data[i] === labels[i]) correct++;
  const scale = -lr / m;
  return {
    W: axpy(scale, matmul(x, grad, { transA: true }), W),
    b: axpy(scale, sum(grad, 0), b),
    lossSum: loss.data.reduce((s, v) => s + v, 0),
    correct,
    logits,
    grad,
  };
}
