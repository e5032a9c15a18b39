import { type BackendEntry, BackendUnavailableError } from "@tensorplug/core";
import { claimedEngine } from "./engine-claim.js";
import type { EngineOptions } from "./engines.js";
import { parseTfjsBackendName, TFJS, TFJS_BACKENDS, type TfjsBackendName } from "./names.js";
import { preferredOrder } from "./platform.js";
import { TfjsBackend } from "./tfjs-backend.js";

/** How to start a `TfjsBackend`. */
export interface TfjsBackendOptions extends EngineOptions {
  /**
   * The tfjs backend to run on. Any other string is refused with the valid names. Absent: the
   * best that starts here (in Node `tensorflow` when `@tensorflow/tfjs-node` is installed, else
   * `wasm`, else `cpu`), or the one already running when another `TfjsBackend` is open.
   */
  readonly backend?: TfjsBackendName | string;
}

/**
 * Starts tensorplug's tfjs backend. With `backend` set, that tfjs backend or a
 * `BackendUnavailableError` with the reason and the fix, never another one; `mode` of the result
 * is always the tfjs backend that runs.
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  const { backend: requested, ...engine } = options;
  if (requested !== undefined) return TfjsBackend.start(parseTfjsBackendName(requested), engine);
  // While an instance is open, switching tfjs to another backend would pull the engine from under it.
  const held = claimedEngine();
  const failures: BackendUnavailableError[] = [];
  for (const name of held === null ? preferredOrder() : [held]) {
    try {
      return await TfjsBackend.start(name, engine);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      failures.push(error);
    }
  }
  throw new BackendUnavailableError(
    TFJS,
    `no tfjs backend starts here (${failures.map((f) => f.reason).join("; ")})`,
    failures.map((f) => f.fix).join("; "),
  );
}

/**
 * Registry entry. Priority 20: under `auto` it comes after backend-cpu (30) and before gpujs (10),
 * the order of their speed on the book's recipe (one `tensorplug bench`, medians of 3 on a 2-core
 * machine: cpu 0.23, tfjs wasm 0.63, gpujs webasm 1.63 s per epoch). `modes` are the tfjs
 * backends, best first.
 */
export const tfjsBackendEntry: BackendEntry = {
  name: TFJS,
  priority: 20,
  description: "TensorFlow.js (tfjs-core) on its wasm, cpu, webgl or tensorflow backend",
  modes: TFJS_BACKENDS,
  factory: (options) =>
    createTfjsBackend(options.mode === undefined ? {} : { backend: String(options.mode) }),
};
