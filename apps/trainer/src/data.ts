import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Backend, Random } from "@tensorplug/core";
import {
  batchCount,
  batches,
  DATA_FILES,
  type DataSource,
  type FashionMnist,
  type ImageSet,
  type LocateOptions,
  loadFashionMnist,
  loadSplit,
  locateDataset,
  readIdxDims,
} from "@tensorplug/fashion-mnist";
import type { TrainData } from "@tensorplug/softmax";
import type { DataIdentity } from "./artefacts/checkpoint.js";
import type { ProgressBar } from "./progress.js";

/**
 * The book's data pipeline: train shuffled by the run's generator every epoch, test in order, in
 * batches of `testBatchSize` (the training size unless given: the book's choice; the size changes
 * only how fast the test set is scored, and the last digits of its summed loss).
 */
export function trainData(
  data: FashionMnist,
  batchSize: number,
  rng: Random,
  testBatchSize: number = batchSize,
): TrainData {
  return {
    batchesPerEpoch: batchCount(data.train.count, batchSize),
    trainBatches: () => batches(data.train, { batchSize, shuffle: (indices) => rng.shuffle(indices) }),
    testBatches: () => batches(data.test, { batchSize: testBatchSize }),
  };
}

/** The test batch size for `backend`: its `caps.scoreRows` where that is larger than the training batch. */
export function testBatchSize(backend: Backend, batchSize: number): number {
  return Math.max(batchSize, backend.caps.scoreRows ?? batchSize);
}

/**
 * How every command finds the data: `--data-dir`, else `TENSORPLUG_DATA_DIR`, the user cache, the
 * system package, and a download as the last resort (with a progress bar on a terminal).
 */
export function locateOptions(
  dataDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  bar?: ProgressBar,
): LocateOptions {
  return {
    ...(dataDir !== undefined ? { dataDir } : {}),
    env: { ...env },
    ...(bar
      ? {
          onProgress: (p) => {
            bar.start();
            bar.update(p.received, p.total ?? p.received, `download ${p.file}`, "");
          },
        }
      : {}),
  };
}

/**
 * Both splits for training. The train images' header is read first and handed to `checkTrainCount`,
 * so settings that cannot fit the data (a batch larger than the training set) fail before the
 * files are decoded.
 */
export async function loadTrainingData(
  dataDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  options: {
    bar?: ProgressBar;
    signal?: AbortSignal;
    checkTrainCount?: (count: number, dir: string) => void;
    /** Where the images go (see `LoadOptions.allocate`): the backend's own memory, say. */
    allocate?: (length: number) => Uint8Array;
  },
): Promise<FashionMnist> {
  const { bar, signal, checkTrainCount, allocate } = options;
  try {
    const { dir, source } = await locateDataset({
      ...locateOptions(dataDir, env, bar),
      ...(signal ? { signal } : {}),
    });
    const [count = 0] = await readIdxDims(join(dir, DATA_FILES.trainImages), { expect: "images" });
    checkTrainCount?.(count, dir);
    return {
      ...(await loadFashionMnist({ dataDir: dir, download: false, allocate })),
      source,
    };
  } finally {
    bar?.clear();
  }
}

/** Which data a run trains on: where it is, its sizes and a hash of its contents. */
export function dataIdentity(data: FashionMnist): DataIdentity {
  const hash = createHash("sha256");
  for (const split of [data.train, data.test]) hash.update(split.images).update(split.labels);
  return {
    dir: data.dir,
    trainCount: data.train.count,
    testCount: data.test.count,
    sha256: hash.digest("hex"),
  };
}

/** Both splits, as `bench` needs them; `allocate` says where the images go (see `LoadOptions.allocate`). */
export async function loadData(
  dataDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  bar?: ProgressBar,
  allocate?: (length: number) => Uint8Array,
): Promise<FashionMnist> {
  try {
    return await loadFashionMnist({ ...locateOptions(dataDir, env, bar), allocate });
  } finally {
    bar?.clear();
  }
}

/**
 * The test split alone (a sixth of the bytes to unzip), found the same way as by `train`;
 * `checkTestCount` sees the image count from the header before anything is decoded.
 */
export async function loadTestSet(
  dataDir: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  bar?: ProgressBar,
  checkTestCount?: (count: number) => void,
): Promise<{ test: ImageSet; dir: string; source: DataSource }> {
  try {
    const { dir, source } = await locateDataset(locateOptions(dataDir, env, bar));
    const imagesPath = join(dir, DATA_FILES.testImages);
    // Settings that cannot fit (an index past the end) fail on the header, before the data is decoded.
    if (checkTestCount) checkTestCount((await readIdxDims(imagesPath, { expect: "images" }))[0] ?? 0);
    const test = await loadSplit(dir, DATA_FILES.testImages, DATA_FILES.testLabels);
    return { test, dir, source };
  } finally {
    bar?.clear();
  }
}
