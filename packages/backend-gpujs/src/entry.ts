import type { BackendEntry } from "@tensorplug/core";
import { createGpujsBackend } from "./create.js";
import { GPUJS, GPUJS_MODES } from "./modes.js";

/**
 * Registry entry. Priority 20 ranks it above backend-cpu (10) under `auto`, as the CLI's registry
 * does: its best mode on a GPU-less machine, webasm, trains the book's 10 epochs faster than
 * backend-cpu (measured in one `tensorplug bench`, medians of 3: webasm 24.6 s, backend-cpu 42.9 s).
 */
export const gpujsBackendEntry: BackendEntry = {
  name: GPUJS,
  priority: 20,
  description:
    "gpu.js kernels: gpu (WebGL / headless-gl, needs the optional gl package and a display), webasm, cpu",
  modes: GPUJS_MODES,
  factory: (options) => createGpujsBackend(options.mode === undefined ? {} : { mode: String(options.mode) }),
};
