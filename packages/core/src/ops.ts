import type { Backend, LossAndGrad } from "./backend.js";
import { tidy } from "./scope.js";
import { checkSameShape } from "./shapes.js";
import type { Tensor } from "./tensor.js";

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
