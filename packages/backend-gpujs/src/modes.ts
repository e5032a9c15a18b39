import { BackendUnavailableError } from "@tensorplug/core";

/** The gpu.js modes this backend offers: `gpu` (WebGL, or headless-gl in Node), `webasm`, `cpu`. */
export type GpujsMode = "gpu" | "webasm" | "cpu";

/** Every mode, best first: the order `createGpujsBackend` tries when no mode is asked for. */
export const GPUJS_MODES: readonly GpujsMode[] = Object.freeze(["gpu", "webasm", "cpu"]);

/** Words that ask for "the best mode that starts", like leaving the mode out. */
const BEST = new Set(["auto", "best"]);

/** The name the backend registers under. */
export const GPUJS = "gpujs";

/**
 * The mode asked for, or `undefined` for the best that starts. Any other string is a
 * `BackendUnavailableError` that lists the valid modes, so a typo never silently picks a mode.
 */
export function parseMode(mode: string | undefined): GpujsMode | undefined {
  if (mode === undefined || BEST.has(mode)) return undefined;
  if ((GPUJS_MODES as readonly string[]).includes(mode)) return mode as GpujsMode;
  throw new BackendUnavailableError(
    GPUJS,
    `unknown gpu.js mode "${mode}"; valid modes: ${GPUJS_MODES.join(", ")} (or auto for the best that starts)`,
    `pass --gpujs-mode ${GPUJS_MODES.join("|")}, or leave it out`,
  );
}
