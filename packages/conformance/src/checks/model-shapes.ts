import type { Backend, Shape, Tensor } from "@tensorplug/core";
import fc from "fast-check";
import type { Check, CheckContext } from "../context.js";
import { type F32Matrix, type Fill, seededMatrix } from "../host.js";
import { checkOp, shapesOf } from "../op-case.js";
import { checkProperty, heavyRuns } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated, type Tolerance } from "../tolerance.js";

const PIXELS: Fill = { uniform: [0, 1] };
const WEIGHTS: Fill = { normal: 0.1 };
const LOGITS: Fill = { normal: 3 };

interface HeavyCase {
  readonly name: string;
  /** Seeded inputs: fast-check draws only the seed, which is also the repro. */
  readonly inputs: readonly (readonly [Shape, Fill])[];
  readonly run: (be: Backend, ts: readonly Tensor[]) => Tensor;
  readonly reference: (ms: readonly F32Matrix[]) => reference.RefMatrix;
  /** Tolerance and error scale; defaults to the base tolerance. */
  readonly error?: (
    ctx: CheckContext,
    ms: readonly F32Matrix[],
  ) => { tolerance: Tolerance; magnitude?: ArrayLike<number> };
}

function matmulError(transA: boolean) {
  return (ctx: CheckContext, [a, b]: readonly F32Matrix[]) => ({
    tolerance: accumulated(ctx.tolerance, transA ? a!.shape[0] : a!.shape[1]),
    magnitude: reference.matmul(reference.abs(a!), reference.abs(b!), { transA }).data,
  });
}

/** The shapes the Fashion-MNIST model actually runs: full batches of 256 and the last batch of 96. */
const CASES: readonly HeavyCase[] = [
  {
    name: "forward matmul of a full batch, 256x784 · 784x10",
    inputs: [
      [[256, 784], PIXELS],
      [[784, 10], WEIGHTS],
    ],
    run: (be, [x, w]) => be.matmul(x!, w!),
    reference: ([x, w]) => reference.matmul(x!, w!),
    error: matmulError(false),
  },
  {
    name: "forward matmul of the last batch, 96x784 · 784x10",
    inputs: [
      [[96, 784], PIXELS],
      [[784, 10], WEIGHTS],
    ],
    run: (be, [x, w]) => be.matmul(x!, w!),
    reference: ([x, w]) => reference.matmul(x!, w!),
    error: matmulError(false),
  },
  {
    name: "bias add of the last batch, 96x10 + 1x10",
    inputs: [
      [[96, 10], LOGITS],
      [[1, 10], WEIGHTS],
    ],
    run: (be, [z, b]) => be.add(z!, b!),
    reference: ([z, b]) => reference.binary("add", z!, b!),
  },
  {
    name: "weight gradient of the last batch, transA 96x784 with 96x10 → 784x10",
    inputs: [
      [[96, 784], PIXELS],
      [[96, 10], { normal: 0.3 }],
    ],
    run: (be, [x, g]) => be.matmul(x!, g!, { transA: true }),
    reference: ([x, g]) => reference.matmul(x!, g!, { transA: true }),
    error: matmulError(true),
  },
  {
    name: "bias gradient of the last batch, sum axis 0 of 96x10",
    inputs: [[[96, 10], { normal: 0.3 }]],
    run: (be, [g]) => be.sum(g!, 0),
    reference: ([g]) => reference.sum(g!, 0),
    error: (ctx, [g]) => ({
      tolerance: accumulated(ctx.tolerance, 96),
      magnitude: reference.sum(reference.abs(g!), 0).data,
    }),
  },
  {
    name: "SGD update of the weights, axpy on 784x10",
    inputs: [
      [[784, 10], { normal: 1 }],
      [[784, 10], WEIGHTS],
    ],
    run: (be, [g, w]) => be.axpy(-0.1 / 96, g!, w!),
    reference: ([g, w]) => reference.axpy(-0.1 / 96, g!, w!),
    error: (ctx, [g, w]) => ({
      tolerance: ctx.tolerance,
      magnitude: reference.axpy(0.1 / 96, reference.abs(g!), reference.abs(w!)).data,
    }),
  },
];

function heavyCheck(c: HeavyCase): Check {
  return {
    group: "model shapes",
    name: c.name,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const ms = c.inputs.map(([shape, fill], i) => seededMatrix(shape, seed + i, fill));
          await checkOp(ctx, {
            label: `${c.name}: ${shapesOf(...ms)}, data seed ${seed}`,
            inputs: ms,
            run: c.run,
            expected: c.reference(ms),
            ...(c.error ? c.error(ctx, ms) : { tolerance: ctx.tolerance }),
          });
        }),
        heavyRuns(ctx, 3),
      ),
  };
}

/** Each op of a training step at the real model's sizes. */
export const modelShapeChecks: readonly Check[] = CASES.map(heavyCheck);
