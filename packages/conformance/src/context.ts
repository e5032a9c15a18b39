import type { Backend } from "@tensorplug/core";
import type { Tolerance } from "./tolerance.js";

/** What a check gets: the backend under test and the settings derived from the options. */
export interface CheckContext {
  /** The backend under test. */
  readonly backend: Backend;
  /** Base tolerance (from `caps.precision` unless overridden); checks scale it per op. */
  readonly tolerance: Tolerance;
  /** fast-check runs per ordinary property. */
  readonly numRuns: number;
  /** Fixed fast-check seed to replay a failure; `undefined` draws a fresh one. */
  readonly seed: number | undefined;
}

/** One conformance check; `runConformance` registers each as a vitest `it` inside `describe(group)`. */
export interface Check {
  /** The `describe` block it runs in, e.g. `"matmul"`. */
  readonly group: string;
  /** The test's name within the group. */
  readonly name: string;
  /** Resolves when the backend conforms; rejects with a message that names the op and shapes. */
  readonly run: (ctx: CheckContext) => Promise<void>;
}
