import type { MatmulOptions } from "@tensorplug/core";
import { at, type HostMatrix, type RefMatrix } from "./matrix.js";

/** The `[m, k, n]` of `op(a) * op(b)`; the reference trusts its caller and throws a plain error on misuse. */
function dims(a: HostMatrix, b: HostMatrix, opts: MatmulOptions): [number, number, number] {
  const [m, ka] = opts.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, n] = opts.transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (ka !== kb) throw new RangeError(`reference matmul: inner dimensions ${ka} and ${kb} differ`);
  return [m, ka, n];
}

/** `op(a) * op(b)` in float64, with `op` the optional transpose of `opts`. */
export function matmul(a: HostMatrix, b: HostMatrix, opts: MatmulOptions = {}): RefMatrix {
  const [m, k, n] = dims(a, b, opts);
  const left = (i: number, p: number) => (opts.transA ? at(a, p, i) : at(a, i, p));
  const right = (p: number, j: number) => (opts.transB ? at(b, j, p) : at(b, p, j));
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += left(i, p) * right(p, j);
      data[i * n + j] = s;
    }
  }
  return { shape: [m, n], data };
}
