import gpujs from "gpu.js";
import { afterEach, describe, expect, it } from "vitest";
import { GpujsFallbackError, GpujsKernelError } from "./errors.js";
import { INPUT_TYPE, KernelCache, type KernelCacheOptions } from "./kernel-cache.js";
import type { KernelSpec } from "./kernel-spec.js";

const gpus: InstanceType<typeof gpujs.GPU>[] = [];
afterEach(async () => {
  await Promise.all(gpus.splice(0).map((g) => g.destroy()));
});

function cache(gpuMode: "webasm" | "cpu", options: Partial<KernelCacheOptions> = {}) {
  const gpu = new gpujs.GPU({ mode: gpuMode });
  gpus.push(gpu);
  return new KernelCache(gpu, {
    mode: gpuMode,
    kernelMode: gpuMode,
    pipeline: false,
    tensorType: INPUT_TYPE,
    ...options,
  });
}

const twice: KernelSpec = {
  key: "twice|1x3",
  source: "function(a) { return a[this.thread.y][this.thread.x] * 2; }",
  output: [1, 3],
  args: ["tensor"],
};

const row = (...values: number[]) =>
  new gpujs.Input(Float32Array.from(values) as unknown as number[], [3, 1]);

describe("KernelCache", () => {
  it("compiles a key once and serves every later call from the cache", () => {
    const kernels = cache("webasm");
    expect(kernels.run(twice, [row(1, 2, 3)])).toEqual([Float32Array.from([2, 4, 6])]);
    expect(kernels.run(twice, [row(4, 5, 6)])).toEqual([Float32Array.from([8, 10, 12])]);
    expect(kernels.stats()).toEqual({ kernels: 1, compiles: 1, hits: 1 });
    kernels.run({ ...twice, key: "twice|1x3 again" }, [row(1, 1, 1)]);
    expect(kernels.stats()).toEqual({ kernels: 2, compiles: 2, hits: 1 });
  });

  it("with flatOutputs, hands over a webasm kernel's output as one flat array", () => {
    const kernels = cache("webasm", { flatOutputs: true });
    const twoRows: KernelSpec = { ...twice, key: "twice|2x3", output: [2, 3] };
    const out = kernels.run(twoRows, [
      new gpujs.Input(Float32Array.from([1, 2, 3, 4, 5, 6]) as unknown as number[], [3, 2]),
    ]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out as Float32Array)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it("refuses a kernel that ran in another mode than the backend's", () => {
    // A webasm GPU behind a cache that expects GL kernels: what gpu.js's "gpu" mode does without a display.
    const kernels = cache("webasm", { mode: "gpu", kernelMode: "gpu" });
    expect(() => kernels.run(twice, [row(1, 2, 3)])).toThrow(GpujsFallbackError);
    expect(() => kernels.run(twice, [row(1, 2, 3)])).toThrow(
      "gpu.js would not run the twice|1x3 kernel in mode gpu (it ran a webasm kernel)",
    );
  });

  it("stops gpu.js's CPU fallback before it runs, naming gpu.js's reason", () => {
    // webasm cannot read textures; gpu.js would warn and quietly run its CPU kernel instead.
    const kernels = cache("webasm", { tensorType: "NumberTexture" });
    let error: unknown;
    try {
      kernels.run(twice, [row(1, 2, 3)]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GpujsFallbackError);
    expect((error as Error).message).toMatch(
      /argument "a" of type NumberTexture is not supported on the webasm backend/,
    );
    expect((error as Error).message).toMatch(/would have fallen back to its CPU kernel/);
    // The failed kernel is not kept.
    expect(kernels.stats().kernels).toBe(0);
  });

  it("reports a kernel gpu.js cannot translate, and does not keep it", () => {
    const kernels = cache("cpu");
    const broken: KernelSpec = {
      ...twice,
      key: "broken",
      source: "function(a) { return a[this.thread.y][this.thread.x] +* 2; }",
    };
    expect(() => kernels.run(broken, [row(1, 2, 3)])).toThrow(GpujsKernelError);
    expect(kernels.stats().kernels).toBe(0);
  });

  it("checks that the source takes as many arguments as the spec lists", () => {
    const kernels = cache("cpu");
    expect(() => kernels.run({ ...twice, args: ["tensor", "scalar"] }, [row(1, 2, 3), 1])).toThrow(
      /the source takes 1 arguments, the spec 2/,
    );
  });
});
