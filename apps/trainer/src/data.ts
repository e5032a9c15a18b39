import type { Random } from "@tensorplug/core";
import { batchCount, batches, type FashionMnist } from "@tensorplug/fashion-mnist";
import type { TrainData } from "@tensorplug/softmax";

/** The book's data pipeline: train shuffled by the run's generator every epoch, test in order. */
export function trainData(data: FashionMnist, batchSize: number, rng: Random): TrainData {
  return {
    batchesPerEpoch: batchCount(data.train.count, batchSize),
    trainBatches: () => batches(data.train, { batchSize, shuffle: (indices) => rng.shuffle(indices) }),
    // Evaluation batch size only affects speed, not results; reuse the training size as the book does.
    testBatches: () => batches(data.test, { batchSize }),
  };
}
