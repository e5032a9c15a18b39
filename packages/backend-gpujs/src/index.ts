// @tensorplug/backend-gpujs: tensorplug's compute interface on gpu.js, in mode gpu (WebGL, or
// headless-gl in Node), webasm or cpu. gpu.js itself loads only when a backend is created.
export { createGpujsBackend, type GpujsBackendOptions } from "./create.js";
export { gpujsBackendEntry } from "./entry.js";
export { GpujsClosedError, GpujsFallbackError, GpujsKernelError } from "./errors.js";
export { GpujsBackend, type GpujsRuntime, type GpujsStats, type PassedOver } from "./gpujs-backend.js";
export { GpujsTensor } from "./gpujs-tensor.js";
export type { KernelCacheStats } from "./kernel-cache.js";
export { GPUJS_MODES, type GpujsMode } from "./modes.js";
