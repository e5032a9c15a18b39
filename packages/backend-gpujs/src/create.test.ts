import { BackendRegistry, BackendUnavailableError } from "@tensorplug/core";
import { afterEach, describe, expect, it } from "vitest";
import { createGpujsBackend, GPUJS_MODES, type GpujsBackend, gpujsBackendEntry } from "./index.js";

// Run under a display (xvfb-run -a): mode gpu is expected to start, as in CI.

const started: GpujsBackend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.close()));
});

async function start(options: Parameters<typeof createGpujsBackend>[0]): Promise<GpujsBackend> {
  const backend = await createGpujsBackend(options);
  started.push(backend);
  return backend;
}

describe("createGpujsBackend", () => {
  it.each(GPUJS_MODES)("mode %s starts, reports itself and runs that mode's kernels", async (mode) => {
    const backend = await start({ mode });
    expect(backend.name).toBe("gpujs");
    expect(backend.mode).toBe(mode);
    const engines = {
      gpu: /^(HeadlessGL|WebGL2?)Kernel$/,
      webasm: /^WebAssemblyKernel$/,
      cpu: /^CPUKernel$/,
    };
    expect(backend.engine).toMatch(engines[mode]);
    expect(backend.caps.precision).toBe(32);
    expect(backend.live()).toBe(0);
  });

  it("without a mode starts the best one (gpu under a display)", async () => {
    const backend = await start({});
    expect(backend.mode).toBe("gpu");
    expect((await start({ mode: "auto" })).mode).toBe("gpu");
  });

  it("refuses an unknown mode, listing the valid ones", async () => {
    const attempt = createGpujsBackend({ mode: "webgl" });
    await expect(attempt).rejects.toThrow(BackendUnavailableError);
    await expect(createGpujsBackend({ mode: "webgl" })).rejects.toThrow(
      'backend "gpujs" cannot start: unknown gpu.js mode "webgl"; valid modes: gpu, webasm, cpu',
    );
  });

  it("refuses mode gpu without a display: one-line reason and fix, no fallback", async () => {
    const error = await createGpujsBackend({ mode: "gpu", env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect(e.backend).toBe("gpujs");
    expect(e.reason).toBe(
      "mode gpu: no display: DISPLAY is unset, and headless-gl needs an X display on Linux",
    );
    expect(e.fix).toMatch(/xvfb-run -a/);
    expect(e.fix).toMatch(/--gpujs-mode webasm/);
    expect(e.message).not.toMatch(/\n/);
  });

  it("without a mode and without a display starts webasm, and says why not gpu", async () => {
    const backend = await start({ env: {} });
    expect(backend.mode).toBe("webasm");
    expect(backend.passedOver).toEqual([
      {
        mode: "gpu",
        reason: "mode gpu: no display: DISPLAY is unset, and headless-gl needs an X display on Linux",
        fix: expect.stringContaining("xvfb-run -a"),
      },
    ]);
    expect((await start({})).passedOver).toEqual([]);
    expect((await start({ mode: "cpu" })).passedOver).toEqual([]);
  });
});

describe("gpujsBackendEntry", () => {
  it("names the backend, its modes, and starts the requested mode through a registry", async () => {
    expect(gpujsBackendEntry.name).toBe("gpujs");
    expect(gpujsBackendEntry.modes).toEqual(GPUJS_MODES);
    const registry = new BackendRegistry();
    registry.register(gpujsBackendEntry);
    const probes = await registry.probe();
    expect(probes).toEqual(GPUJS_MODES.map((mode) => ({ name: "gpujs", requested: mode, ok: true, mode })));
    const backend = (await registry.create("gpujs", { mode: "cpu" })) as GpujsBackend;
    started.push(backend);
    expect(backend.mode).toBe("cpu");
    await expect(registry.create("gpujs", { mode: "nope" })).rejects.toThrow(/valid modes: gpu, webasm, cpu/);
  });
});
