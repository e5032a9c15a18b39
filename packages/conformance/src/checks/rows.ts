import {
  canGatherRows,
  gatherRows,
  hostBytes,
  linearSoftmaxLoss,
  linearSoftmaxSgd,
  Random,
  type Tensor,
  TensorplugError,
  uploadBytes,
} from "@tensorplug/core";
import { type Arena, withArena } from "../arena.js";
import { assertSameBits } from "../bits.js";
import type { Check } from "../context.js";
import { oneHotF32, seededLabels, seededMatrix } from "../host.js";

// Batches picked out of a data set kept whole on the backend (`gatherRows`, `allocateBytes`). The
// rows a backend picks must be exactly the rows a host copy holds: training through them gives the
// same bits as training on the copied batch. Backends without `gatherRows` must say so.

const SCALE = 1 / 255;

/** A byte data set of `count` rows of `width`, half zeros like image backgrounds. */
function byteSet(count: number, width: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: count * width }, () => (rng.next() < 0.5 ? 0 : rng.nextInt(256)));
}

/** Rows `rows` of a row-major byte matrix, copied on the host. */
function hostRows(set: Uint8Array, width: number, rows: Uint32Array): Uint8Array {
  const out = new Uint8Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(set.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/** Random rows of `count`, repeats allowed, `size` of them. */
function randomRows(count: number, size: number, seed: number): Uint32Array {
  const rng = new Random(seed);
  return Uint32Array.from({ length: size }, () => rng.nextInt(count));
}

/** A data set uploaded as the model uploads it: into `hostBytes`, then `uploadBytes`. */
function uploadSet(arena: Arena, set: Uint8Array, width: number): Tensor {
  const held = hostBytes(arena.backend, set.length);
  held.set(set);
  return arena.track(uploadBytes(arena.backend, held, [set.length / width, width], SCALE));
}

export const rowsChecks: readonly Check[] = [
  {
    group: "rows",
    name: "gatherRows picks rows of floats and of bytes in the order asked, repeats included; without it, core says so",
    async run({ backend }) {
      await withArena(backend, async (arena) => {
        const floats = seededMatrix([7, 5], 11, { normal: 1 });
        const x = arena.upload(floats);
        const rows = Uint32Array.of(6, 0, 3, 3);
        if (!canGatherRows(backend)) {
          let code: string | undefined;
          try {
            gatherRows(backend, x, rows);
          } catch (error) {
            code = error instanceof TensorplugError ? error.code : undefined;
          }
          if (code !== "E_NO_GATHER") throw new Error("gatherRows without the op: expected E_NO_GATHER");
          return;
        }
        const want = new Float32Array(rows.length * 5);
        rows.forEach((r, i) => {
          want.set(floats.data.subarray(r * 5, r * 5 + 5), i * 5);
        });
        assertSameBits(await arena.read(arena.track(gatherRows(backend, x, rows))), want, "rows of floats");
        const set = byteSet(9, 6, 12);
        const bytes = uploadSet(arena, set, 6);
        const picked = arena.track(gatherRows(backend, bytes, rows));
        const scaled = Float32Array.from(hostRows(set, 6, rows), (v) => v * SCALE);
        assertSameBits(await arena.read(picked), scaled, "rows of bytes");
        // Rows of picked rows are rows of the set.
        const again = arena.track(gatherRows(backend, picked, Uint32Array.of(3, 1)));
        const twice = Float32Array.from(hostRows(set, 6, Uint32Array.of(3, 0)), (v) => v * SCALE);
        assertSameBits(await arena.read(again), twice, "rows of rows");
      });
    },
  },
  {
    group: "rows",
    name: "a step and a score on picked rows give the bits of the same rows uploaded as bytes (full, last and 1-row batches)",
    async run({ backend }) {
      if (!canGatherRows(backend)) return;
      await withArena(backend, async (arena) => {
        const [count, width, classes] = [300, 49, 10];
        const set = byteSet(count, width, 21);
        const source = uploadSet(arena, set, width);
        const W = arena.upload(seededMatrix([width, classes], 22, { normal: 0.1 }));
        const b = arena.upload(seededMatrix([1, classes], 23, { normal: 0.1 }));
        for (const [size, seed] of [
          [256, 1],
          [96, 2],
          [1, 3],
        ] as const) {
          const rows = randomRows(count, size, seed);
          const targets = arena.upload(oneHotF32(seededLabels(size, classes, seed), classes));
          const picked = arena.track(gatherRows(backend, source, rows));
          const copied = arena.track(uploadBytes(backend, hostRows(set, width, rows), [size, width], SCALE));
          const outputs = (x: Tensor) => {
            const step = linearSoftmaxSgd(backend, x, W, b, targets, -0.25);
            const score = linearSoftmaxLoss(backend, x, W, b, targets);
            return [step.loss, step.correct, step.W, step.b, score.loss, score.correct].map((t) =>
              arena.track(t),
            );
          };
          const [fromRows, fromBytes] = [outputs(picked), outputs(copied)];
          for (let i = 0; i < fromRows.length; i++) {
            assertSameBits(
              await arena.read(fromRows[i]!),
              await arena.read(fromBytes[i]!),
              `${size} rows, output ${i}`,
            );
          }
        }
      });
    },
  },
  {
    group: "rows",
    name: "gatherRows refuses no rows and rows past the end with a RangeError naming them",
    async run({ backend }) {
      await withArena(backend, async (arena) => {
        const x = arena.upload(seededMatrix([4, 3], 31, { normal: 1 }));
        for (const [rows, pattern] of [
          [new Uint32Array(0), /no rows/],
          [Uint32Array.of(1, 4), /row 4 \(at position 1\) is past the last row, 3/],
        ] as const) {
          let error: unknown;
          try {
            arena.track(gatherRows(backend, x, rows));
          } catch (e) {
            error = e;
          }
          if (!(error instanceof RangeError) || !pattern.test(error.message)) {
            throw new Error(
              `gatherRows(${Array.from(rows)}): expected a RangeError matching ${pattern}, got ${String(error)}`,
            );
          }
        }
      });
    },
  },
  {
    group: "rows",
    name: "hostBytes gives zeroed bytes of the length asked, which uploadBytes then holds",
    async run({ backend }) {
      await withArena(backend, async (arena) => {
        const held = hostBytes(backend, 12);
        if (held.length !== 12 || held.some((v) => v !== 0))
          throw new Error("hostBytes(12): not 12 zero bytes");
        held.set([0, 1, 2, 255], 4);
        const t = arena.track(uploadBytes(backend, held, [3, 4], SCALE));
        const want = Float32Array.from(held, (v) => v * SCALE);
        assertSameBits(await arena.read(t), want, "upload of hostBytes");
      });
    },
  },
];
