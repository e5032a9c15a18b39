import { BackendRegistry } from "@tensorplug/core";

/**
 * Every backend the CLI knows. Factories import their package lazily, so a backend whose native
 * piece is missing only fails when it is asked for, never at start-up.
 */
export function createRegistry(): BackendRegistry {
  const registry = new BackendRegistry();
  registry.register({
    name: "cpu",
    priority: 10,
    description: "pure TypeScript kernels on Float32Array; runs everywhere",
    factory: async () => {
      const { createCpuBackend } = await import("@tensorplug/backend-cpu");
      return createCpuBackend();
    },
  });
  return registry;
}
