import { Random } from "@tensorplug/core";
import { SoftmaxRegression } from "@tensorplug/softmax";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES, type GpujsBackend } from "./index.js";
import { fashionMnist, trainData } from "./training.test-helper.js";

// 8 batches of 256 and one of 96: the shapes of the real epoch, on a subset small enough for 3 epochs.
const LIMIT = 8 * 256 + 96;
const EPOCHS = 3;

describe.each(GPUJS_MODES)("mode %s over %s epochs of real batches", (mode) => {
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
    const compiles: number[][] = [];
    const textures: (number | undefined)[][] = [];
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      compiles.push([]);
      textures.push([]);
      for (const batch of pipeline.trainBatches(epoch)) {
        const readbacks = be.stats().readbacks;
        await model.trainBatch(batch, 0.1);
        expect(be.live(), `epoch ${epoch + 1}`).toBe(live);
        // In GL the step stays on the device: its one readback is the [1,2] tally the model reads.
        if (mode === "gpu") expect(be.stats().readbacks).toBe(readbacks! + 1);
        compiles[epoch]!.push(be.stats().compiles);
        textures[epoch]!.push(be.stats().textures);
      }
    }
    const [first, ...later] = compiles;
    // The first 256-row batch compiles the step; the next seven reuse it; the 96-row batch adds its own.
    expect(new Set(first!.slice(0, 8)).size).toBe(1);
    expect(first![8]).toBeGreaterThan(first![7]!);
    // No epoch after the first compiles anything.
    for (const epoch of later) expect(epoch).toEqual(new Array(9).fill(first![8]));
    expect(be.stats().hits).toBeGreaterThan(0);
    const settled = textures[0]!.at(-1);
    if (mode === "gpu") {
      // Once every kernel exists, each step deletes every texture it made: the count is flat.
      expect(settled).toBeTypeOf("number");
      for (const epoch of textures.slice(1)) expect(epoch).toEqual(new Array(9).fill(settled));
    } else {
      expect(new Set(textures.flat())).toEqual(new Set([undefined]));
    }
    model.dispose();
    expect(be.live()).toBe(0);
  });
});
