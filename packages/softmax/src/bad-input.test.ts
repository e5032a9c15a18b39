import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random, ShapeError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import type { Batch } from "./types.js";

const SHAPE: ModelShape = { features: 20, classes: 3 };

function model() {
  const backend = new CpuBackend();
  return { backend, model: SoftmaxRegression.initialize(backend, new Random(0), SHAPE) };
}

function batchWithLabels(labels: number[]): Batch {
  return { x: new Random(1).normalArray(labels.length * SHAPE.features), labels, size: labels.length };
}

describe("labels outside 0..C-1", () => {
  it.each([
    [3, /label 3 of example 2 is outside 0\.\.2/],
    [7, /label 7 of example 2/],
    [-1, /label -1 of example 2/],
    [1.5, /label 1\.5 of example 2/],
    [Number.NaN, /label NaN of example 2/],
  ])("label %s throws a RangeError naming it, in trainBatch and scoreBatch", async (label, message) => {
    const { backend, model: m } = model();
    const batch = batchWithLabels([0, 1, label, 2]);
    await expect(m.trainBatch(batch, 0.1)).rejects.toThrow(RangeError);
    await expect(m.trainBatch(batch, 0.1)).rejects.toThrow(message);
    await expect(m.scoreBatch(batch)).rejects.toThrow(RangeError);
    await expect(m.scoreBatch(batch)).rejects.toThrow(message);
    expect(backend.live()).toBe(2);
  });

  it("accepts every label from 0 to C-1", async () => {
    const { model: m } = model();
    const tally = await m.trainBatch(batchWithLabels([0, 1, 2, 2, 1, 0]), 0.1);
    expect(tally.count).toBe(6);
  });

  it("ignores labels beyond `size`", async () => {
    const { model: m } = model();
    const batch: Batch = { x: new Random(1).normalArray(3 * SHAPE.features), labels: [0, 1, 99], size: 2 };
    await expect(m.trainBatch(batch, 0.1)).resolves.toMatchObject({ count: 2 });
  });
});

describe("batches of the wrong size", () => {
  it("throws a ShapeError when x is too short", async () => {
    const { backend, model: m } = model();
    const batch: Batch = { x: new Float32Array(4 * SHAPE.features - 1), labels: [0, 1, 2, 0], size: 4 };
    await expect(m.trainBatch(batch, 0.1)).rejects.toThrow(ShapeError);
    await expect(m.scoreBatch(batch)).rejects.toThrow(ShapeError);
    await expect(m.scoreBatch(batch)).rejects.toThrow(/a batch of 4 needs 80 inputs and 4 labels/);
    expect(backend.live()).toBe(2);
  });

  it("throws a ShapeError when there are fewer labels than rows", async () => {
    const { model: m } = model();
    const batch: Batch = { x: new Float32Array(4 * SHAPE.features), labels: [0, 1, 2], size: 4 };
    await expect(m.trainBatch(batch, 0.1)).rejects.toThrow(ShapeError);
  });

  it("throws a ShapeError for an empty batch instead of dividing by zero", async () => {
    const { model: m } = model();
    const before = await m.weights();
    await expect(m.trainBatch({ x: new Float32Array(0), labels: [], size: 0 }, 0.1)).rejects.toThrow(
      ShapeError,
    );
    const after = await m.weights();
    expect(after.W.every((v) => Number.isFinite(v))).toBe(true);
    expect(Array.from(after.W)).toEqual(Array.from(before.W));
  });
});
