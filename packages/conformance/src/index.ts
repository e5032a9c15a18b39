// @tensorplug/conformance: the checks every tensorplug backend must pass, plus the float64
// reference and tolerance rule they use, exported for backends' own tests.
export { type AsyncOnlyBackend, withoutSyncRead } from "./async-only.js";
export { assertSameBits, firstBitDifference } from "./bits.js";
export { conformanceChecks } from "./checks/index.js";
export type { Check, CheckContext } from "./context.js";
export { type F32Matrix, type Fill, oneHotF32, seededLabels, seededMatrix } from "./host.js";
export { type ConformanceOptions, DEFAULT_NUM_RUNS } from "./options.js";
export * as reference from "./reference/index.js";
export { runConformance } from "./run.js";
export {
  accumulated,
  assertClose,
  type CloseOptions,
  findMismatch,
  type Mismatch,
  PRECISION_TOLERANCE,
  type Tolerance,
  toleranceFor,
} from "./tolerance.js";
