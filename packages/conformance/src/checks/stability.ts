import { formatShape, logSoftmax, softmax } from "@tensorplug/core";
import fc from "fast-check";
import { floats, labels, matrixOf, shapes } from "../arbitraries.js";
import { withArena } from "../arena.js";
import type { Check, CheckContext } from "../context.js";
import { type F32Matrix, oneHotF32 } from "../host.js";
import { checkOp } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated, assertClose } from "../tolerance.js";
import { checkCrossEntropy } from "./composites.js";

/** Logits at the extremes a naive `exp` overflows on; all exact in float16 too. */
const extreme = fc.constantFrom(1000, -1000, 0, 999.5, -999.5);

/** Rows that must not overflow: a huge spread, all huge, all tiny. */
const FIXED_EXTREMES: F32Matrix = {
  shape: [5, 3],
  data: Float32Array.from([
    1000, -1000, 0, -1000, 1000, 0, 1000, 1000, 1000, -1000, -1000, -1000, 0, 1000, -1000,
  ]),
};

function rows(x: F32Matrix): string {
  return JSON.stringify(reference.toRows(x));
}

/** softmax rows are finite, sum to 1, and match the reference; so is logSoftmax. */
async function checkStableSoftmax(ctx: CheckContext, z: F32Matrix): Promise<void> {
  const [m, n] = z.shape;
  const label = `softmax of ${formatShape(z.shape)} logits ${rows(z)}`;
  const tol = accumulated(ctx.tolerance, n);
  await withArena(ctx.backend, async (arena) => {
    const t = arena.upload(z);
    const p = await arena.read(arena.track(softmax(ctx.backend, t)));
    const bad = p.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${label}: element #${bad} is ${p[bad]}`);
    const sums = Array.from({ length: m }, (_, i) =>
      p.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0),
    );
    assertClose(sums, new Float64Array(m).fill(1), tol, `${label}: row sums`);
    assertClose(p, reference.softmax(z).data, tol, label, { shape: z.shape });
    const logp = await arena.read(arena.track(logSoftmax(ctx.backend, t)));
    assertClose(logp, reference.logSoftmax(z).data, tol, `log${label}`, { shape: z.shape });
  });
}

/** Large-magnitude and degenerate logits, and argmax ties on fixed rows. */
export const stabilityChecks: readonly Check[] = [
  {
    group: "numerical stability",
    name: "logits of ±1000 give finite softmax rows summing to 1 and a finite loss",
    run: async (ctx) => {
      await checkStableSoftmax(ctx, FIXED_EXTREMES);
      await checkCrossEntropy(
        ctx,
        FIXED_EXTREMES,
        oneHotF32([1, 0, 2, 1, 2], 3),
        `softmaxCrossEntropy ${rows(FIXED_EXTREMES)}`,
      );
      await checkProperty(
        ctx,
        fc.asyncProperty(
          shapes(6, 8).chain((s) => fc.tuple(matrixOf(s, extreme), labels(s[0], s[1]))),
          async ([z, ys]) => {
            await checkStableSoftmax(ctx, z);
            await checkCrossEntropy(ctx, z, oneHotF32(ys, z.shape[1]), `softmaxCrossEntropy ${rows(z)}`);
          },
        ),
      );
    },
  },
  {
    group: "numerical stability",
    name: "a row of identical logits gives uniform probabilities",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          shapes(6, 12).chain(([m, n]) =>
            fc.tuple(fc.constant(n), fc.array(floats(-1000, 1000), { minLength: m, maxLength: m })),
          ),
          async ([n, levels]) => {
            const z: F32Matrix = {
              shape: [levels.length, n],
              data: Float32Array.from(levels.flatMap((v) => Array(n).fill(v))),
            };
            const uniform = new Float64Array(z.data.length).fill(1 / n);
            await checkOp(ctx, {
              label: `softmax of identical logits ${rows(z)}`,
              inputs: [z],
              run: (be, [t]) => softmax(be, t!),
              expected: { shape: z.shape, data: uniform },
              tolerance: accumulated(ctx.tolerance, n),
            });
          },
        ),
      ),
  },
  {
    group: "numerical stability",
    name: "argmax ties pick the lowest index: [3,7,7,1] → 1, all equal → 0",
    run: (ctx) => {
      const x: F32Matrix = {
        shape: [6, 4],
        data: Float32Array.from([
          3, 7, 7, 1, 5, 5, 5, 5, 1, 2, 3, 3, -1000, -1000, -1000, -1000, 0, 0, 9, 9, 2, 1, 2, 1,
        ]),
      };
      return checkOp(ctx, {
        label: `argmax of ${rows(x)}`,
        inputs: [x],
        run: (be, [t]) => be.argmax(t!),
        expected: { shape: [6, 1], data: Float64Array.from([1, 0, 2, 0, 2, 0]) },
        tolerance: { rel: 0, abs: 0 },
      });
    },
  },
];
