import type { Shape } from "@tensorplug/core";
import type { KernelOutput, KernelVariable, Texture } from "gpu.js";
import { ByteImage } from "./byte-image.js";
import type { GpujsLib } from "./gpujs-lib.js";
import type { KernelCache } from "./kernel-cache.js";
import { type ArgKind, type KernelSpec, QUAD } from "./kernel-spec.js";
import { uploadSpec } from "./sources/layout.js";

/**
 * Where a tensor's values live: a GL texture, or in webasm and cpu modes a row-major host array
 * or the bytes of an image (see `ByteImage`).
 */
export type Payload = Texture | Float32Array | ByteImage;

/**
 * How one mode stores tensors: how data gets in and out, how a tensor is handed to a kernel, and
 * how a kernel's output becomes a tensor.
 */
export interface Device {
  /** Stores a copy of `data`. */
  upload(data: Float32Array, shape: Shape): Payload;
  /**
   * Stores a copy of bytes standing for `byte * scale` as they are, or returns `undefined` where
   * the device keeps floats only (GL, whose division is not guaranteed exact) or `scale` has no
   * exact divisor; the caller then scales on the host and uploads floats.
   */
  uploadBytes(data: Uint8Array, scale: number): Payload | undefined;
  /**
   * The value to pass to a kernel for this tensor, as the kernel's argument of kind `kind`,
   * presented as `view` where given (see `KernelSpec.views`; host modes only).
   */
  argument(payload: Payload, shape: Shape, kind: ArgKind, view?: Shape): KernelVariable;
  /** Takes ownership of the output of the kernel of `spec`. */
  adopt(output: KernelOutput, spec: KernelSpec): Payload;
  /** A fresh row-major copy of the values. */
  read(payload: Payload, shape: Shape): Float32Array;
  release(payload: Payload): void;
}

/**
 * A `cells` result as a row-major `[m,n]` array: the flat array itself (webasm, see
 * `KernelCacheOptions.flatOutputs`), or gpu.js's array of rows, copied.
 */
export function flatten(output: unknown, shape: Shape): Float32Array {
  const [m, n] = shape;
  if (output instanceof Float32Array && output.length === m * n) return output;
  if (!Array.isArray(output) || output.length !== m) {
    throw new Error(`gpu.js returned ${describe(output)} where ${m} rows of ${n} were expected`);
  }
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = (output as ArrayLike<number>[])[i]!;
    if (row.length !== n) throw new Error(`gpu.js returned a row of ${row.length} where ${n} were expected`);
    out.set(row, i * n);
  }
  return out;
}

/**
 * A `rowQuads` result (see `OutputLayout`) as a row-major `[m,n]` array, the padding columns of
 * the last group dropped. gpu.js hands it over flat, 4 values per thread in thread order (webasm,
 * see `KernelCacheOptions.flatOutputs`), or as `[group][row]` arrays of 4 values.
 */
export function unpackRowQuads(output: unknown, shape: Shape): Float32Array {
  const [m, n] = shape;
  const groups = Math.ceil(n / QUAD);
  const out = new Float32Array(m * n);
  if (output instanceof Float32Array && output.length === m * groups * QUAD) {
    for (let q = 0; q < groups; q++) {
      const width = Math.min(QUAD, n - q * QUAD);
      for (let i = 0; i < m; i++) {
        const from = (q * m + i) * QUAD;
        const to = i * n + q * QUAD;
        for (let c = 0; c < width; c++) out[to + c] = output[from + c]!;
      }
    }
    return out;
  }
  if (!Array.isArray(output) || output.length !== groups) {
    throw new Error(`gpu.js returned ${describe(output)} where ${groups} groups of ${m} rows were expected`);
  }
  for (let q = 0; q < groups; q++) {
    const width = Math.min(QUAD, n - q * QUAD);
    const cells = (output as ArrayLike<ArrayLike<number>>[])[q]!;
    for (let i = 0; i < m; i++) {
      const cell = cells[i]!;
      for (let c = 0; c < width; c++) out[i * n + q * QUAD + c] = cell[c]!;
    }
  }
  return out;
}

/**
 * A `pairBlocks` result (see `OutputLayout`) as a row-major `[m,n]` array. gpu.js hands it over
 * flat (webasm, see `KernelCacheOptions.flatOutputs`), 4 values per thread, the row pair varying
 * fastest; padding rows and columns are dropped.
 */
export function unpackPairBlocks(output: unknown, shape: Shape): Float32Array {
  const [m, n] = shape;
  const rowPairs = Math.ceil(m / 2);
  const colPairs = Math.ceil(n / 2);
  if (!(output instanceof Float32Array) || output.length !== rowPairs * colPairs * 4) {
    throw new Error(
      `gpu.js returned ${describe(output)} where ${rowPairs * colPairs * 4} values were expected`,
    );
  }
  const out = new Float32Array(m * n);
  const fullRows = m - (m % 2);
  const fullCols = n - (n % 2);
  for (let y = 0; y < colPairs; y++) {
    const c0 = 2 * y;
    const both = c0 < fullCols;
    for (let x = 0; x < rowPairs; x++) {
      const from = (y * rowPairs + x) * 4;
      const to = 2 * x * n + c0;
      out[to] = output[from]!;
      if (both) out[to + 1] = output[from + 1]!;
      if (2 * x < fullRows) {
        out[to + n] = output[from + 2]!;
        if (both) out[to + n + 1] = output[from + 3]!;
      }
    }
  }
  return out;
}

function describe(value: unknown): string {
  if (value instanceof Float32Array) return `${value.length} values`;
  if (Array.isArray(value)) return `${value.length} rows`;
  return value === null ? "null" : typeof value;
}

/** Released byte buffers kept per length for the next byte upload (a batch of images is 200 KB). */
const SPARE_BYTES_PER_LENGTH = 2;
/** Lengths kept at once: a full batch and the last one, and a little more; others start afresh. */
const SPARE_BYTE_LENGTHS = 4;

/** webasm and cpu modes: tensors are host arrays, passed to kernels as `input(array, [cols, rows])`. */
export class HostDevice implements Device {
  private readonly lib: GpujsLib;
  /**
   * The byte buffers of released `ByteImage`s, by length: training uploads one batch of images per
   * step and releases it after the step, and reusing its buffer instead of allocating (and
   * collecting) 200 KB per step saved about 4% of a webasm epoch.
   */
  private readonly spareBytes = new Map<number, Uint8Array[]>();

  constructor(lib: GpujsLib) {
    this.lib = lib;
  }

  upload(data: Float32Array): Payload {
    return data.slice();
  }

  uploadBytes(data: Uint8Array, scale: number): Payload | undefined {
    return ByteImage.copy(data, scale, this.spareBytes.get(data.length)?.pop());
  }

  argument(payload: Payload, shape: Shape, kind: ArgKind, view?: Shape): KernelVariable {
    let values: Float32Array | Uint8Array | Uint16Array | undefined;
    let width = shape[1];
    let height = shape[0];
    if (kind === "bytes" || kind === "bytePairs") {
      if (!(payload instanceof ByteImage)) throw new Error("a kernel for bytes was handed floats");
      values = kind === "bytes" ? payload.bytes : payload.pairs(width);
      if (values === undefined) throw new Error("a kernel for byte pairs was handed an odd row length");
      if (kind === "bytePairs") width /= 2;
    } else {
      values = host(payload);
    }
    if (view !== undefined) {
      if (view[0] * view[1] !== values.length) {
        throw new Error(`a view of ${view[0]}x${view[1]} was asked of ${values.length} values`);
      }
      [height, width] = view;
    }
    // gpu.js takes typed arrays here; its typings only admit number[].
    return new this.lib.Input(values as unknown as number[], [width, height]);
  }

  adopt(output: KernelOutput, spec: KernelSpec): Payload {
    if (spec.layout === "rowQuads") return unpackRowQuads(output, spec.output);
    if (spec.layout === "pairBlocks") return unpackPairBlocks(output, spec.output);
    return flatten(output, spec.output);
  }

  read(payload: Payload): Float32Array {
    return host(payload).slice();
  }

  release(payload: Payload): void {
    // Host arrays are garbage collected; image bytes are kept for the next upload of their size.
    if (!(payload instanceof ByteImage)) return;
    const length = payload.bytes.length;
    if (!this.spareBytes.has(length) && this.spareBytes.size >= SPARE_BYTE_LENGTHS) this.spareBytes.clear();
    const spare = this.spareBytes.get(length) ?? [];
    if (spare.length < SPARE_BYTES_PER_LENGTH) spare.push(payload.bytes);
    this.spareBytes.set(length, spare);
  }
}

/** A host-mode tensor's values as floats. */
function host(payload: Payload): Float32Array {
  if (payload instanceof Float32Array) return payload;
  if (payload instanceof ByteImage) return payload.values();
  throw new Error("a host-mode tensor holds no host array");
}

function texture(payload: Payload): Texture {
  if (payload instanceof Float32Array || payload instanceof ByteImage) {
    throw new Error("a GL tensor holds no texture");
  }
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

  uploadBytes(): undefined {
    return undefined;
  }

  argument(payload: Payload): KernelVariable {
    return texture(payload);
  }

  adopt(output: KernelOutput, spec: KernelSpec): Payload {
    if (spec.layout !== undefined && spec.layout !== "cells") {
      throw new Error(`${spec.key}: GL kernels write one value per texel of a 2-D texture`);
    }
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
