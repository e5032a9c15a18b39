import { withoutSyncRead } from "../async-only.js";
import type { Check } from "../context.js";
import { assertSameScenario, runScenario } from "../scenario.js";

/** The model must train and predict through `read` alone, as a WebGPU-style backend requires. */
export const syncReadChecks: readonly Check[] = [
  {
    group: "async reads only",
    name: "training and predicting never call readSync, and give the same numbers",
    async run({ backend }) {
      const plain = await runScenario(backend, 42);
      const before = backend.live();
      const double = withoutSyncRead(backend);
      const viaDouble = await runScenario(double.backend, 42);
      if (double.syncReads() > 0) throw new Error(`readSync was called ${double.syncReads()} time(s)`);
      if (backend.live() !== before)
        throw new Error(`the run through the double left ${backend.live() - before} handle(s)`);
      assertSameScenario(plain, viaDouble, "plain backend vs backend without readSync");
    },
  },
];
