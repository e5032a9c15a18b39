import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random } from "@tensorplug/core";
import { describe, expect, it, vi } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import { randomWeights } from "./reference.test-helper.js";
import type { Batch } from "./types.js";

const SHAPE: ModelShape = { features: 12, classes: 3 };
const SCALE = 1 / 255;

/** A data set of random bytes (half zero, like image backgrounds) and its labels. */
function dataSet(seed: number, count: number): { source: Uint8Array; labels: number[] } {
  const rng = new Random(seed);
  const source = new Uint8Array(count * SHAPE.features);
  for (let i = 0; i < source.length; i++) source[i] = rng.next() < 0.5 ? 0 : rng.nextInt(256);
  return { source, labels: Array.from({ length: count }, (_, i) => (i * 7) % SHAPE.classes) };
}

/** Rows `rows` of the set as a batch: with the rows named (`withRows`), or as gathered bytes only. */
function batchOf(set: ReturnType<typeof dataSet>, rows: number[], withRows: boolean): Batch {
  const x = new Uint8Array(rows.length * SHAPE.features);
  rows.forEach((r, i) => {
    x.set(set.source.subarray(r * SHAPE.features, (r + 1) * SHAPE.features), i * SHAPE.features);
  });
  const labels = rows.map((r) => set.labels[r]!);
  const plain: Batch = { x, scale: SCALE, labels, size: rows.length };
  return withRows ? { ...plain, rows: Uint32Array.from(rows), source: set.source } : plain;
}

describe("batches named as rows of a data set", () => {
  it("train and score bit for bit as the gathered bytes do, the set uploaded once", async () => {
    const set = dataSet(1, 40);
    const init = randomWeights(2, SHAPE);
    const rowsBackend = new CpuBackend();
    const upload = vi.spyOn(rowsBackend, "uploadBytes");
    const gather = vi.spyOn(rowsBackend, "gatherRows");
    const byRows = new SoftmaxRegression(rowsBackend, init, SHAPE);
    const byBytes = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const rng = new Random(3);
    for (let step = 0; step < 6; step++) {
      const rows = Array.from({ length: 9 }, () => rng.nextInt(40));
      const a = await byRows.trainBatch(batchOf(set, rows, true), 0.5);
      expect(a).toEqual(await byBytes.trainBatch(batchOf(set, rows, false), 0.5));
    }
    const test = [0, 5, 39, 5];
    expect(await byRows.scoreBatch(batchOf(set, test, true))).toEqual(
      await byBytes.scoreBatch(batchOf(set, test, false)),
    );
    const [w1, w2] = [await byRows.weights(), await byBytes.weights()];
    expect(new Uint32Array(w1.W.buffer)).toEqual(new Uint32Array(w2.W.buffer));
    expect(upload).toHaveBeenCalledTimes(1);
    expect(gather).toHaveBeenCalledTimes(7);
    // The set is the model's until it is disposed; then nothing is left.
    expect(rowsBackend.live()).toBe(3);
    byRows.dispose();
    expect(rowsBackend.live()).toBe(0);
  });

  it("reads a set held in the backend's own memory in place", async () => {
    const set = dataSet(4, 16);
    const backend = new CpuBackend();
    const resident = backend.allocateBytes(set.source.length);
    resident.set(set.source);
    const model = new SoftmaxRegression(backend, randomWeights(5, SHAPE), SHAPE);
    const reference = new SoftmaxRegression(new CpuBackend(), randomWeights(5, SHAPE), SHAPE);
    const rows = [3, 1, 15, 0, 3];
    const batch = { ...batchOf(set, rows, true), source: resident };
    expect(await model.trainBatch(batch, 0.2)).toEqual(
      await reference.trainBatch(batchOf(set, rows, false), 0.2),
    );
    expect(await model.weights()).toEqual(await reference.weights());
  });

  it("falls back to the bytes of x where the backend cannot pick rows", async () => {
    const set = dataSet(6, 10);
    const backend = new CpuBackend();
    const noGather = Object.assign(Object.create(backend) as CpuBackend, { gatherRows: undefined });
    const model = new SoftmaxRegression(noGather, randomWeights(7, SHAPE), SHAPE);
    const reference = new SoftmaxRegression(new CpuBackend(), randomWeights(7, SHAPE), SHAPE);
    const rows = [9, 2, 2];
    expect(await model.trainBatch(batchOf(set, rows, true), 0.3)).toEqual(
      await reference.trainBatch(batchOf(set, rows, false), 0.3),
    );
  });
});
