// Shared by the end-to-end, agreement and memory tests: the trainer's own pipeline on the real data.
import { type Backend, Random } from "@tensorplug/core";
import { batchCount, batches, type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import { BOOK_RECIPE, type EpochResult, SoftmaxRegression, train } from "@tensorplug/softmax";

/** Where `apt-get install dataset-fashion-mnist` puts the four files; the tests need them. */
export const DATA_DIR = "/usr/share/datasets/fashion-mnist";

let cached: Promise<FashionMnist> | undefined;

/** The real Fashion-MNIST, loaded once per test file. */
export function fashionMnist(): Promise<FashionMnist> {
  cached ??= loadFashionMnist({ dataDir: DATA_DIR, download: false });
  return cached;
}

/** What a run leaves behind after each epoch. */
export interface EpochRecord {
  readonly result: EpochResult;
  /** `backend.live()` once the epoch (training and test pass) is over. */
  readonly live: number;
  /** What `options.count` returned then (e.g. `tf.memory().numTensors`), if given. */
  readonly counted?: number;
  /** Host copy of W, only after the epochs listed in `weightsAfter`. */
  readonly W?: Float32Array;
}

export interface RecipeOptions {
  readonly epochs: number;
  /** Train on the first `limit` images only (the test set stays whole). */
  readonly limit?: number;
  /** Epochs after which W is read back. */
  readonly weightsAfter?: readonly number[];
  /** Something else to record after each epoch, such as `() => tf.memory().numTensors`. */
  readonly count?: () => number;
}

/**
 * The book's recipe exactly as `tensorplug train` runs it: one `Random(seed 0)` draws W and then
 * shuffles every epoch, batch 256, lr 0.1. Epochs run one `train` call at a time so that W can be
 * read between them; the shared generator makes that the same run as one call with all epochs.
 */
export async function runRecipe(backend: Backend, options: RecipeOptions): Promise<EpochRecord[]> {
  const data = await fashionMnist();
  const { batchSize, lr, seed } = BOOK_RECIPE;
  const limit = options.limit;
  const rng = new Random(seed);
  const model = SoftmaxRegression.initialize(backend, rng);
  const trainData = {
    batchesPerEpoch: batchCount(Math.min(limit ?? data.train.count, data.train.count), batchSize),
    trainBatches: () =>
      batches(data.train, { batchSize, shuffle: (ix) => rng.shuffle(ix), ...(limit ? { limit } : {}) }),
    testBatches: () => batches(data.test, { batchSize }),
  };
  const records: EpochRecord[] = [];
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const [result] = await train(model, trainData, { epochs: 1, lr });
      const W = options.weightsAfter?.includes(epoch) ? (await model.weights()).W : undefined;
      records.push({
        result: { ...result!, epoch },
        live: backend.live(),
        ...(options.count ? { counted: options.count() } : {}),
        ...(W ? { W } : {}),
      });
    }
  } finally {
    model.dispose();
  }
  return records;
}

/** Largest absolute element-wise difference. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
