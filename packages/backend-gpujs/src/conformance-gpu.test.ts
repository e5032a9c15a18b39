// Mode gpu needs headless-gl and a display: run under `xvfb-run -a` (CI does). Without them this
// file fails, with the reason and the fix in the message; it is never skipped.
import { runConformance } from "@tensorplug/conformance";
import { describe, expect, it } from "vitest";
import { createGpujsBackend } from "./index.js";

// Every op and shape compiles a shader on first use, which dominates this suite's run time.
const TIMEOUT = 120_000;

describe("gpujs mode gpu", () => {
  it("starts here (needs the gl package and a display, e.g. xvfb-run -a)", async () => {
    const backend = await createGpujsBackend({ mode: "gpu" });
    expect(backend.mode).toBe("gpu");
    await backend.close();
  });
});

runConformance({ name: "gpujs gpu", create: () => createGpujsBackend({ mode: "gpu" }), timeout: TIMEOUT });
