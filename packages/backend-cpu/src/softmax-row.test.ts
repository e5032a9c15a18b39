import { linearSoftmaxCrossEntropy } from "@tensorplug/core";
import { afterEach, describe, expect, it } from "vitest";
import { createCpuBackend } from "./index.js";

// The fused kernel's softmax for up to 12 classes runs on three vectors with its own `exp` (see
// `softmaxRow12` in assembly/softmax.ts). With one input column of 0, the logits are the bias
// itself, so the gradient of the bias is `softmax(b) - t` and the loss `-sum(t log softmax(b))`,
// both compared here with float64 on the cases that break a hand-made exponential.

const backend = createCpuBackend({ threads: 1 });
afterEach(() => expect(backend.live()).toBe(0));

/** Float64 softmax of `z` and the cross-entropy against `t`, skipping zero targets. */
function reference(z: readonly number[], t: readonly number[]): { p: number[]; loss: number } {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  const loss = -t.reduce((acc, tv, j) => (tv === 0 ? acc : acc + tv * (z[j]! - max - Math.log(sum))), 0);
  return { p: e.map((v) => v / sum), loss };
}

/** `softmax(b) - t` and the loss, from the backend, for one row whose logits are `b`. */
function run(b: readonly number[], t: readonly number[]): { grad: Float32Array; loss: number } {
  const n = b.length;
  const x = backend.upload(new Float32Array(1), [1, 1]);
  const W = backend.upload(new Float32Array(n).fill(0.5), [1, n]);
  const bias = backend.upload(Float32Array.from(b), [1, n]);
  const targets = backend.upload(Float32Array.from(t), [1, n]);
  const out = linearSoftmaxCrossEntropy(backend, x, W, bias, targets);
  const grad = backend.readSync(out.gradB);
  const loss = backend.readSync(out.loss)[0]!;
  for (const tensor of [x, W, bias, targets, out.loss, out.correct, out.gradW, out.gradB])
    backend.dispose(tensor);
  return { grad, loss };
}

/**
 * Each probability within a few float32 ulps of float64's, plus the rounding of `p - t` to float32
 * (what the gradient holds) and what float32 cannot hold at all.
 */
function expectClose(b: readonly number[], targets: readonly number[]): void {
  const t = targets.map(Math.fround); // as the backend holds them
  const { grad, loss } = run(b, t);
  const want = reference(b, t);
  for (let j = 0; j < b.length; j++) {
    const p = grad[j]! + t[j]!;
    expect(Math.abs(p - want.p[j]!), `p[${j}] of [${b.join(", ")}]`).toBeLessThanOrEqual(
      4e-7 * want.p[j]! + 2 ** -24 * Math.abs(want.p[j]! - t[j]!) + 1e-37,
    );
  }
  expect(Math.abs(loss - want.loss), "loss").toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.loss)));
}

const oneHot = (n: number, at: number) => Array.from({ length: n }, (_, j) => (j === at ? 1 : 0));

describe("softmax of a row in the fused kernel", () => {
  it("matches float64 on spread logits, for every class count up to 12", () => {
    for (let n = 1; n <= 12; n++) {
      const b = Array.from({ length: n }, (_, j) => Math.fround(((j * 7) % 5) - 2.5 * Math.sin(j)));
      expectClose(b, oneHot(n, n - 1));
    }
  });

  it("matches float64 down to the float32 underflow and past it", () => {
    // Shifted logits at the edge of `exp`'s range (-87 is its floor: below, the exponential is 0).
    expectClose([0, -1, -10, -40, -86.5, -87, -87.5, -88, -103, -120], oneHot(10, 4));
    expectClose([0, -0.5, -0.34657359, 0.34657359, 1e-8, -1e-8, 5, -5, 20, -20], oneHot(10, 8));
  });

  it("keeps huge logits, ties and -Infinity finite where float64 is", () => {
    expectClose([1000, -1000, 999, 0, 1000, 3e38, -3e38, 5, 6, 7], oneHot(10, 5));
    expectClose([3, 3, 3, 3, 3, 3, 3, 3, 3, 3], oneHot(10, 9));
    const { grad, loss } = run([0, Number.NEGATIVE_INFINITY, 2, 1, 0, 0, 0, 0, 0, 0], oneHot(10, 2));
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
    expect(grad[1]).toBe(0);
    expect(Number.isFinite(loss)).toBe(true);
  });

  it("makes a row with a NaN logit NaN throughout, as float64 does", () => {
    const { grad, loss } = run([0, 1, Number.NaN, 2, 0, 0, 0, 0, 0, 0], oneHot(10, 0));
    expect(Array.from(grad).every(Number.isNaN)).toBe(true);
    expect(loss).toBeNaN();
  });

  it("takes soft targets: every nonzero target weighs in the loss", () => {
    const t = [0.1, 0, 0.2, 0, 0, 0.3, 0, 0, 0.4, 0];
    expectClose([0.5, -1, 2, 0, 1, -3, 0.25, 4, -0.5, 1.5], t);
  });
});
