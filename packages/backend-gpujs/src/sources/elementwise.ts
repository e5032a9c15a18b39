import type { Broadcast, Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** Element-wise binary ops, by name. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "equal";
/** Element-wise unary ops, by name. */
export type UnaryOp = "exp" | "log" | "neg";

const OPERATORS: Record<Exclude<BinaryOp, "equal">, string> = { add: "+", sub: "-", mul: "*", div: "/" };

/** How the right operand is read for each broadcast kind; a scalar arrives as a float uniform. */
function rightOperand(kind: Broadcast): string {
  switch (kind) {
    case "same":
      return `b[${ROW}][${COL}]`;
    case "row":
      return `b[0][${COL}]`;
    case "col":
      return `b[${ROW}][0]`;
    case "scalar":
      return "b";
  }
}

/** `a op b` with `b` broadcast as `kind`; `right` is b's shape (unused for a scalar). */
export function binarySpec(op: BinaryOp, a: Shape, kind: Broadcast, right?: Shape): KernelSpec {
  const rightKey = kind === "scalar" || right === undefined ? "scalar" : `${kind}${dims(right)}`;
  const key = `${op}|${dims(a)}|${rightKey}`;
  return memoized(key, () => {
    const x = `a[${ROW}][${COL}]`;
    const y = rightOperand(kind);
    // gpu.js has no boolean outputs: equal writes 1 or 0.
    const body =
      op === "equal" ? `if (${x} === ${y}) { return 1; } return 0;` : `return ${x} ${OPERATORS[op]} ${y};`;
    return {
      key,
      source: `function(a, b) { ${body} }`,
      output: a,
      args: ["tensor", kind === "scalar" ? "scalar" : "tensor"],
    };
  });
}

const UNARY: Record<UnaryOp, (x: string) => string> = {
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  neg: (x) => `-${x}`,
};

/** `f(x)` element by element. */
export function unarySpec(op: UnaryOp, x: Shape): KernelSpec {
  const key = `${op}|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { return ${UNARY[op](`a[${ROW}][${COL}]`)}; }`,
    output: x,
    args: ["tensor"],
  }));
}

/** `y + alpha * x` with `alpha` as a float uniform, so every learning rate shares one kernel. */
export function axpySpec(shape: Shape): KernelSpec {
  const key = `axpy|${dims(shape)}`;
  return memoized(key, () => ({
    key,
    source: `function(x, y, alpha) { return y[${ROW}][${COL}] + alpha * x[${ROW}][${COL}]; }`,
    output: shape,
    args: ["tensor", "tensor", "scalar"],
  }));
}
