import { type Backend, Random } from "@tensorplug/core";
import {
  type ModelShape,
  type Prediction,
  SoftmaxRegression,
  type Tally,
  type Weights,
} from "@tensorplug/softmax";
import { assertSameBits } from "./bits.js";
import { seededLabels, seededMatrix } from "./host.js";

/** The small model of the training checks: 20 features, 5 classes. */
export const SMALL_MODEL: ModelShape = Object.freeze({ features: 20, classes: 5 });

/** Everything a short training run produces, read back to the host. */
export interface ScenarioResult {
  readonly tallies: readonly Tally[];
  readonly score: Tally;
  readonly predictions: readonly Prediction[];
  readonly weights: Weights;
}

/**
 * A short, fully seeded run of the real model: three `trainBatch` calls (two of 32 rows, a
 * last one of 7), then `scoreBatch` and `predict`. The model is disposed before returning.
 */
export async function runScenario(backend: Backend, seed: number): Promise<ScenarioResult> {
  const { features, classes } = SMALL_MODEL;
  const model = SoftmaxRegression.initialize(backend, new Random(seed), SMALL_MODEL);
  try {
    const tallies: Tally[] = [];
    for (const [i, size] of [32, 32, 7].entries()) {
      const x = seededMatrix([size, features], seed + 10 * i + 1, { uniform: [0, 1] }).data;
      tallies.push(
        await model.trainBatch({ x, labels: seededLabels(size, classes, seed + 10 * i + 2), size }, 0.5),
      );
    }
    const x = seededMatrix([16, features], seed + 100, { uniform: [0, 1] }).data;
    const score = await model.scoreBatch({ x, labels: seededLabels(16, classes, seed + 101), size: 16 });
    const predictions = await model.predict(x, 8);
    return { tallies, score, predictions, weights: await model.weights() };
  } finally {
    model.dispose();
  }
}

/** Throws unless two scenario results are identical number for number (bitwise for arrays). */
export function assertSameScenario(a: ScenarioResult, b: ScenarioResult, label: string): void {
  const tallies = [...a.tallies, a.score];
  const others = [...b.tallies, b.score];
  tallies.forEach((t, i) => {
    const o = others[i]!;
    if (!Object.is(t.lossSum, o.lossSum) || !Object.is(t.correct, o.correct) || t.count !== o.count) {
      throw new Error(
        `${label}: tally #${i} is ${JSON.stringify(t)} in one run and ${JSON.stringify(o)} in the other`,
      );
    }
  });
  a.predictions.forEach((p, i) => {
    const o = b.predictions[i]!;
    if (p.label !== o.label)
      throw new Error(`${label}: prediction #${i} is ${p.label} in one run and ${o.label} in the other`);
    assertSameBits(p.probabilities, o.probabilities, `${label}: probabilities of prediction #${i}`);
  });
  assertSameBits(a.weights.W, b.weights.W, `${label}: W`);
  assertSameBits(a.weights.b, b.weights.b, `${label}: b`);
}
