import type { BackendEntry } from "@tensorplug/core";
import { CpuBackend, type CpuBackendOptions } from "./cpu-backend.js";

export { CpuBackend, type CpuBackendOptions } from "./cpu-backend.js";
export { CpuTensor } from "./cpu-tensor.js";
export type { ByteData } from "./wasm-kernels.js";

/** Registry entry: host code only (TypeScript and WebAssembly), starts everywhere, so it is the fallback of `auto`. */
export const cpuBackendEntry: BackendEntry = {
  name: "cpu",
  priority: 10,
  description: "TypeScript and WebAssembly SIMD kernels on the host; runs everywhere",
  factory: async () => new CpuBackend(),
};

/** A new CPU backend. */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return new CpuBackend(options);
}
