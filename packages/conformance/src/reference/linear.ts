import { matmul } from "./matmul.js";
import type { HostMatrix, RefMatrix } from "./matrix.js";
import { argmax, sum } from "./reductions.js";
import { softmaxCrossEntropy } from "./softmax.js";

/** The four results of `linearSoftmaxCrossEntropy`. */
export interface LinearSoftmaxCrossEntropyResult {
  /** `[m,1]`: cross-entropy of each row. */
  readonly loss: RefMatrix;
  /** `[m,1]`: 1 where the row's largest logit is its target's class, else 0. */
  readonly correct: RefMatrix;
  /** `[k,n]`: gradient of the summed loss with respect to `W`. */
  readonly gradW: RefMatrix;
  /** `[1,n]`: gradient of the summed loss with respect to `b`. */
  readonly gradB: RefMatrix;
}

/** `x W + b`, softmax cross-entropy against `targets`, and the gradients with respect to `W` and `b`. */
export function linearSoftmaxCrossEntropy(
  x: HostMatrix,
  W: HostMatrix,
  b: HostMatrix,
  targets: HostMatrix,
): LinearSoftmaxCrossEntropyResult {
  const [m, n] = [x.shape[0], W.shape[1]];
  const product = matmul(x, W);
  const logits: RefMatrix = {
    shape: [m, n],
    data: product.data.map((v, i) => v + b.data[i % n]!),
  };
  const { loss, grad } = softmaxCrossEntropy(logits, targets);
  const predicted = argmax(logits).data;
  const wanted = argmax(targets).data;
  return {
    loss,
    correct: { shape: [m, 1], data: predicted.map((p, i) => (p === wanted[i] ? 1 : 0)) },
    gradW: matmul(x, grad, { transA: true }),
    gradB: sum(grad, 0),
  };
}

/** `Math.fround(byte * scale)` per byte: what an upload of bytes stands for, in float32. */
export function scaledBytes(bytes: Uint8Array, scale: number): Float32Array {
  return Float32Array.from(bytes, (v) => v * scale);
}
