import type { Shape } from "@tensorplug/core";
import type { KernelOutput, KernelVariable, Texture } from "gpu.js";
import type { GpujsLib } from "./gpujs-lib.js";
import type { KernelCache } from "./kernel-cache.js";
import { type KernelSpec, QUAD } from "./kernel-spec.js";
import { uploadSpec } from "./sources/layout.js";

/** Where a tensor's values live: a GL texture, or a row-major host array in webasm and cpu modes. */
export type Payload = Texture | Float32Array;

/**
 * How one mode stores tensors: how data gets in and out, how a tensor is handed to a kernel, and
 * how a kernel's output becomes a tensor.
 */
export interface Device {
  /** Stores a copy of `data`. */
  upload(data: Float32Array, shape: Shape): Payload;
  /** The value to pass to a kernel for this tensor. */
  argument(payload: Payload, shape: Shape): KernelVariable;
  /** Takes ownership of the output of the kernel of `spec`. */
  adopt(output: KernelOutput, spec: KernelSpec): Payload;
  /** A fresh row-major copy of the values. */
  read(payload: Payload, shape: Shape): Float32Array;
  release(payload: Payload): void;
}

/** Rows of a 2-D gpu.js result (an array of row arrays), flattened row-major. */
export function flatten(output: unknown, shape: Shape): Float32Array {
  const [m, n] = shape;
  if (!Array.isArray(output) || output.length !== m) {
    throw new Error(`gpu.js returned ${describe(output)} where ${m} rows of ${n} were expected`);
  }
  const rows = output as ArrayLike<number>[];
  const first = rows[0];
  // webasm hands out its rows as consecutive views of one fresh buffer: use it as it is.
  if (first instanceof Float32Array && isContiguous(rows as Float32Array[], n)) {
    return new Float32Array(first.buffer, first.byteOffset, m * n);
  }
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = rows[i]!;
    if (row.length !== n) throw new Error(`gpu.js returned a row of ${row.length} where ${n} were expected`);
    out.set(row, i * n);
  }
  return out;
}

/**
 * A `rowQuads` result (see `OutputLayout`) as a row-major `[m,n]` array: gpu.js hands it over as
 * `[group][row]` 4-value arrays, the padding columns of the last group are dropped.
 */
export function unpackRowQuads(output: unknown, shape: Shape): Float32Array {
  const [m, n] = shape;
  const groups = Math.ceil(n / QUAD);
  if (!Array.isArray(output) || output.length !== groups) {
    throw new Error(`gpu.js returned ${describe(output)} where ${groups} groups of ${m} rows were expected`);
  }
  const out = new Float32Array(m * n);
  const packed = packedBuffer(output as ArrayLike<ArrayLike<number>>[], m * groups * QUAD);
  for (let q = 0; q < groups; q++) {
    const width = Math.min(QUAD, n - q * QUAD);
    const rows = (output as ArrayLike<ArrayLike<number>>[])[q]!;
    for (let i = 0; i < m; i++) {
      const target = i * n + q * QUAD;
      if (packed !== undefined) {
        const from = (q * m + i) * QUAD;
        for (let c = 0; c < width; c++) out[target + c] = packed[from + c]!;
      } else {
        const cell = rows[i]!;
        for (let c = 0; c < width; c++) out[target + c] = cell[c]!;
      }
    }
  }
  return out;
}

/**
 * webasm hands out every 4-value cell as a view of one fresh buffer, in thread order; reading that
 * buffer directly skips a property lookup per cell. `undefined` when the cells are separate arrays
 * (cpu mode).
 */
function packedBuffer(
  groups: readonly ArrayLike<ArrayLike<number>>[],
  length: number,
): Float32Array | undefined {
  const first = groups[0]?.[0];
  if (!(first instanceof Float32Array) || first.byteOffset !== 0 || first.buffer.byteLength !== length * 4) {
    return undefined;
  }
  const lastGroup = groups[groups.length - 1]!;
  const last = lastGroup[lastGroup.length - 1];
  if (
    !(last instanceof Float32Array) ||
    last.buffer !== first.buffer ||
    last.byteOffset !== (length - QUAD) * 4
  ) {
    return undefined;
  }
  return new Float32Array(first.buffer);
}

/**
 * Whether the rows are gpu.js's views of one fresh buffer, in order: its erector makes them so, and
 * checking the first and the last (not every row, which cost 5% of a webasm epoch) tells them from
 * rows that are separate arrays (cpu mode).
 */
function isContiguous(rows: readonly Float32Array[], n: number): boolean {
  const first = rows[0]!;
  const last = rows[rows.length - 1];
  return (
    first.byteOffset === 0 &&
    first.length === n &&
    first.buffer.byteLength === rows.length * n * 4 &&
    last instanceof Float32Array &&
    last.buffer === first.buffer &&
    last.length === n &&
    last.byteOffset === (rows.length - 1) * n * 4
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} rows`;
  return value === null ? "null" : typeof value;
}

/** webasm and cpu modes: tensors are host arrays, passed to kernels as `input(array, [cols, rows])`. */
export class HostDevice implements Device {
  private readonly lib: GpujsLib;

  constructor(lib: GpujsLib) {
    this.lib = lib;
  }

  upload(data: Float32Array): Payload {
    return data.slice();
  }

  argument(payload: Payload, shape: Shape): KernelVariable {
    // gpu.js takes typed arrays here; its typings only admit number[].
    return new this.lib.Input(host(payload) as unknown as number[], [shape[1], shape[0]]);
  }

  adopt(output: KernelOutput, spec: KernelSpec): Payload {
    return spec.layout === "rowQuads" ? unpackRowQuads(output, spec.output) : flatten(output, spec.output);
  }

  read(payload: Payload): Float32Array {
    return host(payload).slice();
  }

  release(): void {
    // Host arrays are garbage collected.
  }
}

function host(payload: Payload): Float32Array {
  if (!(payload instanceof Float32Array)) throw new Error("a host-mode tensor holds no host array");
  return payload;
}

function texture(payload: Payload): Texture {
  if (payload instanceof Float32Array) throw new Error("a GL tensor holds no texture");
  return payload;
}

/**
 * GL mode: tensors are float textures that stay on the device between kernels (gpu.js pipeline
 * mode). Uploads go through a copy kernel per shape; reads are the only readbacks.
 */
export class TextureDevice implements Device {
  private readonly lib: GpujsLib;
  private readonly kernels: KernelCache;

  constructor(lib: GpujsLib, kernels: KernelCache) {
    this.lib = lib;
    this.kernels = kernels;
  }

  upload(data: Float32Array, shape: Shape): Payload {
    // gpu.js copies the array into a texture during the call, so the view need not outlive it.
    const source = new this.lib.Input(data as unknown as number[], [shape[1], shape[0]]);
    const spec = uploadSpec(shape);
    return this.adopt(this.kernels.run(spec, [source]), spec);
  }

  argument(payload: Payload): KernelVariable {
    return texture(payload);
  }

  adopt(output: KernelOutput, spec: KernelSpec): Payload {
    if (spec.layout === "rowQuads") throw new Error(`${spec.key}: a GL tensor holds one value per texel`);
    if (!(output instanceof this.lib.Texture)) {
      throw new Error("gpu.js returned host values where a pipelined GL kernel returns a texture");
    }
    return output;
  }

  read(payload: Payload, shape: Shape): Float32Array {
    // toArray reads the pixels into fresh arrays, so the flattened result is the caller's own.
    return flatten(texture(payload).toArray(), shape);
  }

  release(payload: Payload): void {
    texture(payload).delete();
  }
}
