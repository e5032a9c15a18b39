import { type BackendEntry, BackendRegistry } from "@tensorplug/core";

/** A backend as the CLI offers it: the registry entry, and the flag that picks its mode, if any. */
export interface CliBackend extends BackendEntry {
  readonly modeFlag?: string;
}

// Each factory imports its package only when asked, so a backend whose native piece is missing
// (headless-gl, a wasm file) fails alone, with its reason, and never at start-up. The mode lists
// mirror the packages' own exports (GPUJS_MODES, TFJS_BACKENDS); a test keeps them in step.
export const CLI_BACKENDS: readonly CliBackend[] = [
  {
    name: "cpu",
    priority: 30,
    description: "TypeScript and WebAssembly SIMD kernels on the host; runs everywhere",
    factory: async (options) => {
      // The package's own entry starts the kernels and the worker thread as the backend starts.
      // The CLI is a program, not a library, so it may turn on Node 20's relaxed SIMD for the
      // fused multiply-add kernels (later Node versions have it on already).
      const { cpuBackendEntry, enableRelaxedSimd } = await import("@tensorplug/backend-cpu");
      enableRelaxedSimd();
      return cpuBackendEntry.factory(options);
    },
  },
  {
    name: "tfjs",
    priority: 20,
    description: "TensorFlow.js (tfjs-core) on its wasm, cpu, webgl or tensorflow backend",
    modes: ["wasm", "cpu", "webgl", "tensorflow"],
    modeFlag: "tfjs-backend",
    factory: async (options) => {
      const { createTfjsBackend } = await import("@tensorplug/backend-tfjs");
      return createTfjsBackend(typeof options.mode === "string" ? { backend: options.mode } : {});
    },
  },
  {
    name: "gpujs",
    priority: 10,
    description: "gpu.js kernels: gpu (WebGL / headless-gl), webasm or cpu",
    modes: ["gpu", "webasm", "cpu"],
    modeFlag: "gpujs-mode",
    factory: async (options) => {
      const { createGpujsBackend } = await import("@tensorplug/backend-gpujs");
      return createGpujsBackend(typeof options.mode === "string" ? { mode: options.mode } : {});
    },
  },
];

/** Every backend the CLI knows, registered by name and priority. */
export function createRegistry(): BackendRegistry {
  const registry = new BackendRegistry();
  for (const backend of CLI_BACKENDS) registry.register(backend);
  return registry;
}
