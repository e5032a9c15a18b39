// The CLI's training pipeline (apps/trainer: data.ts and commands/train.ts) for tests: one seeded
// generator draws the initial weights and then shuffles every epoch.
import { type Backend, Random } from "@tensorplug/core";
import { batchCount, batches, type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import {
  evaluate,
  rates,
  SoftmaxRegression,
  type TrainData,
  trainEpoch,
  type Weights,
} from "@tensorplug/softmax";

export const DATA_DIR = "/usr/share/datasets/fashion-mnist";

let cached: Promise<FashionMnist> | undefined;

/** The real data set, loaded once per test file. */
export function fashionMnist(): Promise<FashionMnist> {
  cached ??= loadFashionMnist({ dataDir: DATA_DIR, download: false });
  return cached;
}

/** Train batches of 256 shuffled by `rng` (optionally only the first `limit` images), test in order. */
export function trainData(data: FashionMnist, rng: Random, limit?: number): TrainData {
  const count = Math.min(limit ?? data.train.count, data.train.count);
  const opts = limit === undefined ? {} : { limit };
  return {
    batchesPerEpoch: batchCount(count, 256),
    trainBatches: () => batches(data.train, { batchSize: 256, shuffle: (i) => rng.shuffle(i), ...opts }),
    testBatches: () => batches(data.test, { batchSize: 256, ...opts }),
  };
}

/** What a run reports: test accuracy after the last epoch, and the weights after the first. */
export interface RunRecord {
  readonly testAccuracy: number;
  readonly firstEpochWeights: Weights;
  /** Wall time of each epoch's training (the evaluation runs once, after the last). */
  readonly seconds: number[];
}

/**
 * The book's recipe with seed 0 (batch 256, lr 0.1): the same generator draws the weights and then
 * each epoch's shuffle, as `train()` does, but the test set is scored only after the last epoch
 * (scoring draws nothing from the generator, so the run is the same): the checks need no more, and
 * scoring every epoch was an eighth of the package's test time.
 */
export async function runRecipe(backend: Backend, epochs: number): Promise<RunRecord> {
  const data = await fashionMnist();
  const rng = new Random(0);
  const model = SoftmaxRegression.initialize(backend, rng);
  const pipeline = trainData(data, rng);
  const seconds: number[] = [];
  let firstEpochWeights: Weights | undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = performance.now();
      await trainEpoch(model, pipeline.trainBatches(epoch), 0.1);
      seconds.push((performance.now() - started) / 1000);
      firstEpochWeights ??= await model.weights();
    }
    const { accuracy } = rates(await evaluate(model, pipeline.testBatches()));
    return { testAccuracy: accuracy, firstEpochWeights: firstEpochWeights!, seconds };
  } finally {
    model.dispose();
  }
}

/** Largest absolute difference between two weight sets. */
export function maxAbsDifference(a: Weights, b: Weights): number {
  let worst = 0;
  for (const [x, y] of [
    [a.W, b.W],
    [a.b, b.b],
  ] as const) {
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  return worst;
}
