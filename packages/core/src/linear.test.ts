import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { ShapeError } from "./errors.js";
import { linearSoftmaxCrossEntropy, linearSoftmaxLoss, linearSoftmaxSgd, uploadBytes } from "./ops.js";
import { tidy } from "./scope.js";
import { oneHot, refLinearSoftmaxCrossEntropy, TestBackend } from "./testing.test-helper.js";

const TOL = 1e-10;

function expectClose(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((v, i) => {
    const w = expected[i]!;
    if (Math.abs(v - w) > TOL * Math.max(1, Math.abs(w)))
      throw new Error(`${what}[${i}]: got ${v}, expected ${w}`);
  });
}

/** A small problem: x `[m,k]`, W `[k,n]`, b `[n]`, labels, with values in [-range, range]. */
const problemArb = (range: number) =>
  fc
    .record({
      m: fc.integer({ min: 1, max: 6 }),
      k: fc.integer({ min: 1, max: 5 }),
      n: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ m, k, n }) => {
      const value = fc.double({ min: -range, max: range, noNaN: true });
      const rows = (r: number, c: number) =>
        fc.array(fc.array(value, { minLength: c, maxLength: c }), { minLength: r, maxLength: r });
      return fc.record({
        x: rows(m, k),
        W: rows(k, n),
        b: fc.array(value, { minLength: n, maxLength: n }),
        labels: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: m, maxLength: m }),
      });
    });

/** A test backend holding a problem's inputs (labels as one-hot targets), and the float64 reference of its step. */
function uploaded(x: number[][], W: number[][], b: number[], labels: number[]) {
  const backend = new TestBackend();
  const targets = oneHot(labels, b.length);
  const inputs = [
    backend.fromRows(x),
    backend.fromRows(W),
    backend.fromRows([b]),
    backend.fromRows(targets),
  ] as const;
  return { backend, inputs, want: refLinearSoftmaxCrossEntropy(x, W, b, targets) };
}

/** The smallest dense layer: one row of two inputs, one class. */
function tinyLayer(backend: TestBackend) {
  return [
    backend.fromRows([[1, 2]]),
    backend.fromRows([[1], [0]]),
    backend.fromRows([[0]]),
    backend.fromRows([[1]]),
  ] as const;
}

describe("linearSoftmaxCrossEntropy", () => {
  it("composed from the primitives, matches the float64 reference and adds only its 4 outputs (property)", () => {
    fc.assert(
      fc.property(problemArb(50), ({ x, W, b, labels }) => {
        const { backend, inputs, want } = uploaded(x, W, b, labels);
        const before = backend.live();
        const out = linearSoftmaxCrossEntropy(backend, ...inputs);
        expect(backend.live()).toBe(before + 4);
        expectClose(backend.toRows(out.loss).flat(), want.loss, "loss");
        expectClose(backend.toRows(out.correct).flat(), want.correct, "correct");
        expectClose(backend.toRows(out.gradW).flat(), want.gradW.flat(), "gradW");
        expectClose(backend.toRows(out.gradB).flat(), want.gradB, "gradB");
      }),
      { numRuns: 150 },
    );
  });

  it("calls the declared kernel once and composes nothing", () => {
    const backend = new TestBackend({ fused: ["linearSoftmaxCrossEntropy"] });
    const kernel = vi.spyOn(backend, "linearSoftmaxCrossEntropy");
    const matmul = vi.spyOn(backend, "matmul");
    const [x, W, b, t] = tinyLayer(backend);
    const out = linearSoftmaxCrossEntropy(backend, x, W, b, t);
    expect(kernel).toHaveBeenCalledWith(x, W, b, t);
    expect(out).toBe(kernel.mock.results[0]!.value);
    expect(matmul).not.toHaveBeenCalled();
  });

  it("stays finite for logits of ±1000 and counts ties towards the lowest index", () => {
    const backend = new TestBackend();
    const x = backend.fromRows([[1], [1]]);
    const W = backend.fromRows([[1000, -1000, 1000]]);
    const b = backend.fromRows([[0, 0, 0]]);
    const out = linearSoftmaxCrossEntropy(backend, x, W, b, backend.fromRows(oneHot([0, 2], 3)));
    for (const v of [...backend.toRows(out.loss).flat(), ...backend.toRows(out.gradW).flat()]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    // logits tie between columns 0 and 2: the prediction is column 0.
    expect(backend.toRows(out.correct).flat()).toEqual([1, 0]);
    expect(backend.toRows(out.loss)[0]![0]).toBeCloseTo(Math.log(2), 12);
  });

  it("rejects a bias or targets of the wrong shape with a ShapeError naming the shapes, before any kernel runs", () => {
    const backend = new TestBackend({ fused: ["linearSoftmaxCrossEntropy"] });
    const kernel = vi.spyOn(backend, "linearSoftmaxCrossEntropy");
    const x = backend.fromRows([[1, 2]]);
    const W = backend.fromRows([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const good = backend.fromRows([[0, 0, 0]]);
    const t = backend.fromRows(oneHot([1], 3));
    expect(() => linearSoftmaxCrossEntropy(backend, x, W, backend.fromRows([[0, 0]]), t)).toThrow(
      /2x3 and 1x2.*bias must be 1x3/,
    );
    expect(() => linearSoftmaxCrossEntropy(backend, x, W, good, backend.fromRows([[1, 0]]))).toThrow(
      ShapeError,
    );
    expect(() => linearSoftmaxCrossEntropy(backend, x, backend.fromRows([[1, 0, 0]]), good, t)).toThrow(
      /inner dimensions 2 and 1/,
    );
    expect(kernel).not.toHaveBeenCalled();
  });

  it("inside tidy, every output of a fused kernel is tracked: unreturned ones are freed", () => {
    const backend = new TestBackend({ fused: ["linearSoftmaxCrossEntropy"] });
    const [x, W, b, t] = tinyLayer(backend);
    const before = backend.live();
    const gradW = tidy(backend, (be) => linearSoftmaxCrossEntropy(be, x, W, b, t).gradW);
    expect(backend.live()).toBe(before + 1);
    expect(backend.isLive(gradW)).toBe(true);
  });
});

describe("uploadBytes", () => {
  const bytes = Uint8Array.from([0, 1, 127, 128, 254, 255]);

  it("without a kernel, uploads Math.fround(byte * scale) for every byte", async () => {
    const backend = new TestBackend();
    const upload = vi.spyOn(backend, "upload");
    const t = uploadBytes(backend, bytes, [2, 3], 1 / 255);
    expect(upload).toHaveBeenCalledTimes(1);
    const values = await backend.read(t);
    expect(Array.from(values)).toEqual(Array.from(bytes, (v) => Math.fround(v * (1 / 255))));
  });

  it("with a declared kernel, hands the bytes over unscaled", () => {
    const backend = new TestBackend({ fused: ["uploadBytes"] });
    const kernel = vi.spyOn(backend, "uploadBytes");
    const upload = vi.spyOn(backend, "upload");
    uploadBytes(backend, bytes, [3, 2], 0.5);
    expect(kernel).toHaveBeenCalledWith(bytes, [3, 2], 0.5);
    expect(upload).not.toHaveBeenCalled();
  });

  it("rejects a shape that does not fit the bytes, and a non-finite scale", () => {
    const backend = new TestBackend();
    expect(() => uploadBytes(backend, bytes, [4, 2], 1)).toThrow(/holds 6 values, the shape needs 8/);
    expect(() => uploadBytes(backend, bytes, [2, 3], Number.NaN)).toThrow(/scale must be finite/);
    expect(backend.live()).toBe(0);
  });
});

describe("linearSoftmaxLoss", () => {
  it("composed from the primitives, matches the float64 reference and adds only its 2 outputs (property)", () => {
    fc.assert(
      fc.property(problemArb(50), ({ x, W, b, labels }) => {
        const { backend, inputs, want } = uploaded(x, W, b, labels);
        const before = backend.live();
        const out = linearSoftmaxLoss(backend, ...inputs);
        expect(backend.live()).toBe(before + 2);
        expectClose(backend.toRows(out.loss).flat(), want.loss, "loss");
        expectClose(backend.toRows(out.correct).flat(), want.correct, "correct");
      }),
      { numRuns: 150 },
    );
  });

  it("calls the declared kernel once and composes nothing; checks shapes first", () => {
    const backend = new TestBackend({ fused: ["linearSoftmaxLoss"] });
    const kernel = vi.spyOn(backend, "linearSoftmaxLoss");
    const matmul = vi.spyOn(backend, "matmul");
    const [x, W, b, t] = tinyLayer(backend);
    const out = linearSoftmaxLoss(backend, x, W, b, t);
    expect(kernel).toHaveBeenCalledWith(x, W, b, t);
    expect(out).toBe(kernel.mock.results[0]!.value);
    expect(matmul).not.toHaveBeenCalled();
    expect(() => linearSoftmaxLoss(backend, x, W, backend.fromRows([[0, 0]]), t)).toThrow(ShapeError);
    expect(kernel).toHaveBeenCalledTimes(1);
  });
});

describe("linearSoftmaxSgd", () => {
  it("composed from the primitives, matches the float64 reference step and adds only its 4 outputs (property)", () => {
    fc.assert(
      fc.property(
        problemArb(50),
        fc.double({ min: -2, max: 2, noNaN: true }),
        ({ x, W, b, labels }, scale) => {
          const { backend, inputs, want } = uploaded(x, W, b, labels);
          const before = backend.live();
          const out = linearSoftmaxSgd(backend, ...inputs, scale);
          expect(backend.live()).toBe(before + 4);
          expectClose(backend.toRows(out.loss).flat(), want.loss, "loss");
          expectClose(backend.toRows(out.correct).flat(), want.correct, "correct");
          const stepped = W.flatMap((row, i) => row.map((v, j) => v + scale * want.gradW[i]![j]!));
          expectClose(backend.toRows(out.W).flat(), stepped, "W");
          expectClose(
            backend.toRows(out.b).flat(),
            b.map((v, j) => v + scale * want.gradB[j]!),
            "b",
          );
          // The step makes new weights; the old ones are still there, unchanged.
          expect(backend.toRows(inputs[1])).toEqual(W);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("calls the declared kernel once and composes nothing; checks shapes first", () => {
    const backend = new TestBackend({ fused: ["linearSoftmaxSgd"] });
    const kernel = vi.spyOn(backend, "linearSoftmaxSgd");
    const matmul = vi.spyOn(backend, "matmul");
    const [x, W, b, t] = tinyLayer(backend);
    const out = linearSoftmaxSgd(backend, x, W, b, t, -0.1);
    expect(kernel).toHaveBeenCalledWith(x, W, b, t, -0.1);
    expect(out).toBe(kernel.mock.results[0]!.value);
    expect(matmul).not.toHaveBeenCalled();
    expect(() => linearSoftmaxSgd(backend, x, W, backend.fromRows([[0, 0]]), t, -0.1)).toThrow(ShapeError);
    expect(kernel).toHaveBeenCalledTimes(1);
  });
});
