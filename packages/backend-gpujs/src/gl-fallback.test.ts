// Mode gpu (run under xvfb-run -a): a GL kernel that gpu.js cannot run on headless-gl. gpu.js's own
// answer is a console warning and its CPU kernel; the backend's kernel cache must refuse instead.
import gpujs from "gpu.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GpujsFallbackError } from "./errors.js";
import { KernelCache } from "./kernel-cache.js";
import type { KernelSpec } from "./kernel-spec.js";

const gpus: InstanceType<typeof gpujs.GPU>[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(gpus.splice(0).map((g) => g.destroy()));
});

function headlessGl() {
  const gpu = new gpujs.GPU({ mode: "headlessgl" });
  gpus.push(gpu);
  return gpu;
}

const twice: KernelSpec = {
  key: "twice|1x3",
  source: "function(a) { return a[this.thread.x] * 2; }",
  output: [1, 3],
  args: ["tensor"],
};

/**
 * A plain array that GL sees as an array of images, which WebGL 1 (headless-gl) has no kernel value
 * for: gpu.js's GL kernel takes a value's own `type` over the declared one and asks to fall back,
 * while its CPU kernel reads it as the declared plain array and runs.
 */
function imageArrayLookalike(): Float32Array {
  return Object.assign(Float32Array.from([1, 2, 3]), { type: "HTMLImageArray" });
}

describe("a GL kernel gpu.js would replace with its CPU kernel", () => {
  it("left to gpu.js, runs on the CPU with only a console warning (what the backend must prevent)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const kernel = headlessGl().createKernel(twice.source, {
      output: [3, 1],
      precision: "single",
      argumentTypes: { a: "Array" },
    });
    expect(kernel(imageArrayLookalike())).toEqual([Float32Array.from([2, 4, 6])]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Falling back to CPU/));
    expect((kernel.kernel.constructor as { mode?: string }).mode).toBe("cpu");
  });

  it("through the backend's kernel cache, throws GpujsFallbackError naming the reason, warns nothing, keeps nothing", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const kernels = new KernelCache(headlessGl(), {
      mode: "gpu",
      kernelMode: "gpu",
      pipeline: true,
      tensorType: "Array",
    });
    let error: unknown;
    try {
      kernels.run(twice, [imageArrayLookalike() as unknown as number[]]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GpujsFallbackError);
    expect((error as Error).message).toMatch(
      /gpu\.js would not run the twice\|1x3 kernel in mode gpu \(argument "a" of type Array is not supported by HeadlessGLKernel\)/,
    );
    expect(warn).not.toHaveBeenCalled();
    expect(kernels.stats().kernels).toBe(0);
  });
});
