import { type Broadcast, formatShape, type Shape } from "@tensorplug/core";
import fc from "fast-check";
import { awayFromZero, floats, matrixOf, shapes, smallInts } from "../arbitraries.js";
import type { Check } from "../context.js";
import type { F32Matrix } from "../host.js";
import { checkOp, shapesOf } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";

type BinaryOp = reference.BinaryOp;

/** Left and right values per op: divisors stay away from 0; `equal` uses small ints so it hits. */
const DOMAINS: Record<BinaryOp, { left: fc.Arbitrary<number>; right: fc.Arbitrary<number> }> = {
  add: { left: floats(-100, 100), right: floats(-100, 100) },
  sub: { left: floats(-100, 100), right: floats(-100, 100) },
  mul: { left: floats(-100, 100), right: floats(-100, 100) },
  div: { left: floats(-100, 100), right: awayFromZero(0.125, 8) },
  equal: { left: smallInts(-2, 2), right: smallInts(-2, 2) },
};

/** The shape of a right operand of the given broadcast kind against a left operand `[m,n]`. */
export function operandShape([m, n]: Shape, kind: Exclude<Broadcast, "scalar">): Shape {
  if (kind === "row") return [1, n];
  if (kind === "col") return [m, 1];
  return [m, n];
}

const KIND_NAMES: Record<Broadcast, string> = {
  same: "same-shape",
  row: "[1,n] row",
  col: "[m,1] column",
  scalar: "scalar",
};

function binaryCheck(op: BinaryOp, kind: Broadcast): Check {
  const { left, right } = DOMAINS[op];
  const operand = (s: Shape): fc.Arbitrary<F32Matrix | number> =>
    kind === "scalar" ? right : matrixOf(operandShape(s, kind), right);
  return {
    group: "element-wise",
    name: `${op} with a ${KIND_NAMES[kind]} right operand`,
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          shapes().chain((s) => fc.tuple(matrixOf(s, left), operand(s))),
          async ([a, b]) => {
            const expected = reference.binary(op, a, b);
            if (typeof b === "number") {
              await checkOp(ctx, {
                label: `${op} ${formatShape(a.shape)} with scalar ${b}`,
                inputs: [a],
                run: (be, [ta]) => be[op](ta!, b),
                expected,
                tolerance: ctx.tolerance,
              });
              return;
            }
            await checkOp(ctx, {
              label: `${op} ${shapesOf(a, b)} (${kind})`,
              inputs: [a, b],
              run: (be, [ta, tb]) => be[op](ta!, tb!),
              expected,
              tolerance: ctx.tolerance,
            });
          },
        ),
      ),
  };
}

const OPS: readonly BinaryOp[] = ["add", "sub", "mul", "div", "equal"];
const KINDS: readonly Broadcast[] = ["same", "row", "col", "scalar"];

/** Every binary op with every broadcast kind of its right operand. */
export const elementwiseChecks: readonly Check[] = OPS.flatMap((op) =>
  KINDS.map((kind) => binaryCheck(op, kind)),
);
