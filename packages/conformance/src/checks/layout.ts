import type { Axis } from "@tensorplug/core";
import fc from "fast-check";
import { dim, floats, matrixOf, shapes } from "../arbitraries.js";
import type { Check } from "../context.js";
import type { F32Matrix } from "../host.js";
import { checkOp, shapesOf } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";

const values = floats(-1000, 1000);

/** 1 to 4 parts that agree on the dimension `axis` does not join. */
function parts(axis: Axis): fc.Arbitrary<F32Matrix[]> {
  return fc
    .tuple(dim(7), fc.array(dim(6), { minLength: 1, maxLength: 4 }))
    .chain(([shared, sizes]) =>
      fc.tuple(...sizes.map((size) => matrixOf(axis === 0 ? [size, shared] : [shared, size], values))),
    );
}

function concatCheck(axis: Axis): Check {
  return {
    group: "concat and axpy",
    name: `concat along axis ${axis} (${axis === 0 ? "rows" : "columns"})`,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(parts(axis), async (ms) => {
          await checkOp(ctx, {
            label: `concat axis ${axis} of ${shapesOf(...ms)}`,
            inputs: ms,
            run: (be, ts) => be.concat(ts, axis),
            expected: reference.concat(ms, axis),
            tolerance: ctx.tolerance,
          });
        }),
      ),
  };
}

/** concat on both axes, and axpy. */
export const layoutChecks: readonly Check[] = [
  concatCheck(0),
  concatCheck(1),
  {
    group: "concat and axpy",
    name: "axpy(alpha, x, y) = y + alpha * x",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          shapes().chain((s) =>
            fc.tuple(floats(-10, 10), matrixOf(s, floats(-100, 100)), matrixOf(s, floats(-100, 100))),
          ),
          async ([alpha, x, y]) => {
            // alpha * x is rounded before the add, so its size bounds the error along with y's.
            const magnitude = reference.axpy(Math.abs(alpha), reference.abs(x), reference.abs(y)).data;
            await checkOp(ctx, {
              label: `axpy alpha=${alpha} ${shapesOf(x, y)}`,
              inputs: [x, y],
              run: (be, [tx, ty]) => be.axpy(alpha, tx!, ty!),
              expected: reference.axpy(alpha, x, y),
              tolerance: ctx.tolerance,
              magnitude,
            });
          },
        ),
      ),
  },
];
