import type { FusedOp } from "@tensorplug/core";
import type { Check } from "../context.js";

const FUSED_OPS: readonly FusedOp[] = [
  "softmax",
  "logSoftmax",
  "softmaxCrossEntropy",
  "uploadBytes",
  "linearSoftmaxCrossEntropy",
  "linearSoftmaxLoss",
  "linearSoftmaxSgd",
];

/** The backend describes itself consistently: what `caps` promises is what the object has. */
export const capsChecks: readonly Check[] = [
  {
    group: "caps",
    name: "name, mode, precision, syncRead, fused and scoreRows agree with the methods present",
    async run({ backend }) {
      const problems: string[] = [];
      if (typeof backend.name !== "string" || backend.name === "")
        problems.push("name is not a non-empty string");
      if (typeof backend.mode !== "string" || backend.mode === "")
        problems.push("mode is not a non-empty string");
      const { precision, syncRead, fused, scoreRows } = backend.caps;
      if (precision !== 16 && precision !== 32)
        problems.push(`precision is ${String(precision)}, not 16 or 32`);
      if (syncRead !== (typeof backend.readSync === "function")) {
        problems.push(`caps.syncRead is ${syncRead} but readSync is ${typeof backend.readSync}`);
      }
      // Checked on an `unknown` copy: narrowing `fused` itself would widen it to Set<any>.
      const fusedValue: unknown = fused;
      if (!(fusedValue instanceof Set)) problems.push("caps.fused is not a Set");
      else {
        for (const op of fused) {
          if (!FUSED_OPS.includes(op)) problems.push(`caps.fused names unknown op "${String(op)}"`);
          else if (typeof backend[op] !== "function")
            problems.push(`caps.fused declares ${op} but the method is missing`);
        }
      }
      if (scoreRows !== undefined && !(Number.isSafeInteger(scoreRows) && scoreRows > 0))
        problems.push(`caps.scoreRows is ${String(scoreRows)}, not a positive integer`);
      if (problems.length > 0) throw new Error(`caps of "${backend.name}": ${problems.join("; ")}`);
    },
  },
];
