import type { Backend } from "@tensorplug/core";
import type { Tolerance } from "./tolerance.js";

/** How a backend package runs the suite. Only `name` and `create` are required. */
export interface ConformanceOptions {
  /** Shown in the test names, e.g. `"cpu"` or `"gpu.js webgl"`. */
  readonly name: string;
  /** Makes the backend under test; called once, before the first check. */
  readonly create: () => Backend | Promise<Backend>;
  /** Releases the backend after the last check; defaults to `backend.close?.()`. */
  readonly close?: (backend: Backend) => void | Promise<void>;
  /** fast-check runs per property (default 30); model-sized checks run at most 3, training 15. */
  readonly numRuns?: number;
  /** Replays a failure: the `seed` fast-check printed for it. */
  readonly seed?: number;
  /** Replaces the tolerance derived from `caps.precision`; per-op scaling still applies. */
  readonly tolerance?: Tolerance;
  /** Per-test and per-hook timeout in milliseconds, for slow backends (default: vitest's configured ones). */
  readonly timeout?: number;
}

/** Default fast-check runs per property: enough to hit the edge shapes, quick on the CPU. */
export const DEFAULT_NUM_RUNS = 30;
