import type { Tensor } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { uploadedProblem as problem } from "./image-problem.test-helper.js";
import { type CpuBackend, type CpuTensor, createCpuBackend } from "./index.js";

/** The same values in a new handle, which the kernels have never laid out. */
function fresh(be: CpuBackend, t: Tensor): Tensor {
  return be.upload(be.readSync(t), [t.shape[0], t.shape[1]]);
}

const bits = (values: Float32Array) =>
  Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describe("the weights a step lays out for the next", () => {
  it("steps on them give the bits of steps on the same weights uploaded afresh, and so does scoring", () => {
    const be = createCpuBackend();
    const { x, W, b, t } = problem(be, 256, 1);
    // Each chain runs whole before the other: any other call in between lays out other weights.
    const chain = (relayout: boolean) => {
      let w = W;
      const losses: number[][] = [];
      for (let step = 0; step < 3; step++) {
        const next = be.linearSoftmaxSgd(x, relayout ? fresh(be, w) : w, b, t, -0.1 / 256);
        losses.push(bits(be.readSync(next.loss)));
        w = next.W;
      }
      const score = be.linearSoftmaxLoss(x, relayout ? fresh(be, w) : w, b, t);
      return { W: bits(be.readSync(w)), losses, score: bits(be.readSync(score.loss)) };
    };
    expect(chain(false)).toEqual(chain(true));
  });

  it("the next step reads the laid-out copy, not the host array (a probe: the array scribbled over goes unseen)", () => {
    const be = createCpuBackend();
    const { x, W, b, t } = problem(be, 64, 2);
    const first = be.linearSoftmaxSgd(x, W, b, t, -0.1 / 64);
    const host = (first.W as CpuTensor).data as Float32Array;
    const values = host.slice();
    host.fill(0.25);
    const next = be.readSync(be.linearSoftmaxSgd(x, first.W, b, t, -0.1 / 64).W);
    host.set(values);
    const want = be.readSync(be.linearSoftmaxSgd(x, fresh(be, first.W), b, t, -0.1 / 64).W);
    expect(bits(next)).toEqual(bits(want));
  });

  it("say when a step made a weight infinite: a zero input times it is NaN, as with a fresh upload", () => {
    const be = createCpuBackend();
    // Feature 0 is the only one the batch has; a step this large makes its weights infinite.
    const x = be.upload(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0]), [2, 4]);
    const W = be.upload(new Float32Array(8), [4, 2]);
    const b = be.upload(new Float32Array(2), [1, 2]);
    const t = be.upload(Float32Array.from([1, 0, 1, 0]), [2, 2]);
    const step = be.linearSoftmaxSgd(x, W, b, t, -1e39);
    const weights = be.readSync(step.W);
    expect(Number.isFinite(weights[0])).toBe(false);
    expect(Array.from(weights.subarray(2))).toEqual([0, 0, 0, 0, 0, 0]);
    // Rows with a 0 where the weights are infinite: skipping the zero would give a finite loss.
    const other = be.upload(Float32Array.from([0, 1, 1, 1, 0, 0, 1, 0]), [2, 4]);
    const loss = be.readSync(be.linearSoftmaxLoss(other, step.W, b, t).loss);
    const want = be.readSync(be.linearSoftmaxLoss(other, fresh(be, step.W), b, t).loss);
    expect(Array.from(want).every(Number.isNaN)).toBe(true);
    expect(Array.from(loss).every(Number.isNaN)).toBe(true);
  });

  it("are given up when bytes are set aside for a data set where they lay", () => {
    const be = createCpuBackend();
    const { x, W, b, t } = problem(be, 128, 3);
    const first = be.linearSoftmaxSgd(x, W, b, t, -0.1 / 128);
    // The region starts where the arena did, over the laid-out weights, and is zeroed.
    const held = be.allocateBytes(64 * 1024);
    expect(held.every((v) => v === 0)).toBe(true);
    const next = be.readSync(be.linearSoftmaxSgd(x, first.W, b, t, -0.1 / 128).W);
    const want = be.readSync(be.linearSoftmaxSgd(x, fresh(be, first.W), b, t, -0.1 / 128).W);
    expect(bits(next)).toEqual(bits(want));
    be.close();
  });
});
