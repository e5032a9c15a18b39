import { memory } from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { runRecipe } from "../test/recipe.js";
import { createTfjsBackend } from "./index.js";

// Every op runs in a tfjs scope that frees its intermediates, so a long run holds exactly what a
// short one does: the model's W and b. Checked on a 2,000-image subset for speed (8 batches an
// epoch, plus the whole test set), once per tfjs backend, one after the other in this worker.
describe.each(["wasm", "cpu"])("memory over 10 epochs on tfjs %s", (name) => {
  it("tf.memory().numTensors and live() are the same after epoch 1 and after epoch 10", async () => {
    const backend = await createTfjsBackend({ backend: name });
    // Read only now: before any tfjs backend is set, tf.memory() would try to start one itself.
    const baseline = memory().numTensors;
    try {
      const run = await runRecipe(backend, { epochs: 10, limit: 2000, count: () => memory().numTensors });
      const [first, last] = [run[0]!, run.at(-1)!];
      expect(last.counted).toBe(first.counted);
      expect(last.live).toBe(first.live);
      // Only the parameters are alive between epochs, and every live handle is one tfjs tensor.
      expect(first.live).toBe(2);
      expect(first.counted).toBe(baseline + first.live);
    } finally {
      backend.close();
    }
    expect(memory().numTensors).toBe(baseline);
  }, 120_000);
});
