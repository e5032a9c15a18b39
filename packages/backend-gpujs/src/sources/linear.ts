import type { Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized, QUAD } from "../kernel-spec.js";
import { type ExpForm, expStatements } from "./exp.js";

// The softmax cross-entropy half of the fused dense layer (`linearSoftmaxCrossEntropy`) in the
// host modes, with core's formulas: logp = (z - max) - log(sum(exp(z - max))), loss = -sum(t logp),
// gradient softmax - t. Both kernels use the `rowQuads` layout: `this.thread.x` is the row, so a
// webasm SIMD step covers 4 rows and every launch runs whole SIMD steps, where one thread per
// element of a 10-column output is split into a SIMD part and a scalar rest on every row.

/** The row of the running thread in the `rowQuads` layout. */
const ROW = "this.thread.x";

/** Column of `summary` holding each row's maximum logit. */
export const SUMMARY_MAX = 0;
/** Column of `summary` holding `log(sum(exp(z - max)))`. */
export const SUMMARY_LSE = 1;
/** Column of `summary` holding the row's loss, `-sum(t * logp)`. */
export const SUMMARY_LOSS = 2;
/** Column of `summary` holding 1 where the row's first largest logit is at its target's first largest entry. */
export const SUMMARY_CORRECT = 3;

/**
 * Per row of logits `z` and targets `t`: max, log-sum-exp, loss and correct (the `SUMMARY_*`
 * columns), `[m,4]`, one thread per row. One exp per element. The maximum is `Math.max`, so a
 * NaN logit makes the row NaN as in the reference; the argmaxes use a strict `>`, so ties go to
 * the lowest index; zero targets are skipped in the loss, as 0 * -inf is NaN. `exp` says how
 * exp is computed (see `ExpForm`).
 */
export function rowSummarySpec(z: Shape, exp: ExpForm): KernelSpec {
  const n = z[1];
  const key = `rowSummary${exp === "arithmetic" ? "+expA" : ""}|${dims(z)}`;
  return memoized(key, () => ({
    key,
    source: `function(z, t) {
  let mx = z[${ROW}][0];
  let best = z[${ROW}][0];
  let index = 0;
  let target = t[${ROW}][0];
  let wanted = 0;
  for (let p = 1; p < ${n}; p++) {
    const v = z[${ROW}][p];
    mx = Math.max(mx, v);
    if (v > best) { best = v; index = p; }
    const u = t[${ROW}][p];
    if (u > target) { target = u; wanted = p; }
  }
  let s = 0;
  for (let p = 0; p < ${n}; p++) { ${expStatements("e", `z[${ROW}][p] - mx`, exp)} s += e; }
  const lse = Math.log(s);
  let loss = 0;
  for (let p = 0; p < ${n}; p++) {
    const y = t[${ROW}][p];
    if (y !== 0) { loss -= y * ((z[${ROW}][p] - mx) - lse); }
  }
  let correct = 0;
  if (index === wanted) { correct = 1; }
  return [mx, lse, loss, correct];
}`,
    output: [z[0], QUAD],
    args: ["tensor", "tensor"],
    layout: "rowQuads",
  }));
}

/**
 * The gradient of the summed loss with respect to the logits, `exp((z - max) - lse) - t`, `[m,n]`,
 * given the row summary `st` (see `rowSummarySpec`); 4 columns per thread, the last group of a
 * width that is not a multiple of 4 computing its real columns only. `exp` says how exp is
 * computed (see `ExpForm`).
 */
export function softmaxGradSpec(z: Shape, exp: ExpForm): KernelSpec {
  const n = z[1];
  const key = `softmaxGradQ${exp === "arithmetic" ? "+expA" : ""}|${dims(z)}`;
  return memoized(key, () => {
    const group = `this.thread.y * ${QUAD}`;
    const col = (c: number) => (c === 0 ? group : `${group} + ${c}`);
    const values = (width: number) => {
      const cols = Array.from({ length: width }, (_, c) => c);
      return [
        ...cols.map((c) => expStatements(`e${c}`, `(z[${ROW}][${col(c)}] - mx) - lse`, exp)),
        `return [${Array.from({ length: QUAD }, (_, c) => (c < width ? `e${c} - t[${ROW}][${col(c)}]` : "0")).join(", ")}];`,
      ].join("\n  ");
    };
    const full = Math.floor(n / QUAD);
    const partial = n % QUAD;
    let body: string;
    if (partial === 0) body = values(QUAD);
    else if (full === 0) body = values(partial);
    else body = `if (this.thread.y < ${full}) { ${values(QUAD)} }\n  ${values(partial)}`;
    return {
      key,
      source: `function(z, t, st) {
  const mx = st[${ROW}][${SUMMARY_MAX}];
  const lse = st[${ROW}][${SUMMARY_LSE}];
  ${body}
}`,
      output: z,
      args: ["tensor", "tensor", "tensor"],
      layout: "rowQuads",
    };
  });
}
