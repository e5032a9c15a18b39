import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random, ShapeError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { type ModelShape, SoftmaxRegression } from "./model.js";
import {
  gaussianBlobs,
  randomWeights,
  refArgmax,
  refLogits,
  refSoftmax,
  toRef,
  worstError,
} from "./reference.test-helper.js";

const SHAPE: ModelShape = { features: 20, classes: 5 };

describe("predict", () => {
  it("returns softmax(X W + b) per row, rows summing to 1, label = argmax", async () => {
    const data = gaussianBlobs(new Random(3), 30, SHAPE.features, SHAPE.classes, 1);
    const init = randomWeights(12, SHAPE);
    const model = new SoftmaxRegression(new CpuBackend(), init, SHAPE);
    const predictions = await model.predict(data.x, 30);
    expect(predictions).toHaveLength(30);
    const ref = toRef(init);
    const z = refLogits(ref, data.x, 30, SHAPE);
    const p = refSoftmax(z, 30, SHAPE.classes);
    for (const [i, { label, probabilities }] of predictions.entries()) {
      expect(probabilities).toBeInstanceOf(Float32Array);
      expect(probabilities).toHaveLength(SHAPE.classes);
      const sum = probabilities.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      expect(probabilities.every((v) => v >= 0 && v <= 1)).toBe(true);
      const expected = p.subarray(i * SHAPE.classes, (i + 1) * SHAPE.classes);
      expect(worstError(probabilities, expected, 1e-6, 1e-4)).toBeLessThanOrEqual(1);
      // Label is the argmax of the returned probabilities and of the reference logits.
      expect(label).toBe(refArgmax(probabilities, 0, SHAPE.classes).index);
      const { index, margin } = refArgmax(z, i, SHAPE.classes);
      if (margin > 1e-4) expect(label).toBe(index);
    }
    // Not a degenerate case: several different labels are predicted.
    expect(new Set(predictions.map((q) => q.label)).size).toBeGreaterThan(1);
  });

  it("agrees with the model's own logits", async () => {
    const backend = new CpuBackend();
    const init = randomWeights(4, SHAPE);
    const model = new SoftmaxRegression(backend, init, SHAPE);
    const x = new Random(8).normalArray(6 * SHAPE.features);
    const xt = backend.upload(x, [6, SHAPE.features]);
    const zt = model.logits(xt);
    const z = await backend.read(zt);
    backend.dispose(zt);
    backend.dispose(xt);
    expect(worstError(z, refLogits(toRef(init), x, 6, SHAPE), 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    const predictions = await model.predict(x, 6);
    for (const [i, q] of predictions.entries()) expect(q.label).toBe(refArgmax(z, i, SHAPE.classes).index);
  });

  it("predicts only the first `size` rows of a longer buffer", async () => {
    const model = new SoftmaxRegression(new CpuBackend(), randomWeights(1, SHAPE), SHAPE);
    const x = new Random(2).normalArray(10 * SHAPE.features);
    const all = await model.predict(x, 10);
    const some = await model.predict(x, 3);
    expect(some).toHaveLength(3);
    expect(some).toEqual(all.slice(0, 3));
  });

  it("stays finite for huge logits", async () => {
    const shape = { features: 1, classes: 3 };
    const model = new SoftmaxRegression(
      new CpuBackend(),
      { W: Float32Array.from([1000, 2000, 1500]), b: new Float32Array(3) },
      shape,
    );
    const [a, b] = await model.predict(Float32Array.from([1, -1]), 2);
    expect(a!.label).toBe(1);
    expect(Array.from(a!.probabilities)).toEqual([0, 1, 0]);
    expect(b!.label).toBe(0);
    expect(Array.from(b!.probabilities)).toEqual([1, 0, 0]);
  });

  it("breaks ties toward the lowest class, like argmax", async () => {
    const shape = { features: 2, classes: 4 };
    const model = new SoftmaxRegression(
      new CpuBackend(),
      { W: new Float32Array(8), b: Float32Array.from([0, 2, 2, 1]) },
      shape,
    );
    const [q] = await model.predict(Float32Array.from([5, -5]), 1);
    expect(q!.label).toBe(1);
  });

  it("throws a ShapeError when x holds fewer than size rows", async () => {
    const backend = new CpuBackend();
    const model = new SoftmaxRegression(backend, randomWeights(1, SHAPE), SHAPE);
    await expect(model.predict(new Float32Array(2 * SHAPE.features), 3)).rejects.toThrow(ShapeError);
    expect(backend.live()).toBe(2);
  });
});

describe("predict with class names", () => {
  it("names each prediction by its label, and leaves the name out without names", async () => {
    const backend = new CpuBackend();
    const W = Float32Array.from([0, 5, 0, 0, 0, 5]); // 2 features x 3 classes
    const model = new SoftmaxRegression(backend, { W, b: new Float32Array(3) }, { features: 2, classes: 3 });
    const x = Float32Array.from([1, 0, 0, 1]);
    const named = await model.predict(x, 2, ["zero", "one", "two"]);
    expect(named.map((p) => [p.label, p.name])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
    const plain = await model.predict(x, 2);
    expect(plain.every((p) => p.name === undefined)).toBe(true);
    model.dispose();
  });
});
