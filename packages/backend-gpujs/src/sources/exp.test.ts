import gpujs from "gpu.js";
import { afterAll, describe, expect, it } from "vitest";
import { INPUT_TYPE } from "../kernel-cache.js";
import { expStatements } from "./exp.js";

// The float32 arithmetic exp that webasm's softmax kernels use, run as a webasm kernel and
// compared with Math.exp.
const gpu = new gpujs.GPU({ mode: "webasm" });
afterAll(() => gpu.destroy());

function run(xs: Float32Array): Float32Array {
  const kernel = gpu.createKernel(
    `function(a) { ${expStatements("e", "a[this.thread.x]", "arithmetic")} return e; }`,
    { output: [xs.length], precision: "single", argumentTypes: { a: INPUT_TYPE } },
  );
  expect(kernel.kernel.constructor).toHaveProperty("mode", "webasm");
  return kernel(new gpujs.Input(xs as unknown as number[], [xs.length])) as Float32Array;
}

describe("expStatements (arithmetic)", () => {
  it("is within 2 float32 ulps of Math.exp for every normal result, over arguments from -104 to 0", () => {
    const xs = Float32Array.from({ length: 20001 }, (_, i) => -i * 0.0052);
    const got = run(xs);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.exp(xs[i]!);
      if (want < 2 ** -126) {
        // Subnormal results: only their size matters to a softmax.
        expect(Math.abs(got[i]! - want), `exp(${xs[i]})`).toBeLessThan(2 ** -126);
      } else {
        expect(Math.abs(got[i]! - want) / want, `exp(${xs[i]})`).toBeLessThanOrEqual(2 * 2 ** -24);
      }
    }
  });

  it("gives exp(0) = 1 exactly, 0 for -Infinity and far below, NaN for NaN", () => {
    const got = run(Float32Array.from([0, -0, Number.NEGATIVE_INFINITY, -200, Number.NaN, -1e-30]));
    expect(Array.from(got.subarray(0, 4))).toEqual([1, 1, 0, 0]);
    expect(got[4]).toBeNaN();
    expect(got[5]).toBe(1);
  });

  it("is Math.exp itself in the import form", () => {
    expect(expStatements("e", "x", "import")).toBe("const e = Math.exp(x);");
  });
});
