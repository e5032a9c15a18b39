import { describe, expect, it } from "vitest";
import { createCpuBackend } from "./index.js";

// The kernels pack the nonzero bytes of each 16-byte block of a row through a table of the 256
// patterns of half a block, and take a row's last bytes (past the last whole block) one by one.
// These rows hold every pattern in both halves of both blocks, a tail, a full row and an empty one.

const BLOCKS = 2;
const TAIL = 5;
const K = 16 * BLOCKS + TAIL;
const N = 10;
const SCALE = 1 / 255;

/** Row `i`'s bytes: a nonzero byte (from 1 to 255) wherever the row's pattern has a set bit. */
function byteRows(): { bytes: Uint8Array; rows: number } {
  const rows = 258;
  const bytes = new Uint8Array(rows * K);
  const halves = (i: number) => [i, 255 - i, (i * 7) & 255, i];
  for (let i = 0; i < rows; i++) {
    const pattern = i === 256 ? [255, 255, 255, 255] : i === 257 ? [0, 0, 0, 0] : halves(i);
    const tail = i === 256 ? 31 : i === 257 ? 0 : i & 31;
    for (let p = 0; p < K; p++) {
      const half = Math.floor(p / 8);
      const on = p < 16 * BLOCKS ? (pattern[half]! >> (p % 8)) & 1 : (tail >> (p - 16 * BLOCKS)) & 1;
      if (on === 1) bytes[i * K + p] = 1 + ((i * 31 + p * 17) % 255);
    }
  }
  return { bytes, rows };
}

function weights(): Float32Array {
  return Float32Array.from({ length: K * N }, (_, i) => Math.sin(i * 0.7) * 0.5);
}

/** `x W` in float64, each byte taken as `Math.fround(byte * SCALE)`, and the sum of |terms| per entry. */
function reference(bytes: Uint8Array, rows: number, w: Float32Array): { value: number; size: number }[] {
  const out: { value: number; size: number }[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < N; j++) {
      let value = 0;
      let size = 0;
      for (let p = 0; p < K; p++) {
        const term = Math.fround(bytes[i * K + p]! * SCALE) * w[p * N + j]!;
        value += term;
        size += Math.abs(term);
      }
      out.push({ value, size });
    }
  }
  return out;
}

describe.each([1, 2] as const)("byte rows on %i thread(s)", (threads) => {
  it("every pattern of zero and nonzero bytes in a block gives the float64 product", () => {
    const be = createCpuBackend({ threads });
    const { bytes, rows } = byteRows();
    const w = weights();
    const product = be.readSync(be.matmul(be.uploadBytes(bytes, [rows, K], SCALE), be.upload(w, [K, N])));
    const want = reference(bytes, rows, w);
    for (let e = 0; e < want.length; e++) {
      const { value, size } = want[e]!;
      const error = Math.abs(product[e]! - value);
      if (error > 1e-6 * size + 1e-12) {
        throw new Error(`row ${Math.floor(e / N)}, column ${e % N}: ${product[e]} against ${value}`);
      }
    }
  });

  it("the layer's loss of those rows is the loss of the float64 logits", () => {
    const be = createCpuBackend({ threads });
    const { bytes, rows } = byteRows();
    const w = weights();
    const targets = new Float32Array(rows * N);
    for (let i = 0; i < rows; i++) targets[i * N + (i % N)] = 1;
    const { loss } = be.linearSoftmaxLoss(
      be.uploadBytes(bytes, [rows, K], SCALE),
      be.upload(w, [K, N]),
      be.upload(new Float32Array(N), [1, N]),
      be.upload(targets, [rows, N]),
    );
    const got = be.readSync(loss);
    const logits = reference(bytes, rows, w).map((e) => e.value);
    for (let i = 0; i < rows; i++) {
      const z = logits.slice(i * N, (i + 1) * N);
      const max = Math.max(...z);
      const logSum = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
      expect(got[i], `row ${i}`).toBeCloseTo(logSum + max - z[i % N]!, 5);
    }
  });
});
