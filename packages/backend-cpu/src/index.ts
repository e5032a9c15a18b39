import type { BackendEntry } from "@tensorplug/core";
import { CpuBackend, type CpuBackendOptions } from "./cpu-backend.js";

export { CpuBackend, type CpuBackendOptions } from "./cpu-backend.js";
export { CpuTensor } from "./cpu-tensor.js";
export type { ByteData, ByteRows, Input } from "./kernel-operands.js";
export { enableRelaxedSimd, relaxedSimd } from "./relaxed-simd.js";

/** Registry entry: priority 30, the first `auto` tries: the fastest backend here, and one that starts everywhere. */
export const cpuBackendEntry: BackendEntry = {
  name: "cpu",
  priority: 30,
  description: "TypeScript and WebAssembly SIMD kernels on the host; runs everywhere",
  factory: async () => {
    const backend = new CpuBackend();
    backend.startKernels();
    return backend;
  },
};

/** A new CPU backend. */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return new CpuBackend(options);
}
