import type { Shape } from "@tensorplug/core";

/**
 * What a kernel argument is: a tensor in the mode's storage (a texture in GL, a host array
 * otherwise), a host array to upload (GL's copy kernel), or a float uniform.
 */
export type ArgKind = "tensor" | "host" | "scalar";

/**
 * One kernel, fully determined by its key: gpu.js source text with every dimension written in as a
 * literal (GLSL needs constant loop bounds), the output shape, and the kind of each argument.
 */
export interface KernelSpec {
  /** Op, flags and every input shape: two calls with the same key can share one compiled kernel. */
  readonly key: string;
  /** A `function(...) { ... }` in the JavaScript subset gpu.js translates. */
  readonly source: string;
  /** The output as `[rows, cols]`; gpu.js itself is told `[cols, rows]` (width first). */
  readonly output: Shape;
  readonly args: readonly ArgKind[];
}

/** `"3x4"`, for keys. */
export function dims(shape: Shape): string {
  return `${shape[0]}x${shape[1]}`;
}
