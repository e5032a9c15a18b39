import type {
  Backend,
  LinearSoftmaxCrossEntropy,
  LinearSoftmaxLoss,
  LinearSoftmaxSgd,
  LossAndGrad,
} from "./backend.js";
import { scaleBytesInto } from "./bytes.js";
import { ShapeError } from "./errors.js";
import { tidy } from "./scope.js";
import { checkSameShape, checkShape, matmulDims } from "./shapes.js";
import type { Shape, Tensor } from "./tensor.js";

// The composites below subtract each row's maximum before exponentiating, so logits of any
// magnitude give finite results: exp(z - max) is at most 1 and the row sum is at least 1.

/** Row-wise softmax, numerically stable. Uses the backend's fused kernel when it declares one. */
export function softmax(backend: Backend, logits: Tensor): Tensor {
  if (backend.caps.fused.has("softmax") && backend.softmax) return backend.softmax(logits);
  return tidy(backend, (b) => {
    const e = b.exp(b.sub(logits, b.max(logits, 1)));
    return b.div(e, b.sum(e, 1));
  });
}

/** Row-wise log-softmax: `(z - max) - log(sum(exp(z - max)))`. */
export function logSoftmax(backend: Backend, logits: Tensor): Tensor {
  if (backend.caps.fused.has("logSoftmax") && backend.logSoftmax) return backend.logSoftmax(logits);
  return tidy(backend, (b) => {
    const shifted = b.sub(logits, b.max(logits, 1));
    return b.sub(shifted, b.log(b.sum(b.exp(shifted), 1)));
  });
}

/**
 * Cross-entropy of each row against one-hot labels, and the gradient of the summed loss with
 * respect to the logits (`softmax(z) - onehot`).
 */
export function softmaxCrossEntropy(backend: Backend, logits: Tensor, onehot: Tensor): LossAndGrad {
  checkSameShape("softmaxCrossEntropy", logits.shape, onehot.shape);
  if (backend.caps.fused.has("softmaxCrossEntropy") && backend.softmaxCrossEntropy) {
    return backend.softmaxCrossEntropy(logits, onehot);
  }
  return tidy(backend, (b) => {
    const logp = logSoftmax(b, logits);
    return {
      loss: b.neg(b.sum(b.mul(logp, onehot), 1)),
      grad: b.sub(b.exp(logp), onehot),
    };
  });
}

/** Cross-entropy per row, `[m,1]`. */
export function crossEntropy(backend: Backend, logits: Tensor, onehot: Tensor): Tensor {
  const { loss, grad } = softmaxCrossEntropy(backend, logits, onehot);
  backend.dispose(grad);
  return loss;
}

/** 1 for each row whose argmax equals its label column `[m,1]`, else 0, as `[m,1]`. */
export function correctRows(backend: Backend, logits: Tensor, labels: Tensor): Tensor {
  return tidy(backend, (b) => b.equal(b.argmax(logits), labels));
}

/**
 * Uploads bytes that stand for `byte * scale`, e.g. pixels with scale 1/255. A backend with its own
 * `uploadBytes` keeps the bytes (a quarter of the memory traffic); otherwise they are scaled here,
 * each value rounded to float32 exactly as `Math.fround(byte * scale)`, and uploaded.
 */
export function uploadBytes(backend: Backend, data: Uint8Array, shape: Shape, scale: number): Tensor {
  checkShape("uploadBytes", shape, data.length);
  if (!Number.isFinite(scale)) throw new RangeError(`uploadBytes: scale must be finite, got ${scale}`);
  if (backend.caps.fused.has("uploadBytes") && backend.uploadBytes) {
    return backend.uploadBytes(data, shape, scale);
  }
  return backend.upload(scaleBytesInto(data, scale, new Float32Array(data.length)), shape);
}

/** The shape checks every `linearSoftmaxCrossEntropy`, fused or not, goes through. */
export function checkLinearSoftmaxCrossEntropy(x: Shape, W: Shape, b: Shape, targets: Shape): void {
  const op = "linearSoftmaxCrossEntropy";
  const [m, , n] = matmulDims(x, W);
  if (b[0] !== 1 || b[1] !== n) throw new ShapeError(op, [W, b], `the bias must be 1x${n}`);
  if (targets[0] !== m || targets[1] !== n) {
    throw new ShapeError(op, [x, W, targets], `the targets must be ${m}x${n}`);
  }
}

/**
 * A dense layer `x W + b`, softmax and cross-entropy against `targets`, with the gradients of the
 * summed loss with respect to `W` and `b`: one SGD step's worth of work. Uses the backend's fused
 * kernel when it declares one, so the inputs can be read once; otherwise composes the primitives.
 */
export function linearSoftmaxCrossEntropy(
  backend: Backend,
  x: Tensor,
  W: Tensor,
  b: Tensor,
  targets: Tensor,
): LinearSoftmaxCrossEntropy {
  checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
  if (backend.caps.fused.has("linearSoftmaxCrossEntropy") && backend.linearSoftmaxCrossEntropy) {
    return backend.linearSoftmaxCrossEntropy(x, W, b, targets);
  }
  return tidy(backend, (be) => {
    const logits = be.add(be.matmul(x, W), b);
    const { loss, grad } = softmaxCrossEntropy(be, logits, targets);
    return {
      loss,
      correct: be.equal(be.argmax(logits), be.argmax(targets)),
      gradW: be.matmul(x, grad, { transA: true }),
      gradB: be.sum(grad, 0),
    };
  });
}

/**
 * The loss and correct count of a dense layer `x W + b` with softmax cross-entropy against
 * `targets`, without gradients: scoring a batch. Uses the backend's fused kernel when it declares
 * one; otherwise composes the primitives.
 */
export function linearSoftmaxLoss(
  backend: Backend,
  x: Tensor,
  W: Tensor,
  b: Tensor,
  targets: Tensor,
): LinearSoftmaxLoss {
  checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
  if (backend.caps.fused.has("linearSoftmaxLoss") && backend.linearSoftmaxLoss) {
    return backend.linearSoftmaxLoss(x, W, b, targets);
  }
  return tidy(backend, (be) => {
    const logits = be.add(be.matmul(x, W), b);
    return {
      loss: crossEntropy(be, logits, targets),
      correct: be.equal(be.argmax(logits), be.argmax(targets)),
    };
  });
}

/**
 * One step of minibatch SGD on a dense layer with softmax cross-entropy: each row's loss and
 * correct flag under `W` and `b`, and the weights after the step, `W + scale * gradW` and
 * `b + scale * gradB` (`scale` is `-lr / batchSize` for the book's `sgd`); `W` and `b` are left as
 * they were. Uses the backend's fused kernel when it declares one, which never hands the
 * gradients out; otherwise `linearSoftmaxCrossEntropy` and two `axpy`.
 */
export function linearSoftmaxSgd(
  backend: Backend,
  x: Tensor,
  W: Tensor,
  b: Tensor,
  targets: Tensor,
  scale: number,
): LinearSoftmaxSgd {
  checkLinearSoftmaxCrossEntropy(x.shape, W.shape, b.shape, targets.shape);
  if (backend.caps.fused.has("linearSoftmaxSgd") && backend.linearSoftmaxSgd) {
    return backend.linearSoftmaxSgd(x, W, b, targets, scale);
  }
  return tidy(backend, (be) => {
    const step = linearSoftmaxCrossEntropy(be, x, W, b, targets);
    return {
      loss: step.loss,
      correct: step.correct,
      W: be.axpy(scale, step.gradW, W),
      b: be.axpy(scale, step.gradB, b),
    };
  });
}
