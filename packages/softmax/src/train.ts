import { DivergedError, TrainingFailedError, type TrainingPlace, TrainingStoppedError } from "./errors.js";
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
  /**
   * Epochs already done by the run being resumed: training starts with epoch `startEpoch + 1`
   * and runs to `epochs`, the run's total.
   */
  readonly startEpoch?: number;
  /**
   * Called after each epoch and awaited before the next one draws its shuffle: the place to save
   * a checkpoint. A failure here stops the run as it is.
   */
  readonly afterEpoch?: (result: EpochResult) => void | Promise<void>;
  /**
   * Checked before every training batch (pausing for pending events every 25 ms or so, so that a
   * signal handler gets to run); once aborted, `train` throws `TrainingStoppedError`.
   */
  readonly signal?: AbortSignal;
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

/**
 * Lets pending events in (a signal handler, say): a backend whose reads resolve at once would
 * otherwise run a whole training as one chain of microtasks, and a stop request would wait for the
 * end. `setImmediate` where there is one (Node), else a zero timeout.
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** How often, at most, training pauses for pending events when it can be stopped. */
const YIELD_MS = 25;

/**
 * The book's `train_ch3`: for each epoch, train on every batch, then evaluate on the test set.
 *
 * Watches the run as it goes: a NaN or infinite loss stops it at that batch (`DivergedError`),
 * an aborted `signal` before the next batch (`TrainingStoppedError`), and anything the backend
 * throws becomes a `TrainingFailedError` naming the epoch and batch. In every case the epochs
 * handed to `afterEpoch` are the last ones; nothing after them is reported as done.
 *
 * @returns the epochs this call ran (after `startEpoch`)
 */
export async function train(
  model: SoftmaxRegression,
  data: TrainData,
  options: TrainOptions,
): Promise<EpochResult[]> {
  const { epochs, lr, onEvent, signal, afterEpoch } = options;
  const batches = data.batchesPerEpoch;
  const history: EpochResult[] = [];
  let yielded = performance.now();
  for (let epoch = (options.startEpoch ?? 0) + 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    let place: TrainingPlace = { epoch, epochs, batch: 1, batches };
    let trainTally = EMPTY_TALLY;
    let testTally = EMPTY_TALLY;
    try {
      let batch = 0;
      for (const b of data.trainBatches(epoch)) {
        place = { epoch, epochs, batch: ++batch, batches };
        if (signal && performance.now() - yielded >= YIELD_MS) {
          await yieldToEvents();
          yielded = performance.now();
        }
        if (signal?.aborted) throw new TrainingStoppedError(place, epoch - 1);
        const tally = await model.trainBatch(b, lr);
        if (!Number.isFinite(tally.lossSum)) throw new DivergedError(place, tally.lossSum / tally.count, lr);
        trainTally = addTally(trainTally, tally);
        onEvent?.({ type: "batch", epoch, epochs, batch, batches, tally: trainTally });
      }
      place = { epoch, epochs, batches };
      testTally = await evaluate(model, data.testBatches());
      if (!Number.isFinite(testTally.lossSum)) {
        throw new DivergedError(place, testTally.lossSum / testTally.count, lr);
      }
    } catch (error) {
      if (error instanceof DivergedError || error instanceof TrainingStoppedError) throw error;
      throw new TrainingFailedError(place, error);
    }
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
    await afterEpoch?.(result);
    onEvent?.({ type: "epoch", epochs, result });
  }
  return history;
}
