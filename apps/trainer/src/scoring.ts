import { tidy, uploadBytes } from "@tensorplug/core";
import { batches, type ImageSet } from "@tensorplug/fashion-mnist";
import type { SoftmaxRegression } from "@tensorplug/softmax";

/** How one class fares: its test images, how many are right, and the rate. */
export interface ClassScore {
  readonly label: number;
  readonly name: string;
  readonly count: number;
  readonly correct: number;
  readonly accuracy: number;
}

/** A model on a test set: overall and per-class accuracy, mean loss, and the confusion matrix. */
export interface TestScore {
  readonly count: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly loss: number;
  /** Predicted class of every test image, in order. */
  readonly predicted: Uint8Array;
  /** `confusion[true][predicted]` counts. */
  readonly confusion: number[][];
  readonly perClass: ClassScore[];
}

/**
 * Scores every test image. The logits are computed on the model's backend and read back once per
 * batch; the argmax (ties to the lowest class, as the backends' `argmax`) and the loss (log-sum-exp
 * in float64) are taken on the host, so the accuracy is the one training reports on that backend.
 */
export async function scoreTestSet(
  model: SoftmaxRegression,
  test: ImageSet,
  names: readonly string[],
  batchSize = 1000,
): Promise<TestScore> {
  const { features, classes } = model.shape;
  const backend = model.backend;
  const predicted = new Uint8Array(test.count);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let correct = 0;
  let row = 0;
  for (const batch of batches(test, { batchSize })) {
    const logits = tidy(backend, (be) =>
      model.logits(uploadBytes(be, batch.x, [batch.size, features], batch.scale), be),
    );
    let host: Float32Array;
    try {
      host = await backend.read(logits);
    } finally {
      backend.dispose(logits);
    }
    for (let i = 0; i < batch.size; i++, row++) {
      const z = host.subarray(i * classes, (i + 1) * classes);
      let best = 0;
      for (let k = 1; k < classes; k++) if (z[k]! > z[best]!) best = k;
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += Math.exp(z[k]! - z[best]!);
      const label = batch.labels[i]!;
      lossSum += Math.log(sum) - (z[label]! - z[best]!);
      predicted[row] = best;
      confusion[label]![best]!++;
      if (best === label) correct++;
    }
  }
  const perClass = confusion.map((counts, label) => {
    const count = counts.reduce((a, b) => a + b, 0);
    const right = counts[label]!;
    return {
      label,
      name: names[label] ?? String(label),
      count,
      correct: right,
      accuracy: count ? right / count : 0,
    };
  });
  return {
    count: test.count,
    correct,
    accuracy: test.count ? correct / test.count : 0,
    loss: test.count ? lossSum / test.count : 0,
    predicted,
    confusion,
    perClass,
  };
}
