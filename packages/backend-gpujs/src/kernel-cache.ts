import { TensorplugError } from "@tensorplug/core";
import type { GPU, GPUVariableType, IKernelRunShortcut, Kernel, KernelOutput, KernelVariable } from "gpu.js";
import { GpujsFallbackError, GpujsKernelError } from "./errors.js";
import { type ArgKind, type KernelSpec, threadGrid } from "./kernel-spec.js";
import { firstLine } from "./messages.js";

/** How the cache builds kernels for one backend instance. */
export interface KernelCacheOptions {
  /** The backend's mode, for messages. */
  readonly mode: string;
  /**
   * The static `mode` of the gpu.js kernel classes allowed to run: every GL kernel class says
   * `gpu`, the webasm one `webasm`, the CPU one `cpu` — the same names as our modes.
   */
  readonly kernelMode: string;
  /** GL only: keep outputs on the device as textures instead of reading them back. */
  readonly pipeline: boolean;
  /** The gpu.js type of a tensor argument: `NumberTexture` in GL, `Input` otherwise. */
  readonly tensorType: GPUVariableType;
  /**
   * webasm only: each kernel hands over its output as the flat array it computes. gpu.js's
   * WebAssembly kernel copies its output out of wasm memory, then cuts the copy into a view per row
   * (or per 4-value cell), which the device only glues back together: skipping the cutting saved
   * 6% of an epoch. Relies on the kernel's `_shapeOutput` step (gpu.js 2.24); where that is absent
   * the device reads the shaped output as before.
   */
  readonly flatOutputs?: boolean;
}

/** Counters of the cache, for tests and benchmarks. */
export interface KernelCacheStats {
  /** Kernels held, one per distinct op, flags and input shapes. */
  readonly kernels: number;
  /** Kernels created so far (each compiles on its first call). */
  readonly compiles: number;
  /** Calls served by an existing kernel. */
  readonly hits: number;
}

/** gpu.js's type of an `input(array, size)` argument; its typings leave it out of `GPUVariableType`. */
export const INPUT_TYPE = "Input" as GPUVariableType;

const PARAMS = /^function\s*\(([^)]*)\)/;

/** The static `mode` of the kernel class that actually runs behind a gpu.js shortcut. */
function runningMode(kernel: IKernelRunShortcut): string {
  return String((kernel.kernel.constructor as { mode?: unknown }).mode);
}

/** Makes a webasm kernel return its flat output (see `KernelCacheOptions.flatOutputs`). */
function skipShaping(shortcut: IKernelRunShortcut): void {
  const kernel = shortcut.kernel as { _shapeOutput?: unknown };
  if (typeof kernel._shapeOutput === "function") kernel._shapeOutput = (data: Float32Array) => data;
}

/**
 * gpu.js kernels by `KernelSpec.key`: each op, flag set and input shape compiles once and is
 * reused by every later call (every batch of 256 rows shares kernels; the last batch of 96 rows
 * gets its own). Every call is checked to have run on a kernel of the backend's mode.
 */
export class KernelCache {
  private readonly gpu: GPU;
  private readonly options: KernelCacheOptions;
  private readonly kernels = new Map<string, IKernelRunShortcut>();
  private compiles = 0;
  private hits = 0;

  constructor(gpu: GPU, options: KernelCacheOptions) {
    this.gpu = gpu;
    this.options = options;
  }

  /** Runs the kernel of `spec` (compiling it on first use) on `args`, in the order of `spec.args`. */
  run(spec: KernelSpec, args: readonly KernelVariable[]): KernelOutput {
    const cached = this.kernels.get(spec.key);
    if (cached !== undefined) this.hits++;
    let kernel: IKernelRunShortcut | undefined = cached;
    try {
      kernel ??= this.create(spec);
      const out = kernel(...args);
      this.guard(spec.key, kernel);
      return out;
    } catch (error) {
      // A kernel that failed its first run (it builds then) is not kept: the next call retries.
      if (cached === undefined && kernel !== undefined) this.forget(spec.key, kernel);
      if (error instanceof TensorplugError) throw error;
      throw new GpujsKernelError(spec.key, firstLine(error));
    }
  }

  stats(): KernelCacheStats {
    return { kernels: this.kernels.size, compiles: this.compiles, hits: this.hits };
  }

  private create(spec: KernelSpec): IKernelRunShortcut {
    const names =
      PARAMS.exec(spec.source)?.[1]
        ?.split(",")
        .map((p) => p.trim()) ?? [];
    if (names.length !== spec.args.length) {
      throw new GpujsKernelError(
        spec.key,
        `the source takes ${names.length} arguments, the spec ${spec.args.length}`,
      );
    }
    const argumentTypes: Record<string, GPUVariableType> = {};
    names.forEach((name, i) => {
      argumentTypes[name] = this.typeOf(spec.args[i]!);
    });
    const { mode } = this.options;
    const key = spec.key;
    const kernel = this.gpu.createKernel(spec.source, {
      output: threadGrid(spec),
      ...(spec.layout === "rowQuads" || spec.layout === "pairBlocks"
        ? { returnType: "Array(4)" as const }
        : {}),
      precision: "single",
      // highp everywhere: gpu.js otherwise picks the lowest precision that addresses the output.
      tactic: "precision",
      pipeline: this.options.pipeline,
      // Each call returns a new output; the previous one stays valid until we dispose it.
      immutable: true,
      argumentTypes,
      // gpu.js calls this (with the kernel as `this`) where it would swap in its CPU kernel.
      onRequestFallback(this: Kernel): Kernel {
        throw new GpujsFallbackError(key, mode, this.fallbackReason ?? "no reason given");
      },
    });
    if (this.options.flatOutputs) skipShaping(kernel);
    this.kernels.set(spec.key, kernel);
    this.compiles++;
    return kernel;
  }

  private typeOf(kind: ArgKind): GPUVariableType {
    if (kind === "scalar") return "Float";
    if (kind === "host" || kind === "bytes" || kind === "bytePairs") return INPUT_TYPE;
    return this.options.tensorType;
  }

  /** Throws unless the kernel that just ran is one of the backend's mode, not a fallback. */
  private guard(key: string, kernel: IKernelRunShortcut): void {
    const ran = runningMode(kernel);
    if (ran !== this.options.kernelMode) {
      throw new GpujsFallbackError(key, this.options.mode, `it ran a ${ran} kernel`);
    }
  }

  private forget(key: string, kernel: IKernelRunShortcut): void {
    this.kernels.delete(key);
    try {
      kernel.destroy();
    } catch {
      // A kernel that never built may have nothing to release; the original error matters.
    }
  }
}
