import { gatherRows, linearSoftmaxSgd, Random, type Tensor, uploadBytes } from "@tensorplug/core";
import { describe, expect, it } from "vitest";
import { CpuBackend } from "./index.js";

/** Image-like bytes: `count` rows of 784, half background. */
function images(count: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: count * 784 }, () => (rng.next() < 0.5 ? 0 : rng.nextInt(256)));
}

/** Rows `rows` of `set`, copied on the host. */
function hostRows(set: Uint8Array, rows: Uint32Array): Uint8Array {
  const out = new Uint8Array(rows.length * 784);
  rows.forEach((r, i) => {
    out.set(set.subarray(r * 784, (r + 1) * 784), i * 784);
  });
  return out;
}

/** The bits of a step's outputs on `x`. */
async function stepBits(backend: CpuBackend, x: Tensor, seed: number): Promise<Uint32Array[]> {
  const rng = new Random(seed);
  const m = x.shape[0];
  const targets = new Float32Array(m * 10);
  for (let i = 0; i < m; i++) targets[i * 10 + rng.nextInt(10)] = 1;
  const W = backend.upload(rng.normalArray(7840, 0, 0.05), [784, 10]);
  const b = backend.upload(rng.normalArray(10, 0, 0.05), [1, 10]);
  const t = backend.upload(targets, [m, 10]);
  const out = linearSoftmaxSgd(backend, x, W, b, t, -0.1 / m);
  const all = [out.loss, out.correct, out.W, out.b];
  const bits = (await Promise.all(all.map((o) => backend.read(o)))).map((v) => new Uint32Array(v.buffer));
  for (const o of [...all, W, b, t]) backend.dispose(o);
  return bits;
}

describe("a data set in the kernels' memory", () => {
  it("is zeroed, uploaded without a copy, and read in place by the kernels", async () => {
    const backend = new CpuBackend({ threads: 2 });
    await backend.threadsReady();
    const set = images(600, 1);
    const held = backend.allocateBytes(set.length + 16);
    expect(held.every((v) => v === 0)).toBe(true);
    held.set(set, 16);
    const source = uploadBytes(backend, held.subarray(16), [600, 784], 1 / 255);
    // No copy: a change to the bytes is what the tensor holds (the contract asks callers not to).
    held[16] = 7;
    expect((await backend.read(source))[0]).toBe(Math.fround(7 / 255));
    held[16] = set[0]!;
    for (const [size, seed] of [
      [256, 2],
      [96, 3],
      [1, 4],
    ] as const) {
      const rng = new Random(seed);
      const rows = Uint32Array.from({ length: size }, () => rng.nextInt(600));
      const picked = gatherRows(backend, source, rows);
      const copied = uploadBytes(backend, hostRows(set, rows), [size, 784], 1 / 255);
      expect(await stepBits(backend, picked, seed), `${size} rows`).toEqual(
        await stepBits(backend, copied, seed),
      );
      backend.dispose(picked);
      backend.dispose(copied);
    }
    backend.dispose(source);
    expect(backend.live()).toBe(0);
  });

  it("rows of a set that is not resident are gathered into the kernels' memory, with the same bits", async () => {
    const backend = new CpuBackend({ threads: 1 });
    const set = images(300, 5);
    const source = uploadBytes(backend, set, [300, 784], 1 / 255);
    const rows = Uint32Array.of(299, 0, 17, 17, 150);
    const picked = gatherRows(backend, source, rows);
    const copied = uploadBytes(backend, hostRows(set, rows), [5, 784], 1 / 255);
    expect(await stepBits(backend, picked, 6)).toEqual(await stepBits(backend, copied, 6));
    // Any other op reads the rows' values, scaled.
    expect(await backend.read(picked)).toEqual(await backend.read(copied));
  });

  it("a disposed resident upload never lends its bytes to the next upload", async () => {
    const backend = new CpuBackend({ threads: 1 });
    const held = backend.allocateBytes(784);
    held.fill(9);
    backend.dispose(uploadBytes(backend, held, [1, 784], 1 / 255));
    const other = uploadBytes(backend, new Uint8Array(784).fill(200), [1, 784], 1 / 255);
    expect(held.every((v) => v === 9)).toBe(true);
    backend.dispose(other);
  });

  it("regions stay valid as later calls grow the memory", async () => {
    const backend = new CpuBackend({ threads: 2 });
    const held = backend.allocateBytes(1000);
    held.fill(3);
    // A call far larger than the memory so far: the memory grows under the view.
    const big = backend.upload(new Float32Array(3000 * 784).fill(1), [3000, 784]);
    const W = backend.upload(new Float32Array(7840).fill(0.5), [784, 10]);
    backend.dispose(backend.matmul(big, W));
    expect(held.length).toBe(1000);
    expect(held.every((v) => v === 3)).toBe(true);
    const t = uploadBytes(backend, held, [10, 100], 1);
    expect((await backend.read(t)).every((v) => v === 3)).toBe(true);
    for (const x of [big, W, t]) backend.dispose(x);
  });

  it("close gives the regions back: backend after backend, the same bytes serve again", () => {
    const first = new CpuBackend({ threads: 1 });
    const a = first.allocateBytes(100_000);
    const b = first.allocateBytes(1000);
    first.close();
    const second = new CpuBackend({ threads: 1 });
    const c = second.allocateBytes(100_000);
    expect(c.byteOffset).toBe(a.byteOffset);
    expect(c.every((v) => v === 0)).toBe(true);
    expect(b.length).toBe(1000);
    second.close();
  });
});
