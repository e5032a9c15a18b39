import type { BackendEntry } from "@tensorplug/core";
import { CpuBackend } from "./cpu-backend.js";

export { CpuBackend } from "./cpu-backend.js";
export { CpuTensor } from "./cpu-tensor.js";

/** Registry entry: pure TypeScript, starts everywhere, so it is the fallback of `auto`. */
export const cpuBackendEntry: BackendEntry = {
  name: "cpu",
  priority: 10,
  description: "pure TypeScript kernels on Float32Array; runs everywhere",
  factory: async () => new CpuBackend(),
};

/** A new CPU backend. */
export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}
