import { CpuBackend } from "@tensorplug/backend-cpu";
import { Random, ShapeError } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { FASHION_SHAPE, initialWeights, SoftmaxRegression } from "./model.js";
import { BOOK_RECIPE } from "./types.js";

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}

describe("constants", () => {
  it("FASHION_SHAPE is 784 features and 10 classes, frozen", () => {
    expect(FASHION_SHAPE).toEqual({ features: 784, classes: 10 });
    expect(Object.isFrozen(FASHION_SHAPE)).toBe(true);
  });

  it("BOOK_RECIPE is the book's batch 256, lr 0.1, 10 epochs, seed 0, frozen", () => {
    expect(BOOK_RECIPE).toEqual({ epochs: 10, batchSize: 256, lr: 0.1, seed: 0 });
    expect(Object.isFrozen(BOOK_RECIPE)).toBe(true);
  });
});

describe("initialWeights", () => {
  it("draws W ~ N(0, 0.01) of 784x10 and b = 0 by default", () => {
    const { W, b } = initialWeights(new Random(0));
    expect(W).toBeInstanceOf(Float32Array);
    expect(W.length).toBe(784 * 10);
    expect(b).toBeInstanceOf(Float32Array);
    expect(b.length).toBe(10);
    expect(Array.from(b)).toEqual(new Array(10).fill(0));
    const { mean, std } = meanStd(W);
    // Standard errors over 7840 draws: mean ~1.1e-4, std ~8e-5.
    expect(Math.abs(mean)).toBeLessThan(5e-4);
    expect(Math.abs(std - 0.01)).toBeLessThan(5e-4);
    expect(W.every((v) => Number.isFinite(v))).toBe(true);
    // Not a constant or a tiny set of values: a real sample.
    expect(new Set(W).size).toBeGreaterThan(7000);
  });

  it("honours a custom shape and standard deviation", () => {
    const { W, b } = initialWeights(new Random(3), { features: 50, classes: 40 }, 2);
    expect(W.length).toBe(2000);
    expect(b.length).toBe(40);
    const { mean, std } = meanStd(W);
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(Math.abs(std - 2)).toBeLessThan(0.15);
  });

  it("is a pure function of the generator's state", () => {
    expect(sameBits(initialWeights(new Random(42)).W, initialWeights(new Random(42)).W)).toBe(true);
    expect(sameBits(initialWeights(new Random(42)).W, initialWeights(new Random(43)).W)).toBe(false);
  });
});

describe("SoftmaxRegression.initialize", () => {
  it("gives bitwise identical parameters for the same seed on two backends", async () => {
    const m1 = SoftmaxRegression.initialize(new CpuBackend(), new Random(7));
    const m2 = SoftmaxRegression.initialize(new CpuBackend(), new Random(7));
    const [w1, w2] = await Promise.all([m1.weights(), m2.weights()]);
    expect(sameBits(w1.W, w2.W)).toBe(true);
    expect(sameBits(w1.b, w2.b)).toBe(true);
    expect(w1.W.length).toBe(7840);
    // ...and equal to what initialWeights draws from the same seed.
    expect(sameBits(w1.W, initialWeights(new Random(7)).W)).toBe(true);
    const { mean, std } = meanStd(w1.W);
    expect(Math.abs(mean)).toBeLessThan(5e-4);
    expect(Math.abs(std - 0.01)).toBeLessThan(5e-4);
    expect(Array.from(w1.b)).toEqual(new Array(10).fill(0));
    m1.dispose();
    m2.dispose();
  });

  it("gives different W for different seeds", async () => {
    const backend = new CpuBackend();
    const a = await SoftmaxRegression.initialize(backend, new Random(1)).weights();
    const b = await SoftmaxRegression.initialize(backend, new Random(2)).weights();
    let differing = 0;
    for (let i = 0; i < a.W.length; i++) if (a.W[i] !== b.W[i]) differing++;
    expect(differing).toBeGreaterThan(7800);
  });

  it("uses the given shape and keeps it", async () => {
    const shape = { features: 20, classes: 3 };
    const model = SoftmaxRegression.initialize(new CpuBackend(), new Random(0), shape);
    expect(model.shape).toEqual(shape);
    const { W, b } = await model.weights();
    expect(W.length).toBe(60);
    expect(b.length).toBe(3);
  });
});

describe("SoftmaxRegression constructor", () => {
  it("uploads the given host weights as they are and copies them", async () => {
    const shape = { features: 2, classes: 3 };
    const W = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([0.5, -0.5, 0.25]);
    const backend = new CpuBackend();
    const model = new SoftmaxRegression(backend, { W, b }, shape);
    expect(model.backend).toBe(backend);
    W.fill(0);
    b.fill(0);
    const w = await model.weights();
    expect(Array.from(w.W)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(w.b)).toEqual([0.5, -0.5, 0.25]);
  });

  it.each([
    ["W too short", 5, 3],
    ["W too long", 7, 3],
    ["b too short", 6, 2],
    ["b too long", 6, 4],
  ])("throws a ShapeError when %s, and uploads nothing", (_, wLength, bLength) => {
    const backend = new CpuBackend();
    const weights = { W: new Float32Array(wLength), b: new Float32Array(bLength) };
    expect(() => new SoftmaxRegression(backend, weights, { features: 2, classes: 3 })).toThrow(ShapeError);
    expect(() => new SoftmaxRegression(backend, weights, { features: 2, classes: 3 })).toThrow(
      /W needs 6 values \(2x3\) and b needs 3/,
    );
    expect(backend.live()).toBe(0);
  });

  it("rejects weights of a different shape than the default 784x10", () => {
    const weights = initialWeights(new Random(0), { features: 20, classes: 3 });
    expect(() => new SoftmaxRegression(new CpuBackend(), weights)).toThrow(ShapeError);
  });
});
