// The float64 reference every conformance check compares against. Each function is written for
// clarity, not speed: a plain loop per definition, so it can be trusted by reading it.
export { axpy, type BinaryOp, binary, broadcastKind, type UnaryOp, unary } from "./elementwise.js";
export { concat } from "./layout.js";
export { type LinearSoftmaxCrossEntropyResult, linearSoftmaxCrossEntropy, scaledBytes } from "./linear.js";
export { matmul } from "./matmul.js";
export { abs, at, type HostMatrix, matrix, type RefMatrix, toRows } from "./matrix.js";
export { argmax, max, type ReduceOp, reduce, sum } from "./reductions.js";
export { type SgdStepInput, type SgdStepResult, sgdStep } from "./sgd.js";
export { logSoftmax, oneHot, softmax, softmaxCrossEntropy } from "./softmax.js";
