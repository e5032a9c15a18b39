import {
  add,
  argMax,
  cast,
  div,
  equal,
  exp,
  log,
  matMul,
  max,
  mul,
  reshape,
  sub,
  sum,
  type Tensor2D,
} from "@tensorflow/tfjs-core";
import { xnnpackMatMul } from "./matmul.js";

/** How `op(a) · op(b)` is best computed on the running engine (see `EngineTraits.matmul`). */
export type Product = (a: Tensor2D, b: Tensor2D, transA: boolean, transB: boolean) => Tensor2D;

/** The product for an engine whose matmul kind is `kind`. */
export function productFor(kind: "native" | "xnnpack"): Product {
  return kind === "xnnpack" ? xnnpackMatMul : (a, b, transA, transB) => matMul(a, b, transA, transB);
}

/**
 * Per-row loss `-sum(targets * logSoftmax(z))` and gradient `softmax(z) - targets`, sharing one
 * `exp(z - max)`. The loss never takes the log of a probability, so it stays finite where softmax
 * underflows to 0. Call inside `tf.tidy`.
 */
export function lossAndGrad(z: Tensor2D, targets: Tensor2D): { loss: Tensor2D; grad: Tensor2D } {
  const shifted = sub(z, max(z, 1, true));
  const e = exp(shifted);
  const total = sum(e, 1, true);
  // -log p, as log(total) - shifted: one kernel fewer than negating the sum, and the same bits.
  const negLogp = sub(log(total), shifted);
  return {
    loss: sum<Tensor2D>(mul(negLogp, targets), 1, true),
    grad: sub(div(e, total), targets),
  };
}

/** `[m,1]`: 1 where a row's largest value in `a` and in `b` sit at the same index (ties: lowest). */
export function sameArgmax(a: Tensor2D, b: Tensor2D): Tensor2D {
  const rows = a.shape[0];
  return reshape(cast(equal(argMax(a, 1), argMax(b, 1)), "float32"), [rows, 1]);
}

/** The forward half of `linearStep`: per-row loss and correct flag, no gradients. Call inside `tf.tidy`. */
export function linearScore(
  product: Product,
  x: Tensor2D,
  W: Tensor2D,
  b: Tensor2D,
  targets: Tensor2D,
): { loss: Tensor2D; correct: Tensor2D } {
  const logits = add<Tensor2D>(product(x, W, false, false), b);
  const shifted = sub(logits, max(logits, 1, true));
  const negLogp = sub(log(sum(exp(shifted), 1, true)), shifted);
  return {
    loss: sum<Tensor2D>(mul(negLogp, targets), 1, true),
    correct: sameArgmax(logits, targets),
  };
}

/**
 * One SGD step's worth of softmax regression (see core's `LinearSoftmaxCrossEntropy`) as tfjs
 * kernels in one scope: the products, softmax and loss without a tensorplug op, a scope and a
 * handle around each of them. Call inside `tf.tidy`.
 */
export function linearStep(
  product: Product,
  x: Tensor2D,
  W: Tensor2D,
  b: Tensor2D,
  targets: Tensor2D,
): { loss: Tensor2D; correct: Tensor2D; gradW: Tensor2D; gradB: Tensor2D } {
  const logits = add<Tensor2D>(product(x, W, false, false), b);
  const { loss, grad } = lossAndGrad(logits, targets);
  return {
    loss,
    correct: sameArgmax(logits, targets),
    gradW: product(x, grad, true, false),
    gradB: sum<Tensor2D>(grad, 0, true),
  };
}

/**
 * `linearStep` and the SGD update in the same scope (see core's `LinearSoftmaxSgd`): the weights
 * after the step, rounded as this backend's `axpy` rounds them, and the gradients never leave
 * tfjs. Call inside `tf.tidy`.
 */
export function linearSgd(
  product: Product,
  x: Tensor2D,
  W: Tensor2D,
  b: Tensor2D,
  targets: Tensor2D,
  scale: number,
): { loss: Tensor2D; correct: Tensor2D; W: Tensor2D; b: Tensor2D } {
  const step = linearStep(product, x, W, b, targets);
  return {
    loss: step.loss,
    correct: step.correct,
    W: add(W, mul(step.gradW, scale)),
    b: add(b, mul(step.gradB, scale)),
  };
}
