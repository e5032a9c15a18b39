// gpu.js is CommonJS; Node's ESM loader hands its `module.exports` over as the default export.
// This module is imported lazily (see create.ts), so importing the package stays cheap and never
// loads gpu.js — or the native `gl` module gpu.js requires — until a gpujs backend is created.
import gpujs from "gpu.js";

/** The gpu.js module. */
export type GpujsLib = typeof gpujs;

/** The loaded gpu.js module. */
export const lib: GpujsLib = gpujs;
