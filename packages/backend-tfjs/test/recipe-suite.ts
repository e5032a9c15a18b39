// The end-to-end checks of one tfjs backend on the real data, shared by recipe-wasm and recipe-cpu.
import { memory } from "@tensorflow/tfjs-core";
import { CpuBackend } from "@tensorplug/backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { createTfjsBackend } from "../src/index.js";
import { type EpochRecord, maxAbsDiff, runRecipe } from "./recipe.js";

/**
 * The book's full recipe (10 epochs, batch 256, lr 0.1, seed 0) on the tfjs backend `name`, once,
 * and what must hold of it: agreement with backend-cpu after 1 epoch, the accuracy bar after 10,
 * and tfjs's tensor count and the live handles the same after epoch 1 and after epoch 10.
 */
export function describeRecipe(name: "wasm" | "cpu"): void {
  describe(`tfjs ${name} on Fashion-MNIST`, () => {
    let reference: EpochRecord[] = [];
    let run: EpochRecord[] = [];
    let baseline = 0;

    beforeAll(async () => {
      reference = await runRecipe(new CpuBackend(), { epochs: 1, weightsAfter: [1] });
      const backend = await createTfjsBackend({ backend: name });
      try {
        expect(backend.mode).toBe(name);
        // Read only once a tfjs backend runs: before, tf.memory() would start one itself.
        baseline = memory().numTensors;
        run = await runRecipe(backend, { epochs: 10, weightsAfter: [1], count: () => memory().numTensors });
      } finally {
        backend.close();
      }
    }, 900_000);

    it("after 1 epoch with seed 0, W is within 1e-4 of backend-cpu's (max absolute difference)", () => {
      const diff = maxAbsDiff(run[0]!.W!, reference[0]!.W!);
      expect(diff).toBeLessThanOrEqual(1e-4);
    });

    it("the full recipe (10 epochs, batch 256, lr 0.1) reaches test accuracy >= 0.82", () => {
      const last = run.at(-1)!.result;
      expect(last.epoch).toBe(10);
      expect(last.testAccuracy).toBeGreaterThanOrEqual(0.82);
      // The book's own checks.
      expect(last.trainLoss).toBeLessThan(0.5);
      expect(last.trainAccuracy).toBeGreaterThan(0.7);
    });

    it("tf.memory().numTensors and live() are the same after epoch 1 and after epoch 10", () => {
      const [first, last] = [run[0]!, run.at(-1)!];
      expect(last.counted).toBe(first.counted);
      expect(last.live).toBe(first.live);
      // Between epochs only W and b are alive, and each live handle is exactly one tfjs tensor.
      expect(first.live).toBe(2);
      expect(first.counted).toBe(baseline + first.live);
    });
  });
}
