import type { TfjsBackendName } from "./names.js";

/** True under Node.js (and runtimes that present themselves as Node, such as vitest's workers). */
export function isNode(): boolean {
  return typeof process === "object" && typeof process.versions?.node === "string";
}

/** True in a browser page or worker: the only places WebGL exists. */
export function isBrowser(): boolean {
  return !isNode() && typeof globalThis === "object" && "navigator" in globalThis;
}

/**
 * The order in which tfjs backends are tried when none is asked for. In Node, `tensorflow` is
 * native and multithreaded, so it wins when installed; `wasm` (XNNPACK, SIMD) beats `cpu` (plain
 * JavaScript) by an order of magnitude on matmul. In a browser the GPU comes first.
 */
export function preferredOrder(): readonly TfjsBackendName[] {
  return isNode() ? ["tensorflow", "wasm", "cpu"] : ["webgl", "wasm", "cpu"];
}
