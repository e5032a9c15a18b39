import { linearSoftmaxCrossEntropy, linearSoftmaxLoss, Random, type Tensor } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { imageProblem } from "./image-problem.test-helper.js";
import { CpuBackend } from "./index.js";

// The layer kernel takes byte rows two at a time, listing the columns where either row is
// nonzero; float rows go one at a time. A pair must give each row the bits it gets alone: these
// tests compare a batch uploaded as bytes with the same batch uploaded as its floats.

const SCALE = 1 / 255;
const N = 10;

interface Batch {
  readonly rows: number;
  readonly k: number;
  readonly bytes: Uint8Array;
  readonly W: Float32Array;
  readonly b: Float32Array;
  readonly targets: Float32Array;
}

/** The bits of every output of a step and of scoring on `batch`, uploaded as bytes or as floats. */
function outputs(backend: CpuBackend, batch: Batch, asBytes: boolean): Uint32Array[] {
  const { rows, k } = batch;
  const x = asBytes
    ? backend.uploadBytes(batch.bytes, [rows, k], SCALE)
    : backend.upload(
        Float32Array.from(batch.bytes, (v) => v * SCALE),
        [rows, k],
      );
  const W = backend.upload(batch.W, [k, N]);
  const b = backend.upload(batch.b, [1, N]);
  const t = backend.upload(batch.targets, [rows, N]);
  const step = linearSoftmaxCrossEntropy(backend, x, W, b, t);
  const score = linearSoftmaxLoss(backend, x, W, b, t);
  const all: Tensor[] = [step.loss, step.correct, step.gradW, step.gradB, score.loss, score.correct];
  const bits = all.map((o) => new Uint32Array(backend.readSync(o).buffer));
  for (const o of [...all, x, W, b, t]) backend.dispose(o);
  return bits;
}

/** Rows of `k` bytes whose pairs (rows 2j and 2j + 1) list, between them, every pattern of 8 columns. */
function patternBatch(): Batch {
  const k = 16 * 2 + 5;
  const patterns = 256;
  // For each pattern three pairs: all of it in the first row, all in the second, split between them.
  const rows = patterns * 3 * 2;
  const bytes = new Uint8Array(rows * k);
  const rng = new Random(11);
  const put = (row: number, mask: number) => {
    for (let p = 0; p < k; p++) {
      // Every half block, and the tail of 5, takes the mask's bits for its columns.
      if ((mask >> (p % 8)) & 1) bytes[row * k + p] = 1 + rng.nextInt(255);
    }
  };
  for (let m = 0; m < patterns; m++) {
    const pair = m * 3 * 2;
    put(pair, m);
    put(pair + 3, m);
    put(pair + 4, m & 0x55);
    put(pair + 5, m & 0xaa);
  }
  const targets = new Float32Array(rows * N);
  for (let i = 0; i < rows; i++) targets[i * N + rng.nextInt(N)] = 1;
  return {
    rows,
    k,
    bytes,
    W: rng.normalArray(k * N, 0, 0.5),
    b: rng.normalArray(N, 0, 0.5),
    targets,
  };
}

describe.each([
  [1, false],
  [2, false],
  [1, true],
  [2, true],
] as const)("byte rows in pairs, %i thread(s), fused multiply-add %s", (threads, fusedMultiplyAdd) => {
  it("give the bits of their floats one row at a time: image-like batches, even and odd", async () => {
    const backend = new CpuBackend({ threads, fusedMultiplyAdd });
    await backend.threadsReady();
    for (const [rows, seed] of [
      [256, 1],
      [97, 2],
      [2, 3],
      [1, 4],
    ] as const) {
      const p = imageProblem(rows, seed);
      const batch = { ...p, k: 784 };
      const [fromBytes, fromFloats] = [outputs(backend, batch, true), outputs(backend, batch, false)];
      for (const [i, bits] of fromBytes.entries()) {
        expect(bits, `${rows} rows, output ${i}`).toEqual(fromFloats[i]);
      }
    }
    expect(backend.live()).toBe(0);
  });

  it("give those bits for every pattern of nonzero columns, in either row or split between them", () => {
    const backend = new CpuBackend({ threads, fusedMultiplyAdd });
    const batch = patternBatch();
    const [fromBytes, fromFloats] = [outputs(backend, batch, true), outputs(backend, batch, false)];
    for (const [i, bits] of fromBytes.entries()) expect(bits, `output ${i}`).toEqual(fromFloats[i]);
  });

  it("add a batch's rows in label order: the batch sorted by label gives the same bits, each row's outputs in its place", () => {
    const backend = new CpuBackend({ threads, fusedMultiplyAdd });
    const p = imageProblem(97, 6);
    const batch = { ...p, k: 784 };
    const label = (i: number) => p.targets.subarray(i * N, (i + 1) * N).indexOf(1);
    const order = Array.from({ length: p.rows }, (_, i) => i).sort((a, b) => label(a) - label(b) || a - b);
    const sorted = {
      ...batch,
      bytes: Uint8Array.from(order.flatMap((i) => Array.from(p.bytes.subarray(i * 784, (i + 1) * 784)))),
      targets: Float32Array.from(order.flatMap((i) => Array.from(p.targets.subarray(i * N, (i + 1) * N)))),
    };
    const [asGiven, asSorted] = [outputs(backend, batch, true), outputs(backend, sorted, true)];
    // The gradients, summed over the rows: the same bits.
    expect(asSorted[2]).toEqual(asGiven[2]);
    expect(asSorted[3]).toEqual(asGiven[3]);
    // Each row's loss and correct flag, in the sorted batch at the row's new place.
    for (const o of [0, 1, 4, 5]) {
      expect(Array.from(order, (i) => asGiven[o]![i])).toEqual(Array.from(asSorted[o]!));
    }
    // And as the row alone gives them.
    for (const i of [0, 1, 50, 96]) {
      const alone = {
        ...batch,
        rows: 1,
        bytes: p.bytes.slice(i * 784, (i + 1) * 784),
        targets: p.targets.slice(i * N, (i + 1) * N),
      };
      const one = outputs(backend, alone, true);
      expect([one[0]![0], one[1]![0]], `row ${i}`).toEqual([asGiven[0]![i], asGiven[1]![i]]);
    }
  });

  it("a row whose gradient is not finite makes every column of the weights' gradient NaN, beside a finite partner", () => {
    const backend = new CpuBackend({ threads, fusedMultiplyAdd });
    const batch = imageProblem(2, 5);
    const bytes = batch.bytes.slice();
    // Row 0 lights columns 0 and 1, where class 0's weights are the largest float: its logit
    // overflows to Infinity and its softmax is NaN. Row 1 is dark there.
    const W = batch.W.slice();
    W[0] = 3.4e38;
    W[N] = 3.4e38;
    bytes.fill(255, 0, 2);
    bytes.fill(0, 784, 786);
    const step = outputs(backend, { ...batch, bytes, W, k: 784 }, true);
    const gradW = new Float32Array(step[2]!.buffer);
    expect(gradW.every(Number.isNaN)).toBe(true);
    // The finite row's loss stays finite: its sums never met the infinite ones.
    expect(Number.isFinite(new Float32Array(step[0]!.buffer)[1])).toBe(true);
  });
});
