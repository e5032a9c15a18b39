import { CpuBackend } from "@tensorplug/backend-cpu";
import { InvalidTensorError, Random } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import { batchesOf, countingBackend, gaussianBlobs } from "./reference.test-helper.js";
import { evaluate, type TrainData, train, trainEpoch } from "./train.js";

const SHAPE: ModelShape = { features: 20, classes: 3 };

function setup() {
  const data = gaussianBlobs(new Random(1), 50, SHAPE.features, SHAPE.classes);
  const batches = batchesOf(data, 16); // 16, 16, 16, 2
  return { data, batches };
}

describe("the counting proxy itself", () => {
  it("counts reads and fails readSync, so the tests below can fail", async () => {
    const { backend, counts } = countingBackend();
    const t = backend.upload(Float32Array.from([1, 2]), [1, 2]);
    expect(Array.from(await backend.read(t))).toEqual([1, 2]);
    expect(counts.read).toBe(1);
    expect(() => backend.readSync?.(t)).toThrow(/readSync/);
    expect(counts.readSync).toBe(1);
    backend.dispose(t);
    expect(backend.live()).toBe(0);
  });
});

describe("read-backs", () => {
  it("trainBatch reads back exactly once per call and never synchronously", async () => {
    const { backend, counts } = countingBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { batches } = setup();
    for (const [i, batch] of batches.entries()) {
      await model.trainBatch(batch, 0.1);
      expect(counts.read).toBe(i + 1);
    }
    expect(counts.readSync).toBe(0);
  });

  it("scoreBatch and predict read back exactly once per call and never synchronously", async () => {
    const { backend, counts } = countingBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { batches, data } = setup();
    await model.scoreBatch(batches[0]!);
    expect(counts.read).toBe(1);
    await model.scoreBatch(batches[3]!);
    expect(counts.read).toBe(2);
    await model.predict(data.x, 7);
    expect(counts.read).toBe(3);
    expect(counts.readSync).toBe(0);
  });

  it("train reads back once per train batch and once per test batch", async () => {
    const { backend, counts } = countingBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { batches } = setup();
    const testBatches = batches.slice(0, 2);
    const data: TrainData = {
      trainBatches: () => batches,
      testBatches: () => testBatches,
      batchesPerEpoch: 4,
    };
    await train(model, data, { epochs: 3, lr: 0.1 });
    expect(counts.read).toBe(3 * (batches.length + testBatches.length));
    expect(counts.readSync).toBe(0);
  });
});

describe("handle bookkeeping", () => {
  it("a model holds exactly two handles, and dispose frees them", () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    expect(backend.live()).toBe(2);
    model.dispose();
    expect(backend.live()).toBe(0);
  });

  it("trainBatch, scoreBatch, predict, weights and logits leave no handle behind", async () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { batches, data } = setup();
    const before = backend.live();
    expect(before).toBe(2);
    for (const batch of batches) await model.trainBatch(batch, 0.1);
    expect(backend.live()).toBe(before);
    for (const batch of batches) await model.scoreBatch(batch);
    expect(backend.live()).toBe(before);
    await model.predict(data.x, 50);
    expect(backend.live()).toBe(before);
    await model.weights();
    expect(backend.live()).toBe(before);
    // logits hands its result to the caller, and nothing else.
    const x = backend.upload(data.x.subarray(0, 3 * SHAPE.features), [3, SHAPE.features]);
    const z = model.logits(x);
    expect(z.shape).toEqual([3, SHAPE.classes]);
    expect(backend.live()).toBe(before + 2);
    backend.dispose(z);
    backend.dispose(x);
    expect(backend.live()).toBe(before);
    model.dispose();
    expect(backend.live()).toBe(before - 2);
  });

  it("train, trainEpoch and evaluate leave no handle behind", async () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { batches } = setup();
    await trainEpoch(model, batches, 0.1);
    await evaluate(model, batches);
    await train(
      model,
      { trainBatches: () => batches, testBatches: () => batches, batchesPerEpoch: 4 },
      {
        epochs: 2,
        lr: 0.1,
      },
    );
    expect(backend.live()).toBe(2);
    model.dispose();
    expect(backend.live()).toBe(0);
  });

  it("a rejected batch leaks nothing and leaves the weights as they were", async () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const before = await model.weights();
    const { batches } = setup();
    const bad = { ...batches[0]!, labels: Uint8Array.from(batches[0]!.labels).fill(9, 5, 6) };
    await expect(model.trainBatch(bad, 0.1)).rejects.toThrow(RangeError);
    await expect(model.scoreBatch(bad)).rejects.toThrow(RangeError);
    expect(backend.live()).toBe(2);
    const after = await model.weights();
    expect(Array.from(after.W)).toEqual(Array.from(before.W));
    expect(Array.from(after.b)).toEqual(Array.from(before.b));
    // The model is still usable.
    await model.trainBatch(batches[0]!, 0.1);
    expect(backend.live()).toBe(2);
  });

  it("a disposed model refuses to work", async () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    model.dispose();
    const { batches } = setup();
    await expect(model.trainBatch(batches[0]!, 0.1)).rejects.toThrow(InvalidTensorError);
    await expect(model.weights()).rejects.toThrow(InvalidTensorError);
    expect(backend.live()).toBe(0);
  });
});
