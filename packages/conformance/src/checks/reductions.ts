import { type Axis, formatShape } from "@tensorplug/core";
import fc from "fast-check";
import { floats, matrices, shapes, smallInts } from "../arbitraries.js";
import type { Check } from "../context.js";
import type { F32Matrix } from "../host.js";
import { checkOp } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated, type Tolerance } from "../tolerance.js";

const EXACT: Tolerance = { rel: 0, abs: 0 };

function reduceCheck(op: reference.ReduceOp, axis: Axis): Check {
  return {
    group: "reductions",
    name: `${op} along axis ${axis} keeps the axis`,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(floats(-100, 100), shapes(12, 12)), async (x) => {
          const terms = axis === 0 ? x.shape[0] : x.shape[1];
          await checkOp(ctx, {
            label: `${op} axis ${axis} of ${formatShape(x.shape)}`,
            inputs: [x],
            run: (be, [t]) => be[op](t!, axis),
            expected: reference.reduce(op, x, axis),
            // A sum's error grows with the number and size of its terms; max only rounds its input.
            ...(op === "sum"
              ? {
                  tolerance: accumulated(ctx.tolerance, terms),
                  magnitude: reference.sum(reference.abs(x), axis).data,
                }
              : { tolerance: ctx.tolerance }),
          });
        }),
      ),
  };
}

function argmaxCase(ctx: Parameters<Check["run"]>[0], x: F32Matrix): Promise<void> {
  return checkOp(ctx, {
    label: `argmax of ${formatShape(x.shape)} rows ${JSON.stringify(reference.toRows(x))}`,
    inputs: [x],
    run: (be, [t]) => be.argmax(t!),
    expected: reference.argmax(x),
    tolerance: EXACT,
  });
}

/** sum and max on both axes, and argmax (with and without ties). */
export const reductionChecks: readonly Check[] = [
  reduceCheck("sum", 0),
  reduceCheck("sum", 1),
  reduceCheck("max", 0),
  reduceCheck("max", 1),
  {
    group: "reductions",
    name: "argmax gives the column of each row's largest value, [m,1]",
    // Multiples of 1/8 below 64 are exact in float16 too, so a half backend sees the same order.
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          matrices(
            smallInts(-400, 400).map((v) => v / 8),
            shapes(9, 12),
          ),
          (x) => argmaxCase(ctx, x),
        ),
      ),
  },
  {
    group: "reductions",
    name: "argmax breaks ties towards the lowest index",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(smallInts(0, 2), shapes(9, 12)), (x) => argmaxCase(ctx, x)),
      ),
  },
];
