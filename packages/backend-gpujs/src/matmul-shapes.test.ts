// The rowQuads matmul of the host modes has three paths that random shapes may miss: a last
// group narrower than 4 columns (n % 4), a dot product of odd length (the unrolled loop's last
// step), and groups of 4 only. Each is checked here in every mode against a float64 product.
import { uploadBytes } from "@tensorplug/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES, type GpujsBackend } from "./index.js";

/**
 * [m, k, n]: every n % 4, odd and even k, k = 1, and the model's shapes; with even k (byte pairs)
 * an odd and even number of pairs, odd n (a last column pair of one) and n = 1, odd m.
 */
const SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 1, 2],
  [5, 3, 7],
  [4, 5, 9],
  [8, 2, 4],
  [6, 7, 3],
  [2, 6, 8],
  [3, 4, 5],
  [5, 6, 1],
  [7, 10, 3],
  [96, 784, 10],
];

/** Small integers: every product and sum is exact in float32, so results must match exactly. */
function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => ((i * 7 + seed * 13) % 11) - 5);
}

/** `op(a) · op(b)` in float64, with a stored `[m,k]` (or `[k,m]` when transA) and likewise b. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!;
      out[i * n + j] = s;
    }
  }
  return Array.from(out);
}

describe.each(GPUJS_MODES)("matmul in mode %s", (mode) => {
  let be: GpujsBackend;
  beforeAll(async () => {
    be = await createGpujsBackend({ mode });
  });
  afterAll(() => be.close());

  it.each(SHAPES)("%i x %i · %i, in every transpose combination", async (m, k, n) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = values(m * k, 1);
        const b = values(k * n, 2);
        const ta = be.upload(a, transA ? [k, m] : [m, k]);
        const tb = be.upload(b, transB ? [n, k] : [k, n]);
        const c = be.matmul(ta, tb, { transA, transB });
        expect(c.shape).toEqual([m, n]);
        // + 0: the sign of a zero sum differs between GL and JavaScript and means nothing here.
        expect(
          Array.from(await be.read(c), (v) => v + 0),
          `transA ${transA}, transB ${transB}`,
        ).toEqual(reference(a, b, m, k, n, transA, transB));
        for (const t of [ta, tb, c]) be.dispose(t);
      }
    }
    expect(be.live()).toBe(0);
  });

  // Bytes kept as bytes (webasm and cpu): the left operand is divided inside the kernel, and in
  // webasm read as byte pairs where its rows have an even length (the forward product, and the
  // weight gradient in 2x2 blocks). Scale 1/2 keeps every value and product exact.
  it.each(SHAPES)(
    "%i x %i · %i with the left operand uploaded as bytes, as x·W and as xᵀ·G",
    async (m, k, n) => {
      const bytes = Uint8Array.from({ length: m * k }, (_, i) => (i * 37 + 11) % 256);
      const scaled = Float32Array.from(bytes, (v) => v / 2);
      const x = uploadBytes(be, bytes, [m, k], 0.5);
      const W = values(k * n, 3);
      const tW = be.upload(W, [k, n]);
      const product = be.matmul(x, tW);
      expect(
        Array.from(await be.read(product), (v) => v + 0),
        "x·W",
      ).toEqual(reference(scaled, W, m, k, n, false, false));
      // xᵀ·G: x [m,k] read transposed, G [m,n]; the product is [k,n].
      const G = values(m * n, 4);
      const tG = be.upload(G, [m, n]);
      const gradient = be.matmul(x, tG, { transA: true });
      expect(gradient.shape).toEqual([k, n]);
      expect(
        Array.from(await be.read(gradient), (v) => v + 0),
        "xᵀ·G",
      ).toEqual(reference(scaled, G, k, m, n, true, false));
      for (const t of [x, tW, product, tG, gradient]) be.dispose(t);
      expect(be.live()).toBe(0);
    },
  );
});
