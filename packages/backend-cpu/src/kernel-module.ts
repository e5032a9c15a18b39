import {
  KERNELS_WASM,
  KERNELS_WASM_FMA,
  KERNELS_WASM_SHARED,
  KERNELS_WASM_SHARED_FMA,
} from "./generated/kernels-wasm.js";

/** The kernels' exports, as the host calls them (see assembly/kernels.ts). */
export interface KernelExports {
  heapBase(): number;
  matmul(...args: number[]): void;
  linearSoftmaxCrossEntropy(...args: number[]): void;
  sumSlots(at: number, from: number, slots: number, stride: number, count: number): void;
  labelOrder(t: number, m: number, n: number, order: number, scratch: number): void;
  allFinite(at: number, count: number): number;
  pad(src: number, rows: number, n: number, dst: number, ns: number): void;
  unpad(src: number, rows: number, ns: number, n: number, dst: number): void;
  stepWeights(
    w: number,
    gw: number,
    from: number,
    slots: number,
    stride: number,
    k: number,
    ns: number,
    n: number,
    scaleAt: number,
    out: number,
    padded: number,
    flag: number,
  ): void;
}

/** The exports a worker may be asked to run. */
export const THREADED = ["matmul", "linearSoftmaxCrossEntropy", "stepWeights"] as const;

/** The bytes of a module the build wrote as base64. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The compiled kernels: for a shared memory (two threads, and resident regions that survive the
 * memory's growth) or not, with fused multiply-adds (relaxed SIMD) or not.
 */
export function kernelModule(shared: boolean, fused: boolean): WebAssembly.Module {
  const base64 = shared
    ? fused
      ? KERNELS_WASM_SHARED_FMA
      : KERNELS_WASM_SHARED
    : fused
      ? KERNELS_WASM_FMA
      : KERNELS_WASM;
  return new WebAssembly.Module(decodeBase64(base64));
}
