import { type Tensor2D, tensor2d, transpose as tfTranspose, tidy } from "@tensorflow/tfjs-core";
import { Random } from "@tensorplug/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTfjsBackend, type TfjsBackend } from "./index.js";
import { transpose } from "./transpose.js";

describe("transpose on wasm", () => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ backend: "wasm" });
  });
  afterAll(() => backend.close());

  // A Fashion-MNIST batch and the last one, a prime width (no split), a single row, a width of 4.
  it.each([
    [256, 784],
    [96, 784],
    [5, 7],
    [1, 12],
    [3, 4],
    [12, 1],
  ])("a %ix%i matrix comes out exactly as tf.transpose gives it", (rows, cols) => {
    const [got, want] = tidy((): [Tensor2D, Tensor2D] => {
      const x = tensor2d(new Random(rows * cols).normalArray(rows * cols), [rows, cols]);
      return [transpose(x), tfTranspose(x)];
    });
    expect(got.shape).toEqual([cols, rows]);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    got.dispose();
    want.dispose();
  });
});
