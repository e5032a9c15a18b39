import { SoftmaxRegression, type Tally } from "@tensorplug/softmax";
import fc from "fast-check";
import { dim, floats, labels, matrixOf } from "../arbitraries.js";
import type { Check, CheckContext } from "../context.js";
import type { F32Matrix } from "../host.js";
import { checkProperty, heavyRuns } from "../property.js";
import * as reference from "../reference/index.js";
import { SMALL_MODEL } from "../scenario.js";
import { accumulated, assertClose, type Tolerance } from "../tolerance.js";

interface StepCase {
  readonly x: F32Matrix;
  readonly W: F32Matrix;
  readonly b: F32Matrix;
  readonly labels: number[];
  readonly lr: number;
}

const { features, classes } = SMALL_MODEL;

/** A batch of 1..32 rows (32 most often, as full batches are), weights, labels and a learning rate. */
const stepCases: fc.Arbitrary<StepCase> = fc
  .tuple(fc.oneof(fc.constant(32), dim(32)), fc.constantFrom(0.1, 0.5, 1))
  .chain(([m, lr]) =>
    fc.record({
      x: matrixOf([m, features], floats(0, 1)),
      W: matrixOf([features, classes], floats(-0.5, 0.5)),
      b: matrixOf([1, classes], floats(-0.5, 0.5)),
      labels: labels(m, classes),
      lr: fc.constant(lr),
    }),
  );

/** Per row, the largest `|x|·|W| + |b|`: how big the logits' rounding error can get. */
function logitScale(x: reference.HostMatrix, W: reference.HostMatrix, b: reference.HostMatrix): number[] {
  const scale = reference.binary(
    "add",
    reference.matmul(reference.abs(x), reference.abs(W)),
    reference.abs(b),
  );
  return reference.toRows(scale).map((row) => Math.max(...row));
}

/**
 * A tally against the reference: the loss sum within tolerance, and the correct count exactly,
 * except for rows whose two best logits are closer than rounding can separate.
 */
function checkTally(
  got: Tally,
  ref: reference.SgdStepResult,
  scales: number[],
  tol: Tolerance,
  label: string,
): void {
  const m = scales.length;
  const lossTol = accumulated(tol, m * classes);
  assertClose([got.lossSum], [ref.lossSum], lossTol, `${label}: lossSum`, {
    magnitude: [ref.lossSum + scales.reduce((s, v) => s + v, 0)],
  });
  const rowTol = accumulated(tol, features);
  let ambiguous = 0;
  reference.toRows(ref.logits).forEach((row, i) => {
    const [first, second] = [...row].sort((p, q) => q - p);
    if (second !== undefined && first! - second <= 2 * (rowTol.abs + rowTol.rel * scales[i]!)) ambiguous++;
  });
  if (Math.abs(got.correct - ref.correct) > ambiguous || got.count !== m) {
    throw new Error(
      `${label}: correct ${got.correct} of ${got.count}, reference ${ref.correct} of ${m} (${ambiguous} rows too close to call)`,
    );
  }
}

async function checkStep(ctx: CheckContext, c: StepCase): Promise<void> {
  const m = c.x.shape[0];
  const label = `trainBatch of ${m}x${features} with ${classes} classes, lr ${c.lr}`;
  const model = new SoftmaxRegression(ctx.backend, { W: c.W.data, b: c.b.data }, SMALL_MODEL);
  const batch = { x: c.x.data, labels: c.labels, size: m };
  try {
    const tally = await model.trainBatch(batch, c.lr);
    const after = await model.weights();
    const ref = reference.sgdStep(c);
    const scales = logitScale(c.x, c.W, c.b);
    checkTally(tally, ref, scales, ctx.tolerance, label);

    // The update's error scales with |W| plus the summed |x| * |softmax - onehot| it adds.
    const gradScale = reference.binary(
      "add",
      reference.softmax(ref.logits),
      reference.oneHot(c.labels, classes),
    );
    const tol = accumulated(ctx.tolerance, m + features);
    const k = c.lr / m;
    assertClose(after.W, ref.W.data, tol, `${label}: W after the step`, {
      shape: ref.W.shape,
      magnitude: reference.axpy(
        k,
        reference.matmul(reference.abs(c.x), gradScale, { transA: true }),
        reference.abs(c.W),
      ).data,
    });
    assertClose(after.b, ref.b.data, tol, `${label}: b after the step`, {
      shape: ref.b.shape,
      magnitude: reference.axpy(k, reference.sum(gradScale, 0), reference.abs(c.b)).data,
    });

    // Score and predict with the backend's own new weights, so only those two calls are judged.
    const W = { shape: c.W.shape, data: after.W };
    const b = { shape: c.b.shape, data: after.b };
    const scored = reference.sgdStep({ x: c.x, W, b, labels: c.labels, lr: 0 });
    const newScales = logitScale(c.x, W, b);
    checkTally(await model.scoreBatch(batch), scored, newScales, ctx.tolerance, `scoreBatch after ${label}`);
    const predictions = await model.predict(c.x.data, m);
    const probabilities = new Float32Array(m * classes);
    for (const [i, p] of predictions.entries()) probabilities.set(p.probabilities, i * classes);
    assertClose(
      probabilities,
      reference.softmax(scored.logits).data,
      accumulated(ctx.tolerance, features + classes),
      `predict after ${label}`,
      {
        shape: [m, classes],
      },
    );
  } finally {
    model.dispose();
  }
}

/** One SGD step of the real model on the backend equals the float64 step. */
export const trainingChecks: readonly Check[] = [
  {
    group: "training step",
    name: "trainBatch, then scoreBatch and predict, match the float64 reference",
    run: (ctx) =>
      checkProperty(
        ctx,
        fc.asyncProperty(stepCases, (c) => checkStep(ctx, c)),
        heavyRuns(ctx, 15),
      ),
  },
];
