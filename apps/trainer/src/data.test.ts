import { createCpuBackend } from "@tensorplug/backend-cpu";
import { type Backend, Random } from "@tensorplug/core";
import { type FashionMnist, IMAGE_SIZE, type ImageSet } from "@tensorplug/fashion-mnist";
import { describe, expect, it } from "vitest";
import { testBatchSize, trainData } from "./data.js";

function imageSet(count: number): ImageSet {
  return { images: new Uint8Array(count * IMAGE_SIZE), labels: new Uint8Array(count), count };
}

const data: FashionMnist = { train: imageSet(10), test: imageSet(7), dir: "/nowhere", source: "flag" };

/** A backend whose caps are all a test reads; the rest is never called. */
function withCaps(scoreRows: number | undefined): Backend {
  const caps = {
    precision: 32,
    syncRead: false,
    fused: new Set(),
    ...(scoreRows === undefined ? {} : { scoreRows }),
  };
  return { caps } as unknown as Backend;
}

describe("trainData", () => {
  it("cuts the test set by the training batch size unless given another", () => {
    const sizes = (batches: Iterable<{ size: number }>) => Array.from(batches, (b) => b.size);
    expect(sizes(trainData(data, 3, new Random(0)).testBatches())).toEqual([3, 3, 1]);
    expect(sizes(trainData(data, 3, new Random(0), 5).testBatches())).toEqual([5, 2]);
    expect(sizes(trainData(data, 3, new Random(0), 5).trainBatches(1))).toEqual([3, 3, 3, 1]);
  });
});

describe("testBatchSize", () => {
  it("takes the backend's scoreRows where larger than the training batch, else the batch", () => {
    expect(testBatchSize(withCaps(undefined), 256)).toBe(256);
    expect(testBatchSize(withCaps(10_000), 256)).toBe(10_000);
    expect(testBatchSize(withCaps(100), 256)).toBe(256);
    // backend-cpu scores Fashion-MNIST's 10,000 test images in one call.
    expect(testBatchSize(createCpuBackend(), 256)).toBeGreaterThanOrEqual(10_000);
  });
});
