import { BackendUnavailableError } from "@tensorplug/core";
import type { GPU } from "gpu.js";
import { HostDevice, TextureDevice } from "./device.js";
import { GlCounters } from "./gl-counters.js";
import { diagnoseHeadlessGl, FIX_DISPLAY, type GlFactory } from "./gl-environment.js";
import { GpujsBackend, type GpujsRuntime, type PassedOver } from "./gpujs-backend.js";
import type { GpujsLib } from "./gpujs-lib.js";
import { INPUT_TYPE, KernelCache } from "./kernel-cache.js";
import { firstLine } from "./messages.js";
import { GPUJS, GPUJS_MODES, type GpujsMode, parseMode } from "./modes.js";
import { selfTest } from "./self-test.js";

/** Options of `createGpujsBackend`. */
export interface GpujsBackendOptions {
  /** `gpu`, `webasm` or `cpu`; `undefined` (or `auto`) starts the best that works here. */
  readonly mode?: GpujsMode | string;
  /** Where `DISPLAY` is read from, for mode gpu in Node; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

async function loadLib(): Promise<GpujsLib> {
  return (await import("./gpujs-lib.js")).lib;
}

async function loadGlFactory(): Promise<() => GlFactory> {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  return () => require("gl") as GlFactory;
}

function unavailable(reason: string, fix: string): BackendUnavailableError {
  return new BackendUnavailableError(GPUJS, reason, fix);
}

/** What to do when a mode's self-test fails. */
const FIX_SELF_TEST: Readonly<Record<GpujsMode, string>> = {
  gpu: "check the GL driver (Mesa's llvmpipe works), or use --gpujs-mode webasm",
  webasm: "use --gpujs-mode cpu",
  cpu: "use --gpujs-mode webasm, or another backend",
};

/** Makes gpu.js's GPU for a mode, after checking what that mode needs. */
async function makeGpu(lib: GpujsLib, mode: GpujsMode, options: GpujsBackendOptions): Promise<GPU> {
  if (mode === "gpu") {
    if (isNode) {
      const problem = diagnoseHeadlessGl({
        env: options.env ?? process.env,
        platform: process.platform,
        loadGl: await loadGlFactory(),
      });
      if (problem) throw unavailable(`mode gpu: ${problem.reason}`, problem.fix);
    }
    // In Node ask for headless-gl by name: gpu.js's "gpu" would quietly pick webasm when GL fails.
    return construct(lib, isNode ? "headlessgl" : "gpu", mode);
  }
  if (mode === "webasm" && !lib.GPU.isWebAssemblySupported) {
    throw unavailable("mode webasm: this runtime has no WebAssembly", "use --gpujs-mode cpu");
  }
  return construct(lib, mode, mode);
}

function construct(lib: GpujsLib, gpujsMode: "headlessgl" | "gpu" | "webasm" | "cpu", mode: GpujsMode): GPU {
  try {
    return new lib.GPU({ mode: gpujsMode });
  } catch (error) {
    throw unavailable(
      `mode ${mode}: gpu.js refused mode "${gpujsMode}" (${firstLine(error)})`,
      mode === "gpu" ? FIX_DISPLAY : "use --gpujs-mode cpu",
    );
  }
}

/** Starts one mode, proven by a self-test that really ran on that mode's kernels. */
async function startMode(
  mode: GpujsMode,
  options: GpujsBackendOptions,
  passedOver: readonly PassedOver[] = [],
): Promise<GpujsBackend> {
  const lib = await loadLib();
  const gpu = await makeGpu(lib, mode, options);
  const gl = mode === "gpu";
  const kernels = new KernelCache(gpu, {
    mode,
    kernelMode: mode,
    pipeline: gl,
    tensorType: gl ? "NumberTexture" : INPUT_TYPE,
    flatOutputs: mode === "webasm",
  });
  const device = gl ? new TextureDevice(lib, kernels) : new HostDevice(lib);
  const runtime: GpujsRuntime = {
    mode,
    engine: gpu.Kernel.name,
    gpu,
    kernels,
    device,
    // Measured: a 10-wide output costs llvmpipe (which shades blocks of pixels) about 12% per epoch
    // over writing it 256 or 784 wide and transposing; the host modes compute 4 columns per thread.
    matmul: gl ? "texels" : mode === "webasm" ? "inline" : "locals",
    passedOver,
  };
  const probe = new GpujsBackend(runtime);
  const problem = await selfTest(probe);
  if (problem !== undefined) {
    await probe.close().catch(() => undefined);
    throw unavailable(`mode ${mode}: ${problem}`, FIX_SELF_TEST[mode]);
  }
  if (!gl) return probe;
  // gpu.js makes the GL context with the first kernel, so only now can it be counted on: hand the
  // same runtime, plus the counters, to the instance we return (the probe holds nothing).
  return new GpujsBackend({ ...runtime, gl: GlCounters.attach(gpu.context) });
}

/**
 * Starts the gpu.js backend in the mode asked for, or in the best mode that starts here
 * (`GPUJS_MODES` order) when none is given; `backend.mode` is the mode that runs and
 * `backend.passedOver` says why better modes did not start. A mode asked for that cannot start
 * throws `BackendUnavailableError` with the reason and the fix: it never falls back.
 */
export async function createGpujsBackend(options: GpujsBackendOptions = {}): Promise<GpujsBackend> {
  const requested = parseMode(options.mode);
  if (requested !== undefined) return startMode(requested, options);
  const failures: BackendUnavailableError[] = [];
  const passedOver: PassedOver[] = [];
  for (const mode of GPUJS_MODES) {
    try {
      return await startMode(mode, options, passedOver);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      failures.push(error);
      passedOver.push({ mode, reason: error.reason, fix: error.fix });
    }
  }
  throw unavailable(
    `no gpu.js mode starts (${failures.map((f) => f.reason).join("; ")})`,
    failures.map((f) => f.fix).join("; "),
  );
}
