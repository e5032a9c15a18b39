import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { ShapeError } from "./errors.js";
import { correctRows, crossEntropy, logSoftmax, softmax, softmaxCrossEntropy } from "./ops.js";
import { tidy } from "./scope.js";
import { oneHot, refLogSoftmax, refSoftmax, TestBackend } from "./testing.test-helper.js";

/** The test backend computes in float64, so composites must match the reference to rounding only. */
const TOL = 1e-12;

function expectClose(actual: number[][], expected: number[][], tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expect(row.length).toBe(want.length);
    row.forEach((v, j) => {
      const w = want[j]!;
      if (Math.abs(v - w) > tol * Math.max(1, Math.abs(w))) {
        throw new Error(`[${i}][${j}]: got ${v}, expected ${w} (tolerance ${tol})`);
      }
    });
  });
}

/** Random `m x n` logits with values in [-range, range]. */
const logitsArb = (range: number, maxRows = 5, maxCols = 7) =>
  fc
    .integer({ min: 1, max: maxRows })
    .chain((m) =>
      fc
        .integer({ min: 1, max: maxCols })
        .chain((n) =>
          fc.array(
            fc.array(fc.double({ min: -range, max: range, noNaN: true }), { minLength: n, maxLength: n }),
            { minLength: m, maxLength: m },
          ),
        ),
    );

/** Random logits together with one label per row. */
const labelledArb = (range: number) =>
  logitsArb(range).chain((rows) =>
    fc
      .array(fc.integer({ min: 0, max: rows[0]!.length - 1 }), {
        minLength: rows.length,
        maxLength: rows.length,
      })
      .map((labels) => ({ rows, labels })),
  );

describe("softmax", () => {
  it("rows sum to 1 and match a float64 reference (property)", () => {
    fc.assert(
      fc.property(logitsArb(30), (rows) => {
        const backend = new TestBackend();
        const z = backend.fromRows(rows);
        const p = backend.toRows(softmax(backend, z));
        for (const row of p) {
          expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
          for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
        }
        expectClose(p, refSoftmax(rows));
      }),
      { numRuns: 200 },
    );
  });

  it("stays finite and exact for logits of ±1000", () => {
    const backend = new TestBackend();
    const p = backend.toRows(
      softmax(
        backend,
        backend.fromRows([
          [1000, -1000, 0],
          [1000, 1000, -1000],
          [-1000, -1000, -1000],
        ]),
      ),
    );
    for (const v of p.flat()) expect(Number.isFinite(v)).toBe(true);
    expectClose(p, [
      [1, 0, 0],
      [0.5, 0.5, 0],
      [1 / 3, 1 / 3, 1 / 3],
    ]);
  });

  it("is invariant to adding a constant to a row", () => {
    const backend = new TestBackend();
    const base = backend.toRows(softmax(backend, backend.fromRows([[1, 2, 3]])));
    const shifted = backend.toRows(softmax(backend, backend.fromRows([[801, 802, 803]])));
    expectClose(shifted, base);
  });

  it("makes exactly one new handle", () => {
    const backend = new TestBackend();
    const z = backend.fromRows([
      [1, 2],
      [3, 4],
    ]);
    const out = softmax(backend, z);
    expect(backend.live()).toBe(2);
    expect(backend.isLive(z) && backend.isLive(out)).toBe(true);
    expect(out.shape).toEqual([2, 2]);
  });
});

describe("logSoftmax", () => {
  it("matches a float64 reference, also for large logits (property)", () => {
    fc.assert(
      fc.property(logitsArb(1000), (rows) => {
        const backend = new TestBackend();
        const out = backend.toRows(logSoftmax(backend, backend.fromRows(rows)));
        for (const v of out.flat()) expect(Number.isFinite(v) && v <= 0).toBe(true);
        expectClose(out, refLogSoftmax(rows));
        expect(backend.live()).toBe(2);
      }),
      { numRuns: 200 },
    );
  });

  it("gives -2000 rather than -Infinity for a logit 2000 below the row maximum", () => {
    const backend = new TestBackend();
    const [row] = backend.toRows(logSoftmax(backend, backend.fromRows([[1000, -1000]])));
    expect(row![0]).toBeCloseTo(0, 12);
    expect(row![1]).toBeCloseTo(-2000, 9);
  });
});

describe("softmaxCrossEntropy", () => {
  it("loss is -log softmax[y] and grad is softmax - onehot (property)", () => {
    fc.assert(
      fc.property(labelledArb(50), ({ rows, labels }) => {
        const backend = new TestBackend();
        const n = rows[0]!.length;
        const y = oneHot(labels, n);
        const { loss, grad } = softmaxCrossEntropy(backend, backend.fromRows(rows), backend.fromRows(y));
        expect(loss.shape).toEqual([rows.length, 1]);
        expect(grad.shape).toEqual([rows.length, n]);
        const logp = refLogSoftmax(rows);
        const p = refSoftmax(rows);
        expectClose(
          backend.toRows(loss),
          labels.map((label, i) => [-logp[i]![label]!]),
        );
        expectClose(
          backend.toRows(grad),
          p.map((row, i) => row.map((v, j) => v - y[i]![j]!)),
        );
        // each gradient row sums to 0: softmax sums to 1, the one-hot row too
        for (const row of backend.toRows(grad)) {
          expect(Math.abs(row.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
        }
        expect(backend.live()).toBe(4);
      }),
      { numRuns: 200 },
    );
  });

  it("gives a finite loss and gradient for logits of ±1000", () => {
    const backend = new TestBackend();
    const z = backend.fromRows([
      [1000, -1000, 0],
      [1000, -1000, 0],
      [-1000, -1000, -1000],
    ]);
    const y = backend.fromRows(oneHot([0, 1, 2], 3));
    const { loss, grad } = softmaxCrossEntropy(backend, z, y);
    const l = backend.toRows(loss).flat();
    const g = backend.toRows(grad).flat();
    for (const v of [...l, ...g]) expect(Number.isFinite(v)).toBe(true);
    expect(l[0]).toBeCloseTo(0, 12); // right with full confidence
    expect(l[1]).toBeCloseTo(2000, 9); // wrong by 2000 nats, not Infinity
    expect(l[2]).toBeCloseTo(Math.log(3), 12);
    expectClose(backend.toRows(grad), [
      [0, 0, 0],
      [1, -1, 0],
      [1 / 3, 1 / 3, -2 / 3],
    ]);
  });

  it("accepts soft (non one-hot) targets as a cross-entropy", () => {
    const backend = new TestBackend();
    const rows = [[0.5, -1, 2]];
    const target = [[0.2, 0.3, 0.5]];
    const { loss } = softmaxCrossEntropy(backend, backend.fromRows(rows), backend.fromRows(target));
    const logp = refLogSoftmax(rows)[0]!;
    expect(backend.toRows(loss)[0]![0]).toBeCloseTo(-(0.2 * logp[0]! + 0.3 * logp[1]! + 0.5 * logp[2]!), 12);
  });

  it("rejects logits and one-hot rows of different shapes with a ShapeError, leaking nothing", () => {
    const backend = new TestBackend({ fused: ["softmaxCrossEntropy"] });
    const kernel = vi.spyOn(backend, "softmaxCrossEntropy");
    const z = backend.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = backend.fromRows(oneHot([0, 1, 2], 3));
    expect(() => softmaxCrossEntropy(backend, z, y)).toThrow(ShapeError);
    expect(() => softmaxCrossEntropy(backend, z, y)).toThrow("softmaxCrossEntropy: shapes 2x3 and 3x3");
    expect(() => crossEntropy(backend, z, backend.fromRows([[1, 0]]))).toThrow(ShapeError);
    expect(kernel).not.toHaveBeenCalled();
    expect(backend.live()).toBe(3);

    const plain = new TestBackend();
    const z2 = plain.fromRows([[1, 2]]);
    expect(() => softmaxCrossEntropy(plain, z2, plain.fromRows([[1], [0]]))).toThrow(ShapeError);
    expect(plain.live()).toBe(2);
  });
});

describe("fused kernels", () => {
  const rows = [
    [0.1, 2, -3],
    [4, 0, 1],
  ];
  const labels = [1, 0];

  it("calls the backend's softmaxCrossEntropy kernel when caps.fused declares it", () => {
    const backend = new TestBackend({ fused: ["softmaxCrossEntropy"] });
    const kernel = vi.spyOn(backend, "softmaxCrossEntropy");
    const exp = vi.spyOn(backend, "exp");
    const z = backend.fromRows(rows);
    const y = backend.fromRows(oneHot(labels, 3));
    const out = softmaxCrossEntropy(backend, z, y);
    expect(kernel).toHaveBeenCalledTimes(1);
    expect(kernel).toHaveBeenCalledWith(z, y);
    expect(out).toBe(kernel.mock.results[0]!.value);
    expect(exp).not.toHaveBeenCalled(); // no composite
    expect(backend.live()).toBe(4);

    const loss = crossEntropy(backend, z, y);
    expect(kernel).toHaveBeenCalledTimes(2);
    expect(backend.live()).toBe(5);
    expect(backend.toRows(loss)).toEqual(backend.toRows(out.loss));
  });

  it("ignores a kernel the backend has but does not declare", () => {
    const backend = new TestBackend();
    const sce = vi.spyOn(backend, "softmaxCrossEntropy");
    const sm = vi.spyOn(backend, "softmax");
    const lsm = vi.spyOn(backend, "logSoftmax");
    const exp = vi.spyOn(backend, "exp");
    const z = backend.fromRows(rows);
    softmax(backend, z);
    logSoftmax(backend, z);
    softmaxCrossEntropy(backend, z, backend.fromRows(oneHot(labels, 3)));
    expect(sce).not.toHaveBeenCalled();
    expect(sm).not.toHaveBeenCalled();
    expect(lsm).not.toHaveBeenCalled();
    expect(exp).toHaveBeenCalled();
  });

  it("falls back to the composite when a declared kernel is missing", () => {
    const backend = new TestBackend({ fused: ["softmax", "logSoftmax", "softmaxCrossEntropy"] });
    Object.assign(backend, { softmax: undefined, logSoftmax: undefined, softmaxCrossEntropy: undefined });
    const z = backend.fromRows(rows);
    expectClose(backend.toRows(softmax(backend, z)), refSoftmax(rows));
    expectClose(backend.toRows(logSoftmax(backend, z)), refLogSoftmax(rows));
    const { loss } = softmaxCrossEntropy(backend, z, backend.fromRows(oneHot(labels, 3)));
    const logp = refLogSoftmax(rows);
    expectClose(backend.toRows(loss), [[-logp[0]![1]!], [-logp[1]![0]!]]);
    expect(backend.live()).toBe(6); // z, softmax, logSoftmax, onehot, loss, grad
  });

  it("calls declared softmax and logSoftmax kernels, and the composite loss uses logSoftmax's", () => {
    const backend = new TestBackend({ fused: ["softmax", "logSoftmax"] });
    const sm = vi.spyOn(backend, "softmax");
    const lsm = vi.spyOn(backend, "logSoftmax");
    const sce = vi.spyOn(backend, "softmaxCrossEntropy");
    const z = backend.fromRows(rows);
    expect(softmax(backend, z)).toBe(sm.mock.results[0]!.value);
    expect(logSoftmax(backend, z)).toBe(lsm.mock.results[0]!.value);
    const { loss, grad } = softmaxCrossEntropy(backend, z, backend.fromRows(oneHot(labels, 3)));
    expect(sce).not.toHaveBeenCalled();
    expect(lsm).toHaveBeenCalledTimes(2);
    expect(backend.isLive(lsm.mock.results[1]!.value)).toBe(false); // the composite's intermediate
    expect(backend.isLive(loss) && backend.isLive(grad)).toBe(true);
    expect(backend.live()).toBe(6); // z, softmax, logSoftmax, onehot, loss, grad
  });
});

describe("live handles", () => {
  it("composites add only their outputs, also inside an enclosing tidy", () => {
    const backend = new TestBackend();
    const z = backend.fromRows([
      [3, 1, 2],
      [0, 0, 5],
    ]);
    const y = backend.fromRows(oneHot([0, 2], 3));
    const labels = backend.fromRows([[0], [1]]);
    const base = backend.live();
    softmax(backend, z);
    expect(backend.live()).toBe(base + 1);
    logSoftmax(backend, z);
    expect(backend.live()).toBe(base + 2);
    softmaxCrossEntropy(backend, z, y);
    expect(backend.live()).toBe(base + 4);
    crossEntropy(backend, z, y);
    expect(backend.live()).toBe(base + 5);
    correctRows(backend, z, labels);
    expect(backend.live()).toBe(base + 6);

    const before = backend.live();
    const kept = tidy(backend, (b) => {
      softmax(b, z);
      crossEntropy(b, z, y);
      return softmaxCrossEntropy(b, z, y).loss;
    });
    expect(backend.live()).toBe(before + 1);
    expect(backend.isLive(kept)).toBe(true);
  });

  it("inputs stay alive and unchanged", () => {
    const backend = new TestBackend({ fused: ["softmaxCrossEntropy"] });
    const rows = [[1, -2, 3]];
    const z = backend.fromRows(rows);
    const y = backend.fromRows(oneHot([2], 3));
    softmax(backend, z);
    logSoftmax(backend, z);
    crossEntropy(backend, z, y);
    expect(backend.toRows(z)).toEqual(rows);
    expect(backend.toRows(y)).toEqual(oneHot([2], 3));
  });
});

describe("crossEntropy", () => {
  it("returns the loss of softmaxCrossEntropy and disposes the gradient", () => {
    const backend = new TestBackend();
    const rows = [
      [2, 1, 0],
      [0, 0, 0],
    ];
    const z = backend.fromRows(rows);
    const y = backend.fromRows(oneHot([0, 1], 3));
    const dispose = vi.spyOn(backend, "dispose");
    const loss = crossEntropy(backend, z, y);
    expect(loss.shape).toEqual([2, 1]);
    const logp = refLogSoftmax(rows);
    expectClose(backend.toRows(loss), [[-logp[0]![0]!], [Math.log(3)]]);
    expect(backend.live()).toBe(3);
    expect(dispose).toHaveBeenCalled();
  });
});

describe("correctRows", () => {
  it("marks rows whose argmax equals the label, ties going to the lowest index", () => {
    const backend = new TestBackend();
    const z = backend.fromRows([
      [0.1, 0.9, 0.0],
      [5, 1, 2],
      [1, 3, 3], // tie: argmax is 1
      [1, 3, 3],
      [-1, -2, -0.5],
    ]);
    const labels = backend.fromRows([[1], [2], [1], [2], [2]]);
    const out = correctRows(backend, z, labels);
    expect(out.shape).toEqual([5, 1]);
    expect(backend.toRows(out)).toEqual([[1], [0], [1], [0], [1]]);
    expect(backend.live()).toBe(3);
  });

  it("agrees with a reference argmax (property)", () => {
    fc.assert(
      fc.property(labelledArb(10), ({ rows, labels }) => {
        const backend = new TestBackend();
        const out = correctRows(backend, backend.fromRows(rows), backend.fromRows(labels.map((l) => [l])));
        const want = rows.map((row, i) => [row.indexOf(Math.max(...row)) === labels[i] ? 1 : 0]);
        expect(backend.toRows(out)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });
});
