import type { SoftmaxRegression } from "./model.js";
import { addTally, EMPTY_TALLY, rates } from "./tally.js";
import type { Batch, Tally } from "./types.js";

/** Where a run's batches come from. The train batches of each epoch are freshly shuffled by the caller. */
export interface TrainData {
  trainBatches(epoch: number): Iterable<Batch>;
  testBatches(): Iterable<Batch>;
  /** Train batches per epoch, for progress and ETA. */
  readonly batchesPerEpoch: number;
}

/** The result of one epoch, as the book prints it. */
export interface EpochResult {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Wall time of the epoch: training plus evaluation. */
  readonly seconds: number;
}

/** Emitted after every batch (running tally of the epoch so far) and after every epoch. */
export type TrainEvent =
  | {
      readonly type: "batch";
      readonly epoch: number;
      readonly epochs: number;
      readonly batch: number;
      readonly batches: number;
      readonly tally: Tally;
    }
  | { readonly type: "epoch"; readonly epochs: number; readonly result: EpochResult };

export interface TrainOptions {
  readonly epochs: number;
  readonly lr: number;
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
