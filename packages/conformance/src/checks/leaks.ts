import { Random } from "@tensorplug/core";
import { SoftmaxRegression } from "@tensorplug/softmax";
import { withArena } from "../arena.js";
import { catalog, outputsOf, uploadFixtures } from "../catalog.js";
import type { Check } from "../context.js";
import { seededLabels, seededMatrix } from "../host.js";
import { SMALL_MODEL } from "../scenario.js";

/** `live()` counts exactly the handles that exist: one per output, none for intermediates. */
export const leakChecks: readonly Check[] = [
  {
    group: "live handles",
    name: "every op raises live() by exactly its outputs, and dispose lowers it back",
    async run({ backend }) {
      await withArena(backend, async (arena) => {
        const fixtures = uploadFixtures(arena);
        const failures: string[] = [];
        for (const entry of catalog(backend)) {
          const before = backend.live();
          const outs = outputsOf(entry.run(backend, fixtures));
          const raised = backend.live() - before;
          if (raised !== entry.outputs)
            failures.push(`${entry.name}: live() rose by ${raised}, expected ${entry.outputs}`);
          for (const [i, t] of outs.entries()) {
            const live = backend.live();
            backend.dispose(t);
            if (backend.live() !== live - 1)
              failures.push(
                `${entry.name}: disposing output #${i} lowered live() by ${live - backend.live()}`,
              );
          }
          if (backend.live() !== before)
            failures.push(`${entry.name}: live() is ${backend.live()} after disposing, ${before} before`);
        }
        if (failures.length > 0) throw new Error(failures.join("\n"));
      });
    },
  },
  {
    group: "live handles",
    name: "trainBatch, scoreBatch and predict leave only the two parameters alive",
    async run({ backend }) {
      const { features, classes } = SMALL_MODEL;
      const before = backend.live();
      const expect = (where: string, extra: number) => {
        const now = backend.live() - before;
        if (now !== extra) throw new Error(`after ${where}: ${now} handles alive, expected ${extra}`);
      };
      const model = SoftmaxRegression.initialize(backend, new Random(7), SMALL_MODEL);
      try {
        expect("constructing the model", 2);
        const batch = {
          x: seededMatrix([32, features], 8, { uniform: [0, 1] }).data,
          labels: seededLabels(32, classes, 9),
          size: 32,
        };
        await model.trainBatch(batch, 0.1);
        expect("trainBatch of 32x20", 2);
        await model.scoreBatch(batch);
        expect("scoreBatch of 32x20", 2);
        await model.predict(batch.x, 32);
        expect("predict of 32x20", 2);
      } finally {
        model.dispose();
      }
      expect("disposing the model", 0);
    },
  },
];
