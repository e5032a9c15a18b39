import { BackendUnavailableError } from "@tensorplug/core";

/** The registry name of this backend; `mode` says which tfjs backend runs underneath. */
export const TFJS = "tfjs";

/** The TensorFlow.js backends this package can drive. */
export type TfjsBackendName = "wasm" | "cpu" | "webgl" | "tensorflow";

/**
 * Every tfjs backend, best first for Node (the CLI's platform): `tensorflow` (native libtensorflow,
 * multithreaded, when `@tensorflow/tfjs-node` is installed), `wasm` (XNNPACK with SIMD), `cpu`
 * (plain JavaScript), and `webgl`, which only starts in a browser.
 */
export const TFJS_BACKENDS: readonly TfjsBackendName[] = Object.freeze([
  "tensorflow",
  "wasm",
  "cpu",
  "webgl",
]);

/** Whether `value` names a tfjs backend this package knows. */
export function isTfjsBackendName(value: string): value is TfjsBackendName {
  return (TFJS_BACKENDS as readonly string[]).includes(value);
}

/** `value` as a tfjs backend name, or a `BackendUnavailableError` listing the valid names. */
export function parseTfjsBackendName(value: string): TfjsBackendName {
  if (isTfjsBackendName(value)) return value;
  throw new BackendUnavailableError(
    TFJS,
    `unknown tfjs backend "${value}"; valid values: ${TFJS_BACKENDS.join(", ")}`,
    `use --tfjs-backend ${TFJS_BACKENDS.join("|")}`,
  );
}
