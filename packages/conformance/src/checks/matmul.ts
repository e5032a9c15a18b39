import type { MatmulOptions, Shape } from "@tensorplug/core";
import fc from "fast-check";
import { dim, floats, matrixOf } from "../arbitraries.js";
import type { Check } from "../context.js";
import { checkOp, shapesOf } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated } from "../tolerance.js";

/** `" transA transB"` or `""`: how labels name the flags. */
export function flagLabel(opts: MatmulOptions): string {
  return `${opts.transA ? " transA" : ""}${opts.transB ? " transB" : ""}`;
}

/** The stored shapes of `a` and `b` for an `[m,k] · [k,n]` product with the given flags. */
export function storedShapes(m: number, k: number, n: number, opts: MatmulOptions): [Shape, Shape] {
  return [opts.transA ? [k, m] : [m, k], opts.transB ? [n, k] : [k, n]];
}

function matmulCheck(opts: MatmulOptions): Check {
  return {
    group: "matmul",
    name: `op(a)·op(b) with transA=${opts.transA ?? false}, transB=${opts.transB ?? false}`,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          fc.tuple(dim(9), dim(9), dim(9)).chain(([m, k, n]) => {
            const [sa, sb] = storedShapes(m, k, n, opts);
            return fc.tuple(matrixOf(sa, floats(-4, 4)), matrixOf(sb, floats(-4, 4)), fc.constant(k));
          }),
          async ([a, b, k]) => {
            // Rounding error of a dot product scales with the summed |terms|, not with the result.
            const magnitude = reference.matmul(reference.abs(a), reference.abs(b), opts).data;
            await checkOp(ctx, {
              label: `matmul${flagLabel(opts)} ${shapesOf(a, b)}`,
              inputs: [a, b],
              run: (be, [ta, tb]) => be.matmul(ta!, tb!, opts),
              expected: reference.matmul(a, b, opts),
              tolerance: accumulated(ctx.tolerance, k),
              magnitude,
            });
          },
        ),
      ),
  };
}

/** `matmul` against the reference in all four transpose combinations, edge shapes included. */
export const matmulChecks: readonly Check[] = [
  matmulCheck({}),
  matmulCheck({ transA: true }),
  matmulCheck({ transB: true }),
  matmulCheck({ transA: true, transB: true }),
];
