import type { Broadcast, Shape } from "@tensorplug/core";
import { dims, type KernelSpec, memoized } from "../kernel-spec.js";
import { COL, ROW } from "./common.js";

/** Element-wise binary ops, by name. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "equal";
/** Element-wise unary ops, by name. */
export type UnaryOp = "exp" | "log" | "neg";

const OPERATORS: Record<Exclude<BinaryOp, "equal">, string> = { add: "+", sub: "-", mul: "*", div: "/" };

/** An element of a tensor of the output's shape, in the `flat` layout or the `cells` one. */
function element(name: string, flat: boolean): string {
  return flat ? `${name}[this.thread.x]` : `${name}[${ROW}][${COL}]`;
}

/** The key suffix and layout of a spec written `flat` or not. */
function layoutOf(flat: boolean): { suffix: string; layout: { layout?: "flat" } } {
  return flat ? { suffix: "+flat", layout: { layout: "flat" } } : { suffix: "", layout: {} };
}

/** How the right operand is read for each broadcast kind; a scalar arrives as a float uniform. */
function rightOperand(kind: Broadcast, flat: boolean): string {
  switch (kind) {
    case "same":
      return element("b", flat);
    case "row":
      return `b[0][${COL}]`;
    case "col":
      return `b[${ROW}][0]`;
    case "scalar":
      return "b";
  }
}

/**
 * `a op b` with `b` broadcast as `kind`; `right` is b's shape (unused for a scalar). `flat` (host
 * modes) asks for the `flat` layout, which only a same-shape or scalar `b` can take.
 */
export function binarySpec(op: BinaryOp, a: Shape, kind: Broadcast, right?: Shape, flat = false): KernelSpec {
  const rightKey = kind === "scalar" || right === undefined ? "scalar" : `${kind}${dims(right)}`;
  const asFlat = flat && (kind === "same" || kind === "scalar");
  const { suffix, layout } = layoutOf(asFlat);
  const key = `${op}${suffix}|${dims(a)}|${rightKey}`;
  return memoized(key, () => {
    const x = element("a", asFlat);
    const y = rightOperand(kind, asFlat);
    // gpu.js has no boolean outputs: equal writes 1 or 0.
    const body =
      op === "equal" ? `if (${x} === ${y}) { return 1; } return 0;` : `return ${x} ${OPERATORS[op]} ${y};`;
    return {
      key,
      source: `function(a, b) { ${body} }`,
      output: a,
      args: ["tensor", kind === "scalar" ? "scalar" : "tensor"],
      ...layout,
    };
  });
}

const UNARY: Record<UnaryOp, (x: string) => string> = {
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  neg: (x) => `-${x}`,
};

/** `f(x)` element by element, in the `flat` layout when `flat` (host modes). */
export function unarySpec(op: UnaryOp, x: Shape, flat = false): KernelSpec {
  const { suffix, layout } = layoutOf(flat);
  const key = `${op}${suffix}|${dims(x)}`;
  return memoized(key, () => ({
    key,
    source: `function(a) { return ${UNARY[op](element("a", flat))}; }`,
    output: x,
    args: ["tensor"],
    ...layout,
  }));
}

/**
 * `y + alpha * x` with `alpha` as a float uniform, so every learning rate shares one kernel; in
 * the `flat` layout when `flat` (host modes).
 */
export function axpySpec(shape: Shape, flat = false): KernelSpec {
  const { suffix, layout } = layoutOf(flat);
  const key = `axpy${suffix}|${dims(shape)}`;
  return memoized(key, () => ({
    key,
    source: `function(x, y, alpha) { return ${element("y", flat)} + alpha * ${element("x", flat)}; }`,
    output: shape,
    args: ["tensor", "tensor", "scalar"],
    ...layout,
  }));
}
