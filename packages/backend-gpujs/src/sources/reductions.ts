import type { Axis, Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** The reductions the interface has. */
export type ReduceOp = "sum" | "max";

/**
 * Sum or max along `axis`, keeping it: axis 0 gives one thread per column walking the rows, axis 1
 * one thread per row walking the columns. max starts from the first element, so no -Infinity
 * literal is needed (GLSL has none). With `flat` (host modes) an `[m,1]` result is written in the
 * `flat` layout, one thread per row: a webasm SIMD step covers 4 rows, where a one-column output
 * runs every row as its own scalar call.
 */
export function reduceSpec(op: ReduceOp, x: Shape, axis: Axis, flat = false): KernelSpec {
  const [m, n] = x;
  const length = axis === 0 ? m : n;
  const asFlat = flat && axis === 1;
  const row = asFlat ? "this.thread.x" : ROW;
  const at = (index: string) => (axis === 0 ? `a[${index}][${COL}]` : `a[${row}][${index}]`);
  const body =
    op === "sum"
      ? `let acc = 0; for (let p = 0; p < ${length}; p++) { acc += ${at("p")}; } return acc;`
      : `let acc = ${at("0")}; for (let p = 1; p < ${length}; p++) { acc = Math.max(acc, ${at("p")}); } return acc;`;
  const key = `${op}${axis}${asFlat ? "+flat" : ""}|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { ${body} }`,
    output: axis === 0 ? [1, n] : [m, 1],
    args: ["tensor"],
    ...(asFlat ? { layout: "flat" as const } : {}),
  }));
}

/**
 * Column of each row's largest value, `[m,1]`: a strict `>` keeps the first of equal values. With
 * `flat` (host modes), one thread per row in the `flat` layout (see `reduceSpec`).
 */
export function argmaxSpec(x: Shape, flat = false): KernelSpec {
  const [m, n] = x;
  const row = flat ? "this.thread.x" : ROW;
  const key = `argmax${flat ? "+flat" : ""}|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) {
  let best = a[${row}][0];
  let index = 0;
  for (let p = 1; p < ${n}; p++) {
    const v = a[${row}][p];
    if (v > best) { best = v; index = p; }
  }
  return index;
}`,
    output: [m, 1],
    args: ["tensor"],
    ...(flat ? { layout: "flat" as const } : {}),
  }));
}
