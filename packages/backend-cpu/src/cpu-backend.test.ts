import { InvalidTensorError, type Tensor } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { CpuBackend, CpuTensor, cpuBackendEntry, createCpuBackend } from "./index.js";

const data = () => Float32Array.from([1, 2, 3, 4, 5, 6]);

/** Every op applied to `t` (a 2x3 handle) with otherwise valid operands made by `be`. */
function everyOp(be: CpuBackend, t: Tensor): [string, () => unknown][] {
  const other = be.upload(data(), [2, 3]);
  const w = be.upload(data(), [3, 2]);
  return [
    ["read", () => be.readSync(t)],
    ["matmul (left)", () => be.matmul(t, w)],
    ["matmul (right)", () => be.matmul(w, t)],
    ["add", () => be.add(t, other)],
    ["add (as right operand)", () => be.add(other, t)],
    ["sub", () => be.sub(t, 1)],
    ["mul", () => be.mul(t, 2)],
    ["div", () => be.div(t, 2)],
    ["equal", () => be.equal(t, 2)],
    ["exp", () => be.exp(t)],
    ["log", () => be.log(t)],
    ["neg", () => be.neg(t)],
    ["sum", () => be.sum(t, 0)],
    ["max", () => be.max(t, 1)],
    ["argmax", () => be.argmax(t)],
    ["concat", () => be.concat([other, t], 0)],
    ["axpy (x)", () => be.axpy(1, t, other)],
    ["axpy (y)", () => be.axpy(1, other, t)],
    ["softmaxCrossEntropy", () => be.softmaxCrossEntropy(t, other)],
    ["dispose", () => be.dispose(t)],
  ];
}

describe("CpuBackend handles", () => {
  it("refuses every use of a disposed handle with InvalidTensorError, and does not miscount", async () => {
    const be = new CpuBackend();
    const t = be.upload(data(), [2, 3]);
    be.dispose(t);
    const live = be.live();
    for (const [name, use] of everyOp(be, t)) {
      const liveBefore = be.live();
      expect(use, name).toThrow(InvalidTensorError);
      expect(use, name).toThrow(/used after dispose/);
      expect(be.live(), name).toBe(liveBefore);
    }
    await expect(be.read(t)).rejects.toThrow(InvalidTensorError);
    expect(be.live()).toBe(live + 2);
  });

  it("refuses a handle made by another CpuBackend, leaving both live counts intact", async () => {
    const a = new CpuBackend();
    const b = new CpuBackend();
    const foreign = a.upload(data(), [2, 3]);
    for (const [name, use] of everyOp(b, foreign)) {
      expect(use, name).toThrow(InvalidTensorError);
      expect(use, name).toThrow(/another cpu backend/);
    }
    await expect(b.read(foreign)).rejects.toThrow(InvalidTensorError);
    expect(a.live()).toBe(1);
    expect(b.live()).toBe(2);
    expect(Array.from(await a.read(foreign))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses a hand-made CpuTensor and a tensor of another backend kind", () => {
    const be = new CpuBackend();
    const handMade = new CpuTensor(data(), [2, 3]);
    expect(() => be.neg(handMade)).toThrow(InvalidTensorError);
    expect(() => be.dispose(handMade)).toThrow(InvalidTensorError);
    const alien: Tensor = { shape: [2, 3], backend: "webgpu" };
    expect(() => be.exp(alien)).toThrow(/belongs to backend "webgpu"/);
    expect(be.live()).toBe(0);
  });

  it("refuses to dispose twice without lowering live() twice", () => {
    const be = new CpuBackend();
    const t = be.upload(data(), [2, 3]);
    be.dispose(t);
    expect(() => be.dispose(t)).toThrow(InvalidTensorError);
    expect(be.live()).toBe(0);
  });

  it("names the op and the shape in handle errors", () => {
    const be = new CpuBackend();
    const t = be.upload(data(), [2, 3]);
    be.dispose(t);
    expect(() => be.matmul(t, be.upload(data(), [3, 2]))).toThrow(
      /^matmul: tensor 2x3 was used after dispose/,
    );
  });

  it("rejects an upload whose data does not fill the shape", () => {
    const be = new CpuBackend();
    expect(() => be.upload(data(), [4, 2])).toThrow(/the data holds 6 values, the shape needs 8/);
    expect(() => be.upload(data(), [0, 6])).toThrow(/positive integers/);
    expect(be.live()).toBe(0);
  });
});

describe("CpuBackend identity", () => {
  it("declares float32, synchronous reads, its fused kernels and byte uploads, and large scoring calls", () => {
    const be = createCpuBackend();
    expect(be.name).toBe("cpu");
    expect(be.mode).toBe("cpu");
    expect(be.caps.precision).toBe(32);
    expect(be.caps.syncRead).toBe(true);
    expect([...be.caps.fused].sort()).toEqual(
      [
        "linearSoftmaxCrossEntropy",
        "linearSoftmaxLoss",
        "linearSoftmaxSgd",
        "softmaxCrossEntropy",
        "uploadBytes",
      ].sort(),
    );
    expect(be.caps.scoreRows).toBe(16_384);
  });

  it("registry entry starts a fresh backend each time", async () => {
    const [a, b] = await Promise.all([cpuBackendEntry.factory({}), cpuBackendEntry.factory({})]);
    expect(a).toBeInstanceOf(CpuBackend);
    expect(a).not.toBe(b);
  });
});

describe("CpuBackend byte uploads", () => {
  const scale = 1 / 255;
  const bytesOf = (first: number) => Uint8Array.from({ length: 6 }, (_, i) => first + i);
  const floatsOf = (first: number) => Array.from(bytesOf(first), (b) => Math.fround(b * scale));

  it("keeps its own copy: the caller may overwrite the buffer it uploaded", () => {
    const be = createCpuBackend();
    const buffer = bytesOf(10);
    const t = be.uploadBytes(buffer, [2, 3], scale);
    buffer.fill(0);
    expect(Array.from(be.readSync(t))).toEqual(floatsOf(10));
  });

  it("an upload after a byte handle is disposed holds the new bytes; live handles keep theirs", () => {
    const be = createCpuBackend();
    const kept = be.uploadBytes(bytesOf(1), [2, 3], scale);
    const first = be.uploadBytes(bytesOf(20), [2, 3], scale);
    be.dispose(first);
    const second = be.uploadBytes(bytesOf(40), [2, 3], scale);
    const third = be.uploadBytes(bytesOf(60), [2, 3], scale);
    expect(Array.from(be.readSync(second))).toEqual(floatsOf(40));
    expect(Array.from(be.readSync(third))).toEqual(floatsOf(60));
    expect(Array.from(be.readSync(kept))).toEqual(floatsOf(1));
    expect(() => be.readSync(first)).toThrow(/used after dispose/);
    expect(be.live()).toBe(3);
  });
});

describe("CpuBackend SGD steps", () => {
  /** A step's operands on `be`: 3 rows of 600 inputs, 2 classes (1,200 weights, more than a spare needs). */
  function operands(be: CpuBackend) {
    const x = be.upload(
      Float32Array.from({ length: 1800 }, (_, i) => ((i * 7) % 11) / 10),
      [3, 600],
    );
    const W = be.upload(
      Float32Array.from({ length: 1200 }, (_, i) => ((i % 13) - 6) / 100),
      [600, 2],
    );
    const b = be.upload(Float32Array.from([0.5, -0.5]), [1, 2]);
    const t = be.upload(Float32Array.from([1, 0, 0, 1, 1, 0]), [3, 2]);
    return { x, W, b, t };
  }

  it("writes the new weights over a disposed handle's floats; live handles and the step's result are as without", () => {
    const fresh = createCpuBackend();
    const { x, W, b, t } = operands(fresh);
    const want = fresh.readSync(fresh.linearSoftmaxSgd(x, W, b, t, -0.1).W);

    const be = createCpuBackend();
    const ops = operands(be);
    const kept = be.readSync(ops.W);
    const old = be.upload(new Float32Array(1200).fill(7), [600, 2]);
    const oldFloats = (old as CpuTensor).data;
    be.dispose(old);
    const step = be.linearSoftmaxSgd(ops.x, ops.W, ops.b, ops.t, -0.1);
    expect((step.W as CpuTensor).data).toBe(oldFloats);
    expect(Array.from(be.readSync(step.W))).toEqual(Array.from(want));
    expect(Array.from(be.readSync(ops.W))).toEqual(Array.from(kept));
    expect(() => be.readSync(old)).toThrow(/used after dispose/);
    // A disposed handle of another size is left alone.
    const small = be.upload(new Float32Array(1100).fill(7), [550, 2]);
    const smallFloats = (small as CpuTensor).data;
    be.dispose(small);
    const next = be.linearSoftmaxSgd(ops.x, step.W, ops.b, ops.t, -0.1);
    expect((next.W as CpuTensor).data).not.toBe(smallFloats);
    expect(be.readSync(next.W)).toHaveLength(1200);
  });
});
