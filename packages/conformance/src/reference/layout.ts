import type { Axis } from "@tensorplug/core";
import { at, type HostMatrix, type RefMatrix } from "./matrix.js";

/** Joins matrices along rows (axis 0) or columns (axis 1). */
export function concat(parts: readonly HostMatrix[], axis: Axis): RefMatrix {
  const first = parts[0];
  if (first === undefined) throw new RangeError("reference concat: needs at least one part");
  const keep = axis === 0 ? 1 : 0;
  if (parts.some((p) => p.shape[keep] !== first.shape[keep]))
    throw new RangeError("reference concat: parts differ");
  const total = parts.reduce((s, p) => s + p.shape[axis], 0);
  const [rows, cols] = axis === 0 ? [total, first.shape[1]] : [first.shape[0], total];
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const p of parts) {
    const [m, n] = p.shape;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const [r, c] = axis === 0 ? [offset + i, j] : [i, offset + j];
        data[r * cols + c] = at(p, i, j);
      }
    }
    offset += p.shape[axis];
  }
  return { shape: [rows, cols], data };
}
