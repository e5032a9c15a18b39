// The full recipe on the real data (/usr/share/datasets/fashion-mnist), through the CLI's pipeline:
// Random(0) draws the weights and every shuffle, batch 256, lr 0.1, 10 epochs. backend-cpu, run
// the same way, is the yardstick for agreement.
import { CpuBackend } from "@tensorplug/backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES } from "./index.js";
import { maxAbsDifference, type RunRecord, runRecipe } from "./training.test-helper.js";

const EPOCHS = 10;
// Ten epochs in gpu mode on Mesa's software rasteriser take about a minute; leave room for a busy machine.
const TIMEOUT = 15 * 60_000;

let reference: RunRecord;
beforeAll(async () => {
  reference = await runRecipe(new CpuBackend(), EPOCHS);
}, TIMEOUT);

describe.each(GPUJS_MODES)("the full recipe in mode %s", (mode) => {
  it(
    "reaches test accuracy >= 0.82 and agrees with backend-cpu",
    async () => {
      const backend = await createGpujsBackend({ mode });
      let run: RunRecord;
      try {
        run = await runRecipe(backend, EPOCHS);
        expect(backend.live()).toBe(0);
      } finally {
        await backend.close();
      }
      const accuracy = run.testAccuracy;
      const expected = reference.testAccuracy;
      const weightGap = maxAbsDifference(run.firstEpochWeights, reference.firstEpochWeights);
      const seconds = run.seconds.reduce((s, v) => s + v, 0);
      console.log(
        `gpujs ${mode}: test accuracy ${accuracy.toFixed(4)} (backend-cpu ${expected.toFixed(4)}, ` +
          `difference ${Math.abs(accuracy - expected).toFixed(4)}); max |W - W_cpu| after 1 epoch ` +
          `${weightGap.toExponential(2)}; ${seconds.toFixed(1)} s training ${EPOCHS} epochs ` +
          `(${run.seconds.map((s) => s.toFixed(2)).join(", ")})`,
      );
      expect(accuracy).toBeGreaterThanOrEqual(0.82);
      expect(weightGap).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(accuracy - expected)).toBeLessThanOrEqual(0.003);
    },
    TIMEOUT,
  );
});
