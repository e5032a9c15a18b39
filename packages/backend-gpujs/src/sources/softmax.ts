import type { Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";
import { type ExpForm, expStatements } from "./exp.js";

/** The key tag of an exp form. */
function expTag(exp: ExpForm): string {
  return exp === "arithmetic" ? "+expA" : "";
}

// The fused softmax family follows core's composites formula for formula:
//   logp = (z - max) - log(sum(exp(z - max)))
// A first kernel computes each row's max and log-sum-exp once, `[m,2]`; the others read them.
// That is one exp per element instead of one per element and class (webasm's exp is software),
// and three launches instead of the composite's ten.

/**
 * Per row: column 0 the maximum, column 1 `log(sum(exp(z - max)))`; `exp` as `ExpForm` says. With
 * `rowQuads` (host modes) one thread per row computes both (the `rowQuads` layout), where the
 * `cells` form has a thread per column, and webasm runs a 2-column output row by row in scalar.
 */
export function rowStatsSpec(z: Shape, exp: ExpForm = "import", rowQuads = false): KernelSpec {
  const n = z[1];
  const row = rowQuads ? "this.thread.x" : ROW;
  const key = `rowStats${expTag(exp)}${rowQuads ? "+Q" : ""}|${dims(z)}`;
  const max = `let mx = z[${row}][0];
  for (let p = 1; p < ${n}; p++) { mx = Math.max(mx, z[${row}][p]); }`;
  const lse = `let s = 0;
  for (let p = 0; p < ${n}; p++) { ${expStatements("e", `z[${row}][p] - mx`, exp)} s += e; }`;
  return memoized(key, () => ({
    key,
    source: rowQuads
      ? `function(z) {\n  ${max}\n  ${lse}\n  return [mx, Math.log(s), 0, 0];\n}`
      : `function(z) {\n  ${max}\n  if (${COL} === 0) { return mx; }\n  ${lse}\n  return Math.log(s);\n}`,
    output: [z[0], 2],
    args: ["tensor"],
    ...(rowQuads ? { layout: "rowQuads" as const } : {}),
  }));
}

/** `(z - max) - lse` of the running element, given the row statistics `st`. */
const LOGP = `(z[${ROW}][${COL}] - st[${ROW}][0]) - st[${ROW}][1]`;

/** Row-wise log-softmax. */
export function logSoftmaxSpec(z: Shape): KernelSpec {
  const key = `logSoftmax|${dims(z)}`;
  return memoized(key, () => ({
    key,
    source: `function(z, st) { return ${LOGP}; }`,
    output: z,
    args: ["tensor", "tensor"],
  }));
}

/** Row-wise softmax, `exp(logp)`; `exp` as `ExpForm` says. */
export function softmaxSpec(z: Shape, exp: ExpForm = "import"): KernelSpec {
  const key = `softmax${expTag(exp)}|${dims(z)}`;
  return memoized(key, () => ({
    key,
    source: `function(z, st) { ${expStatements("e", LOGP, exp)} return e; }`,
    output: z,
    args: ["tensor", "tensor"],
  }));
}

/**
 * Per-row cross-entropy `-sum(y * logp)`, `[m,1]`; zero labels are skipped, as 0 * -inf is NaN.
 * With `flat` (host modes) one thread per row in the `flat` layout (see `reduceSpec`).
 */
export function crossEntropyLossSpec(z: Shape, flat = false): KernelSpec {
  const n = z[1];
  const row = flat ? "this.thread.x" : ROW;
  const key = `sceLoss${flat ? "+flat" : ""}|${dims(z)}`;
  return memoized(key, () => ({
    key,
    source: `function(z, y, st) {
  const mx = st[${row}][0];
  const lse = st[${row}][1];
  let loss = 0;
  for (let p = 0; p < ${n}; p++) {
    const t = y[${row}][p];
    if (t !== 0) { loss -= t * ((z[${row}][p] - mx) - lse); }
  }
  return loss;
}`,
    output: [z[0], 1],
    args: ["tensor", "tensor", "tensor"],
    ...(flat ? { layout: "flat" as const } : {}),
  }));
}

/** The gradient of the summed loss with respect to the logits, `exp(logp) - y`, `[m,n]`; `exp` as `ExpForm` says. */
export function crossEntropyGradSpec(z: Shape, exp: ExpForm = "import"): KernelSpec {
  const key = `sceGrad${expTag(exp)}|${dims(z)}`;
  return memoized(key, () => ({
    key,
    source: `function(z, y, st) { ${expStatements("e", LOGP, exp)} return e - y[${ROW}][${COL}]; }`,
    output: z,
    args: ["tensor", "tensor", "tensor"],
  }));
}
