import { KERNELS_WASM_FMA } from "./generated/kernels-wasm.js";
import { decodeBase64 } from "./kernel-module.js";

/** The V8 flag that lets Node 20 compile relaxed SIMD; later versions have it on by default. */
const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}

let valid: boolean | undefined;

function validates(): boolean {
  return WebAssembly.validate(decodeBase64(KERNELS_WASM_FMA));
}

/**
 * Whether this runtime compiles WebAssembly's relaxed SIMD, which the kernels with fused
 * multiply-adds need: Node 22 and later and current browsers do; Node 20 only with
 * `--experimental-wasm-relaxed-simd`, or after `enableRelaxedSimd`. Asked once a process, when the
 * first CPU backend starts its kernels.
 */
export function relaxedSimd(): boolean {
  valid ??= validates();
  return valid;
}

/**
 * For programs on Node 20: turns on V8's relaxed SIMD (`--experimental-wasm-relaxed-simd`) unless
 * the runtime has it already, so that CPU backends made after this run their fused multiply-add
 * kernels. Call it at the start of the program, before any backend exists; the `tensorplug` CLI
 * does. Node documents changing V8's flags at run time as unsupported in general; this one only
 * widens what WebAssembly compiles. Returns whether relaxed SIMD is available now. A library should
 * leave this to the program that uses it.
 */
export function enableRelaxedSimd(): boolean {
  if (!validates()) {
    const proc = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process;
    (proc?.getBuiltinModule?.("node:v8") as NodeV8 | undefined)?.setFlagsFromString(RELAXED_SIMD_FLAG);
  }
  valid = validates();
  return valid;
}
