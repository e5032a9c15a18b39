import { defineConfig } from "vitest/config";

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
