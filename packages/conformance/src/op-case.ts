import { type Backend, formatShape, type Tensor } from "@tensorplug/core";
import { withArena } from "./arena.js";
import type { CheckContext } from "./context.js";
import type { F32Matrix } from "./host.js";
import type { RefMatrix } from "./reference/index.js";
import { assertClose, type Tolerance } from "./tolerance.js";

/** One op application to compare against the reference. */
export interface OpCase {
  /** Op and input shapes, e.g. `"matmul transA 4x3 · 4x5"`; starts every failure message. */
  readonly label: string;
  readonly inputs: readonly F32Matrix[];
  /** Applies the op to the uploaded inputs (in order). */
  readonly run: (backend: Backend, inputs: readonly Tensor[]) => Tensor;
  readonly expected: RefMatrix;
  readonly tolerance: Tolerance;
  /** Per-element error scale for accumulating ops (see `findMismatch`). */
  readonly magnitude?: ArrayLike<number>;
}

/** `"3x4 · 4x5"`: the shapes of some inputs, for labels. */
export function shapesOf(...ms: readonly F32Matrix[]): string {
  return ms.map((m) => formatShape(m.shape)).join(" · ");
}

/**
 * Uploads the inputs, applies the op, and checks: exactly one new live handle, the result's shape,
 * its values against the reference, and that no input changed.
 */
export async function checkOp(ctx: CheckContext, c: OpCase): Promise<void> {
  await withArena(ctx.backend, async (arena) => {
    const inputs = c.inputs.map((m) => arena.upload(m));
    const before = await arena.snapshot(inputs);
    const live = ctx.backend.live();
    const out = arena.track(c.run(ctx.backend, inputs));
    const made = ctx.backend.live() - live;
    if (made !== 1)
      throw new Error(`${c.label}: live() went up by ${made}, expected exactly 1 for one output`);
    const [m, n] = c.expected.shape;
    if (out.shape[0] !== m || out.shape[1] !== n) {
      throw new Error(
        `${c.label}: result is ${formatShape(out.shape)}, expected ${formatShape(c.expected.shape)}`,
      );
    }
    const got = await arena.read(out);
    assertClose(got, c.expected.data, c.tolerance, c.label, {
      shape: c.expected.shape,
      ...(c.magnitude ? { magnitude: c.magnitude } : {}),
    });
    await arena.assertUnchanged(inputs, before, c.label);
  });
}
