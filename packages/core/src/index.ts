export type {
  Axis,
  Backend,
  BackendCaps,
  FusedOp,
  LinearSoftmaxCrossEntropy,
  LinearSoftmaxLoss,
  LinearSoftmaxSgd,
  LossAndGrad,
  MatmulOptions,
} from "./backend.js";
export { MULTI_TENSOR_OPS, TENSOR_OPS } from "./backend.js";
export { exactByteDivisor, scaleBytesInto } from "./bytes.js";
export {
  BackendUnavailableError,
  InvalidTensorError,
  ShapeError,
  TensorplugError,
  UnknownBackendError,
} from "./errors.js";
export {
  checkLinearSoftmaxCrossEntropy,
  correctRows,
  crossEntropy,
  linearSoftmaxCrossEntropy,
  linearSoftmaxLoss,
  linearSoftmaxSgd,
  logSoftmax,
  softmax,
  softmaxCrossEntropy,
  uploadBytes,
} from "./ops.js";
export { Random, type RandomState } from "./random.js";
export {
  AUTO,
  type BackendEntry,
  type BackendOptions,
  BackendRegistry,
  type ProbeResult,
} from "./registry.js";
export { canGatherRows, checkRows, gatherRows, hostBytes } from "./rows.js";
export { type Kept, tidy } from "./scope.js";
export {
  type Broadcast,
  broadcastOf,
  checkSameShape,
  checkShape,
  concatShape,
  matmulDims,
  reducedShape,
} from "./shapes.js";
export { formatShape, type Operand, type Shape, sizeOf, type Tensor } from "./tensor.js";
