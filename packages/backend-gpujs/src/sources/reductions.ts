import type { Axis, Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** The reductions the interface has. */
export type ReduceOp = "sum" | "max";

/**
 * Sum or max along `axis`, keeping it: axis 0 gives one thread per column walking the rows, axis 1
 * one thread per row walking the columns. max starts from the first element, so no -Infinity
 * literal is needed (GLSL has none).
 */
export function reduceSpec(op: ReduceOp, x: Shape, axis: Axis): KernelSpec {
  const [m, n] = x;
  const length = axis === 0 ? m : n;
  const at = (index: string) => (axis === 0 ? `a[${index}][${COL}]` : `a[${ROW}][${index}]`);
  const body =
    op === "sum"
      ? `let acc = 0; for (let p = 0; p < ${length}; p++) { acc += ${at("p")}; } return acc;`
      : `let acc = ${at("0")}; for (let p = 1; p < ${length}; p++) { acc = Math.max(acc, ${at("p")}); } return acc;`;
  const key = `${op}${axis}|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { ${body} }`,
    output: axis === 0 ? [1, n] : [m, 1],
    args: ["tensor"],
  }));
}

/** Column of each row's largest value, `[m,1]`: a strict `>` keeps the first of equal values. */
export function argmaxSpec(x: Shape): KernelSpec {
  const [m, n] = x;
  const key = `argmax|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) {
  let best = a[${ROW}][0];
  let index = 0;
  for (let p = 1; p < ${n}; p++) {
    const v = a[${ROW}][p];
    if (v > best) { best = v; index = p; }
  }
  return index;
}`,
    output: [m, 1],
    args: ["tensor"],
  }));
}
