import type { SoftmaxRegression } from "./model.js";
import { addTally, EMPTY_TALLY, rates } from "./tally.js";
import type { Batch, Tally } from "./types.js";

/** Where a run's batches come from. The train batches of each epoch are freshly shuffled by the caller. */
export interface TrainData {
  /** The training batches of epoch `epoch` (counted from 1), in that epoch's order. */
  trainBatches(epoch: number): Iterable<Batch>;
  /** The test batches; called once per epoch, after training. */
  testBatches(): Iterable<Batch>;
  /** Train batches per epoch, for progress and ETA. */
  readonly batchesPerEpoch: number;
}

/** The result of one epoch, as the book prints it. */
export interface EpochResult {
  /** The epoch, counted from 1. */
  readonly epoch: number;
  /** Mean training loss over the epoch, each batch scored with the weights before its step. */
  readonly trainLoss: number;
  /** Training accuracy over the epoch, measured like `trainLoss`. */
  readonly trainAccuracy: number;
  /** Accuracy on the test set after the epoch. */
  readonly testAccuracy: number;
  /** Mean loss on the test set after the epoch. */
  readonly testLoss: number;
  /** Wall time of the epoch: training plus evaluation. */
  readonly seconds: number;
}

/** Emitted after every batch (running tally of the epoch so far) and after every epoch. */
export type TrainEvent =
  | {
      /** A batch was trained. */
      readonly type: "batch";
      /** The current epoch, counted from 1. */
      readonly epoch: number;
      /** Epochs in the run. */
      readonly epochs: number;
      /** Batches trained so far in this epoch, counted from 1. */
      readonly batch: number;
      /** Batches per epoch (`TrainData.batchesPerEpoch`). */
      readonly batches: number;
      /** Running tally of this epoch's batches so far. */
      readonly tally: Tally;
    }
  | {
      /** An epoch ended, test evaluation included. */
      readonly type: "epoch";
      /** Epochs in the run. */
      readonly epochs: number;
      /** The epoch's numbers. */
      readonly result: EpochResult;
    };

/** How `train` runs. */
export interface TrainOptions {
  /** Passes over the training data. */
  readonly epochs: number;
  /** Learning rate of the SGD step. */
  readonly lr: number;
  /** Called after every batch and every epoch, e.g. to draw progress. */
  readonly onEvent?: (event: TrainEvent) => void;
}

/** One pass of SGD over `batches`; returns the epoch's tally. */
export async function trainEpoch(
  model: SoftmaxRegression,
  batches: Iterable<Batch>,
  lr: number,
  onBatch?: (tally: Tally, batchIndex: number) => void,
): Promise<Tally> {
  let tally = EMPTY_TALLY;
  let index = 0;
  for (const batch of batches) {
    tally = addTally(tally, await model.trainBatch(batch, lr));
    onBatch?.(tally, index++);
  }
  return tally;
}

/** Loss and correct count over `batches`, without training. */
export async function evaluate(model: SoftmaxRegression, batches: Iterable<Batch>): Promise<Tally> {
  let tally = EMPTY_TALLY;
  for (const batch of batches) tally = addTally(tally, await model.scoreBatch(batch));
  return tally;
}

/** The book's `train_ch3`: for each epoch, train on every batch, then evaluate on the test set. */
export async function train(
  model: SoftmaxRegression,
  data: TrainData,
  options: TrainOptions,
): Promise<EpochResult[]> {
  const { epochs, lr, onEvent } = options;
  const history: EpochResult[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const trainTally = await trainEpoch(model, data.trainBatches(epoch), lr, (tally, batch) =>
      onEvent?.({ type: "batch", epoch, epochs, batch: batch + 1, batches: data.batchesPerEpoch, tally }),
    );
    const testTally = await evaluate(model, data.testBatches());
    const trainRates = rates(trainTally);
    const testRates = rates(testTally);
    const result: EpochResult = {
      epoch,
      trainLoss: trainRates.loss,
      trainAccuracy: trainRates.accuracy,
      testAccuracy: testRates.accuracy,
      testLoss: testRates.loss,
      seconds: (performance.now() - started) / 1000,
    };
    history.push(result);
    onEvent?.({ type: "epoch", epochs, result });
  }
  return history;
}
