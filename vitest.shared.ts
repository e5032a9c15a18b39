import { defineConfig } from "vitest/config";

// Workspace packages are resolved to their TypeScript sources ("source" export condition),
// so tests never run against a stale dist/.
export const sharedConfig = defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
