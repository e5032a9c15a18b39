/**
 * tensorplug's TensorFlow.js backend: the `Backend` interface on tfjs-core, running on tfjs's
 * `wasm` (default in Node), `cpu`, `webgl` (browsers) or `tensorflow` (with `@tensorflow/tfjs-node`).
 *
 * @packageDocumentation
 */
export { createTfjsBackend, type TfjsBackendOptions, tfjsBackendEntry } from "./create.js";
export type { EngineOptions } from "./engines.js";
export { isTfjsBackendName, TFJS_BACKENDS, type TfjsBackendName } from "./names.js";
export { TfjsBackend } from "./tfjs-backend.js";
export { TfjsTensor } from "./tfjs-tensor.js";
