import { InvalidTensorError, ShapeError, type Tensor } from "@tensorplug/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES, type GpujsBackend, GpujsClosedError } from "./index.js";

const data = () => Float32Array.from([1, 2, 3, 4, 5, 6]);

describe.each(GPUJS_MODES)("GpujsBackend in mode %s", (mode) => {
  let be: GpujsBackend;
  beforeAll(async () => {
    be = await createGpujsBackend({ mode });
  });
  afterAll(() => be.close());

  /** Every op applied to `t` (a 2x3 handle), with otherwise valid operands. */
  function everyOp(t: Tensor): [string, () => unknown][] {
    const other = be.upload(data(), [2, 3]);
    const w = be.upload(data(), [3, 2]);
    const bias = be.upload(Float32Array.from([1, 2]), [1, 2]);
    const targets = be.upload(Float32Array.from([1, 0, 0, 1]), [2, 2]);
    return [
      ["read", () => be.readSync(t)],
      ["matmul (left)", () => be.matmul(t, w)],
      ["matmul (right)", () => be.matmul(w, t)],
      ["add", () => be.add(t, other)],
      ["add (as right operand)", () => be.add(other, t)],
      ["exp", () => be.exp(t)],
      ["sum", () => be.sum(t, 0)],
      ["argmax", () => be.argmax(t)],
      ["concat", () => be.concat([other, t], 0)],
      ["axpy (x)", () => be.axpy(1, t, other)],
      ["axpy (y)", () => be.axpy(1, other, t)],
      ["softmax", () => be.softmax(t)],
      ["softmaxCrossEntropy (logits)", () => be.softmaxCrossEntropy(t, other)],
      ["softmaxCrossEntropy (onehot)", () => be.softmaxCrossEntropy(other, t)],
      ["linearSoftmaxCrossEntropy (x)", () => be.linearSoftmaxCrossEntropy(t, w, bias, targets)],
      ["dispose", () => be.dispose(t)],
    ];
  }

  it("refuses every use of a disposed handle with InvalidTensorError, making nothing", async () => {
    const t = be.upload(data(), [2, 3]);
    be.dispose(t);
    for (const [name, use] of everyOp(t)) {
      const live = be.live();
      expect(use, name).toThrow(InvalidTensorError);
      expect(use, name).toThrow(/used after dispose/);
      expect(be.live(), name).toBe(live);
    }
    await expect(be.read(t)).rejects.toThrow(InvalidTensorError);
  });

  it("refuses a handle made by another gpujs backend", async () => {
    const other = await createGpujsBackend({ mode });
    try {
      const foreign = other.upload(data(), [2, 3]);
      for (const [name, use] of everyOp(foreign)) expect(use, name).toThrow(/made by another gpujs backend/);
      expect(other.live()).toBe(1);
      expect(Array.from(await other.read(foreign))).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await other.close();
    }
  });

  it("keeps each output when the same kernel runs again", async () => {
    const x = be.upload(data(), [2, 3]);
    const first = be.mul(x, 2);
    const second = be.mul(x, 3);
    expect(Array.from(await be.read(first))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(Array.from(await be.read(second))).toEqual([3, 6, 9, 12, 15, 18]);
    for (const t of [x, first, second]) be.dispose(t);
  });

  it("reads a [m,1] column, a [1,n] row and a 1x1, width-first layout notwithstanding", async () => {
    const x = be.upload(data(), [2, 3]);
    const rows = be.sum(x, 1);
    const cols = be.max(x, 0);
    const total = be.sum(rows, 0);
    expect(rows.shape).toEqual([2, 1]);
    expect(Array.from(await be.read(rows))).toEqual([6, 15]);
    expect(cols.shape).toEqual([1, 3]);
    expect(Array.from(await be.read(cols))).toEqual([4, 5, 6]);
    expect(Array.from(await be.read(total))).toEqual([21]);
    for (const t of [x, rows, cols, total]) be.dispose(t);
  });

  it("joins more parts than one kernel reads, leaving only the result", async () => {
    const parts = Array.from({ length: 19 }, (_, i) => be.upload(Float32Array.from([i, -i]), [1, 2]));
    const live = be.live();
    const joined = be.concat(parts, 0);
    expect(be.live()).toBe(live + 1);
    expect(joined.shape).toEqual([19, 2]);
    expect(Array.from(await be.read(joined))).toEqual(parts.flatMap((_, i) => [i, -i]));
    const wide = be.concat(parts, 1);
    expect(wide.shape).toEqual([1, 38]);
    for (const t of [...parts, joined, wide]) be.dispose(t);
  });

  it("throws core's ShapeError before touching the device", () => {
    const x = be.upload(data(), [2, 3]);
    const live = be.live();
    expect(() => be.matmul(x, x)).toThrow(ShapeError);
    expect(() => be.add(x, be.upload(Float32Array.from([1, 2]), [1, 2]))).toThrow(ShapeError);
    expect(() => be.upload(data(), [4, 2])).toThrow(ShapeError);
    expect(be.live()).toBe(live + 1);
  });

  it("keeps uploaded bytes apart while alive, and a new upload right after a dispose reads its own", async () => {
    const first = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const second = Uint8Array.from([6, 5, 4, 3, 2, 1]);
    const a = be.uploadBytes(first, [2, 3], 0.5);
    const b = be.uploadBytes(second, [2, 3], 0.5);
    first.fill(0);
    expect(Array.from(await be.read(a))).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    be.dispose(a);
    // The host modes hand a's buffer to the next upload of its size.
    const c = be.uploadBytes(Uint8Array.from([9, 9, 9, 9, 9, 9]), [2, 3], 0.5);
    expect(Array.from(await be.read(b))).toEqual([3, 2.5, 2, 1.5, 1, 0.5]);
    expect(Array.from(await be.read(c))).toEqual([4.5, 4.5, 4.5, 4.5, 4.5, 4.5]);
    const doubled = be.mul(c, 2);
    expect(Array.from(await be.read(doubled))).toEqual([9, 9, 9, 9, 9, 9]);
    for (const t of [b, c, doubled]) be.dispose(t);
  });

  it("declares float32, synchronous reads and its fused kernels", () => {
    expect(be.caps.precision).toBe(32);
    expect(be.caps.syncRead).toBe(true);
    // The host modes keep byte uploads as bytes and fuse the dense layer; GL does neither.
    const host = mode === "gpu" ? [] : ["linearSoftmaxCrossEntropy", "uploadBytes"];
    expect([...be.caps.fused].sort()).toEqual(
      [...host, "logSoftmax", "softmax", "softmaxCrossEntropy"].sort(),
    );
  });
});

describe("a closed GpujsBackend", () => {
  it.each(GPUJS_MODES)("mode %s: refuses new work, still lets go of old handles", async (mode) => {
    const be = await createGpujsBackend({ mode });
    const t = be.upload(data(), [2, 3]);
    await be.close();
    await be.close();
    expect(() => be.upload(data(), [2, 3])).toThrow(GpujsClosedError);
    expect(() => be.neg(t)).toThrow("neg: the gpujs backend is closed");
    be.dispose(t);
    expect(be.live()).toBe(0);
  });
});
