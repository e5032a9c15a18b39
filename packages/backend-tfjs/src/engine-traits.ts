import type { TfjsBackendName } from "./names.js";

/** How one tfjs backend treats memory and matmul, which decides what `TfjsBackend` must do around it. */
export interface EngineTraits {
  /**
   * The engine copies the array given to `tf.tensor` before returning. When false (cpu, tfjs-node,
   * webgl keep a reference until first use), `upload` copies first: the model reuses its batch
   * buffer, and a tensor must not change when the caller's array does.
   */
  readonly copiesOnWrite: boolean;
  /** `data()` returns a fresh array. When false (the cpu engine returns its own buffer), `read` copies. */
  readonly readsCopy: boolean;
  /** A synchronous read is cheap here. WebGL's would stall the GPU pipeline, so it is not offered there. */
  readonly syncRead: boolean;
  /**
   * `"xnnpack"`: only the untransposed product runs on XNNPACK; a transposed one falls back to a
   * scalar loop about 8x slower, so `matmul` rewrites transposes (see `matmul.ts`).
   * `"native"`: the engine's kernel handles the flags itself.
   */
  readonly matmul: "native" | "xnnpack";
  /**
   * Float32 division is IEEE, correctly rounded, so `uploadBytes` may convert bytes natively and
   * divide on the engine (see core's `exactByteDivisor`). Not assumed of GPUs.
   */
  readonly exactDivide: boolean;
}

// wasm: `write` copies into the wasm heap (HEAPU8.set) and `readSync` slices out of it.
const WASM: EngineTraits = {
  copiesOnWrite: true,
  readsCopy: true,
  syncRead: true,
  matmul: "xnnpack",
  exactDivide: true,
};
const HOST: EngineTraits = {
  copiesOnWrite: false,
  readsCopy: false,
  syncRead: true,
  matmul: "native",
  exactDivide: true,
};
const GPU: EngineTraits = {
  copiesOnWrite: false,
  readsCopy: false,
  syncRead: false,
  matmul: "native",
  exactDivide: false,
};

/** The traits of a tfjs backend. Unverified engines are treated as keeping references, the safe side. */
export function traitsOf(name: TfjsBackendName): EngineTraits {
  switch (name) {
    case "wasm":
      return WASM;
    case "webgl":
      return GPU;
    case "cpu":
    case "tensorflow":
      return HOST;
  }
}
