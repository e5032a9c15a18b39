import { readFileSync } from "node:fs";
import { linearSoftmaxCrossEntropy } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { uploadedProblem } from "./image-problem.test-helper.js";
import { CpuBackend, relaxedSimd } from "./index.js";

/**
 * Whether the processor has a fused multiply-add instruction for the runtime to use: always on
 * 64-bit Arm; on x86-64 where Linux lists the `fma` flag; `undefined` where this cannot tell.
 */
function processorFuses(): boolean | undefined {
  if (process.arch === "arm64") return true;
  if (process.arch !== "x64") return undefined;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return undefined;
  }
}

/** `x · W` on the backend for one row, as a number. */
async function product(backend: CpuBackend, x: number[], w: number[]): Promise<number> {
  const a = backend.upload(Float32Array.from(x), [1, x.length]);
  const b = backend.upload(Float32Array.from(w), [w.length, 1]);
  const c = backend.matmul(a, b);
  const [value] = await backend.read(c);
  for (const t of [a, b, c]) backend.dispose(t);
  return value!;
}

describe("fused multiply-adds", () => {
  it("are used where the runtime compiles relaxed SIMD, unless turned off", () => {
    // vitest.config.ts runs these tests with relaxed SIMD on.
    expect(relaxedSimd()).toBe(true);
    expect(new CpuBackend().fusedMultiplyAdd).toBe(true);
    expect(new CpuBackend({ fusedMultiplyAdd: false }).fusedMultiplyAdd).toBe(false);
  });

  it("round a product and a sum once where the processor fuses, twice in the other build", async () => {
    // -1 · 1 + a · a with a = 1 + 2^-12: a · a = 1 + 2^-11 + 2^-24 loses its last term when
    // rounded alone (float32 keeps 2^-23 at 1), and keeps it when rounded after the sum.
    const a = 1 + 2 ** -12;
    const x = [-1, 1, a];
    const w = [1, 0, a];
    const once = 2 ** -11 + 2 ** -24;
    const twice = 2 ** -11;
    expect(await product(new CpuBackend({ fusedMultiplyAdd: false }), x, w)).toBe(twice);
    const fused = await product(new CpuBackend(), x, w);
    const fuses = processorFuses();
    if (fuses === undefined) expect([once, twice]).toContain(fused);
    else expect(fused).toBe(fuses ? once : twice);
  });

  it("give a training step within float32 rounding of the other build, for a full and the last batch", async () => {
    for (const rows of [256, 96]) {
      const steps = await Promise.all(
        [false, true].map(async (fusedMultiplyAdd) => {
          const backend = new CpuBackend({ fusedMultiplyAdd, threads: 2 });
          const { x, W, b, t } = uploadedProblem(backend, rows, rows);
          const step = linearSoftmaxCrossEntropy(backend, x, W, b, t);
          const values = await Promise.all([step.loss, step.gradW].map((o) => backend.read(o)));
          for (const o of [step.loss, step.correct, step.gradW, step.gradB, x, W, b, t]) backend.dispose(o);
          return values;
        }),
      );
      const [[lossPlain, gradPlain], [lossFused, gradFused]] = steps as [Float32Array[], Float32Array[]];
      for (let i = 0; i < rows; i++) expect(lossFused![i]).toBeCloseTo(lossPlain![i]!, 4);
      let largest = 0;
      let differing = 0;
      for (let i = 0; i < gradPlain!.length; i++) {
        largest = Math.max(largest, Math.abs(gradFused![i]! - gradPlain![i]!));
        if (gradFused![i] !== gradPlain![i]) differing++;
      }
      expect(largest, `${rows} rows`).toBeLessThan(1e-5);
      // The fused build really ran: on a processor that fuses, many sums come out different.
      if (processorFuses() === true) expect(differing, `${rows} rows`).toBeGreaterThan(100);
    }
  });
});
