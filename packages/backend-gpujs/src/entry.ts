import type { BackendEntry } from "@tensorplug/core";
import { createGpujsBackend } from "./create.js";
import { GPUJS, GPUJS_MODES } from "./modes.js";

/**
 * Registry entry. Priority 5 ranks it below the cpu backend (10) under `auto`: on a machine
 * without a GPU every gpu.js mode trains slower than backend-cpu (measured: backend-cpu 19 s for
 * the book's 10 epochs; gpujs webasm 21 s, cpu 23 s, gpu on Mesa's llvmpipe 34 s). Ask for
 * `--backend gpujs` where a real GPU makes mode gpu worth it.
 */
export const gpujsBackendEntry: BackendEntry = {
  name: GPUJS,
  priority: 5,
  description:
    "gpu.js kernels: gpu (WebGL / headless-gl, needs the optional gl package and a display), webasm, cpu",
  modes: GPUJS_MODES,
  factory: (options) => createGpujsBackend(options.mode === undefined ? {} : { mode: String(options.mode) }),
};
