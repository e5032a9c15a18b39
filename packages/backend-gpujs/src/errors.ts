import { TensorplugError } from "@tensorplug/core";

/**
 * gpu.js wanted to run a kernel somewhere other than the mode this backend runs in — its answer to
 * a kernel the GL (or webasm) path cannot take is a console warning and a CPU kernel. We refuse,
 * so the mode a run reports is always the mode that computed it.
 */
export class GpujsFallbackError extends TensorplugError {
  /** The kernel's cache key: op, flags and input shapes. */
  readonly kernel: string;
  constructor(kernel: string, mode: string, detail: string) {
    super(
      "E_GPUJS_FALLBACK",
      `gpu.js would not run the ${kernel} kernel in mode ${mode} (${detail}); ` +
        "it would have fallen back to its CPU kernel, which this backend never does silently",
    );
    this.kernel = kernel;
  }
}

/** A kernel gpu.js could not build or run, e.g. a shader the driver rejected. */
export class GpujsKernelError extends TensorplugError {
  /** The kernel's cache key: op, flags and input shapes. */
  readonly kernel: string;
  constructor(kernel: string, detail: string) {
    super("E_GPUJS_KERNEL", `gpu.js could not run the ${kernel} kernel: ${detail}`);
    this.kernel = kernel;
  }
}

/** The backend was used after `close()`. */
export class GpujsClosedError extends TensorplugError {
  constructor(op: string) {
    super("E_BACKEND_CLOSED", `${op}: the gpujs backend is closed`);
  }
}
