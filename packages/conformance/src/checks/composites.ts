import { formatShape, logSoftmax, type Shape, softmax, softmaxCrossEntropy } from "@tensorplug/core";
import fc from "fast-check";
import { floats, labels, matrixOf, shapes } from "../arbitraries.js";
import { withArena } from "../arena.js";
import type { Check, CheckContext } from "../context.js";
import { type F32Matrix, oneHotF32 } from "../host.js";
import { checkOp } from "../op-case.js";
import { checkProperty } from "../property.js";
import * as reference from "../reference/index.js";
import { accumulated, assertClose } from "../tolerance.js";

/** Logit shapes: the usual small ones plus the model's last batch, 96x10. */
const logitShapes: fc.Arbitrary<Shape> = fc.oneof(
  { arbitrary: shapes(9, 12), weight: 5 },
  { arbitrary: fc.constant<Shape>([96, 10]), weight: 1 },
);
const logits: fc.Arbitrary<F32Matrix> = logitShapes.chain((s) => matrixOf(s, floats(-30, 30)));

/**
 * Loss and gradient of core's `softmaxCrossEntropy` (fused or not) against the reference: two new
 * live handles, shapes `[m,1]` and `[m,n]`, values, and inputs left alone.
 */
export async function checkCrossEntropy(
  ctx: CheckContext,
  z: F32Matrix,
  y: F32Matrix,
  label: string,
): Promise<void> {
  const ref = reference.softmaxCrossEntropy(z, y);
  const [m, n] = z.shape;
  await withArena(ctx.backend, async (arena) => {
    const [tz, ty] = [arena.upload(z), arena.upload(y)];
    const before = await arena.snapshot([tz, ty]);
    const live = ctx.backend.live();
    const out = softmaxCrossEntropy(ctx.backend, tz, ty);
    arena.track(out.loss);
    arena.track(out.grad);
    const made = ctx.backend.live() - live;
    if (made !== 2) throw new Error(`${label}: live() went up by ${made}, expected 2 (loss and grad)`);
    if (
      out.loss.shape[0] !== m ||
      out.loss.shape[1] !== 1 ||
      out.grad.shape[0] !== m ||
      out.grad.shape[1] !== n
    ) {
      throw new Error(
        `${label}: loss is ${formatShape(out.loss.shape)} and grad ${formatShape(out.grad.shape)}`,
      );
    }
    const tol = accumulated(ctx.tolerance, n);
    const [loss, grad] = await arena.snapshot([out.loss, out.grad]);
    // The loss is lse - shifted logit, a sum of two non-negative terms: its own size bounds its error.
    assertClose(loss!, ref.loss.data, tol, `${label} (loss)`, { shape: ref.loss.shape });
    // grad = p - y cancels near p = 1, so the error scale is p + y.
    const scale = reference.binary("add", reference.softmax(z), y).data;
    assertClose(grad!, ref.grad.data, tol, `${label} (grad)`, { shape: ref.grad.shape, magnitude: scale });
    await arena.assertUnchanged([tz, ty], before, label);
  });
}

/** core's softmax, logSoftmax and softmaxCrossEntropy: fused kernels when declared, primitives otherwise. */
export const compositeChecks: readonly Check[] = [
  {
    group: "composites",
    name: "softmax matches the reference",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(logits, (z) =>
          checkOp(ctx, {
            label: `softmax ${formatShape(z.shape)}`,
            inputs: [z],
            run: (be, [t]) => softmax(be, t!),
            expected: reference.softmax(z),
            tolerance: accumulated(ctx.tolerance, z.shape[1]),
          }),
        ),
      ),
  },
  {
    group: "composites",
    name: "logSoftmax matches the reference",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(logits, (z) =>
          checkOp(ctx, {
            label: `logSoftmax ${formatShape(z.shape)}`,
            inputs: [z],
            run: (be, [t]) => logSoftmax(be, t!),
            expected: reference.logSoftmax(z),
            tolerance: accumulated(ctx.tolerance, z.shape[1]),
          }),
        ),
      ),
  },
  {
    group: "composites",
    name: "softmaxCrossEntropy gives the reference loss [m,1] and gradient [m,n]",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(
          logits.chain((z) => fc.tuple(fc.constant(z), labels(z.shape[0], z.shape[1]))),
          ([z, ys]) =>
            checkCrossEntropy(
              ctx,
              z,
              oneHotF32(ys, z.shape[1]),
              `softmaxCrossEntropy ${formatShape(z.shape)}`,
            ),
        ),
      ),
  },
];
