export {
  DivergedError,
  describePlace,
  TrainingFailedError,
  type TrainingPlace,
  TrainingStoppedError,
} from "./errors.js";
export {
  FASHION_SHAPE,
  initialWeights,
  type ModelShape,
  type Prediction,
  SoftmaxRegression,
  type Weights,
} from "./model.js";
export { addTally, EMPTY_TALLY, rates } from "./tally.js";
export {
  type EpochResult,
  evaluate,
  type TrainData,
  type TrainEvent,
  type TrainOptions,
  train,
  trainEpoch,
} from "./train.js";
export { type Batch, BOOK_RECIPE, type Hyperparameters, type Tally } from "./types.js";
