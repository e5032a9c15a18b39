// The CLI's training pipeline (apps/trainer: data.ts and commands/train.ts) for tests: one seeded
// generator draws the initial weights and then shuffles every epoch.
import { type Backend, Random } from "@tensorplug/core";
import { batchCount, batches, type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import { SoftmaxRegression, type TrainData, train, type Weights } from "@tensorplug/softmax";

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

/** What a run reports: test accuracy after each epoch, and the weights after the first. */
export interface RunRecord {
  readonly testAccuracy: number[];
  readonly firstEpochWeights: Weights;
  readonly seconds: number[];
}

/** The book's recipe with seed 0 (batch 256, lr 0.1), one epoch at a time so weights can be read. */
export async function runRecipe(backend: Backend, epochs: number): Promise<RunRecord> {
  const data = await fashionMnist();
  const rng = new Random(0);
  const model = SoftmaxRegression.initialize(backend, rng);
  const pipeline = trainData(data, rng);
  const testAccuracy: number[] = [];
  const seconds: number[] = [];
  let firstEpochWeights: Weights | undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      // train() with one epoch draws the next shuffle from the same generator: the same run as epochs: N.
      const [result] = await train(model, pipeline, { epochs: 1, lr: 0.1 });
      testAccuracy.push(result!.testAccuracy);
      seconds.push(result!.seconds);
      firstEpochWeights ??= await model.weights();
    }
  } finally {
    model.dispose();
  }
  return { testAccuracy, firstEpochWeights: firstEpochWeights!, seconds };
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
