import { withArena } from "../arena.js";
import { assertSameBits } from "../bits.js";
import { catalog, outputsOf, uploadFixtures } from "../catalog.js";
import type { Check } from "../context.js";
import { assertSameScenario, runScenario } from "../scenario.js";

/** The same op on the same inputs gives the same bits: runs are reproducible on one backend. */
export const determinismChecks: readonly Check[] = [
  {
    group: "determinism",
    name: "every op, run twice on the same inputs, gives bitwise-equal results",
    async run({ backend }) {
      await withArena(backend, async (arena) => {
        const fixtures = uploadFixtures(arena, 3);
        for (const entry of catalog(backend)) {
          const first = outputsOf(entry.run(backend, fixtures)).map((t) => arena.track(t));
          const second = outputsOf(entry.run(backend, fixtures)).map((t) => arena.track(t));
          const [a, b] = await Promise.all([arena.snapshot(first), arena.snapshot(second)]);
          for (const [i, data] of a.entries()) assertSameBits(data, b[i]!, `${entry.name} output #${i}`);
        }
      });
    },
  },
  {
    group: "determinism",
    name: "a seeded training run repeated gives bitwise-equal tallies, predictions and weights",
    async run({ backend }) {
      assertSameScenario(
        await runScenario(backend, 5),
        await runScenario(backend, 5),
        "two runs with seed 5",
      );
    },
  },
];
