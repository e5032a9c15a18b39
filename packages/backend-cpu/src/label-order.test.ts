import { describe, expect, it } from "vitest";
import { KERNELS_WASM, MAX_PAGES } from "./generated/kernels-wasm.js";
import { decodeBase64 } from "./kernel-module.js";

// The layer kernel takes a call's rows in the order `labelOrder` writes (see assembly/label-order.ts):
// the gradients add the rows' parts in that order, so it decides their bits.

interface LabelOrderExports {
  heapBase(): number;
  labelOrder(t: number, m: number, n: number, order: number, scratch: number): void;
}

/** The order the kernels' `labelOrder` gives `m` rows of `n` targets. */
function labelOrder(targets: readonly number[], n: number): number[] {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
  const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM));
  const exports = new WebAssembly.Instance(module, { env: { memory } })
    .exports as unknown as LabelOrderExports;
  const m = targets.length / n;
  const t = Math.ceil(exports.heapBase() / 16) * 16;
  new Float32Array(memory.buffer, t, targets.length).set(targets);
  // Room after the last row, which the kernel may read as part of a vector.
  const order = t + targets.length * 4 + 16;
  const scratch = order + m * 4;
  // Leftovers in the scratch must not matter.
  new Int32Array(memory.buffer, scratch, n + 1 + m).fill(-7);
  exports.labelOrder(t, m, n, order, scratch);
  return Array.from(new Int32Array(memory.buffer, order, m));
}

const oneHot = (labels: readonly number[], n: number) =>
  labels.flatMap((label) => Array.from({ length: n }, (_, j) => (j === label ? 1 : 0)));

describe("labelOrder", () => {
  it("takes rows by label, those of one label in their own order", () => {
    const labels = [3, 0, 3, 9, 0, 1, 3, 9, 2];
    expect(labelOrder(oneHot(labels, 10), 10)).toEqual([1, 4, 5, 8, 0, 2, 6, 3, 7]);
  });

  it("labels a row by its largest target, the first of equal ones, 0 where one is NaN", () => {
    const targets = [0.2, 0.5, 0.3, /* */ 0.4, 0.2, 0.4, /* */ 0, 0, 0, /* */ 0.1, 0.1, 0.8];
    // Labels 1, 0, 0, 2.
    expect(labelOrder(targets, 3)).toEqual([1, 2, 0, 3]);
    const wide = (label: number) => Array.from({ length: 12 }, (_, j) => (j === label ? 2 : -1));
    // Twelve classes (every lane of the three vectors), then a NaN in the last one's place.
    expect(labelOrder([...wide(11), ...wide(4), ...wide(8), ...wide(0)], 12)).toEqual([3, 1, 2, 0]);
    expect(labelOrder([...wide(5), ...wide(11).map((v, j) => (j === 11 ? Number.NaN : v))], 12)).toEqual([
      1, 0,
    ]);
  });

  it("gives every row once, whatever the targets hold", () => {
    const targets = [Number.NaN, 1, 0, -Infinity, 2, 2, 5, Number.NaN, 1, 0, 0, 0];
    expect(labelOrder(targets, 3).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });
});
