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

/** `softmax(b) - t`, the loss and the correct flag, from the backend, for one row whose logits are `b`. */
function run(
  b: readonly number[],
  t: readonly number[],
): { grad: Float32Array; loss: number; correct: number } {
  const n = b.length;
  const x = backend.upload(new Float32Array(1), [1, 1]);
  const W = backend.upload(new Float32Array(n).fill(0.5), [1, n]);
  const bias = backend.upload(Float32Array.from(b), [1, n]);
  const targets = backend.upload(Float32Array.from(t), [1, n]);
  const out = linearSoftmaxCrossEntropy(backend, x, W, bias, targets);
  const grad = backend.readSync(out.gradB);
  const loss = backend.readSync(out.loss)[0]!;
  const correct = backend.readSync(out.correct)[0]!;
  for (const tensor of [x, W, bias, targets, out.loss, out.correct, out.gradW, out.gradB])
    backend.dispose(tensor);
  return { grad, loss, correct };
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

  it("flags a row correct as core's argmax takes its logits and targets: ties, NaN, -0, -Infinity", () => {
    const nan = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    // The first of ties; a NaN never larger than anything, so one first is never beaten; -0 ties 0.
    const rows: [logits: number[], largest: number][] = [
      [[3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 0],
      [[nan, 5, 1, 0, 0, 0, 0, 0, 0, 0], 0],
      [[1, nan, 3, 0, 0, 0, 0, 0, 0, nan], 2],
      [[-0, 0, -1, -1, -1, -1, -1, -1, -1, -1], 0],
      [[-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf], 0],
      [[-inf, nan, -inf, -inf, -inf, -inf, -inf, 2, nan, 2], 7],
      // All below the 0 the padded lanes past the tenth hold: those must never win.
      [[-9, -8, -7, -6, -5, -4, -3, -2, -1, -0.5], 9],
    ];
    for (const [b, largest] of rows) {
      for (const at of [largest, (largest + 1) % 10]) {
        const label = `logits [${b.join(", ")}], target at ${at}`;
        expect(run(b, oneHot(10, at)).correct, label).toBe(at === largest ? 1 : 0);
      }
    }
    // The targets are taken the same way: ties to the first, a NaN passed over unless it is first.
    expect(run([0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0]).correct).toBe(1);
    expect(run([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], [0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0]).correct).toBe(0);
    expect(run([0, 0, 0, 1, 0, 0, 0, 0, 0, 0], [0, 0, nan, 1, 0, 0, 0, 0, 0, 0]).correct).toBe(1);
    expect(run([5, 0, 0, 1, 0, 0, 0, 0, 0, 0], [nan, 0, 0, 1, 0, 0, 0, 0, 0, 0]).correct).toBe(1);
  });

  it("flags rows correct as a scalar argmax does, for every class count up to 12", () => {
    // Small integers, so that ties are common, with NaN and the infinities among them.
    const values = [-2, -1, -0, 0, 1, 2, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    let seed = 7;
    const pick = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return values[seed % values.length]!;
    };
    for (let n = 1; n <= 12; n++) {
      for (let r = 0; r < 40; r++) {
        const b = Array.from({ length: n }, pick);
        const t = Array.from({ length: n }, pick);
        const want = argmaxOf(b) === argmaxOf(t) ? 1 : 0;
        expect(run(b, t).correct, `n ${n}, logits [${b.join(", ")}], targets [${t.join(", ")}]`).toBe(want);
      }
    }
  });
});

/** Core's argmax: the first of ties, `>` so that a NaN never replaces the best so far. */
function argmaxOf(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}
