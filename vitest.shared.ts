import { defineConfig, mergeConfig } from "vitest/config";

// Workspace packages are resolved to their TypeScript sources ("source" export condition),
// so tests never run against a stale dist/. Every package also writes a JSON report that
// scripts/test-summary.mjs adds up for CI's closing line.
export const sharedConfig = defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});

// For packages that test backend-cpu's kernels with fused multiply-adds: Node 20 compiles
// WebAssembly's relaxed SIMD only with this flag (Node 22 and later without it).
export const relaxedSimdConfig = mergeConfig(
  sharedConfig,
  defineConfig({ test: { execArgv: ["--experimental-wasm-relaxed-simd"] } }),
);
