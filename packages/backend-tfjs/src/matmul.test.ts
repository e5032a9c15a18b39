import { matMul, type Tensor2D, tensor2d, tidy } from "@tensorflow/tfjs-core";
import { Random } from "@tensorplug/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTfjsBackend, type TfjsBackend } from "./index.js";
import { xnnpackMatMul } from "./matmul.js";

function random(rows: number, cols: number, seed: number): Tensor2D {
  return tensor2d(new Random(seed).normalArray(rows * cols), [rows, cols]);
}

// Shapes chosen so that each rewrite runs: transA has one, and transB and transA+transB each have
// two, which the cost model picks between when the operand sizes swap roles.
const CASES: [transA: boolean, transB: boolean, a: [number, number], b: [number, number]][] = [
  [false, false, [3, 4], [4, 5]],
  [true, false, [5, 2], [5, 50]],
  [true, false, [256, 784], [256, 10]],
  [false, true, [50, 5], [2, 5]],
  [false, true, [2, 5], [50, 5]],
  [true, true, [50, 2], [2, 50]],
  [true, true, [1, 50], [50, 1]],
];

describe("xnnpackMatMul on wasm", () => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ backend: "wasm" });
  });
  afterAll(() => backend.close());

  it.each(CASES)("transA=%s transB=%s %j · %j equals tfjs's own flags", (transA, transB, sa, sb) => {
    const [got, want] = tidy(() => {
      const a = random(sa[0], sa[1], 1);
      const b = random(sb[0], sb[1], 2);
      return [xnnpackMatMul(a, b, transA, transB), matMul(a, b, transA, transB)];
    });
    expect(got.shape).toEqual(want.shape);
    const g = got.dataSync();
    const w = want.dataSync();
    const inner = transA ? sa[0] : sa[1];
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(g[i]! - w[i]!)).toBeLessThan(1e-5 * Math.sqrt(inner) * 10);
    got.dispose();
    want.dispose();
  });
});
