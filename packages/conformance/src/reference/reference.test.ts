import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ref from "./index.js";

const rows = (x: ref.HostMatrix) => ref.toRows(x);

/** The transpose, written independently of the reference's index arithmetic. */
function transpose(x: ref.HostMatrix): ref.RefMatrix {
  const r = ref.toRows(x);
  return ref.matrix(r[0]!.map((_, j) => r.map((row) => row[j]!)));
}

describe("reference matmul", () => {
  const a = ref.matrix([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = ref.matrix([
    [7, 8],
    [9, 10],
    [11, 12],
  ]);

  it("multiplies by hand-computed values", () => {
    expect(rows(ref.matmul(a, b))).toEqual([
      [58, 64],
      [139, 154],
    ]);
  });

  it("reads transposed operands without materialising them", () => {
    const expected = rows(ref.matmul(a, b));
    expect(rows(ref.matmul(transpose(a), b, { transA: true }))).toEqual(expected);
    expect(rows(ref.matmul(a, transpose(b), { transB: true }))).toEqual(expected);
    expect(rows(ref.matmul(transpose(a), transpose(b), { transA: true, transB: true }))).toEqual(expected);
  });

  it("refuses mismatched inner dimensions", () => {
    expect(() => ref.matmul(a, a)).toThrow(/inner dimensions 3 and 2/);
  });
});

describe("reference element-wise ops", () => {
  const a = ref.matrix([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("broadcasts rows, columns and scalars", () => {
    expect(rows(ref.binary("add", a, ref.matrix([[10, 20, 30]])))).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(rows(ref.binary("sub", a, ref.matrix([[1], [4]])))).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(rows(ref.binary("div", a, 2))).toEqual([
      [0.5, 1, 1.5],
      [2, 2.5, 3],
    ]);
    expect(rows(ref.binary("equal", a, ref.matrix([[1], [5]])))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("classifies broadcasts like core and refuses what fits none", () => {
    expect(ref.broadcastKind([2, 3], ref.matrix([[1, 2, 3]]))).toBe("row");
    expect(ref.broadcastKind([2, 3], ref.matrix([[1], [2]]))).toBe("col");
    expect(ref.broadcastKind([2, 3], 4)).toBe("scalar");
    expect(ref.broadcastKind([2, 3], ref.matrix([[1, 2]]))).toBeUndefined();
    expect(() => ref.binary("mul", a, ref.matrix([[1, 2]]))).toThrow(/does not broadcast/);
  });

  it("computes unary ops and axpy", () => {
    expect(rows(ref.unary("neg", a))[0]).toEqual([-1, -2, -3]);
    expect(ref.unary("log", ref.unary("exp", a)).data.every((v, i) => Math.abs(v - a.data[i]!) < 1e-12)).toBe(
      true,
    );
    expect(
      rows(
        ref.axpy(
          -2,
          a,
          ref.matrix([
            [1, 1, 1],
            [1, 1, 1],
          ]),
        ),
      ),
    ).toEqual([
      [-1, -3, -5],
      [-7, -9, -11],
    ]);
  });
});

describe("reference reductions and layout", () => {
  const x = ref.matrix([
    [3, 7, 7, 1],
    [5, 5, 5, 5],
    [-1, -2, 0, -3],
  ]);

  it("keeps the reduced axis", () => {
    expect(ref.sum(x, 0).shape).toEqual([1, 4]);
    expect(rows(ref.sum(x, 0))).toEqual([[7, 10, 12, 3]]);
    expect(rows(ref.sum(x, 1))).toEqual([[18], [20], [-6]]);
    expect(rows(ref.max(x, 0))).toEqual([[5, 7, 7, 5]]);
    expect(rows(ref.max(x, 1))).toEqual([[7], [5], [0]]);
  });

  it("argmax gives ties to the lowest index", () => {
    expect(rows(ref.argmax(x))).toEqual([[1], [0], [2]]);
  });

  it("concatenates along both axes", () => {
    const a = ref.matrix([[1, 2]]);
    const b = ref.matrix([
      [3, 4],
      [5, 6],
    ]);
    expect(rows(ref.concat([a, b], 0))).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(rows(ref.concat([b, transpose(a)], 1))).toEqual([
      [3, 4, 1],
      [5, 6, 2],
    ]);
    expect(() => ref.concat([a, b], 1)).toThrow(/parts differ/);
  });
});

describe("reference softmax family", () => {
  it("matches hand-computed values", () => {
    const p = ref.softmax(ref.matrix([[0, Math.log(3)]]));
    expect(p.data[0]).toBeCloseTo(0.25, 15);
    expect(p.data[1]).toBeCloseTo(0.75, 15);
    const { loss, grad } = ref.softmaxCrossEntropy(ref.matrix([[0, Math.log(3)]]), ref.matrix([[1, 0]]));
    expect(loss.data[0]).toBeCloseTo(Math.log(4), 15);
    expect(Array.from(grad.data).map((v) => Number(v.toFixed(12)))).toEqual([-0.75, 0.75]);
  });

  it("stays finite at ±1000", () => {
    const z = ref.matrix([
      [1000, -1000, 0],
      [-1000, -1000, -1000],
    ]);
    const logp = ref.logSoftmax(z);
    expect(logp.data.every(Number.isFinite)).toBe(true);
    expect(rows(ref.softmax(z)).map((r) => r.reduce((s, v) => s + v, 0))).toEqual([1, 1]);
    const { loss } = ref.softmaxCrossEntropy(z, ref.oneHot([1, 2], 3));
    expect(Array.from(loss.data)).toEqual([2000, Math.log(3)]);
  });

  it("softmax rows sum to 1 for any finite logits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (row) => {
          const total = ref.softmax(ref.matrix([row])).data.reduce((s, v) => s + v, 0);
          expect(Math.abs(total - 1)).toBeLessThan(1e-12);
        },
      ),
    );
  });
});

describe("reference SGD step", () => {
  it("with zero weights: uniform probabilities, loss log(classes), the book's update", () => {
    const x = ref.matrix([
      [1, 0],
      [0, 2],
    ]);
    const zeros = { shape: [2, 3] as const, data: new Float64Array(6) };
    const step = ref.sgdStep({
      x,
      W: zeros,
      b: { shape: [1, 3], data: new Float64Array(3) },
      labels: [0, 2],
      lr: 0.6,
    });
    expect(step.lossSum).toBeCloseTo(2 * Math.log(3), 14);
    // grad rows: [1/3 - 1, 1/3, 1/3] and [1/3, 1/3, 1/3 - 1]; W -= 0.6/2 * x^T grad.
    const w = rows(step.W).map((r) => r.map((v) => Number(v.toFixed(12))));
    expect(w).toEqual([
      [0.2, -0.1, -0.1],
      [-0.2, -0.2, 0.4],
    ]);
    expect(rows(step.b).map((r) => r.map((v) => Number(v.toFixed(12))))).toEqual([[0.1, -0.2, 0.1]]);
    // All logits tie at 0, so argmax says class 0: right for the first row only.
    expect(step.correct).toBe(1);
  });
});
