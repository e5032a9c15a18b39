import { KERNELS_WASM } from "./generated/kernels-wasm.js";

/** Bytes that stand for `byte * scale`, as `uploadBytes` stores them. */
export interface ByteData {
  readonly bytes: Uint8Array;
  readonly scale: number;
}

/** A left operand of a kernel: floats, or bytes with their scale. */
export type Input = Float32Array | ByteData;

/** What `linearSoftmaxCrossEntropy` returns, unpadded. */
export interface LinearStep {
  readonly loss: Float32Array;
  readonly correct: Float32Array;
  readonly gradW: Float32Array;
  readonly gradB: Float32Array;
}

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  matmul(...args: number[]): void;
  linearSoftmaxCrossEntropy(...args: number[]): void;
  allFinite(at: number, count: number): number;
  pad(src: number, rows: number, n: number, dst: number, ns: number): void;
  unpad(src: number, rows: number, ns: number, n: number, dst: number): void;
}

const PAGE = 65536;
const FLOAT = 4;

/** Floats per padded row: whole 128-bit vectors, and at least 12 so narrow outputs take the fast path. */
function paddedStride(n: number): number {
  return n <= 12 ? 12 : Math.ceil(n / 4) * 4;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The WebAssembly SIMD kernels (assembly/kernels.ts) and the copying in and out of their linear
 * memory. Every call lays its operands out from the start of the arena again: calls are
 * synchronous, so they never overlap, and the memory only grows to the largest call seen.
 */
export class WasmKernels {
  private readonly exports: KernelExports;
  private readonly base: number;
  private top = 0;
  private lutScale = Number.NaN;
  private readonly lut = new Float32Array(256);

  constructor() {
    const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM));
    this.exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.base = Math.ceil(this.exports.heapBase() / 16) * 16;
  }

  /** `a · w` for `a` `[m,k]` and floats `w` `[k,n]`, computed over `a`'s nonzero entries. */
  matmul(a: Input, w: Float32Array, m: number, k: number, n: number): Float32Array {
    const ns = paddedStride(n);
    this.top = this.base;
    const x = this.placeInput(a, m * k);
    const lut = this.placeLut(a);
    const { at: wp, finite } = this.placePadded(w, k, n, ns);
    const zero = this.alloc(ns * FLOAT);
    const c = this.alloc(m * ns * FLOAT);
    const idx = this.alloc(k * FLOAT);
    const val = this.alloc(k * FLOAT);
    this.heapF32(zero, ns).fill(0);
    this.exports.matmul(x, isBytes(a) ? 1 : 0, lut, m, k, wp, ns, finite ? 1 : 0, zero, c, idx, val);
    return this.unpad(c, m, n, ns);
  }

  /** Dense layer, softmax and cross-entropy with its gradients, in one pass over `x`. */
  linearSoftmaxCrossEntropy(
    x: Input,
    w: Float32Array,
    b: Float32Array,
    targets: Float32Array,
    m: number,
    k: number,
    n: number,
  ): LinearStep {
    const ns = paddedStride(n);
    this.top = this.base;
    const xp = this.placeInput(x, m * k);
    const lut = this.placeLut(x);
    const { at: wp, finite } = this.placePadded(w, k, n, ns);
    const { at: bp } = this.placePadded(b, 1, n, ns);
    const tp = this.place(targets);
    const loss = this.alloc(m * FLOAT);
    const correct = this.alloc(m * FLOAT);
    const gw = this.alloc(k * ns * FLOAT);
    const gb = this.alloc(ns * FLOAT);
    const idx = this.alloc(k * FLOAT);
    const val = this.alloc(k * FLOAT);
    const z = this.alloc(ns * FLOAT);
    const g = this.alloc(ns * FLOAT);
    this.exports.linearSoftmaxCrossEntropy(
      xp,
      isBytes(x) ? 1 : 0,
      lut,
      m,
      k,
      wp,
      bp,
      ns,
      n,
      tp,
      finite ? 1 : 0,
      loss,
      correct,
      gw,
      gb,
      idx,
      val,
      z,
      g,
    );
    return {
      loss: this.heapF32(loss, m).slice(),
      correct: this.heapF32(correct, m).slice(),
      gradW: this.unpad(gw, k, n, ns),
      gradB: this.unpad(gb, 1, n, ns),
    };
  }

  /** Reserves `bytes` (16-byte aligned) in the arena, growing the memory when needed. */
  private alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    const { memory } = this.exports;
    // 16 spare bytes: a vector load at the end of a padded row may look past the last value.
    const missing = this.top + 16 - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
    return at;
  }

  private heapF32(at: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, at, length);
  }

  private place(values: Float32Array): number {
    const at = this.alloc(values.length * FLOAT);
    this.heapF32(at, values.length).set(values);
    return at;
  }

  private placeInput(input: Input, length: number): number {
    if (!isBytes(input)) return this.place(input.subarray(0, length));
    const at = this.alloc(length);
    new Uint8Array(this.exports.memory.buffer, at, length).set(input.bytes.subarray(0, length));
    return at;
  }

  /** The table from byte to value, `Math.fround(byte * scale)`, as the composite path rounds it. */
  private placeLut(input: Input): number {
    if (!isBytes(input)) return 0;
    if (input.scale !== this.lutScale) {
      for (let v = 0; v < 256; v++) this.lut[v] = v * input.scale;
      this.lutScale = input.scale;
    }
    return this.place(this.lut);
  }

  /** `rows x n` floats laid out with rows of stride `ns`, zero-padded; and whether all are finite. */
  private placePadded(
    values: Float32Array,
    rows: number,
    n: number,
    ns: number,
  ): { at: number; finite: boolean } {
    const at = this.alloc(rows * ns * FLOAT);
    const packed = this.place(values.subarray(0, rows * n));
    const finite = this.exports.allFinite(packed, rows * n) !== 0;
    this.exports.pad(packed, rows, n, at, ns);
    return { at, finite };
  }

  /** A fresh `rows x n` copy of a padded result. */
  private unpad(at: number, rows: number, n: number, ns: number): Float32Array {
    if (n === ns) return this.heapF32(at, rows * n).slice();
    const packed = this.alloc(rows * n * FLOAT);
    this.exports.unpad(at, rows, ns, n, packed);
    return this.heapF32(packed, rows * n).slice();
  }
}

export function isBytes(input: Input): input is ByteData {
  return !(input instanceof Float32Array);
}

let shared: WasmKernels | undefined;

/** The process's one instance: calls are synchronous and never overlap, so one memory serves all. */
export function wasmKernels(): WasmKernels {
  shared ??= new WasmKernels();
  return shared;
}
