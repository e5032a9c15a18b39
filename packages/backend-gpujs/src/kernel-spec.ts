import type { Shape } from "@tensorplug/core";

/**
 * What a kernel argument is: a tensor in the mode's storage (a texture in GL, a host array
 * otherwise), a host-mode tensor of bytes read raw (a `ByteImage`: the source divides each value
 * by the image's divisor itself) or as byte pairs (`ByteImage.pairs`: the source also splits
 * each value in two), a host array to upload (GL's copy kernel), or a float uniform.
 */
export type ArgKind = "tensor" | "bytes" | "bytePairs" | "host" | "scalar";

/**
 * How a kernel writes its output.
 * - `cells`: one thread per element, `this.thread.x` the column and `this.thread.y` the row.
 * - `rowQuads`: one thread per row and group of 4 columns, returning the 4 values as gpu.js's
 *   `Array(4)`: `this.thread.x` is the row, `this.thread.y` the group. Columns past the last are
 *   padding the device drops. Host modes only (a GL tensor is one float per texel).
 * - `pairBlocks`: one thread per 2 rows and 2 columns, returning `[r0c0, r0c1, r1c0, r1c1]` as
 *   gpu.js's `Array(4)`: `this.thread.x` is the pair of rows, `this.thread.y` the pair of columns.
 *   Rows and columns past the last are padding the device drops. webasm only (read flat).
 * - `flat`: one thread per element in row-major order, `this.thread.x` the flat index, for
 *   element-wise ops on operands of the output's shape (read as `t[this.thread.x]`). A webasm
 *   SIMD step then always covers 4 elements, where `cells` splits every row whose width is not a
 *   multiple of 4 into a SIMD part and a scalar rest (two calls into WebAssembly per row). Host
 *   modes only (GL textures have a maximum width).
 */
export type OutputLayout = "cells" | "rowQuads" | "pairBlocks" | "flat";

/** Columns one `rowQuads` thread writes. */
export const QUAD = 4;

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
  /** `cells` when absent. */
  readonly layout?: OutputLayout;
  /**
   * Host modes: how each argument's row-major values are handed to gpu.js, as `[rows, cols]` of
   * the same number of values (byte pairs counted as values), so that a kernel can read them as
   * `t[row][col]` with a loop counter as the row (see `sources/byte-pairs.ts`). An argument
   * without one is handed over in its own shape (byte pairs: half as many columns).
   */
  readonly views?: readonly (Shape | undefined)[];
}

/** `"3x4"`, for keys. */
export function dims(shape: Shape): string {
  return `${shape[0]}x${shape[1]}`;
}

/** The `output` setting gpu.js gets for a spec: its thread grid, width first. */
export function threadGrid(spec: KernelSpec): number[] {
  const [m, n] = spec.output;
  if (spec.layout === "flat") return [m * n];
  if (spec.layout === "pairBlocks") return [Math.ceil(m / 2), Math.ceil(n / 2)];
  return spec.layout === "rowQuads" ? [m, Math.ceil(n / QUAD)] : [n, m];
}

const built = new Map<string, KernelSpec>();

/**
 * The spec of `key`, built by `build` the first time only: every op call needs its spec's key, and
 * generating a matmul's source for every batch cost more than looking it up.
 */
export function memoized(key: string, build: (key: string) => KernelSpec): KernelSpec {
  let spec = built.get(key);
  if (spec === undefined) {
    spec = build(key);
    built.set(key, spec);
  }
  return spec;
}
