import {
  type Backend,
  formatShape,
  type Shape,
  ShapeError,
  softmaxCrossEntropy,
  type Tensor,
} from "@tensorplug/core";
import { type Arena, withArena } from "../arena.js";
import type { Check } from "../context.js";

/** One call that must be refused: which shapes it gets and what it does with them. */
interface Refusal {
  readonly label: string;
  readonly shapes: readonly Shape[];
  readonly call: (be: Backend, ts: readonly Tensor[]) => unknown;
}

/**
 * Uploads tensors of the given shapes and checks that `call` throws core's `ShapeError`, whose
 * message names every shape, and that the failed call left no handle behind.
 */
async function expectRefusal(backend: Backend, r: Refusal): Promise<void> {
  await withArena(backend, async (arena: Arena) => {
    const ts = r.shapes.map((s) => arena.upload({ shape: s, data: new Float32Array(s[0] * s[1]).fill(1) }));
    const live = backend.live();
    let thrown: unknown;
    try {
      r.call(backend, ts);
    } catch (error) {
      thrown = error;
    }
    if (thrown === undefined) throw new Error(`${r.label}: did not throw`);
    if (!(thrown instanceof ShapeError)) {
      const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      throw new Error(`${r.label}: threw ${what}; expected core's ShapeError`);
    }
    const missing = r.shapes.map(formatShape).filter((s) => !thrown.message.includes(s));
    if (missing.length > 0)
      throw new Error(`${r.label}: message "${thrown.message}" does not name ${missing.join(", ")}`);
    if (backend.live() !== live)
      throw new Error(`${r.label}: the refused call left ${backend.live() - live} handle(s) alive`);
  });
}

const BINARY = ["add", "sub", "mul", "div", "equal"] as const;

/** A 3x4 left operand against right operands that fit no broadcast kind. */
const BAD_OPERANDS: readonly (readonly [kind: string, shape: Shape])[] = [
  ["no kind", [5, 6]],
  ["same-shape of the wrong orientation", [4, 3]],
  ["row of the wrong length", [1, 6]],
  ["column of the wrong length", [5, 1]],
];

const MATMUL_FLAGS = [{}, { transA: true }, { transB: true }, { transA: true, transB: true }] as const;

/** The cases per op family; each family is one test, listing every case it got wrong. */
const REFUSALS: Readonly<Record<string, readonly Refusal[]>> = {
  matmul: MATMUL_FLAGS.map(
    (opts): Refusal => ({
      label: `matmul ${JSON.stringify(opts)} 3x4 · 5x6`,
      shapes: [
        [3, 4],
        [5, 6],
      ],
      call: (be, [a, b]) => be.matmul(a!, b!, opts),
    }),
  ),
  "element-wise ops": BINARY.flatMap((op) =>
    BAD_OPERANDS.map(
      ([kind, shape]): Refusal => ({
        label: `${op} 3x4 with ${formatShape(shape)} (${kind})`,
        shapes: [[3, 4], shape],
        call: (be, [a, b]) => be[op](a!, b!),
      }),
    ),
  ),
  axpy: (
    [
      [5, 6],
      [4, 3],
      [1, 4],
    ] as const
  ).map(
    (shape): Refusal => ({
      label: `axpy 3x4 with ${formatShape(shape)} (axpy takes no broadcast)`,
      shapes: [[3, 4], shape],
      call: (be, [x, y]) => be.axpy(2, x!, y!),
    }),
  ),
  concat: ([0, 1] as const).map(
    (axis): Refusal => ({
      label: `concat axis ${axis} of 3x4 and 5x6`,
      shapes: [
        [3, 4],
        [5, 6],
      ],
      call: (be, parts) => be.concat(parts, axis),
    }),
  ),
  softmaxCrossEntropy: [
    {
      label: "softmaxCrossEntropy (core) of 3x4 logits with 5x6 labels",
      shapes: [
        [3, 4],
        [5, 6],
      ],
      call: (be, [z, y]) => softmaxCrossEntropy(be, z!, y!),
    },
    {
      label: "softmaxCrossEntropy (core) of 3x4 logits with 3x5 labels",
      shapes: [
        [3, 4],
        [3, 5],
      ],
      call: (be, [z, y]) => softmaxCrossEntropy(be, z!, y!),
    },
  ],
};

/** Called directly too, when declared: a fused kernel must check shapes itself. */
const FUSED_REFUSAL: Refusal = {
  label: "backend.softmaxCrossEntropy (fused) of 3x4 logits with 5x6 labels",
  shapes: [
    [3, 4],
    [5, 6],
  ],
  call: (be, [z, y]) => be.softmaxCrossEntropy?.(z!, y!),
};

function refusalCheck(family: string, cases: readonly Refusal[]): Check {
  return {
    group: "shape errors",
    name: `${family}: mismatched shapes throw ShapeError naming both shapes`,
    async run({ backend }) {
      const all =
        family === "softmaxCrossEntropy" && backend.caps.fused.has("softmaxCrossEntropy")
          ? [...cases, FUSED_REFUSAL]
          : cases;
      const failures: string[] = [];
      for (const r of all) {
        try {
          await expectRefusal(backend, r);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      // Report every case at once: a backend usually gets several wrong for the same reason.
      if (failures.length > 0)
        throw new Error(`${failures.length} of ${all.length} cases:\n${failures.join("\n")}`);
    },
  };
}

/** Mismatched shapes throw `ShapeError` naming both shapes, for every op that takes two operands. */
export const shapeErrorChecks: readonly Check[] = Object.entries(REFUSALS).map(([family, cases]) =>
  refusalCheck(family, cases),
);
