import { Random } from "@tensorplug/core";
import { type FashionMnist, loadFashionMnist } from "@tensorplug/fashion-mnist";
import { evaluate, SoftmaxRegression, train } from "@tensorplug/softmax";
import { describe, expect, it } from "vitest";
import { trainData } from "../src/data.js";
import { createRegistry } from "../src/registry.js";
import { megabytes, settledMemory, slope, TARGETS, TEST_IMAGES, TRAIN_IMAGES } from "./leak-watch.js";
import { realSubsetDir } from "./real-subset.js";

// Leaks under load, the 50 cycles: on one started backend per mode, again and again a new
// model, one epoch on 2,000 real images, the test images scored, dispose. After every cycle the
// backend's live-handle count must be back where it started, and over the cycles memory must be
// flat. (leaks-cli.test.ts runs the CLI's own commands, which start and close their backends.)

const CYCLES = 50;
/** Cycles left out of the slope while V8 settles (JIT code, inline caches, kernel caches). */
const WARM_UP = 10;

/**
 * Allowed memory growth per cycle after warm-up. 16 KB is half of one weight matrix (784 x 10
 * float32 = 31 KB), the smallest thing a cycle makes: leaking W or b once per cycle, a batch of
 * pixels (256 x 784 bytes = 200 KB) or a gradient per batch is two to a hundred times over. Measured
 * here on every mode, the slopes stay between -1 and +3 KB per cycle.
 */
const SLOPE_BYTES = 16 * 1024;

const dir = realSubsetDir(TRAIN_IMAGES, TEST_IMAGES);
let data: FashionMnist | undefined;

describe(`${CYCLES} train/evaluate cycles on one backend: live handles back to the start, memory flat`, () => {
  for (const target of TARGETS) {
    it(target.label, { timeout: 300_000 }, async () => {
      data ??= await loadFashionMnist({ dataDir: dir, download: false });
      const backend = await createRegistry().create(target.name, target.mode ? { mode: target.mode } : {});
      try {
        const start = backend.live();
        const memory: number[] = [];
        for (let cycle = 0; cycle < CYCLES; cycle++) {
          const rng = new Random(cycle);
          const model = SoftmaxRegression.initialize(backend, rng);
          const source = trainData(data, 256, rng);
          const [result] = await train(model, source, { epochs: 1, lr: 0.1 });
          const tally = await evaluate(model, source.testBatches());
          model.dispose();
          // It really trained (chance is 0.1) and really scored every test image.
          expect(result!.trainAccuracy, `cycle ${cycle}`).toBeGreaterThan(0.3);
          expect(tally.count).toBe(TEST_IMAGES);
          expect(backend.live(), `live handles after cycle ${cycle}`).toBe(start);
          memory.push(settledMemory());
        }
        expect(slope(memory.slice(WARM_UP)), megabytes(memory)).toBeLessThan(SLOPE_BYTES);
      } finally {
        await backend.close?.();
      }
    });
  }
});
