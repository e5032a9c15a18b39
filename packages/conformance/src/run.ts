import type { Backend } from "@tensorplug/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { conformanceChecks } from "./checks/index.js";
import type { Check, CheckContext } from "./context.js";
import { type ConformanceOptions, DEFAULT_NUM_RUNS } from "./options.js";
import { toleranceFor } from "./tolerance.js";

/** Checks grouped by `group`, groups in order of first appearance. */
function byGroup(checks: readonly Check[]): Map<string, Check[]> {
  const groups = new Map<string, Check[]>();
  for (const c of checks) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  return groups;
}

/**
 * Registers the conformance suite as vitest `describe`/`it` blocks for the backend `create` makes.
 * Call it at the top level of a test file:
 *
 * ```ts
 * runConformance({ name: "cpu", create: async () => new CpuBackend() });
 * ```
 *
 * One backend instance serves every check; each check disposes what it made, and a last test
 * checks that `live()` is back to where it was when the backend was created.
 */
export function runConformance(options: ConformanceOptions): void {
  describe(`conformance: ${options.name}`, () => {
    let backend: Backend | undefined;
    let liveAtStart = 0;

    // The timeout covers the hooks too: starting a GPU context can take longer than a check.
    beforeAll(async () => {
      backend = await options.create();
      liveAtStart = backend.live();
    }, options.timeout);
    afterAll(async () => {
      if (backend === undefined) return;
      await (options.close ? options.close(backend) : backend.close?.());
    }, options.timeout);

    const context = (): CheckContext => {
      if (backend === undefined)
        throw new Error(`conformance: ${options.name}: create() did not produce a backend`);
      return {
        backend,
        tolerance: options.tolerance ?? toleranceFor(backend.caps.precision),
        numRuns: options.numRuns ?? DEFAULT_NUM_RUNS,
        seed: options.seed,
      };
    };

    for (const [group, checks] of byGroup(conformanceChecks)) {
      describe(group, () => {
        for (const check of checks) it(check.name, () => check.run(context()), options.timeout);
      });
    }

    it("leaves no live handles behind after the whole suite", () => {
      const { backend: b } = context();
      if (b.live() !== liveAtStart)
        throw new Error(`live() is ${b.live()} after the suite, ${liveAtStart} before`);
    });
  });
}
