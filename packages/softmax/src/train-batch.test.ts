import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random } from "@tensorplug/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import {
  batchesOf,
  gaussianBlobs,
  randomWeights,
  refStep,
  toRef,
  worstError,
} from "./reference.test-helper.js";
import type { Batch } from "./types.js";

const SHAPE: ModelShape = { features: 20, classes: 4 };

describe("trainBatch against a float64 reference", () => {
  it("matches W, b and the tally after every step, including a last partial batch", async () => {
    const data = gaussianBlobs(new Random(11), 70, SHAPE.features, SHAPE.classes, 1);
    // 32 + 32 + 6: the last batch is smaller, so dividing by a fixed batch size would show.
    const batches = batchesOf(data, 32);
    expect(batches.map((b) => b.size)).toEqual([32, 32, 6]);
    const init = randomWeights(5, SHAPE);
    const model = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const ref = toRef(init);
    const lr = 0.3;
    for (const batch of batches) {
      const expected = refStep(ref, batch, lr, SHAPE);
      // Guard: no near-tie in the batch, so float32 and float64 must agree on every argmax.
      expect(expected.minMargin).toBeGreaterThan(1e-3);
      const tally = await model.trainBatch(batch, lr);
      expect(tally.count).toBe(batch.size);
      expect(tally.correct).toBe(expected.correct);
      expect(tally.lossSum).toBeCloseTo(expected.lossSum, 3);
      expect(Math.abs(tally.lossSum - expected.lossSum)).toBeLessThan(1e-5 * Math.max(1, expected.lossSum));
      const w = await model.weights();
      expect(worstError(w.W, ref.W, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
      expect(worstError(w.b, ref.b, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    }
    // The data is informative enough that training moved the weights a long way.
    expect(worstError(ref.W, toRef(init).W, 1e-3, 0)).toBeGreaterThan(10);
  });

  it("reports the tally of the weights before the step", async () => {
    const shape = { features: 3, classes: 2 };
    // Both rows sit on class 1 after a big step toward it; before the step they favour class 0.
    const weights = { W: new Float32Array(6), b: Float32Array.from([1, 0]) };
    const model = new SoftmaxRegression(new CpuBackend(), weights, shape);
    const batch: Batch = { x: Float32Array.from([1, 1, 1, 2, 2, 2]), labels: [1, 1], size: 2 };
    const first = await model.trainBatch(batch, 10);
    expect(first.correct).toBe(0);
    const p1 = Math.exp(0) / (Math.exp(1) + Math.exp(0));
    expect(first.lossSum).toBeCloseTo(-2 * Math.log(p1), 5);
    const second = await model.scoreBatch(batch);
    expect(second.correct).toBe(2);
    expect(second.lossSum).toBeLessThan(first.lossSum);
  });

  it("property: one step matches the reference for random shapes, batches and learning rates", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 17 }),
        fc.double({ min: 0.001, max: 2, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        async (features, classes, m, lr, seed) => {
          const shape = { features, classes };
          const rng = new Random(seed);
          const x = rng.normalArray(m * features, 0, 1);
          const labels = Array.from({ length: m }, () => rng.nextInt(classes));
          const batch: Batch = { x, labels, size: m };
          const init = randomWeights(seed + 1, shape);
          const backend = new CpuBackend();
          const model = new SoftmaxRegression(backend, init, shape);
          const ref = toRef(init);
          const expected = refStep(ref, batch, lr, shape);
          const tally = await model.trainBatch(batch, lr);
          const w = await model.weights();
          expect(tally.count).toBe(m);
          if (expected.minMargin > 1e-4) expect(tally.correct).toBe(expected.correct);
          expect(Math.abs(tally.lossSum - expected.lossSum)).toBeLessThan(
            1e-4 * Math.max(1, expected.lossSum),
          );
          expect(worstError(w.W, ref.W, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
          expect(worstError(w.b, ref.b, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
          model.dispose();
          expect(backend.live()).toBe(0);
        },
      ),
      { numRuns: 60, seed: 20240601 },
    );
  });

  it("reads only the first `size` rows and labels of a larger buffer", async () => {
    const data = gaussianBlobs(new Random(2), 10, SHAPE.features, SHAPE.classes);
    const init = randomWeights(9, SHAPE);
    const model = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const ref = toRef(init);
    // A producer's reused buffer: room for 10 rows, only 4 filled for this batch.
    const batch: Batch = { x: data.x, labels: data.labels, size: 4 };
    const expected = refStep(ref, batch, 0.5, SHAPE);
    const tally = await model.trainBatch(batch, 0.5);
    expect(tally.count).toBe(4);
    expect(tally.correct).toBe(expected.correct);
    expect(tally.lossSum).toBeCloseTo(expected.lossSum, 4);
    const w = await model.weights();
    expect(worstError(w.W, ref.W, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
  });
});

describe("a hand-computed 2x3 case", () => {
  const shape = { features: 2, classes: 3 };
  const zero = () => ({ W: new Float32Array(6), b: new Float32Array(3) });
  // x = [[1, 2], [3, -1]], y = [2, 0]. With zero weights p = 1/3 everywhere, so
  // grad = [[1/3, 1/3, -2/3], [-2/3, 1/3, 1/3]], X^T grad = [[-5/3, 4/3, 1/3], [4/3, 1/3, -5/3]],
  // sum(grad) = [-1/3, 2/3, -1/3]; with lr = 0.6 and m = 2 the step scale is 0.3.
  const batch: Batch = { x: Float32Array.from([1, 2, 3, -1]), labels: Uint8Array.from([2, 0]), size: 2 };

  it("takes the step and reports the tally computed by hand", async () => {
    const model = new SoftmaxRegression(new CpuBackend(), zero(), shape);
    const tally = await model.trainBatch(batch, 0.6);
    expect(tally.count).toBe(2);
    expect(tally.lossSum).toBeCloseTo(2 * Math.log(3), 6);
    // All logits tie at 0, so argmax is class 0: only the second row (label 0) is right.
    expect(tally.correct).toBe(1);
    const { W, b } = await model.weights();
    const expectW = [0.5, -0.4, -0.1, -0.4, -0.1, 0.5];
    const expectB = [0.1, -0.2, 0.1];
    for (const [i, v] of W.entries()) expect(v).toBeCloseTo(expectW[i]!, 6);
    for (const [i, v] of b.entries()) expect(v).toBeCloseTo(expectB[i]!, 6);
  });

  it("gives each row a loss of log(C) when W = 0 and b = 0, for any C", async () => {
    for (const classes of [2, 3, 5, 10]) {
      const s = { features: 4, classes };
      const model = new SoftmaxRegression(
        new CpuBackend(),
        { W: new Float32Array(4 * classes), b: new Float32Array(classes) },
        s,
      );
      const rng = new Random(classes);
      for (let row = 0; row < 5; row++) {
        const one: Batch = { x: rng.normalArray(4, 0, 10), labels: [row % classes], size: 1 };
        const tally = await model.scoreBatch(one);
        expect(tally.lossSum).toBeCloseTo(Math.log(classes), 6);
        expect(tally.correct).toBe(row % classes === 0 ? 1 : 0);
      }
      const many: Batch = {
        x: rng.normalArray(40, 0, 3),
        labels: Array.from({ length: 10 }, (_, i) => i % classes),
        size: 10,
      };
      expect((await model.scoreBatch(many)).lossSum).toBeCloseTo(10 * Math.log(classes), 5);
    }
  });
});

describe("scoreBatch", () => {
  it("matches the reference tally and leaves the weights untouched", async () => {
    const data = gaussianBlobs(new Random(4), 25, SHAPE.features, SHAPE.classes, 1);
    const init = randomWeights(6, SHAPE);
    const model = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const [batch] = batchesOf(data, 25);
    const expected = refStep(toRef(init), batch!, 0.1, SHAPE);
    const tally = await model.scoreBatch(batch!);
    expect(tally.count).toBe(25);
    expect(tally.correct).toBe(expected.correct);
    expect(tally.lossSum).toBeCloseTo(expected.lossSum, 4);
    const w = await model.weights();
    expect(Array.from(w.W)).toEqual(Array.from(init.W));
    expect(Array.from(w.b)).toEqual(Array.from(init.b));
  });

  it("gives the same tally as trainBatch would report for the same weights", async () => {
    const data = gaussianBlobs(new Random(8), 16, SHAPE.features, SHAPE.classes, 1);
    const [batch] = batchesOf(data, 16);
    const init = randomWeights(1, SHAPE);
    const scored = await new SoftmaxRegression(new CpuBackend(), init, SHAPE).scoreBatch(batch!);
    const trained = await new SoftmaxRegression(new CpuBackend(), init, SHAPE).trainBatch(batch!, 0.1);
    expect(scored).toEqual(trained);
  });
});
