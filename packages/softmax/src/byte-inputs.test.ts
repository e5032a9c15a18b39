import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import { randomWeights } from "./reference.test-helper.js";
import type { Batch } from "./types.js";

const SHAPE: ModelShape = { features: 12, classes: 3 };
const SCALE = 1 / 255;

/** A batch of random bytes, and the same batch as the floats the bytes stand for. */
function pair(seed: number, size: number): { bytes: Batch; floats: Batch } {
  const rng = new Random(seed);
  const x = new Uint8Array(size * SHAPE.features);
  // Mostly zero, like image backgrounds, so kernels that skip zeros are exercised too.
  for (let i = 0; i < x.length; i++) x[i] = rng.next() < 0.5 ? 0 : Math.floor(rng.next() * 256);
  const labels = Array.from({ length: size }, (_, i) => i % SHAPE.classes);
  return {
    bytes: { x, scale: SCALE, labels, size },
    floats: { x: Float32Array.from(x, (v) => v * SCALE), labels, size },
  };
}

describe("batches of bytes with a scale", () => {
  it("train, score and predict exactly like the floats they stand for", async () => {
    const init = randomWeights(3, SHAPE);
    const fromBytes = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const fromFloats = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    for (let step = 0; step < 5; step++) {
      const { bytes, floats } = pair(step, 7);
      expect(await fromBytes.trainBatch(bytes, 0.5)).toEqual(await fromFloats.trainBatch(floats, 0.5));
    }
    const { bytes, floats } = pair(99, 9);
    expect(await fromBytes.scoreBatch(bytes)).toEqual(await fromFloats.scoreBatch(floats));
    expect(await fromBytes.weights()).toEqual(await fromFloats.weights());
    const predicted = await fromBytes.predict(bytes.x, 9, undefined, SCALE);
    expect(predicted).toEqual(await fromFloats.predict(floats.x, 9));
  });

  it("without a scale are refused with a message that says what is missing", async () => {
    const backend = new CpuBackend();
    const model = SoftmaxRegression.initialize(backend, new Random(0), SHAPE);
    const { bytes } = pair(1, 4);
    const unscaled: Batch = { x: bytes.x, labels: bytes.labels, size: 4 };
    await expect(model.trainBatch(unscaled, 0.1)).rejects.toThrow(/a batch of bytes needs its scale/);
    await expect(model.scoreBatch(unscaled)).rejects.toThrow(/needs its scale/);
    expect(backend.live()).toBe(2);
  });
});
