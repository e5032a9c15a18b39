import { Random } from "@tensorplug/core";
import { SoftmaxRegression } from "@tensorplug/softmax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES, type GpujsBackend } from "./index.js";
import { fashionMnist, trainData } from "./training.test-helper.js";

// 8 batches of 256 and one of 96: the shapes of the real epoch, on a subset small enough for 3 epochs.
const LIMIT = 8 * 256 + 96;
const EPOCHS = 3;

/** The backend's counters after one step of the model. */
interface Step {
  readonly kind: "train" | "score";
  /** Rows in the batch. */
  readonly size: number;
  readonly compiles: number;
  readonly textures: number | undefined;
  readonly readbacks: number | undefined;
  readonly live: number;
}

describe.each(GPUJS_MODES)(`mode %s over ${EPOCHS} epochs of real batches`, (mode) => {
  let be: GpujsBackend;
  beforeAll(async () => {
    be = await createGpujsBackend({ mode });
  });
  afterAll(() => be.close());

  it("compiles each op and shape once (the 96-row batch its own), frees every handle and texture, reads back once a step", async () => {
    const data = await fashionMnist();
    const rng = new Random(0);
    const model = SoftmaxRegression.initialize(be, rng);
    const pipeline = trainData(data, rng, LIMIT);
    const live = be.live();
    expect(live).toBe(2);
    const epochs: Step[][] = [];
    const record = (kind: Step["kind"], size: number, before: Step | undefined): Step => {
      const { compiles, textures, readbacks } = be.stats();
      const step = { kind, size, compiles, textures, readbacks, live: be.live() };
      // In GL the step stays on the device: its one readback is the [1,2] tally the model reads.
      if (mode === "gpu" && before) expect(readbacks, kind).toBe(before.readbacks! + 1);
      return step;
    };
    let last: Step | undefined;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const steps: Step[] = [];
      for (const batch of pipeline.trainBatches(epoch)) {
        await model.trainBatch(batch, 0.1);
        last = record("train", batch.size, last);
        steps.push(last);
      }
      for (const batch of pipeline.testBatches()) {
        await model.scoreBatch(batch);
        last = record("score", batch.size, last);
        steps.push(last);
      }
      epochs.push(steps);
    }
    // Every step leaves exactly the model's two handles.
    for (const step of epochs.flat()) expect(step.live).toBe(live);

    const [first, ...later] = epochs;
    const compiles = first!.map((s) => s.compiles);
    // Training: the first 256-row batch compiles the step, the next seven reuse it, the 96-row batch
    // adds its own. Scoring compiles at most at its first batch of each size (the host modes train
    // with the fused dense layer, which scoring does not use), and no later epoch compiles at all.
    expect(compiles[0]).toBeGreaterThan(0);
    expect(new Set(compiles.slice(0, 8)).size).toBe(1);
    expect(compiles[8]).toBeGreaterThan(compiles[7]!);
    const seen = new Set<string>();
    first!.forEach((step, i) => {
      const kind = `${step.kind} ${step.size}`;
      if (i > 0 && seen.has(kind)) expect(step.compiles, `step ${i} (${kind})`).toBe(compiles[i - 1]);
      seen.add(kind);
    });
    const settled = first!.at(-1)!;
    for (const epoch of later) for (const step of epoch) expect(step.compiles).toBe(settled.compiles);
    expect(be.stats().hits).toBeGreaterThan(0);

    if (mode === "gpu") {
      // A step that compiles nothing deletes every texture it made: the count stays where it was,
      // in the first epoch too. One exception, once: gpu.js's immutable kernels whose argument is
      // their own previous output (the SGD updates of W and b) each keep one earlier texture from
      // their second call on, so the second step ends 2 higher than the first.
      const steps = epochs.flat();
      expect(steps[1]!.compiles).toBe(steps[0]!.compiles);
      expect(steps[1]!.textures).toBe(steps[0]!.textures! + 2);
      for (let i = 2; i < steps.length; i++) {
        if (steps[i]!.compiles === steps[i - 1]!.compiles) {
          expect(steps[i]!.textures, `step ${i}`).toBe(steps[i - 1]!.textures);
        }
      }
      expect(settled.textures).toBeTypeOf("number");
      for (const epoch of later) for (const step of epoch) expect(step.textures).toBe(settled.textures);
    } else {
      expect(new Set(epochs.flat().map((s) => s.textures))).toEqual(new Set([undefined]));
    }
    model.dispose();
    expect(be.live()).toBe(0);
  });
});
