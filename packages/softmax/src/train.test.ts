import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import { batchesOf, gaussianBlobs, refStep, toRef } from "./reference.test-helper.js";
import { addTally, EMPTY_TALLY, rates } from "./tally.js";
import { evaluate, type TrainData, type TrainEvent, train, trainEpoch } from "./train.js";
import type { Tally } from "./types.js";

const SHAPE: ModelShape = { features: 20, classes: 3 };
const BATCH = 32;

/** 300 train and 150 test points from the same 3 blobs; 10 train batches, the last of 12. */
function blobData(seed = 0) {
  const rng = new Random(seed);
  const trainSet = gaussianBlobs(rng, 300, SHAPE.features, SHAPE.classes, 1);
  const testSet = gaussianBlobs(rng, 150, SHAPE.features, SHAPE.classes, 1, trainSet.centres);
  const shuffler = new Random(seed + 100);
  const requested: number[] = [];
  const data: TrainData = {
    trainBatches(epoch) {
      requested.push(epoch);
      const order = shuffler.shuffle(Uint32Array.from({ length: trainSet.n }, (_, i) => i));
      return batchesOf(trainSet, BATCH, order);
    },
    testBatches: () => batchesOf(testSet, 64),
    batchesPerEpoch: Math.ceil(trainSet.n / BATCH),
  };
  return { data, requested, trainSet, testSet };
}

describe("train", () => {
  it("learns separable blobs: loss falls and accuracy passes 0.9 within a few epochs", async () => {
    const { data, testSet } = blobData();
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const start = rates(await evaluate(model, batchesOf(testSet, 64)));
    expect(start.loss).toBeCloseTo(Math.log(3), 1);
    const history = await train(model, data, { epochs: 4, lr: 0.1 });
    expect(history).toHaveLength(4);
    const first = history[0]!;
    const last = history[3]!;
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.testLoss).toBeLessThan(first.testLoss);
    expect(last.testLoss).toBeLessThan(start.loss / 4);
    for (let i = 1; i < history.length; i++)
      expect(history[i]!.testLoss).toBeLessThan(history[i - 1]!.testLoss);
    expect(last.trainAccuracy).toBeGreaterThan(0.9);
    expect(last.testAccuracy).toBeGreaterThan(0.9);
    // The last epoch's test numbers are an evaluation of the test set with the final weights.
    const final = rates(await evaluate(model, data.testBatches()));
    expect(last.testLoss).toBeCloseTo(final.loss, 10);
    expect(last.testAccuracy).toBeCloseTo(final.accuracy, 10);
    expect(backend.live()).toBe(2);
  });

  it("emits one batch event per batch with a growing running tally, and one epoch event per epoch", async () => {
    const { data, requested, trainSet } = blobData(1);
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(1), SHAPE);
    const events: TrainEvent[] = [];
    const epochs = 3;
    const history = await train(model, data, { epochs, lr: 0.1, onEvent: (e) => events.push(e) });
    expect(requested).toEqual([1, 2, 3]);
    const batchEvents = events.filter((e) => e.type === "batch");
    const epochEvents = events.filter((e) => e.type === "epoch");
    expect(epochEvents).toHaveLength(epochs);
    expect(batchEvents).toHaveLength(epochs * data.batchesPerEpoch);
    expect(data.batchesPerEpoch).toBe(10);
    // Order: all batches of an epoch, then its epoch event.
    expect(events.map((e) => e.type)).toEqual(
      Array.from({ length: epochs }, () => [...new Array<string>(10).fill("batch"), "epoch"]).flat(),
    );
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const mine = batchEvents.filter((e) => e.epoch === epoch);
      expect(mine.map((e) => e.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      let previous: Tally = EMPTY_TALLY;
      for (const e of mine) {
        expect(e.epochs).toBe(epochs);
        expect(e.batches).toBe(10);
        expect(e.tally.count).toBeGreaterThan(previous.count);
        expect(e.tally.lossSum).toBeGreaterThan(previous.lossSum);
        expect(e.tally.correct).toBeGreaterThanOrEqual(previous.correct);
        previous = e.tally;
      }
      expect(mine.map((e) => e.tally.count)).toEqual([32, 64, 96, 128, 160, 192, 224, 256, 288, 300]);
      expect(previous.count).toBe(trainSet.n);
      // The epoch result is the last running tally turned into rates.
      const result = history[epoch - 1]!;
      expect(result.trainLoss).toBeCloseTo(previous.lossSum / previous.count, 10);
      expect(result.trainAccuracy).toBeCloseTo(previous.correct / previous.count, 10);
    }
    for (const [i, e] of epochEvents.entries()) {
      expect(e.epochs).toBe(epochs);
      expect(e.result).toEqual(history[i]);
    }
  });

  it("returns sane epoch results", async () => {
    const { data } = blobData(2);
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(2), SHAPE);
    const history = await train(model, data, { epochs: 2, lr: 0.1 });
    expect(history.map((r) => r.epoch)).toEqual([1, 2]);
    for (const r of history) {
      for (const v of [r.trainLoss, r.testLoss, r.trainAccuracy, r.testAccuracy, r.seconds]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      expect(r.trainAccuracy).toBeLessThanOrEqual(1);
      expect(r.testAccuracy).toBeLessThanOrEqual(1);
      // Accuracies are whole numbers of examples out of 300 and 150.
      expect(Math.abs(r.trainAccuracy * 300 - Math.round(r.trainAccuracy * 300))).toBeLessThan(1e-9);
      expect(Math.abs(r.testAccuracy * 150 - Math.round(r.testAccuracy * 150))).toBeLessThan(1e-9);
      expect(r.seconds).toBeLessThan(60);
    }
  });

  it("does nothing for zero epochs", async () => {
    const { data, requested } = blobData();
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(0), SHAPE);
    const before = await model.weights();
    const events: TrainEvent[] = [];
    expect(await train(model, data, { epochs: 0, lr: 0.1, onEvent: (e) => events.push(e) })).toEqual([]);
    expect(events).toEqual([]);
    expect(requested).toEqual([]);
    expect(await model.weights()).toEqual(before);
  });
});

describe("trainEpoch", () => {
  it("steps through the batches in order, as the reference does, and sums their tallies", async () => {
    const { trainSet } = blobData(3);
    const batches = batchesOf(trainSet, 64); // 64 x 4 + 44
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(3), SHAPE);
    const ref = toRef(await model.weights());
    let expected = EMPTY_TALLY;
    for (const batch of batches) {
      const { lossSum, correct, count } = refStep(ref, batch, 0.2, SHAPE);
      expected = addTally(expected, { lossSum, correct, count });
    }
    const seen: number[] = [];
    const tally = await trainEpoch(model, batches, 0.2, (running, index) => {
      seen.push(index);
      expect(running.count).toBe(Math.min(64 * (index + 1), 300));
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(tally.count).toBe(300);
    expect(tally.correct).toBe(expected.correct);
    expect(tally.lossSum).toBeCloseTo(expected.lossSum, 3);
    const w = await model.weights();
    for (let i = 0; i < w.W.length; i++) expect(w.W[i]!).toBeCloseTo(ref.W[i]!, 4);
  });

  it("accepts any iterable, including a generator, and returns the empty tally for none", async () => {
    const { trainSet } = blobData(4);
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(4), SHAPE);
    function* gen() {
      yield* batchesOf(trainSet, 100);
    }
    expect((await trainEpoch(model, gen(), 0.1)).count).toBe(300);
    expect(await trainEpoch(model, [], 0.1)).toEqual(EMPTY_TALLY);
  });
});

describe("evaluate", () => {
  it("sums scoreBatch over the batches without changing the weights", async () => {
    const { testSet } = blobData(5);
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(5), SHAPE);
    const before = await model.weights();
    const batches = batchesOf(testSet, 40);
    let expected = EMPTY_TALLY;
    for (const b of batches) expected = addTally(expected, await model.scoreBatch(b));
    const tally = await evaluate(model, batches);
    expect(tally.count).toBe(150);
    expect(tally.correct).toBe(expected.correct);
    expect(tally.lossSum).toBeCloseTo(expected.lossSum, 6);
    expect(await model.weights()).toEqual(before);
    expect(await evaluate(model, [])).toEqual(EMPTY_TALLY);
  });
});

describe("tally helpers", () => {
  it("addTally adds field by field", () => {
    expect(addTally({ lossSum: 1.5, correct: 2, count: 4 }, { lossSum: 0.5, correct: 1, count: 3 })).toEqual({
      lossSum: 2,
      correct: 3,
      count: 7,
    });
    expect(addTally(EMPTY_TALLY, EMPTY_TALLY)).toEqual(EMPTY_TALLY);
    expect(Object.isFrozen(EMPTY_TALLY)).toBe(true);
  });

  it("rates divides by the count, and is 0 for an empty tally", () => {
    expect(rates({ lossSum: 3, correct: 3, count: 4 })).toEqual({ loss: 0.75, accuracy: 0.75 });
    expect(rates(EMPTY_TALLY)).toEqual({ loss: 0, accuracy: 0 });
  });
});
