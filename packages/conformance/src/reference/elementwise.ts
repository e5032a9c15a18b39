import type { Broadcast, Shape } from "@tensorplug/core";
import type { HostMatrix, RefMatrix } from "./matrix.js";

/** The binary element-wise ops of the backend interface. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "equal";

/** The unary element-wise ops of the backend interface. */
export type UnaryOp = "exp" | "log" | "neg";

const BINARY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  equal: (x, y) => (x === y ? 1 : 0),
};

const UNARY: Record<UnaryOp, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  neg: (x) => -x,
};

/** How `b` lines up with a left operand of shape `a`, or `undefined` when it does not fit. */
export function broadcastKind(a: Shape, b: HostMatrix | number): Broadcast | undefined {
  if (typeof b === "number") return "scalar";
  const [m, n] = a;
  const [p, q] = b.shape;
  if (p === m && q === n) return "same";
  if (p === 1 && q === n) return "row";
  if (p === m && q === 1) return "col";
  return undefined;
}

/** `op(a, b)` with `b` a same-shape matrix, a `[1,n]` row, an `[m,1]` column or a scalar. */
export function binary(op: BinaryOp, a: HostMatrix, b: HostMatrix | number): RefMatrix {
  const kind = broadcastKind(a.shape, b);
  if (kind === undefined) throw new RangeError(`reference ${op}: right operand does not broadcast`);
  const f = BINARY[op];
  const [m, n] = a.shape;
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let y: number;
      if (typeof b === "number") y = b;
      else if (kind === "row") y = b.data[j]!;
      else if (kind === "col") y = b.data[i]!;
      else y = b.data[i * n + j]!;
      data[i * n + j] = f(a.data[i * n + j]!, y);
    }
  }
  return { shape: a.shape, data };
}

/** `op(x)` element by element. */
export function unary(op: UnaryOp, x: HostMatrix): RefMatrix {
  return { shape: x.shape, data: Float64Array.from(x.data, UNARY[op]) };
}

/** `y + alpha * x`, same shapes. */
export function axpy(alpha: number, x: HostMatrix, y: HostMatrix): RefMatrix {
  if (x.shape[0] !== y.shape[0] || x.shape[1] !== y.shape[1])
    throw new RangeError("reference axpy: shapes differ");
  return { shape: y.shape, data: Float64Array.from(y.data, (v, i) => v + alpha * x.data[i]!) };
}
