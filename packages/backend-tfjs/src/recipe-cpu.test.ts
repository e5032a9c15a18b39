import { CpuBackend } from "@tensorplug/backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { type EpochRecord, maxAbsDiff, runRecipe } from "../test/recipe.js";
import { createTfjsBackend } from "./index.js";

// The book's full recipe on the real data, and agreement with the reference backend on the same
// seed. One file per tfjs backend, so each runs in its own worker (and its own tfjs engine).
describe("tfjs cpu on Fashion-MNIST", () => {
  let reference: EpochRecord[] = [];
  let run: EpochRecord[] = [];

  beforeAll(async () => {
    reference = await runRecipe(new CpuBackend(), { epochs: 1, weightsAfter: [1] });
    const backend = await createTfjsBackend({ backend: "cpu" });
    try {
      expect(backend.mode).toBe("cpu");
      run = await runRecipe(backend, { epochs: 10, weightsAfter: [1] });
    } finally {
      backend.close();
    }
  }, 600_000);

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
});
