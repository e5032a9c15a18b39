import type { BackendEntry } from "@tensorplug/core";
import { createGpujsBackend } from "./create.js";
import { GPUJS, GPUJS_MODES } from "./modes.js";

/**
 * Registry entry. Priority 10: last under `auto`, after backend-cpu (30) and tfjs (20), the order
 * of their speed on the book's recipe (one `tensorplug bench`, medians of 3 on a 2-core machine
 * without a GPU: cpu 0.23, tfjs wasm 0.63, gpujs webasm 1.63 s per epoch).
 */
export const gpujsBackendEntry: BackendEntry = {
  name: GPUJS,
  priority: 10,
  description:
    "gpu.js kernels: gpu (WebGL / headless-gl, needs the optional gl package and a display), webasm, cpu",
  modes: GPUJS_MODES,
  factory: (options) => createGpujsBackend(options.mode === undefined ? {} : { mode: String(options.mode) }),
};
