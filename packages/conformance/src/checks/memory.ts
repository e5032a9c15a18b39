import { formatShape } from "@tensorplug/core";
import fc from "fast-check";
import { floats, matrices } from "../arbitraries.js";
import { withArena } from "../arena.js";
import type { Check } from "../context.js";
import { checkProperty } from "../property.js";
import { assertClose } from "../tolerance.js";

// Half-float backends must round-trip too, so values stay inside float16's finite range.
const values = floats(-1000, 1000);

/** upload/read: values survive, and neither side shares memory with the caller. */
export const memoryChecks: readonly Check[] = [
  {
    group: "upload and read",
    name: "read returns the uploaded values, for any shape",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(values), async (m) => {
          await withArena(ctx.backend, async (arena) => {
            const t = arena.upload(m);
            const label = `upload/read ${formatShape(m.shape)}`;
            if (t.shape[0] !== m.shape[0] || t.shape[1] !== m.shape[1]) {
              throw new Error(`${label}: handle has shape ${formatShape(t.shape)}`);
            }
            assertClose(await arena.read(t), m.data, ctx.tolerance, label, { shape: m.shape });
          });
        }),
      ),
  },
  {
    group: "upload and read",
    name: "read returns a copy: mutating it leaves the tensor alone",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(values), async (m) => {
          await withArena(ctx.backend, async (arena) => {
            const t = arena.upload(m);
            const first = await arena.read(t);
            first.fill(12345);
            const label = `read-then-mutate ${formatShape(m.shape)}`;
            assertClose(await arena.read(t), m.data, ctx.tolerance, label, { shape: m.shape });
          });
        }),
      ),
  },
  {
    group: "upload and read",
    name: "upload copies its input, also from a subarray view; mutating the source later changes nothing",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(values), async (m) => {
          await withArena(ctx.backend, async (arena) => {
            // A view into a larger buffer, as the model uploads batches: offset and length must be honoured.
            const padded = new Float32Array(m.data.length + 5).fill(-555);
            padded.set(m.data, 3);
            const t = arena.upload({ shape: m.shape, data: padded.subarray(3, 3 + m.data.length) });
            padded.fill(-777);
            const label = `upload-then-mutate ${formatShape(m.shape)}`;
            assertClose(await arena.read(t), m.data, ctx.tolerance, label, { shape: m.shape });
          });
        }),
      ),
  },
];
