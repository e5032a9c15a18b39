import type { Axis } from "@tensorplug/core";
import { at, type HostMatrix, type RefMatrix } from "./matrix.js";

/** The reductions of the backend interface. */
export type ReduceOp = "sum" | "max";

/** Sum or max along `axis`, keeping it: axis 0 gives `[1,n]`, axis 1 gives `[m,1]`. */
export function reduce(op: ReduceOp, x: HostMatrix, axis: Axis): RefMatrix {
  const [m, n] = x.shape;
  const out = new Float64Array(axis === 0 ? n : m).fill(op === "sum" ? 0 : Number.NEGATIVE_INFINITY);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const o = axis === 0 ? j : i;
      out[o] = op === "sum" ? out[o]! + at(x, i, j) : Math.max(out[o]!, at(x, i, j));
    }
  }
  return { shape: axis === 0 ? [1, n] : [m, 1], data: out };
}

/** `reduce("sum", ...)`. */
export function sum(x: HostMatrix, axis: Axis): RefMatrix {
  return reduce("sum", x, axis);
}

/** `reduce("max", ...)`. */
export function max(x: HostMatrix, axis: Axis): RefMatrix {
  return reduce("max", x, axis);
}

/** Index of each row's largest value, `[m,1]`; a tie goes to the lowest index. */
export function argmax(x: HostMatrix): RefMatrix {
  const [m, n] = x.shape;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (at(x, i, j) > at(x, i, best)) best = j;
    out[i] = best;
  }
  return { shape: [m, 1], data: out };
}
