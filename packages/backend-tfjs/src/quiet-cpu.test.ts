import { env } from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTfjsBackend } from "./index.js";

// Its own file, so its own worker: tfjs's cpu backend prints its banner only with the first tensor
// it ever stores, and no other test may have spent that first use before this one runs.
describe("tfjs cpu in Node", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("prints nothing while starting and training, and leaves tfjs's PROD flag as it was", async () => {
    const warn = vi.spyOn(console, "warn");
    const log = vi.spyOn(console, "log");
    const prodBefore = env().getBool("PROD");
    const backend = await createTfjsBackend({ backend: "cpu" });
    try {
      const x = backend.upload(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
      const { loss, grad } = backend.softmaxCrossEntropy(
        x,
        backend.upload(Float32Array.from([1, 0, 0, 0, 0, 1]), [2, 3]),
      );
      await backend.read(backend.matmul(x, grad, { transA: true }));
      await backend.read(loss);
    } finally {
      backend.close();
    }
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(env().getBool("PROD")).toBe(prodBefore);
  });

  it("still lets tfjs's other warnings through afterwards", async () => {
    // The flag is only set around the first write; a later tfjs warning reaches the console.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { backend_util } = await import("@tensorflow/tfjs-core");
    backend_util.warn("a later tfjs warning");
    expect(warn).toHaveBeenCalledWith("a later tfjs warning");
  });
});
