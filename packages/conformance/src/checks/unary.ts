import { formatShape } from "@tensorplug/core";
import fc from "fast-check";
import { floats, matrices } from "../arbitraries.js";
import type { Check } from "../context.js";
import { checkOp } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";

/** Input ranges: exp stays below float16's overflow (e^11), log gets positive inputs only. */
const DOMAINS: Record<reference.UnaryOp, fc.Arbitrary<number>> = {
  exp: floats(-10, 10),
  log: floats(2 ** -10, 1000),
  neg: floats(-1000, 1000),
};

function unaryCheck(op: reference.UnaryOp): Check {
  return {
    group: "element-wise",
    name: `${op}`,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(matrices(DOMAINS[op]), async (x) => {
          await checkOp(ctx, {
            label: `${op} ${formatShape(x.shape)}`,
            inputs: [x],
            run: (be, [t]) => be[op](t!),
            expected: reference.unary(op, x),
            tolerance: ctx.tolerance,
          });
        }),
      ),
  };
}

/** exp, log and neg against the reference. */
export const unaryChecks: readonly Check[] = [unaryCheck("exp"), unaryCheck("log"), unaryCheck("neg")];
